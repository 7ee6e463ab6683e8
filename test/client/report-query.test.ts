import { describe, expect, it } from 'vitest'
import { parseReportQuery } from '../../client/report/load'

describe('the report page query', () => {
  it('reads a live report, a kept one, and says which field is wrong', () => {
    expect(parseReportQuery({ unit: '640106001', period: 'week', date: '2026-11-25' })).toEqual({ unit: '640106001', period: 'week', date: '2026-11-25' })
    expect(parseReportQuery({})).toEqual({ period: 'day' })
    expect(parseReportQuery({ id: '640106001-week-2026-11-23' })).toEqual({ id: '640106001-week-2026-11-23', period: 'week' })
    expect(parseReportQuery({ period: 'month' })).toEqual({ error: 'period=day|week' })
    expect(parseReportQuery({ date: '2026-02-30' })).toEqual({ error: 'date=YYYY-MM-DD' })
    expect(parseReportQuery({ unit: '../x' })).toEqual({ error: 'unit' })
    expect(parseReportQuery({ id: '640106001-month-2026-11-23' })).toEqual({ error: 'id' })
  })
})
