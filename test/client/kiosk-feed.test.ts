import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Ack } from '../../shared/events'
import type { PublicStats } from '../../shared/public'
import { fetchPublicStats, type StatsResult } from '../../client/kiosk/api'
import { createKioskFeed, POLL_MS, type FeedProblem, type FeedState, type KioskFeed } from '../../client/kiosk/feed'
import type { PublicSocket } from '../../client/kiosk/socket'
import { FakePublicSocket } from '../fixtures/fake-public-socket'

const UNIT = '640106001'

function stats(updatedAt: string, handled = 10, unit = UNIT): PublicStats {
  return {
    unit,
    name: '满城北街街道',
    level: 'street',
    updatedAt,
    threshold: 5,
    month: { received: handled + 2, handled },
    year: { received: 100, handled: 90 },
    rates: { onTimeResponse: 0.9, resolution: null, satisfaction: null },
    medianResponseSec: 600,
    topCategories: [],
    comparison: { level: 'community', units: [] },
    activities: [],
  }
}


class FakeSocket extends FakePublicSocket {}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('the kiosk feed', () => {
  let socket: FakeSocket
  let fetchStats: ReturnType<typeof vi.fn<(unit: string) => Promise<StatsResult>>>
  let shown: PublicStats[]
  let states: FeedState[]
  let problems: (FeedProblem | null)[]
  let feed: KioskFeed
  let restAnswer: StatsResult

  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(Date.parse('2025-03-10T06:00:00Z'))
    socket = new FakeSocket()
    restAnswer = { ok: true, stats: stats('2025-03-10T06:00:00Z') }
    fetchStats = vi.fn(async () => restAnswer)
    shown = []
    states = []
    problems = []
    feed = createKioskFeed({
      unit: UNIT,
      socket: socket as unknown as PublicSocket,
      fetchStats,
      onStats: (s) => shown.push(s),
      onState: (s) => states.push(s),
      onProblem: (p) => problems.push(p),
    })
  })

  afterEach(() => {
    feed.stop()
    vi.useRealTimers()
  })

  it('shows the REST figures first, then watches its unit on the public socket and goes live', async () => {
    feed.start()
    expect(fetchStats).toHaveBeenCalledWith(UNIT)
    expect(socket.connectCalls).toBe(1)
    await settle()
    expect(shown.map((s) => s.month.handled)).toEqual([10])
    expect(states).toEqual(['connecting'])

    socket.open()
    expect(socket.watches.map((w) => [w.event, w.request])).toEqual([['stats:watch', { unit: UNIT }]])
    socket.watches[0]!.ack(null, { ok: true, data: stats('2025-03-10T06:00:05Z', 11) })
    expect(shown.map((s) => s.month.handled)).toEqual([10, 11])
    expect(states.at(-1)).toBe('live')

    socket.push(stats('2025-03-10T06:00:20Z', 12))
    expect(shown.map((s) => s.month.handled)).toEqual([10, 11, 12])
  })

  it('never lets older figures, another unit’s or a malformed push replace the shown ones', async () => {
    feed.start()
    await settle()
    socket.open()
    socket.push(stats('2025-03-10T06:01:00Z', 20))
    socket.push(stats('2025-03-10T06:00:30Z', 15))
    socket.push(stats('2025-03-10T06:02:00Z', 99, '640106002'))
    socket.push({ unit: UNIT, hello: 'world' })
    socket.push(null)
    expect(shown.map((s) => s.month.handled)).toEqual([10, 20])
  })

  it('keeps the last figures through a drop, and refetches over REST on reconnect', async () => {
    feed.start()
    await settle()
    socket.open()
    socket.watches[0]!.ack(null, { ok: true, data: stats('2025-03-10T06:00:05Z', 11) })
    socket.drop()
    expect(states.at(-1)).toBe('offline')
    expect(shown).toHaveLength(2)
    expect(fetchStats).toHaveBeenCalledTimes(1)

    restAnswer = { ok: true, stats: stats('2025-03-10T06:03:00Z', 30) }
    socket.open()
    expect(fetchStats).toHaveBeenCalledTimes(2)
    expect(socket.watches).toHaveLength(2)
    await settle()
    expect(shown.at(-1)!.month.handled).toBe(30)
  })

  it('polls REST every minute while no pushes come, and not while they do', async () => {
    feed.start()
    await settle()
    // The socket never connects: the poll alone keeps the figures current.
    restAnswer = { ok: true, stats: stats('2025-03-10T06:01:00Z', 40) }
    await vi.advanceTimersByTimeAsync(POLL_MS)
    expect(fetchStats).toHaveBeenCalledTimes(2)
    expect(shown.at(-1)!.month.handled).toBe(40)
    await vi.advanceTimersByTimeAsync(POLL_MS)
    expect(fetchStats).toHaveBeenCalledTimes(3)

    // Live: pushes every 15 s, so the poll stays quiet.
    socket.open()
    socket.watches[0]!.ack(null, { ok: true, data: stats('2025-03-10T06:02:00Z') })
    for (let i = 1; i <= 8; i++) {
      await vi.advanceTimersByTimeAsync(15_000)
      socket.push(stats(new Date(Date.now()).toISOString(), 50 + i))
    }
    expect(fetchStats).toHaveBeenCalledTimes(3)
    expect(shown.at(-1)!.month.handled).toBe(58)
  })

  it('watches again on the poll when the first watch failed', async () => {
    feed.start()
    await settle()
    socket.open()
    socket.watches[0]!.ack(new Error('operation has timed out'), undefined as unknown as Ack<PublicStats>)
    expect(states.at(-1)).toBe('connecting')
    await vi.advanceTimersByTimeAsync(POLL_MS)
    expect(socket.watches).toHaveLength(2)
    socket.watches[1]!.ack(null, { ok: true, data: stats('2025-03-10T06:01:00Z') })
    expect(states.at(-1)).toBe('live')
  })

  it('says why there is nothing to show, but keeps quiet about failures once figures are on screen', async () => {
    restAnswer = { ok: false, status: 404, message: 'unknown unit' }
    feed.start()
    await settle()
    expect(shown).toEqual([])
    expect(problems).toEqual([{ kind: 'unknown-unit', message: 'unknown unit' }])
    // The socket's refusal does not blur REST's clear answer.
    socket.open()
    socket.watches[0]!.ack(null, { ok: false, error: 'unknown unit 999' })
    expect(problems).toEqual([{ kind: 'unknown-unit', message: 'unknown unit' }])

    restAnswer = { ok: true, stats: stats('2025-03-10T06:01:00Z') }
    await vi.advanceTimersByTimeAsync(POLL_MS)
    expect(problems.at(-1)).toBeNull()
    expect(shown).toHaveLength(1)

    restAnswer = { ok: false, status: 0 }
    await vi.advanceTimersByTimeAsync(POLL_MS)
    expect(problems.at(-1)).toBeNull()
    expect(shown).toHaveLength(1)
  })

  it('reconnects itself after the server closed the socket', async () => {
    feed.start()
    socket.open()
    socket.drop('io server disconnect')
    expect(socket.connectCalls).toBe(1)
    await vi.advanceTimersByTimeAsync(5000)
    expect(socket.connectCalls).toBe(2)
  })

  it('removes its own handlers and timers when stopped', async () => {
    feed.start()
    await settle()
    expect(socket.count()).toBeGreaterThan(0)
    feed.stop()
    expect(socket.count()).toBe(0)
    await vi.advanceTimersByTimeAsync(10 * POLL_MS)
    expect(fetchStats).toHaveBeenCalledTimes(1)
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('fetchPublicStats', () => {
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

  it('asks the public route without a cookie', async () => {
    const fetchImpl = vi.fn(async (_url: string, _init?: RequestInit) => json(200, stats('2025-03-10T06:00:00Z')))
    const result = await fetchPublicStats('640106001', fetchImpl)
    expect(result.ok).toBe(true)
    expect(fetchImpl.mock.calls[0]![0]).toBe('/api/v1/public/stats?unit=640106001')
    expect(fetchImpl.mock.calls[0]![1]).toMatchObject({ credentials: 'omit' })
    await fetchPublicStats('a&b', fetchImpl)
    expect(fetchImpl.mock.calls[1]![0]).toBe('/api/v1/public/stats?unit=a%26b')
  })

  it('reports the status and message of a refusal, and a network failure as status 0', async () => {
    expect(await fetchPublicStats('x', async () => json(404, { statusCode: 404, message: 'no such unit' }))).toEqual({ ok: false, status: 404, message: 'no such unit' })
    expect(await fetchPublicStats('x', async () => new Response('<html>bad gateway</html>', { status: 502 }))).toEqual({ ok: false, status: 502 })
    expect(await fetchPublicStats('x', async () => json(200, { hello: 'world' }))).toMatchObject({ ok: false, status: 200 })
    expect(
      await fetchPublicStats('x', async () => {
        throw new TypeError('Failed to fetch')
      }),
    ).toEqual({ ok: false, status: 0 })
  })
})
