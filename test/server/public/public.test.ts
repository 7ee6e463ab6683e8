import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { io } from 'socket.io-client'
import type { PublicStats } from '../../../shared/public'
import { buildTestApp, firstGrid, pointIn, startTestServer, type TestApp } from '../../helpers/build-app'
import { waitFor } from '../../helpers/wait-for'
import { stalledKioskPoller } from '../../helpers/stalled-client'

// 2026-11-28 14:30 in Shanghai: this month is November 2026.
const NOW = Date.parse('2026-11-28T06:30:00Z')
const COMMUNITY = '640106001001'
const OTHER = '640106001002'
const STREET = '640106001'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp({ now: () => NOW })
})
afterEach(async () => {
  await t.close()
})

/** n requests in the unit, each resolved and reviewed (resolved, satisfied). */
async function handled(unit: string, n: number, prefix: string) {
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${i}`
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { id, source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t.geography, unit), receivedAt: '2026-11-28T01:00:00Z', reporter: { name: '王小明', phone: '13912345678' }, description: '楼下烧烤噪音' },
    })
    expect(res.statusCode).toBe(201)
    for (const [stage, at] of [['dispatched', '01:05'], ['accepted', '01:10'], ['resolved', '03:00']] as const) {
      await t.inject({ method: 'POST', url: `/api/v1/requests/${id}/transitions`, payload: { stage, at: `2026-11-28T${at}:00Z` } })
    }
    await t.inject({ method: 'POST', url: `/api/v1/requests/${id}/transitions`, payload: { stage: 'reviewed', at: '2026-11-28T05:00:00Z', review: { resolved: true, satisfaction: 'satisfied' } } })
  }
}

async function stats(unit: string): Promise<PublicStats> {
  // No cookie, no key: the public route needs neither.
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${unit}` })
  expect(res.statusCode).toBe(200)
  return res.json()
}

describe('GET /api/v1/public/stats', () => {
  for (const [n, shown] of [
    [4, '<5'],
    [5, 5],
    [6, 6],
  ] as const) {
    it(`at community level, ${n} handled requests show as ${shown}; rates over fewer than 5 are not shown`, async () => {
      await handled(COMMUNITY, n, `c${n}`)
      // Two more in another community of the street: with all the others at 0, the street's total
      // minus a shown count would tell that every "<5" is 0, and the count would be withheld.
      await handled(OTHER, 2, `o${n}`)
      const s = await stats(COMMUNITY)
      expect(s).toMatchObject({ unit: COMMUNITY, level: 'community', threshold: 5 })
      expect(s.month).toEqual({ received: shown, handled: shown })
      expect(s.year).toEqual({ received: shown, handled: shown })
      // A community lists only categories of 5 or more.
      expect(s.topCategories).toEqual(n < 5 ? [] : [{ category: 'noise', handled: shown }])
      const rate = n < 5 ? null : 1
      expect(s.rates).toEqual({ onTimeResponse: rate, resolution: rate, satisfaction: rate })
      expect(s.medianResponseSec).toBe(n < 5 ? null : 600)
      // The community compares with the other communities of its street, all suppressed alike.
      expect(s.comparison.level).toBe('community')
      const self = s.comparison.units.find((u) => u.unit === COMMUNITY)!
      expect(self.handled).toBe(shown)
      expect(s.comparison.units.filter((u) => u.unit !== COMMUNITY).every((u) => u.handled === '<5')).toBe(true)
    })
  }

  it('does not suppress counts at street level, but still hides thin rates', async () => {
    await handled(STREET, 4, 's')
    const s = await stats(STREET)
    expect(s.month.handled).toBe(4)
    expect(s.rates.onTimeResponse).toBeNull()
    expect(s.comparison.level).toBe('street')
    expect(s.comparison.units).toHaveLength(8)
  })

  it('refuses grids, unknown units and bad parameters', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${firstGrid(t.geography, STREET)}` })).json()).toMatchObject({ statusCode: 400, rule: 'not-grid' })
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/public/stats?unit=640106999' })).statusCode).toBe(404)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/public/stats' })).json()).toMatchObject({ field: 'query/unit', rule: 'required' })
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${STREET}&x=1` })).json()).toMatchObject({ field: 'query/x' })
  })

  it('is cached: one computation serves every kiosk, and a revalidation costs a 304', async () => {
    const first = await t.app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${STREET}` })
    expect(first.headers['cache-control']).toContain('public')
    await handled(STREET, 1, 'later')
    const second = await t.app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${STREET}` })
    // The clock has not moved: the cached figures (without the new request) are served.
    expect(second.body).toBe(first.body)
    const etag = String(first.headers.etag)
    const revalidated = await t.app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${STREET}`, headers: { 'if-none-match': etag } })
    expect(revalidated.statusCode).toBe(304)
    expect(revalidated.body).toBe('')
  })
})

describe('POST /api/v1/activities', () => {
  const activity = (over: Record<string, unknown> = {}) => ({ team: '银龄学堂', kind: 'senior_class', unit: COMMUNITY, at: '2026-11-20T02:00:00Z', participants: 20, ...over })

  it('counts activities and participants by kind this month, suppressed at community level', async () => {
    for (let i = 0; i < 5; i++) expect((await t.inject({ method: 'POST', url: '/api/v1/activities', payload: activity({ id: `a${i}` }) })).statusCode).toBe(201)
    await t.inject({ method: 'POST', url: '/api/v1/activities', payload: activity({ kind: 'free_haircut', participants: 3 }) })
    // Two small sessions elsewhere in the street, so that the five are not its only ones (else the
    // street's total minus them would tell that every other community's "<5" is 0).
    for (const id of ['o1', 'o2']) await t.inject({ method: 'POST', url: '/api/v1/activities', payload: activity({ id, unit: OTHER, participants: 1 }) })
    // Last month does not count.
    await t.inject({ method: 'POST', url: '/api/v1/activities', payload: activity({ at: '2026-10-20T02:00:00Z' }) })
    const s = await stats(COMMUNITY)
    expect(s.activities.find((a) => a.kind === 'senior_class')).toEqual({ kind: 'senior_class', activities: 5, participants: 100 })
    expect(s.activities.find((a) => a.kind === 'free_haircut')).toEqual({ kind: 'free_haircut', activities: '<5', participants: '<5' })
    const street = await t.app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${STREET}` })
    expect(street.json().activities.find((a: { kind: string }) => a.kind === 'free_haircut')).toEqual({ kind: 'free_haircut', activities: 1, participants: 3 })
  })

  it('validates, needs a key, and is idempotent by id', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/activities', payload: activity() })).statusCode).toBe(401)
    expect((await t.inject({ method: 'POST', url: '/api/v1/activities', payload: activity({ kind: 'party' }) })).json()).toMatchObject({ field: 'body/kind', rule: 'enum' })
    expect((await t.inject({ method: 'POST', url: '/api/v1/activities', payload: activity({ participants: -1 }) })).json()).toMatchObject({ field: 'body/participants', rule: 'minimum' })
    expect((await t.inject({ method: 'POST', url: '/api/v1/activities', payload: activity({ unit: firstGrid(t.geography, STREET) }) })).json()).toMatchObject({ statusCode: 422, field: 'body/unit' })
    const a = await t.inject({ method: 'POST', url: '/api/v1/activities', payload: activity({ id: 'same' }) })
    const b = await t.inject({ method: 'POST', url: '/api/v1/activities', payload: activity({ id: 'same' }) })
    expect(b.json()).toEqual(a.json())
    expect((await t.inject({ method: 'POST', url: '/api/v1/activities', payload: activity({ id: 'same', participants: 9 }) })).statusCode).toBe(409)
  })
})

describe('/public namespace', () => {
  it('needs no login, answers stats:watch and pushes stats:updated, and never carries events', async () => {
    const server = await startTestServer({ realtime: { tickMs: 50 }, publicPushIntervalMs: 100 })
    const socket = io(`${server.url}/public`, { transports: ['websocket'], forceNew: true, reconnection: false })
    const received: string[] = []
    socket.onAny((event) => received.push(event))
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve())
        socket.once('connect_error', reject)
      })
      const ack = await socket.timeout(5000).emitWithAck('stats:watch', { unit: STREET })
      expect(ack).toMatchObject({ ok: true, data: { unit: STREET, level: 'street' } })
      const bad = await socket.timeout(5000).emitWithAck('stats:watch', { unit: firstGrid(server.geography, STREET) })
      expect(bad.ok).toBe(false)
      await socket.timeout(5000).emitWithAck('stats:watch', { unit: STREET })
      await server.inject({ method: 'POST', url: '/api/v1/requests', payload: { source: 'app', category: 'noise', priority: 'general', location: pointIn(server.geography, STREET) } })
      await waitFor(() => received.filter((e) => e === 'stats:updated').length >= 2, 'two pushes')
      expect(new Set(received)).toEqual(new Set(['stats:updated']))
    } finally {
      socket.disconnect()
      await server.close()
    }
  })

  it('answers at most a burst of watches a socket, then refuses naming the wait', async () => {
    const server = await startTestServer({ realtime: { tickMs: 50 }, publicPushIntervalMs: 3_600_000 })
    const socket = io(`${server.url}/public`, { transports: ['websocket'], forceNew: true, reconnection: false })
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve())
        socket.once('connect_error', reject)
      })
      const answers = []
      for (let i = 0; i < 6; i++) answers.push(await socket.timeout(5000).emitWithAck('stats:watch', { unit: STREET }))
      expect(answers.slice(0, 3).every((a) => a.ok)).toBe(true)
      for (const refused of answers.slice(3)) expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/too many watches: retry in \d+ s/) })
    } finally {
      socket.disconnect()
      await server.close()
    }
  })

  it('drops a kiosk socket that stopped reading once its queue passes the cap, and keeps pushing to one that reads', async () => {
    // A poller that stopped polling: the pushes wait in Engine.IO's write buffer, past a small cap.
    const server = await startTestServer({ realtime: { tickMs: 50 }, publicPushIntervalMs: 5, publicMaxQueuedBytes: 32 * 1024 })
    const reader = io(`${server.url}/public`, { transports: ['websocket'], forceNew: true, reconnection: false })
    try {
      await new Promise<void>((resolve, reject) => {
        reader.once('connect', () => resolve())
        reader.once('connect_error', reject)
      })
      expect((await reader.timeout(5000).emitWithAck('stats:watch', { unit: STREET })).ok).toBe(true)
      await stalledKioskPoller(server.url, STREET)
      const kiosks = server.app.io.of('/public')
      expect(kiosks.sockets.size).toBe(2)
      await waitFor(() => server.app.liveStats.slowSocketsDropped === 1, 'the stalled kiosk dropped')
      expect(kiosks.sockets.size).toBe(1)
      expect(reader.connected).toBe(true)
      let pushes = 0
      reader.on('stats:updated', () => pushes++)
      await waitFor(() => pushes >= 3, 'pushes to the reading kiosk')
    } finally {
      reader.disconnect()
      await server.close()
    }
  })
})

describe('the period the figures cover', () => {
  it('says this month and this year up to today, the year from the first stored day when the history is shorter', async () => {
    // Nothing stored: both start today.
    expect((await stats(STREET)).period).toEqual({
      month: { from: '2026-11-28', to: '2026-11-28' },
      year: { from: '2026-11-28', to: '2026-11-28' },
      yearFromFirstData: true,
    })
  })

  it('starts the year on 1 January when the history goes back further, and the month on the 1st', async () => {
    const at = Date.parse('2025-12-20T02:00:00Z')
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { id: 'old', source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t.geography, COMMUNITY), receivedAt: new Date(at).toISOString() },
    })
    expect(res.statusCode).toBe(201)
    await handled(COMMUNITY, 1, 'p')
    const s = await stats(COMMUNITY)
    expect(s.period).toEqual({ month: { from: '2026-11-01', to: '2026-11-28' }, year: { from: '2026-01-01', to: '2026-11-28' }, yearFromFirstData: false })
  })

  it('starts the year on the first stored day of this year', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { id: 'march', source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t.geography, COMMUNITY), receivedAt: '2026-03-09T20:00:00Z' },
    })
    expect(res.statusCode).toBe(201)
    // 04:00 on 10 March in Shanghai.
    expect((await stats(STREET)).period).toEqual({ month: { from: '2026-11-01', to: '2026-11-28' }, year: { from: '2026-03-10', to: '2026-11-28' }, yearFromFirstData: true })
  })
})
