import { describe, expect, it } from 'vitest'
import { DueQueue, PlaybackClock } from '../../client/wall/playback-clock'
import { PlaybackFacts } from '../../client/wall/playback-facts'
import type { LiveEvent } from '../../shared/events'
import { DEFAULT_POLICY } from '../../shared/metrics'
import { CELL_LAT, CELL_LON, type RequestFacts } from '../../shared/metrics'
import type { PolygonCoords } from '../../shared/domain'
import { GRID, patrol, raised, received, reviewed, transitioned } from '../fixtures/live-fixtures'

const H = 3_600_000
const MIN = 60_000

/** Lattice origin near the fixtures' points (lon 106.2, lat 38.47). */
const COL0 = 84_960
const ROW0 = 38_470
/** A grid of `w` × `h` whole patrol cells, `col` and `row` cells from the origin. */
function rect(col: number, row: number, w: number, h: number): PolygonCoords {
  const x0 = (COL0 + col) * CELL_LON
  const y0 = (ROW0 + row) * CELL_LAT
  const x1 = (COL0 + col + w) * CELL_LON
  const y1 = (ROW0 + row + h) * CELL_LAT
  return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]
}
/** The centre of the cell `col`, `row` from the origin. */
const cell = (col: number, row: number) => ({ lon: (COL0 + col + 0.5) * CELL_LON, lat: (ROW0 + row + 0.5) * CELL_LAT })

describe('PlaybackClock', () => {
  it('runs `speed` times faster than real time, from the start of the day', () => {
    const clock = new PlaybackClock(0, 24 * H, 60)
    expect(clock.now).toBe(0)
    expect(clock.advance(1_000)).toBe(60_000)
    expect(clock.advance(59_000)).toBe(H)
    expect(clock.progress).toBeCloseTo(1 / 24)
  })

  it('waits for data: never runs past what is loaded', () => {
    const clock = new PlaybackClock(0, 24 * H, 3600)
    expect(clock.advance(10_000, H)).toBe(H)
    expect(clock.advance(10_000, H)).toBe(H)
    expect(clock.advance(500, 3 * H)).toBe(1.5 * H)
    // Less loaded than already played: it holds, never goes back.
    expect(clock.advance(1_000, 0)).toBe(1.5 * H)
  })

  it('ends at the end of the day', () => {
    const clock = new PlaybackClock(0, 24 * H, 86_400)
    expect(clock.ended).toBe(false)
    clock.advance(5_000)
    expect(clock.now).toBe(24 * H)
    expect(clock.ended).toBe(true)
    expect(clock.progress).toBe(1)
  })

  it('refuses an empty day or a speed that stands still', () => {
    expect(() => new PlaybackClock(5, 5, 60)).toThrow()
    expect(() => new PlaybackClock(0, 5, 0)).toThrow()
  })
})

describe('DueQueue', () => {
  const e = (seq: number, at: number) => ({ seq, at })

  it('hands out what is due, in time order (then seq), each once', () => {
    const q = new DueQueue<{ seq: number; at: number }>()
    // A request dated early can carry a later seq than a ping after it.
    q.push([e(1, 100), e(2, 300), e(5, 50), e(3, 200)])
    expect(q.takeDue(99).map((x) => x.seq)).toEqual([5])
    expect(q.takeDue(200).map((x) => x.seq)).toEqual([1, 3])
    expect(q.takeDue(200)).toEqual([])
    q.push([e(7, 250), e(6, 250)])
    expect(q.takeDue(1_000).map((x) => x.seq)).toEqual([6, 7, 2])
    expect(q.size).toBe(0)
  })
})

describe('PlaybackFacts', () => {
  const T0 = Date.UTC(2026, 10, 29, 2, 0, 0)
  const at = (event: LiveEvent, t: number): LiveEvent => ({ ...event, at: t })

  it('counts the requests and alerts replayed so far, by category, as the figures define them', () => {
    const facts = new PlaybackFacts(T0)
    facts.add([
      at(received(1, 'r1', { category: 'noise', priority: 'urgent' }), T0 + 10 * MIN),
      at(received(2, 'r2', { category: 'noise' }), T0 + 20 * MIN),
      at(received(3, 'r3', { category: 'property' }), T0 + 30 * MIN),
      at(transitioned(4, 'r1', 'dispatched'), T0 + 12 * MIN),
      at(transitioned(5, 'r1', 'accepted'), T0 + 25 * MIN),
      at(raised(6, 'a1', { kind: 'smoke_fire' }), T0 + 40 * MIN),
      at(reviewed(7, 'a1'), T0 + 45 * MIN),
      // A transition of a request received the day before is not the day's.
      at(transitioned(8, 'yesterday', 'accepted'), T0 + 50 * MIN),
    ])
    const f = facts.figures(T0 + H, { population: 2000, workersOnline: 3, policy: DEFAULT_POLICY })
    expect(f.requests).toBe(3)
    expect(f.perThousand).toBe(1.5)
    expect(f.byCategory.noise).toBe(2)
    expect(f.byCategory.property).toBe(1)
    expect(f.camera.alerts).toBe(1)
    expect(f.camera.reviewed).toBe(1)
    expect(f.patrol.workersOnline).toBe(3)
    // r1 (urgent) answered in 15 min: on time; its deadline of 30 min is the only one passed.
    expect(f.responseTime.p50).toBe(15 * 60)
    expect(f.onTimeResponse).toMatchObject({ k: 1, n: 1 })
    // At the replay's instant, not later: before r3 arrived there were two.
    expect(facts.figures(T0 + 25 * MIN, { population: 2000, workersOnline: 0, policy: DEFAULT_POLICY }).requests).toBe(2)
  })

  it('gives per-grid figures and the hours of the day', () => {
    const facts = new PlaybackFacts(T0)
    facts.add([at(received(1, 'r1', { priority: 'urgent' }), T0 + 5 * MIN), at(transitioned(2, 'r1', 'dispatched'), T0 + 6 * MIN), at(transitioned(3, 'r1', 'accepted'), T0 + 15 * MIN)])
    const grids = facts.gridFigures(
      T0 + 3 * H,
      [
        { id: GRID, population: 1000, geometry: { type: 'Polygon' as const, coordinates: rect(0, 0, 4, 3) } },
        { id: 'other', population: 500, geometry: { type: 'Polygon' as const, coordinates: rect(10, 10, 2, 2) } },
      ],
      DEFAULT_POLICY,
    )
    const mine = grids.find((g) => g.unit === GRID)!
    expect(mine.requests).toBe(1)
    expect(mine.perThousand).toBe(1)
    expect(grids.find((g) => g.unit === 'other')!.requests).toBe(0)
    const hourly = facts.hourlyResponse(T0 + 2 * H + 1, DEFAULT_POLICY, 4)
    expect(hourly.p50).toEqual([10 * 60, null, null, null])
    expect(hourly.p90[0]).toBe(10 * 60)
  })

  it('counts overdue requests by the replay clock', () => {
    const facts = new PlaybackFacts(T0)
    facts.add([at(received(1, 'r1', { priority: 'urgent' }), T0)])
    const figures = (t: number) => facts.figures(t, { population: null, workersOnline: 0, policy: DEFAULT_POLICY })
    expect(figures(T0 + 29 * MIN).overdue.response).toBe(0)
    expect(figures(T0 + 31 * MIN).overdue.response).toBe(1)
  })

  it('counts requests still open from earlier days towards overdue until the replay closes them, not towards the day', () => {
    const facts = new PlaybackFacts(T0)
    const earlier = (id: string, over: Partial<RequestFacts> = {}): RequestFacts => ({
      id,
      source: 'hotline',
      category: 'noise',
      priority: 'general',
      gridId: GRID,
      receivedAt: T0 - 10 * H,
      stages: [],
      ...over,
    })
    facts.seed([
      // Never answered: overdue for response since 8 hours before the day.
      earlier('old-unanswered'),
      // Answered, urgent: past its 2-hour resolution deadline, until resolved at T0 + 3 h.
      earlier('old-urgent', { priority: 'urgent', stages: [{ stage: 'dispatched', at: T0 - 9 * H }, { stage: 'accepted', at: T0 - 9 * H + 10 * MIN }] }),
      // In another grid.
      earlier('old-other-grid', { gridId: 'other' }),
      // Received in the day: the day's events bring it, not the seed.
      earlier('not-earlier', { receivedAt: T0 + MIN }),
    ])
    const figures = (t: number, gridId?: string) => facts.figures(t, { population: null, workersOnline: 0, policy: DEFAULT_POLICY, ...(gridId ? { gridId } : {}) })
    // Events come as the replay's clock passes them.
    expect(figures(T0 + 30 * MIN).overdue).toEqual({ response: 2, resolution: 1 })
    expect(figures(T0 + 30 * MIN).requests).toBe(0)
    facts.add([at(received(2, 'today', { priority: 'urgent' }), T0 + H)])
    // 'today' (urgent, received at T0 + 1 h) is past its 30-minute response deadline by T0 + 2 h.
    expect(figures(T0 + 2 * H).overdue).toEqual({ response: 3, resolution: 1 })
    facts.add([at(transitioned(1, 'old-urgent', 'resolved'), T0 + 3 * H)])
    // The replay resolved old-urgent; 'today' passed its 2-hour resolution deadline at T0 + 3 h.
    expect(figures(T0 + 3 * H + MIN).overdue).toEqual({ response: 3, resolution: 1 })
    expect(figures(T0 + 3 * H + MIN, GRID).overdue).toEqual({ response: 2, resolution: 1 })
    expect(figures(T0 + 3 * H + MIN).requests).toBe(1)
    const grids = facts.gridFigures(T0 + 3 * H + MIN, [{ id: GRID, population: null, geometry: { type: 'Polygon' as const, coordinates: rect(0, 0, 1, 1) } }, { id: 'other', population: null, geometry: { type: 'Polygon' as const, coordinates: rect(5, 5, 1, 1) } }], DEFAULT_POLICY)
    expect(grids.map((g) => [g.unit, g.overdue])).toEqual([
      [GRID, { response: 2, resolution: 1 }],
      ['other', { response: 1, resolution: 0 }],
    ])
  })

  it('counts patrol coverage from the replayed pings, in the cells of each ping\'s own grid', () => {
    const facts = new PlaybackFacts(T0)
    const ping = (seq: number, c: { lon: number; lat: number }, t: number, gridId = GRID) => ({ ...patrol(seq, 'w1', c.lon, c.lat), at: t, gridId })
    facts.add([
      ping(1, cell(0, 0), T0 - MIN), // before the day: not the day's
      ping(2, cell(0, 0), T0 + 10 * MIN),
      ping(3, cell(0, 0), T0 + 20 * MIN), // the same cell again
      ping(4, cell(3, 2), T0 + 30 * MIN),
      ping(5, cell(1, 1), 2 * H + T0),
      ping(6, cell(7, 7), T0 + 40 * MIN), // outside its grid: counts nothing
      ping(7, cell(2, 2), T0 + 50 * MIN, 'other'), // another grid's ping in this grid's cells
    ])
    const mine = { id: GRID, geometry: { type: 'Polygon' as const, coordinates: rect(0, 0, 4, 3) } }
    const other = { id: 'other', geometry: { type: 'Polygon' as const, coordinates: rect(10, 10, 2, 2) } }
    const coverage = (t: number, grids = [mine]) => facts.figures(t, { population: null, workersOnline: 0, policy: DEFAULT_POLICY, grids }).patrol.coverage
    expect(coverage(T0 + H)).toMatchObject({ k: 2, n: 12, value: 2 / 12 })
    expect(coverage(T0 + 3 * H)).toMatchObject({ k: 3, n: 12, value: 0.25 })
    expect(coverage(T0 + 5 * MIN)).toMatchObject({ k: 0, n: 12, value: 0 })
    // The scope's cells are its grids' cells together.
    expect(coverage(T0 + 3 * H, [mine, other])).toMatchObject({ k: 3, n: 16 })
    // Without the geography yet: no cells, no figure.
    expect(coverage(T0 + 3 * H, []).value).toBeNull()
    const grids = facts.gridFigures(T0 + 3 * H, [{ ...mine, population: null }, { ...other, population: null }], DEFAULT_POLICY)
    expect(grids.map((g) => [g.unit, g.coverage.k, g.coverage.n])).toEqual([
      [GRID, 3, 12],
      ['other', 0, 4],
    ])
  })
})

describe('PlaybackClock resuming', () => {
  it('starts at a later instant of the day when a replay carries on', () => {
    const clock = new PlaybackClock(0, 24 * H, 60, 5 * H)
    expect(clock.now).toBe(5 * H)
    // It holds there until the events past it are loaded, then runs on.
    expect(clock.advance(1_000, 5 * H)).toBe(5 * H)
    expect(clock.advance(1_000, 6 * H)).toBe(5 * H + 60_000)
    expect(new PlaybackClock(0, 24 * H, 60, 30 * H).now).toBe(24 * H)
    expect(new PlaybackClock(0, 24 * H, 60, -H).now).toBe(0)
  })
})
