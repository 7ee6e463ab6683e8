import { describe, expect, it } from 'vitest'
import { DueQueue, PlaybackClock } from '../../client/wall/playback-clock'
import { PlaybackFacts } from '../../client/wall/playback-facts'
import type { LiveEvent } from '../../shared/events'
import { DEFAULT_POLICY } from '../../shared/metrics'
import { GRID, raised, received, reviewed, transitioned } from './live-fixtures'

const H = 3_600_000
const MIN = 60_000

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
    const grids = facts.gridFigures(T0 + 3 * H, new Map([[GRID, 1000], ['other', 500]]), DEFAULT_POLICY)
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
})
