// The figure definitions, checked against hand-computed cases. Every expected number below is
// worked out in a comment and written literally: none is recomputed with the code under test.
import { describe, expect, it } from 'vitest'
import type { AlertKind, Category, Priority, Satisfaction, Source, TransitionStage, Verdict } from '../../shared/domain'
import {
  DEFAULT_POLICY,
  computeFigures,
  contributionOf,
  nearestRank,
  percentileOfSorted,
  rankBy,
  rate,
  timeStat,
  wilsonLower,
  type AlertFacts,
  type FigureInputs,
  type Figures,
  type RequestFacts,
  type StageFact,
} from '../../shared/metrics'
import { localDate, startOfDay, startOfLocalDate, todayWindow } from '../../shared/time'

// ---- builders --------------------------------------------------------------------------------------

const SEC = 1000
const MIN = 60 * SEC
const HOUR = 60 * MIN
const DAY = 24 * HOUR

/** 2026-11-28T01:00:00Z = 09:00 in Asia/Shanghai, a plain weekday morning. */
const T0 = Date.parse('2026-11-28T01:00:00Z')

/** A transition `offset` ms after receipt; reviews carry their verdict. */
type Step = [TransitionStage, number] | ['reviewed', number, boolean, Satisfaction]

let nextId = 0

function req(
  receivedAt: number,
  steps: Step[] = [],
  over: { priority?: Priority; source?: Source; category?: Category; id?: string } = {},
): RequestFacts {
  const stages: StageFact[] = steps.map((s) =>
    s.length === 4 ? { stage: s[0], at: receivedAt + s[1], resolved: s[2], satisfaction: s[3] } : { stage: s[0], at: receivedAt + s[1] },
  )
  return {
    id: over.id ?? `r${++nextId}`,
    source: over.source ?? 'hotline',
    category: over.category ?? 'environment',
    priority: over.priority ?? 'general',
    gridId: 'g1',
    receivedAt,
    stages,
  }
}

function inputs(over: Partial<FigureInputs> = {}): FigureInputs {
  return {
    requests: [],
    open: [],
    alerts: [],
    cells: 0,
    visitedCells: 0,
    workersOnline: 0,
    population: null,
    now: T0,
    policy: DEFAULT_POLICY,
    ...over,
  }
}

/** What the caller does before computeFigures: a request belongs to [from, to) by its receivedAt. */
function inWindow(requests: readonly RequestFacts[], w: { from: number; to: number }): RequestFacts[] {
  return requests.filter((r) => r.receivedAt >= w.from && r.receivedAt < w.to)
}

const EMPTY_STAT = { p50: null, p90: null, n: 0 }
const EMPTY_RATE = { value: null, k: 0, n: 0, lower: null }

// ---- empty -----------------------------------------------------------------------------------------

describe('no requests', () => {
  it('gives null statistics and null rates (never 0%)', () => {
    const f = computeFigures(inputs({ population: 1500 }))
    expect(f.requests).toBe(0)
    // 0 requests per 1,000 of 1500 residents = 0.
    expect(f.perThousand).toBe(0)
    expect(f.responseTime).toEqual(EMPTY_STAT)
    expect(f.resolutionTime).toEqual(EMPTY_STAT)
    expect(f.segments).toEqual({ dispatch: EMPTY_STAT, accept: EMPTY_STAT, travel: EMPTY_STAT, work: EMPTY_STAT })
    expect(f.camera.reviewTime).toEqual(EMPTY_STAT)
    expect(f.onTimeResponse).toEqual(EMPTY_RATE)
    expect(f.resolution).toEqual(EMPTY_RATE)
    expect(f.satisfaction).toEqual(EMPTY_RATE)
    expect(f.proactive).toEqual(EMPTY_RATE)
    expect(f.camera.precision).toEqual(EMPTY_RATE)
    expect(f.patrol.coverage).toEqual(EMPTY_RATE)
    expect(f.overdue).toEqual({ response: 0, resolution: 0 })
    expect(f.camera.alerts).toBe(0)
    expect(f.camera.reviewed).toBe(0)
    for (const k of Object.values(f.camera.byKind)) expect(k).toEqual({ alerts: 0, reviewed: 0, confirmed: 0, precision: null })
    for (const c of Object.values(f.byCategory)) expect(c).toBe(0)
  })

  it('has no per-capita figure without a population', () => {
    expect(computeFigures(inputs({ population: null })).perThousand).toBeNull()
  })
})

// ---- percentiles -----------------------------------------------------------------------------------

describe('percentiles by nearest rank', () => {
  it('n = 1: both percentiles are the one value', () => {
    // ⌈50·1/100⌉ = ⌈0.5⌉ = 1, ⌈90·1/100⌉ = ⌈0.9⌉ = 1.
    expect(nearestRank(50, 1)).toBe(1)
    expect(nearestRank(90, 1)).toBe(1)
    expect(timeStat([42])).toEqual({ p50: 42, p90: 42, n: 1 })
  })

  it('n = 2: [10, 20] gives P50 10, P90 20', () => {
    // ⌈50·2/100⌉ = 1 → 10; ⌈90·2/100⌉ = ⌈1.8⌉ = 2 → 20.
    expect(nearestRank(50, 2)).toBe(1)
    expect(nearestRank(90, 2)).toBe(2)
    expect(timeStat([20, 10])).toEqual({ p50: 10, p90: 20, n: 2 })
  })

  it('n = 10: 1..10 gives P50 5, P90 9', () => {
    // ⌈50·10/100⌉ = 5 → 5; ⌈90·10/100⌉ = 9 → 9.
    const values = [10, 3, 7, 1, 9, 5, 2, 8, 4, 6]
    expect(timeStat(values)).toEqual({ p50: 5, p90: 9, n: 10 })
    expect(percentileOfSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5)
    expect(percentileOfSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9)
  })

  it('n = 11: 1..11 gives P50 6, P90 10', () => {
    // ⌈50·11/100⌉ = ⌈5.5⌉ = 6 → 6; ⌈90·11/100⌉ = ⌈9.9⌉ = 10 → 10.
    expect(nearestRank(50, 11)).toBe(6)
    expect(nearestRank(90, 11)).toBe(10)
    expect(timeStat([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toEqual({ p50: 6, p90: 10, n: 11 })
  })

  it('n = 16: a fractional rank below .5 still rounds up (1..16 gives P50 8, P90 15)', () => {
    // ⌈50·16/100⌉ = 8 → 8; ⌈90·16/100⌉ = ⌈14.4⌉ = 15 → 15 (rounding to nearest would give 14).
    expect(nearestRank(90, 16)).toBe(15)
    expect(timeStat(Array.from({ length: 16 }, (_, i) => 16 - i))).toEqual({ p50: 8, p90: 15, n: 16 })
  })

  it('n = 0: null', () => {
    expect(percentileOfSorted([], 50)).toBeNull()
    expect(timeStat([])).toEqual(EMPTY_STAT)
  })

  it('applies to response times in seconds through computeFigures', () => {
    // Eleven requests accepted 1, 2, …, 11 minutes after receipt: responses 60, 120, …, 660 s.
    // P50 = 6th = 360 s, P90 = 10th = 600 s.
    const requests = Array.from({ length: 11 }, (_, i) => req(T0, [['dispatched', 10 * SEC], ['accepted', (i + 1) * MIN]]))
    const f = computeFigures(inputs({ requests, now: T0 + DAY }))
    expect(f.responseTime).toEqual({ p50: 360, p90: 600, n: 11 })
  })
})

// ---- one request's lifecycle ------------------------------------------------------------------------

describe('a full lifecycle', () => {
  // general: response 2 h, resolution 7 days. Received T0; dispatched +60 s, accepted +300 s,
  // onsite +1200 s, resolved +4800 s, reviewed +1 day (resolved, satisfied).
  const full = req(T0, [
    ['dispatched', 60 * SEC],
    ['accepted', 300 * SEC],
    ['onsite', 1200 * SEC],
    ['resolved', 4800 * SEC],
    ['reviewed', DAY, true, 'satisfied'],
  ])

  it('gives response, resolution and each segment (contributionOf, ms)', () => {
    const c = contributionOf(full, DEFAULT_POLICY)
    // response = accepted − received = 300 s; resolution = resolved − received = 4800 s.
    expect(c.response).toBe(300_000)
    expect(c.resolution).toBe(4_800_000)
    // dispatch 60 − 0 = 60 s; accept 300 − 60 = 240 s; travel 1200 − 300 = 900 s; work 4800 − 1200 = 3600 s.
    expect(c.segments).toEqual({ dispatch: 60_000, accept: 240_000, travel: 900_000, work: 3_600_000 })
    // 300 s ≤ 7200 s.
    expect(c.onTime).toBe(true)
    expect(c.latestReview).toEqual({ resolved: true, satisfaction: 'satisfied' })
    expect(c.stage).toBe('reviewed')
    expect(c.proactive).toBe(false)
  })

  it('gives the same in seconds through computeFigures; a segment with a missing end is left out', () => {
    // A second request accepted and resolved without going on site: received T0 + 1 h; dispatched
    // +120 s, accepted +600 s, resolved +3000 s. Segments: dispatch 120 s, accept 480 s, travel and
    // work have no onsite end → absent. Response 600 s, resolution 3000 s.
    const direct = req(T0 + HOUR, [['dispatched', 120 * SEC], ['accepted', 600 * SEC], ['resolved', 3000 * SEC]])
    const f = computeFigures(inputs({ requests: [full, direct], now: T0 + 2 * DAY }))
    // Responses [300, 600]: P50 = rank 1 = 300, P90 = rank 2 = 600.
    expect(f.responseTime).toEqual({ p50: 300, p90: 600, n: 2 })
    // Resolutions [3000, 4800]: P50 3000, P90 4800.
    expect(f.resolutionTime).toEqual({ p50: 3000, p90: 4800, n: 2 })
    expect(f.segments.dispatch).toEqual({ p50: 60, p90: 120, n: 2 })
    expect(f.segments.accept).toEqual({ p50: 240, p90: 480, n: 2 })
    expect(f.segments.travel).toEqual({ p50: 900, p90: 900, n: 1 })
    expect(f.segments.work).toEqual({ p50: 3600, p90: 3600, n: 1 })
    // Both accepted within 2 h: 2 of 2.
    expect(f.onTimeResponse).toMatchObject({ value: 1, k: 2, n: 2 })
    // One reviewed (resolved, satisfied): 解决率 1/1, 满意率 1/1.
    expect(f.resolution).toMatchObject({ value: 1, k: 1, n: 1 })
    expect(f.satisfaction).toMatchObject({ value: 1, k: 1, n: 1 })
  })

  it('is on time with the response exactly at the deadline, late 1 ms after', () => {
    // urgent: 30 min = 1,800,000 ms.
    const edge = req(T0, [['dispatched', MIN], ['accepted', 1_800_000]], { priority: 'urgent' })
    const late = req(T0, [['dispatched', MIN], ['accepted', 1_800_001]], { priority: 'urgent' })
    expect(contributionOf(edge, DEFAULT_POLICY).onTime).toBe(true)
    expect(contributionOf(late, DEFAULT_POLICY).onTime).toBe(false)
    // Both accepted, so both in the denominator: 1 of 2.
    const f = computeFigures(inputs({ requests: [edge, late], now: T0 + HOUR }))
    expect(f.onTimeResponse).toMatchObject({ value: 0.5, k: 1, n: 2 })
  })
})

// ---- not yet accepted, and overdue -----------------------------------------------------------------

describe('requests not yet accepted, and overdue at a moment', () => {
  // All urgent: response 30 min, resolution 2 h. now = T0 + 1 day.
  const now = T0 + DAY
  const u1 = req(now - 29 * MIN, [], { priority: 'urgent', id: 'u1' }) // due in 1 min: not in the denominator
  const u2 = req(now - 31 * MIN, [['dispatched', MIN]], { priority: 'urgent', id: 'u2' }) // due 1 min ago: in, late
  const u3 = req(now - 30 * MIN, [], { priority: 'urgent', id: 'u3' }) // due exactly now: in, late; not yet overdue
  const u4 = req(now - 3 * HOUR, [['dispatched', MIN], ['accepted', 10 * MIN]], { priority: 'urgent', id: 'u4' }) // on time, open 3 h
  const u5 = req(now - 10 * MIN, [['dispatched', MIN], ['accepted', 5 * MIN]], { priority: 'urgent', id: 'u5' }) // accepted before its due time
  const u6 = req(now - 3 * HOUR, [['dispatched', MIN], ['accepted', 40 * MIN], ['resolved', 100 * MIN]], { priority: 'urgent', id: 'u6' }) // late, closed
  const u7 = req(now - 3 * HOUR, [['dispatched', MIN]], { priority: 'urgent', id: 'u7' }) // never accepted, 3 h old
  const all = [u1, u2, u3, u4, u5, u6, u7]

  it('leaves a request whose deadline has not passed out of 响应率, and counts one whose deadline passed as late', () => {
    expect(computeFigures(inputs({ requests: [u1], now })).onTimeResponse).toEqual(EMPTY_RATE)
    expect(computeFigures(inputs({ requests: [u2], now })).onTimeResponse).toMatchObject({ value: 0, k: 0, n: 1 })
    // Deadline ≤ now includes the deadline itself.
    expect(computeFigures(inputs({ requests: [u3], now })).onTimeResponse).toMatchObject({ value: 0, k: 0, n: 1 })
    // Accepted before its deadline passed: in the denominator, on time.
    expect(computeFigures(inputs({ requests: [u5], now })).onTimeResponse).toMatchObject({ value: 1, k: 1, n: 1 })
  })

  it('combines them', () => {
    // Denominator: u2, u3 (due passed), u4, u5, u6 (accepted), u7 (due passed) = 6; u1 out.
    // On time: u4 (10 min), u5 (5 min) = 2; u6 took 40 min. 2 / 6 = 1/3.
    const f = computeFigures(inputs({ requests: all, now }))
    expect(f.onTimeResponse.k).toBe(2)
    expect(f.onTimeResponse.n).toBe(6)
    expect(f.onTimeResponse.value).toBeCloseTo(1 / 3, 12)
  })

  it('counts overdue over the open requests', () => {
    // Response overdue (not accepted, now > received + 30 min): u2 (31 min), u7 (3 h) = 2;
    // u1 (29 min) and u3 (exactly 30 min, not past) are not.
    // Resolution overdue (not resolved/reviewed, now > received + 2 h): u4, u7 (3 h) = 2;
    // u6 is resolved, u2 is only 31 min old.
    const f = computeFigures(inputs({ open: all, now }))
    expect(f.overdue).toEqual({ response: 2, resolution: 2 })
    expect(computeFigures(inputs({ open: [u1], now })).overdue).toEqual({ response: 0, resolution: 0 })
    expect(computeFigures(inputs({ open: [u2], now })).overdue).toEqual({ response: 1, resolution: 0 })
    expect(computeFigures(inputs({ open: [u3], now })).overdue).toEqual({ response: 0, resolution: 0 })
    // 1 ms later u3 is overdue for response.
    expect(computeFigures(inputs({ open: [u3], now: now + 1 })).overdue).toEqual({ response: 1, resolution: 0 })
  })

  it('does not depend on the window requests', () => {
    // Overdue is over `open` only: the same requests in `requests` alone give no overdue.
    expect(computeFigures(inputs({ requests: all, now })).overdue).toEqual({ response: 0, resolution: 0 })
  })
})

// ---- returned, reopened, reviews changed -------------------------------------------------------------

describe('returned and dispatched again', () => {
  it('uses the first occurrence of each stage', () => {
    // Received T0; dispatched +100 s, accepted +400 s, returned +500 s, dispatched +1000 s,
    // accepted +1300 s, onsite +2000 s, resolved +5000 s.
    // First: dispatched 100, accepted 400, onsite 2000, resolved 5000.
    // dispatch 100 s; accept 400 − 100 = 300 s; travel 2000 − 400 = 1600 s; work 5000 − 2000 = 3000 s.
    // Response = first accepted = 400 s; resolution = 5000 s.
    const r = req(T0, [
      ['dispatched', 100 * SEC],
      ['accepted', 400 * SEC],
      ['returned', 500 * SEC],
      ['dispatched', 1000 * SEC],
      ['accepted', 1300 * SEC],
      ['onsite', 2000 * SEC],
      ['resolved', 5000 * SEC],
    ])
    const c = contributionOf(r, DEFAULT_POLICY)
    expect(c.segments).toEqual({ dispatch: 100_000, accept: 300_000, travel: 1_600_000, work: 3_000_000 })
    expect(c.response).toBe(400_000)
    expect(c.resolution).toBe(5_000_000)
  })

  it('returned before it was ever accepted: the accept segment runs from the first dispatch', () => {
    // Received T0; dispatched +100 s, returned +500 s, dispatched +1000 s, accepted +1300 s.
    // dispatch 100 s; accept 1300 − 100 = 1200 s; response 1300 s.
    const r = req(T0, [['dispatched', 100 * SEC], ['returned', 500 * SEC], ['dispatched', 1000 * SEC], ['accepted', 1300 * SEC]])
    const c = contributionOf(r, DEFAULT_POLICY)
    expect(c.segments).toEqual({ dispatch: 100_000, accept: 1_200_000, travel: null, work: null })
    expect(c.response).toBe(1_300_000)
    expect(c.resolution).toBeNull()
  })
})

describe('reopened after review', () => {
  // general (7 days to resolve). Received T0; dispatched +60 s, accepted +120 s, onsite +600 s,
  // resolved +3600 s, reviewed +7200 s (not resolved, dissatisfied), reopened +8000 s, …
  const firstRound: Step[] = [
    ['dispatched', 60 * SEC],
    ['accepted', 120 * SEC],
    ['onsite', 600 * SEC],
    ['resolved', 3600 * SEC],
    ['reviewed', 7200 * SEC, false, 'dissatisfied'],
    ['reopened', 8000 * SEC],
  ]

  it('resolved again: resolution uses the last resolved, segments the first occurrences', () => {
    // … dispatched +8100 s, accepted +8200 s, onsite +8500 s, resolved +10000 s,
    // reviewed +20000 s (resolved, satisfied).
    const r = req(T0, [
      ...firstRound,
      ['dispatched', 8100 * SEC],
      ['accepted', 8200 * SEC],
      ['onsite', 8500 * SEC],
      ['resolved', 10_000 * SEC],
      ['reviewed', 20_000 * SEC, true, 'satisfied'],
    ])
    const c = contributionOf(r, DEFAULT_POLICY)
    // Resolution = last resolved = 10000 s (not 3600 s).
    expect(c.resolution).toBe(10_000_000)
    // Response = first accepted = 120 s.
    expect(c.response).toBe(120_000)
    // dispatch 60; accept 120 − 60 = 60; travel 600 − 120 = 480; work 3600 − 600 = 3000 (seconds).
    expect(c.segments).toEqual({ dispatch: 60_000, accept: 60_000, travel: 480_000, work: 3_000_000 })
    expect(c.latestReview).toEqual({ resolved: true, satisfaction: 'satisfied' })
    const f = computeFigures(inputs({ requests: [r], open: [r], now: T0 + 8 * DAY }))
    expect(f.resolutionTime).toEqual({ p50: 10_000, p90: 10_000, n: 1 })
    expect(f.resolution).toMatchObject({ value: 1, k: 1, n: 1 })
    // Closed: not overdue though 8 days > 7 days have passed.
    expect(f.overdue).toEqual({ response: 0, resolution: 0 })
  })

  it('while reopened: no resolution time, not resolved, overdue once past the resolution deadline', () => {
    const r = req(T0, firstRound)
    const c = contributionOf(r, DEFAULT_POLICY)
    expect(c.stage).toBe('reopened')
    expect(c.resolution).toBeNull()
    // The review before the reopen said not resolved: 解决率 0 of 1, 满意率 0 / 1.
    expect(c.latestReview).toEqual({ resolved: false, satisfaction: 'dissatisfied' })
    const f = computeFigures(inputs({ requests: [r], open: [r], now: T0 + 8 * DAY }))
    expect(f.resolutionTime).toEqual(EMPTY_STAT)
    expect(f.resolution).toMatchObject({ value: 0, k: 0, n: 1 })
    expect(f.satisfaction).toMatchObject({ value: 0, k: 0, n: 1 })
    // Accepted at +120 s: not overdue for response. Open 8 days > 7 days: overdue for resolution.
    expect(f.overdue).toEqual({ response: 0, resolution: 1 })
    // At exactly 7 days it is not yet past the deadline; 1 ms later it is.
    expect(computeFigures(inputs({ open: [r], now: T0 + 7 * DAY })).overdue).toEqual({ response: 0, resolution: 0 })
    expect(computeFigures(inputs({ open: [r], now: T0 + 7 * DAY + 1 })).overdue).toEqual({ response: 0, resolution: 1 })
  })
})

describe('a review changed later', () => {
  it('counts the latest review for 解决率 and 满意率', () => {
    const base: Step[] = [['dispatched', MIN], ['accepted', 5 * MIN], ['resolved', HOUR]]
    // r1: not resolved/dissatisfied, then resolved/satisfied          → latest: resolved, 1
    // r2: not resolved/dissatisfied, then resolved/basically_satisfied → latest: resolved, 0.8
    // r3: resolved/satisfied, then not resolved/dissatisfied          → latest: not resolved, 0
    // r4: resolved, never reviewed                                    → not in either denominator
    const r1 = req(T0, [...base, ['reviewed', 2 * HOUR, false, 'dissatisfied'], ['reviewed', 3 * HOUR, true, 'satisfied']])
    const r2 = req(T0, [...base, ['reviewed', 2 * HOUR, false, 'dissatisfied'], ['reviewed', 3 * HOUR, true, 'basically_satisfied']])
    const r3 = req(T0, [...base, ['reviewed', 2 * HOUR, true, 'satisfied'], ['reviewed', 3 * HOUR, false, 'dissatisfied']])
    const r4 = req(T0, base)
    const f = computeFigures(inputs({ requests: [r1, r2, r3, r4], now: T0 + DAY }))
    // 解决率 = 2 / 3 (the first reviews would give 1 / 3).
    expect(f.resolution.k).toBe(2)
    expect(f.resolution.n).toBe(3)
    expect(f.resolution.value).toBeCloseTo(2 / 3, 12)
    // 满意率: k = 1 + 0.8 + 0 = 1.8, n = 3, value 0.6 (the first reviews would give 1 / 3).
    expect(f.satisfaction.k).toBeCloseTo(1.8, 12)
    expect(f.satisfaction.n).toBe(3)
    expect(f.satisfaction.value).toBeCloseTo(0.6, 12)
    // Resolution time still counts for the reviewed ones and r4: four at 3600 s.
    expect(f.resolutionTime).toEqual({ p50: 3600, p90: 3600, n: 4 })
  })
})

describe('a stage first reached only after a reopen', () => {
  it('makes no negative segment', () => {
    // Received T0; dispatched +60 s, accepted +120 s, resolved +600 s (no onsite), reopened +1000 s,
    // dispatched +1100 s, accepted +1200 s, onsite +1500 s, resolved +2000 s.
    // First: dispatched 60, accepted 120, onsite 1500, resolved 600.
    // dispatch 60 s; accept 60 s; travel 1500 − 120 = 1380 s; work 600 − 1500 < 0 → null.
    // Resolution = last resolved = 2000 s.
    const r = req(T0, [
      ['dispatched', 60 * SEC],
      ['accepted', 120 * SEC],
      ['resolved', 600 * SEC],
      ['reopened', 1000 * SEC],
      ['dispatched', 1100 * SEC],
      ['accepted', 1200 * SEC],
      ['onsite', 1500 * SEC],
      ['resolved', 2000 * SEC],
    ])
    const c = contributionOf(r, DEFAULT_POLICY)
    expect(c.segments).toEqual({ dispatch: 60_000, accept: 60_000, travel: 1_380_000, work: null })
    expect(c.resolution).toBe(2_000_000)
    const f = computeFigures(inputs({ requests: [r], now: T0 + DAY }))
    expect(f.segments.work).toEqual(EMPTY_STAT)
  })
})

// ---- windows and days --------------------------------------------------------------------------------

describe('window edges', () => {
  it('takes a request received exactly at `from` and leaves out one exactly at `to`', () => {
    // Shanghai day 2026-11-29: [2026-11-28T16:00Z, 2026-11-29T16:00Z).
    const w = { from: Date.parse('2026-11-28T16:00:00Z'), to: Date.parse('2026-11-29T16:00:00Z') }
    const before = req(w.from - 1, [], { id: 'before' })
    const atFrom = req(w.from, [], { id: 'atFrom' })
    const lastMs = req(w.to - 1, [], { id: 'lastMs' })
    const atTo = req(w.to, [], { id: 'atTo' })
    const picked = inWindow([before, atFrom, lastMs, atTo], w)
    expect(picked.map((r) => r.id)).toEqual(['atFrom', 'lastMs'])
    const f = computeFigures(inputs({ requests: picked, now: w.to, population: 1000 }))
    // 2 requests of 1000 residents = 2 per 1,000.
    expect(f.requests).toBe(2)
    expect(f.perThousand).toBe(2)
  })

  it('a request received in the window counts its response even when accepted after the window', () => {
    // general, received 1 min before `to`, accepted 30 min later (after `to`): response 1800 s.
    const w = { from: T0, to: T0 + DAY }
    const r = req(w.to - MIN, [['dispatched', MIN], ['accepted', 30 * MIN]])
    const f = computeFigures(inputs({ requests: inWindow([r], w), now: w.to + HOUR }))
    expect(f.responseTime).toEqual({ p50: 1800, p90: 1800, n: 1 })
  })
})

describe('days in the center’s zone', () => {
  it('Asia/Shanghai: today is [16:00Z, 16:00Z next day)', () => {
    // 2026-11-28T16:30Z = 2026-11-29 00:30 in Shanghai (+8), so today is 2026-11-29,
    // beginning 2026-11-28T16:00Z and ending 2026-11-29T16:00Z.
    const now = Date.parse('2026-11-28T16:30:00Z')
    expect(todayWindow(now, 'Asia/Shanghai')).toEqual({
      from: Date.parse('2026-11-28T16:00:00Z'),
      to: Date.parse('2026-11-29T16:00:00Z'),
    })
    expect(startOfLocalDate('2026-11-29', 'Asia/Shanghai')).toBe(Date.parse('2026-11-28T16:00:00Z'))
    expect(startOfDay(now, 'Asia/Shanghai')).toBe(Date.parse('2026-11-28T16:00:00Z'))
  })

  it('Asia/Shanghai: the local date flips at 16:00Z', () => {
    // 15:59:59.999Z = 23:59:59.999 on the 28th; 16:00:00Z = 00:00 on the 29th.
    expect(localDate(Date.parse('2026-11-28T15:59:59.999Z'), 'Asia/Shanghai')).toBe('2026-11-28')
    expect(localDate(Date.parse('2026-11-28T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2026-11-29')
  })

  it('Europe/Berlin: the spring-forward day is 23 hours, the fall-back day 25', () => {
    // 2026: CEST begins Sunday 29 March at 01:00Z and ends Sunday 25 October at 01:00Z.
    // 29 March begins at 00:00 CET = 2026-03-28T23:00Z; 30 March at 00:00 CEST = 2026-03-29T22:00Z.
    const mar29 = startOfLocalDate('2026-03-29', 'Europe/Berlin')
    const mar30 = startOfLocalDate('2026-03-30', 'Europe/Berlin')
    expect(mar29).toBe(Date.parse('2026-03-28T23:00:00Z'))
    expect(mar30).toBe(Date.parse('2026-03-29T22:00:00Z'))
    expect(mar30 - mar29).toBe(23 * HOUR)
    // 25 October begins at 00:00 CEST = 2026-10-24T22:00Z; 26 October at 00:00 CET = 2026-10-25T23:00Z.
    const oct25 = startOfLocalDate('2026-10-25', 'Europe/Berlin')
    const oct26 = startOfLocalDate('2026-10-26', 'Europe/Berlin')
    expect(oct25).toBe(Date.parse('2026-10-24T22:00:00Z'))
    expect(oct26).toBe(Date.parse('2026-10-25T23:00:00Z'))
    expect(oct26 - oct25).toBe(25 * HOUR)
    // Noon UTC on the spring day: today is [2026-03-28T23:00Z, 2026-03-29T22:00Z).
    expect(todayWindow(Date.parse('2026-03-29T12:00:00Z'), 'Europe/Berlin')).toEqual({
      from: Date.parse('2026-03-28T23:00:00Z'),
      to: Date.parse('2026-03-29T22:00:00Z'),
    })
  })
})

// ---- sources, population, categories -----------------------------------------------------------------

describe('proactive, per-capita and by category', () => {
  it('3 requests (patrol, camera, hotline), population 1500', () => {
    const requests = [
      req(T0, [], { source: 'patrol', category: 'environment' }),
      req(T0, [], { source: 'camera', category: 'environment' }),
      req(T0, [], { source: 'hotline', category: 'noise' }),
    ]
    const f = computeFigures(inputs({ requests, population: 1500, now: T0 + MIN }))
    expect(f.requests).toBe(3)
    // 3 × 1000 / 1500 = 2.
    expect(f.perThousand).toBe(2)
    // patrol + camera = 2 of 3.
    expect(f.proactive.k).toBe(2)
    expect(f.proactive.n).toBe(3)
    expect(f.proactive.value).toBeCloseTo(2 / 3, 12)
    expect(f.byCategory).toEqual({
      environment: 2,
      municipal: 0,
      public_order: 0,
      dispute: 0,
      elderly_care: 0,
      property: 0,
      noise: 1,
      utilities: 0,
      traffic: 0,
      safety_hazard: 0,
      other: 0,
    })
  })

  it('no other source is proactive', () => {
    const sources: Source[] = ['hotline', 'grid_chat', 'app', 'qr', 'walk_in']
    const f = computeFigures(inputs({ requests: sources.map((source) => req(T0, [], { source })) }))
    expect(f.proactive).toMatchObject({ value: 0, k: 0, n: 5 })
  })
})

// ---- camera ---------------------------------------------------------------------------------------------

describe('camera alerts', () => {
  function alert(kind: AlertKind, verdict: Verdict | null, reviewAfterSec: number | null): AlertFacts {
    return { id: `a${++nextId}`, kind, gridId: 'g1', at: T0, verdict, reviewedAt: reviewAfterSec === null ? null : T0 + reviewAfterSec * SEC }
  }

  it('counts alerts, reviews and precision per kind and overall', () => {
    const alerts = [
      alert('smoke_fire', 'confirmed', 60),
      alert('smoke_fire', 'false_positive', 120),
      alert('smoke_fire', 'confirmed', 30),
      alert('ebike_in_elevator', 'confirmed', 600),
      alert('ebike_in_elevator', null, null), // not reviewed yet
      alert('manhole_anomaly', 'false_positive', 300),
    ]
    const f = computeFigures(inputs({ alerts, now: T0 + HOUR }))
    // 6 alerts, 5 reviewed, 3 confirmed: precision 3/5 = 0.6.
    expect(f.camera.alerts).toBe(6)
    expect(f.camera.reviewed).toBe(5)
    expect(f.camera.precision.k).toBe(3)
    expect(f.camera.precision.n).toBe(5)
    expect(f.camera.precision.value).toBeCloseTo(0.6, 12)
    // smoke_fire 2 of 3 confirmed; ebike 1 of 1 reviewed (2 alerts); manhole 0 of 1; others empty.
    expect(f.camera.byKind.smoke_fire.alerts).toBe(3)
    expect(f.camera.byKind.smoke_fire.reviewed).toBe(3)
    expect(f.camera.byKind.smoke_fire.confirmed).toBe(2)
    expect(f.camera.byKind.smoke_fire.precision).toBeCloseTo(2 / 3, 12)
    expect(f.camera.byKind.ebike_in_elevator).toEqual({ alerts: 2, reviewed: 1, confirmed: 1, precision: 1 })
    expect(f.camera.byKind.manhole_anomaly).toEqual({ alerts: 1, reviewed: 1, confirmed: 0, precision: 0 })
    expect(f.camera.byKind.high_altitude_throwing).toEqual({ alerts: 0, reviewed: 0, confirmed: 0, precision: null })
    expect(f.camera.byKind.flying_wire_charging).toEqual({ alerts: 0, reviewed: 0, confirmed: 0, precision: null })
    expect(f.camera.byKind.crowd_gathering).toEqual({ alerts: 0, reviewed: 0, confirmed: 0, precision: null })
    // Review times sorted [30, 60, 120, 300, 600]: P50 rank ⌈2.5⌉ = 3 → 120 s, P90 rank ⌈4.5⌉ = 5 → 600 s.
    expect(f.camera.reviewTime).toEqual({ p50: 120, p90: 600, n: 5 })
  })

  it('only unreviewed alerts: precision is null, not 0%', () => {
    const f = computeFigures(inputs({ alerts: [alert('smoke_fire', null, null)] }))
    expect(f.camera.alerts).toBe(1)
    expect(f.camera.reviewed).toBe(0)
    expect(f.camera.precision).toEqual(EMPTY_RATE)
    expect(f.camera.byKind.smoke_fire).toEqual({ alerts: 1, reviewed: 0, confirmed: 0, precision: null })
    expect(f.camera.reviewTime).toEqual(EMPTY_STAT)
  })
})

// ---- Wilson and ranking -----------------------------------------------------------------------------

describe('wilsonLower', () => {
  it('is null for n = 0', () => {
    expect(wilsonLower(0, 0)).toBeNull()
    expect(rate(0, 0)).toEqual(EMPTY_RATE)
  })

  it('k = 2, n = 2 ≈ 0.342', () => {
    // z = 1.96, z² = 3.8416, p = 1.
    // centre = p + z²/2n = 1 + 0.9604 = 1.9604; margin = z·√((p(1−p) + z²/4n)/n) = 1.96·√(0.4802/2)
    //   = 1.96·√0.2401 = 1.96 · 0.49 = 0.9604; (1.9604 − 0.9604) / (1 + z²/n) = 1 / 2.9208 = 0.34237…
    // Independently, for p = 1 the lower bound reduces to n / (n + z²) = 2 / 5.8416 = 0.34237….
    expect(wilsonLower(2, 2)).toBeCloseTo(0.342, 3)
    expect(rate(2, 2)).toMatchObject({ value: 1, k: 2, n: 2 })
    expect(rate(2, 2).lower).toBeCloseTo(0.342, 3)
  })

  it('k = 90, n = 100 ≈ 0.8256', () => {
    // p = 0.9; centre = 0.9 + 3.8416/200 = 0.919208; p(1−p) + z²/4n = 0.09 + 0.009604 = 0.099604;
    // √(0.099604/100) = √0.00099604 = 0.0315601; margin = 1.96 · 0.0315601 = 0.0618578;
    // (0.919208 − 0.0618578) / 1.038416 = 0.8573502 / 1.038416 = 0.82563.
    expect(wilsonLower(90, 100)).toBeCloseTo(0.8256, 3)
  })

  it('k = 0 gives 0 (clamped), never negative', () => {
    // p = 0: centre = z²/2n, margin = z·√(z²/4n²) = z²/2n, so centre − margin = 0.
    expect(wilsonLower(0, 5)).toBeCloseTo(0, 12)
    expect(wilsonLower(0, 5)).toBeGreaterThanOrEqual(0)
  })
})

describe('rankBy', () => {
  const base = computeFigures(inputs())
  const child = (unit: string, k: number, n: number): { unit: string; figures: Figures } => ({
    unit,
    figures: { ...base, onTimeResponse: rate(k, n) },
  })

  it('a child with 2/2 does not outrank one with 95/100', () => {
    // 2/2: lower ≈ 0.342 (above). 95/100: p = 0.95, centre = 0.969208,
    // √((0.0475 + 0.009604)/100) = √0.00057104 = 0.0238965, margin = 0.0468371,
    // (0.969208 − 0.0468371) / 1.038416 = 0.9223709 / 1.038416 ≈ 0.8882 > 0.342.
    expect(rankBy([child('small', 2, 2), child('large', 95, 100)], 'onTimeResponse')).toEqual(['large', 'small'])
  })

  it('puts an empty child last and breaks ties by id', () => {
    // b and d are identical (95/100): by id b before d; a (2/2, 0.342) next; c (n = 0, null) last.
    const children = [child('c', 0, 0), child('d', 95, 100), child('a', 2, 2), child('b', 95, 100)]
    expect(rankBy(children, 'onTimeResponse')).toEqual(['b', 'd', 'a', 'c'])
  })
})
