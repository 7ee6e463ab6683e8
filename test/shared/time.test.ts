import { describe, expect, it } from 'vitest'
import { FIRST_DATE, LAST_DATE, addDays, inDateRange, isCalendarDate, localDate, startOfLocalDate } from '../../shared/time'

describe('dates far from now', () => {
  it('reads years below 100 as themselves, not as 1900–1999', () => {
    expect(new Date(startOfLocalDate('0001-01-01', 'UTC')).toISOString()).toBe('0001-01-01T00:00:00.000Z')
    expect(localDate(Date.parse('0001-01-01T12:00:00Z'), 'UTC')).toBe('0001-01-01')
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01')
    expect(addDays('0001-01-01', -1)).toBe('0000-12-31')
  })

  it('throws a RangeError for a date past 9999 rather than writing one no caller can read', () => {
    expect(addDays('9999-12-30', 1)).toBe('9999-12-31')
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError)
    expect(() => localDate(Date.parse('9999-12-31T23:00:00Z'), 'Asia/Shanghai')).toThrow(RangeError)
  })
})

describe('isCalendarDate', () => {
  it('takes only days that exist', () => {
    for (const date of ['2026-02-28', '2024-02-29', '2026-12-31', '2000-01-01']) expect(isCalendarDate(date), date).toBe(true)
    for (const date of ['2025-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-1-01', '2026-01-01T00:00Z']) {
      expect(isCalendarDate(date), date).toBe(false)
    }
  })
})

describe('inDateRange', () => {
  it(`holds from ${FIRST_DATE} to ${LAST_DATE}, both at local midnight and both included`, () => {
    for (const tz of ['Asia/Shanghai', 'UTC', 'America/Los_Angeles']) {
      const first = startOfLocalDate(FIRST_DATE, tz)
      const last = startOfLocalDate(LAST_DATE, tz)
      expect(inDateRange(first, tz), tz).toBe(true)
      expect(inDateRange(first - 1, tz), tz).toBe(false)
      expect(inDateRange(last, tz), tz).toBe(true)
      expect(inDateRange(last + 1, tz), tz).toBe(false)
      expect(inDateRange(Date.parse('0001-01-01T00:00:00Z'), tz), tz).toBe(false)
      expect(inDateRange(Date.parse('9999-12-31T00:00:00Z'), tz), tz).toBe(false)
    }
  })
})
