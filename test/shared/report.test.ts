import { describe, expect, it } from 'vitest'
import { isoWeekLabel, isoWeekday, overdueAt, periodSpan, previousSpan, slowestSegment } from '../../shared/report'
import { DEFAULT_POLICY, computeFigures } from '../../shared/metrics'
import { DAY_MS, HOUR_MS } from '../../shared/time'

describe('report periods', () => {
  it('a week runs Monday to Sunday around any of its days, in the zone', () => {
    for (const date of ['2026-11-16', '2026-11-19', '2026-11-22']) {
      const w = periodSpan('week', date, 'Asia/Shanghai')
      expect(w).toMatchObject({ start: '2026-11-16', end: '2026-11-23', label: '2026-W47' })
      expect(new Date(w.from).toISOString()).toBe('2026-11-15T16:00:00.000Z')
      expect(w.to - w.from).toBe(7 * DAY_MS)
    }
    expect(periodSpan('week', '2026-11-23', 'Asia/Shanghai').start).toBe('2026-11-23')
  })

  it('ISO week numbers at the turn of the year', () => {
    expect(isoWeekday('2026-01-01')).toBe(4)
    expect(isoWeekLabel('2026-01-01')).toBe('2026-W01')
    expect(isoWeekLabel('2027-01-01')).toBe('2026-W53')
    expect(isoWeekLabel('2024-12-30')).toBe('2025-W01')
    expect(isoWeekLabel('2021-01-03')).toBe('2020-W53')
  })

  it('a day is the local day; across a DST change it has 23 or 25 hours', () => {
    const d = periodSpan('day', '2026-03-29', 'Europe/London')
    expect(d.to - d.from).toBe(23 * HOUR_MS)
    expect(previousSpan(d, 'Europe/London')).toMatchObject({ start: '2026-03-28', end: '2026-03-29' })
    expect(previousSpan(periodSpan('week', '2026-01-01', 'Asia/Shanghai'), 'Asia/Shanghai').label).toBe('2025-W52')
    expect(() => periodSpan('day', '2026-02-30', 'Asia/Shanghai')).toThrow(RangeError)
  })
})

describe('report contents', () => {
  it('overdue at a moment uses the stages held then', () => {
    const at = Date.UTC(2026, 10, 20)
    const open = [
      { id: 'a', gridId: 'g', category: 'noise' as const, priority: 'urgent' as const, receivedAt: at - 3 * HOUR_MS, stages: [] },
      // Accepted in time, resolved only after `at`: late for resolution then.
      { id: 'b', gridId: 'g', category: 'noise' as const, priority: 'urgent' as const, receivedAt: at - 4 * HOUR_MS, stages: [{ stage: 'accepted' as const, at: at - 4 * HOUR_MS + 60_000 }, { stage: 'resolved' as const, at: at + HOUR_MS }] },
      { id: 'c', gridId: 'g', category: 'noise' as const, priority: 'general' as const, receivedAt: at - HOUR_MS, stages: [] },
    ]
    expect(overdueAt(open, at, DEFAULT_POLICY).map((o) => [o.id, o.late])).toEqual([
      ['b', ['resolution']],
      ['a', ['response', 'resolution']],
    ])
  })

  it('the slowest segment is the one with the longest median', () => {
    const t0 = Date.UTC(2026, 10, 20)
    const f = computeFigures({
      requests: [
        { id: 'r', source: 'hotline', category: 'noise', priority: 'general', gridId: 'g', receivedAt: t0, stages: [{ stage: 'dispatched', at: t0 + 60_000 }, { stage: 'accepted', at: t0 + 3_600_000 }, { stage: 'onsite', at: t0 + 3_700_000 }] },
      ],
      open: [],
      alerts: [],
      cells: 0,
      visitedCells: 0,
      workersOnline: 0,
      population: null,
      now: t0 + DAY_MS,
      policy: DEFAULT_POLICY,
    })
    expect(slowestSegment(f)?.segment).toBe('accept')
  })
})
