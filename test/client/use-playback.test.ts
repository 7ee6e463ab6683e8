import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { usePlayback, type PlaybackOptions } from '../../client/composables/use-playback'
import { useGeographyStore } from '../../client/stores/geography'
import { useLiveStore } from '../../client/stores/live'
import { useMetricsStore } from '../../client/stores/metrics'
import type { LiveEvent } from '../../shared/events'
import { CELL_LAT, CELL_LON, DEFAULT_POLICY, type RequestFacts } from '../../shared/metrics'
import { GRID, patrol, received } from '../fixtures/live-fixtures'

const H = 3_600_000
const MIN = 60_000
const DISTRICT = '640106'
// 2026-11-20 in Shanghai.
const DATE = '2026-11-20'
const DAY_START = Date.parse('2026-11-19T16:00:00Z')
const TICK = 200
const SPEED = 3600

// The grid: 4 × 3 patrol cells.
const COL0 = 84_960
const ROW0 = 38_470
const x = (col: number) => (COL0 + col) * CELL_LON
const y = (row: number) => (ROW0 + row) * CELL_LAT
const POLYGON = [[[x(0), y(0)], [x(4), y(0)], [x(4), y(3)], [x(0), y(3)], [x(0), y(0)]]]

/** Open since two days before: overdue for response all day, not yet for resolution (7 days). */
const EARLIER: RequestFacts & { lon: number; lat: number } = {
  id: 'earlier',
  source: 'hotline',
  category: 'noise',
  priority: 'general',
  gridId: GRID,
  receivedAt: DAY_START - 40 * H,
  stages: [{ stage: 'dispatched', at: DAY_START - 39 * H }],
  lon: x(0.5),
  lat: y(0.5),
}

const DAY_EVENTS: LiveEvent[] = [
  { ...patrol(1, 'w1', x(1.5), y(0.5)), at: DAY_START + 30 * MIN },
  // Urgent and never answered: overdue for response from 01:40, for resolution from 03:10.
  { ...received(2, 'today', { priority: 'urgent' }), at: DAY_START + 70 * MIN },
  { ...patrol(3, 'w1', x(2.5), y(2.5)), at: DAY_START + 5 * H + 30 * MIN },
]

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('usePlayback', () => {
  let calls: string[]
  let realNow: number
  let openRequestsStatus: number

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-11-28T00:00:00Z') })
    setActivePinia(createPinia())
    calls = []
    realNow = 0
    openRequestsStatus = 200
    useGeographyStore().setGeography({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', id: DISTRICT, properties: { id: DISTRICT, level: 'district', parentId: null, name: '金凤区', population: 1000 }, geometry: { type: 'Polygon', coordinates: POLYGON } },
        { type: 'Feature', id: GRID, properties: { id: GRID, level: 'grid', parentId: DISTRICT, name: '网格', population: 1000 }, geometry: { type: 'Polygon', coordinates: POLYGON } },
      ],
    } as never)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const fetchImpl = async (url: string) => {
    calls.push(url)
    const u = new URL(url, 'http://wall.local')
    if (u.pathname === '/api/v1/open-requests') {
      if (openRequestsStatus !== 200) return json({ message: 'no' }, openRequestsStatus)
      return json({ unit: DISTRICT, at: u.searchParams.get('at'), requests: [EARLIER] })
    }
    if (u.pathname === '/api/v1/events') {
      const from = Date.parse(u.searchParams.get('from')!)
      const to = Date.parse(u.searchParams.get('to')!)
      return json({ events: DAY_EVENTS.filter((e) => e.at >= from && e.at < to), truncated: false })
    }
    if (u.pathname === '/api/v1/metrics/series') return json([])
    return json({ message: 'not found' }, 404)
  }

  function start(over: Partial<PlaybackOptions> = {}) {
    const onEnd = vi.fn()
    const scope = effectScope()
    const playback = scope.run(() =>
      usePlayback({ unit: DISTRICT, date: DATE, speed: SPEED, timeZone: 'Asia/Shanghai', policy: DEFAULT_POLICY, fetchImpl, onEnd, realNow: () => realNow, endHoldMs: 3_000, ...over }),
    )!
    return { playback, onEnd, scope }
  }

  /** Runs the real clock, a tick at a time, until `done` (or `limit` ticks pass). */
  async function runUntil(done: () => boolean, limit = 1_000) {
    for (let i = 0; i < limit && !done(); i++) {
      realNow += TICK
      await vi.advanceTimersByTimeAsync(TICK)
    }
  }

  it('counts requests still open from earlier days towards overdue, and coverage from the replayed pings', async () => {
    const { playback, onEnd, scope } = start()
    const metrics = useMetricsStore()
    expect(calls).toContain(`/api/v1/open-requests?unit=${DISTRICT}&at=${encodeURIComponent(new Date(DAY_START).toISOString())}`)

    await runUntil(() => playback.now.value >= DAY_START + H)
    expect(metrics.figures?.requests).toBe(0)
    // Only the request from two days before, on the district and on its grid.
    expect(metrics.figures?.overdue).toEqual({ response: 1, resolution: 0 })
    expect(metrics.grids.get(GRID)?.overdue).toEqual({ response: 1, resolution: 0 })
    expect(metrics.figures?.patrol.coverage).toMatchObject({ k: 1, n: 12 })
    // And on the map, as the live wall showed it: where it is and the stage it stood at.
    expect(useLiveStore().openRequests.get('earlier')).toMatchObject({ gridId: GRID, lon: x(0.5), lat: y(0.5), stage: 'dispatched', stageAt: DAY_START - 39 * H })

    await runUntil(() => playback.status.value === 'ended')
    expect(playback.now.value).toBe(DAY_START + 24 * H)
    expect(metrics.figures?.requests).toBe(1)
    expect(metrics.figures?.overdue).toEqual({ response: 2, resolution: 1 })
    expect(metrics.figures?.patrol.coverage).toMatchObject({ k: 2, n: 12 })
    expect(metrics.grids.get(GRID)?.coverage).toMatchObject({ k: 2, n: 12 })

    // The day's last figures stay on screen a moment, marked as ended, then the wall goes live.
    expect(onEnd).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(3_000)
    expect(onEnd).toHaveBeenCalledTimes(1)
    scope.stop()
  })

  it('follows the replay clock between events: a deadline passing counts without an event to mark it', async () => {
    const { playback, scope } = start()
    const metrics = useMetricsStore()
    // The urgent request arrives at 01:10; nothing else happens until 05:30. At 3,600× a replayed
    // half hour is half a second: the figures on screen are never more than that behind the clock.
    await runUntil(() => playback.now.value >= DAY_START + 2.5 * H)
    expect(metrics.figures?.overdue).toEqual({ response: 2, resolution: 0 })
    await runUntil(() => playback.now.value >= DAY_START + 4 * H)
    expect(playback.now.value).toBeLessThan(DAY_START + 5 * H + 30 * MIN)
    expect(metrics.figures?.overdue).toEqual({ response: 2, resolution: 1 })
    scope.stop()
  })

  it('replays the day alone from a server that cannot say what was open before it', async () => {
    openRequestsStatus = 404
    const { playback, scope } = start()
    await runUntil(() => playback.status.value === 'ended')
    expect(useMetricsStore().figures?.overdue).toEqual({ response: 1, resolution: 1 })
    scope.stop()
  })

  it('carries on from an instant of the day: what came before it is applied at once', async () => {
    const { playback, scope } = start({ startAt: DAY_START + 5 * H })
    expect(playback.now.value).toBe(DAY_START + 5 * H)
    await runUntil(() => playback.status.value === 'playing')
    // The hours up to the instant were loaded in one go, in order, before the clock moved on.
    const hours = calls.filter((c) => c.startsWith('/api/v1/events')).map((c) => (Date.parse(new URL(c, 'http://x').searchParams.get('from')!) - DAY_START) / H)
    expect(hours.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5])
    await runUntil(() => useMetricsStore().figures !== null)
    expect(playback.now.value).toBeGreaterThanOrEqual(DAY_START + 5 * H)
    expect(playback.now.value).toBeLessThan(DAY_START + 6 * H)
    const metrics = useMetricsStore()
    expect(metrics.figures?.requests).toBe(1)
    expect(metrics.figures?.overdue).toEqual({ response: 2, resolution: 1 })
    expect(useLiveStore().openRequests.has('today')).toBe(true)
    scope.stop()
  })

  it('carried on from the end of the day (a scene change while the last figures are held), ends again', async () => {
    const { playback, onEnd, scope } = start({ startAt: DAY_START + 24 * H })
    await runUntil(() => playback.status.value === 'ended', 200)
    expect(playback.status.value).toBe('ended')
    expect(useMetricsStore().figures?.requests).toBe(1)
    await vi.advanceTimersByTimeAsync(3_000)
    expect(onEnd).toHaveBeenCalledTimes(1)
    scope.stop()
  })
})
