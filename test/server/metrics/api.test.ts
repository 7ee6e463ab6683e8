import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MetricsUpdate } from '../../../shared/events'
import { buildTestApp, pointIn, startTestServer, type TestApp } from '../../helpers/build-app'
import { connectLive, subscribe } from '../../helpers/connect-client'
import { waitFor } from '../../helpers/wait-for'

// 2026-11-28 14:30 in Shanghai: "today" is [2026-11-27T16:00Z, 2026-11-28T16:00Z).
const NOW = Date.parse('2026-11-28T06:30:00Z')
const STREET_A = '640106001'
const STREET_B = '640106002'

let t: TestApp
let clock = NOW
beforeEach(async () => {
  clock = NOW
  t = await buildTestApp({ now: () => clock })
})
afterEach(async () => {
  await t.close()
})

async function request(id: string, unit: string, receivedAt: string, extra: Record<string, unknown> = {}) {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/requests',
    payload: { id, source: 'hotline', category: 'noise', priority: 'urgent', location: pointIn(t.geography, unit), receivedAt, ...extra },
  })
  expect(res.statusCode).toBe(201)
}

async function step(id: string, stage: string, at: string, extra: Record<string, unknown> = {}) {
  const res = await t.inject({ method: 'POST', url: `/api/v1/requests/${id}/transitions`, payload: { stage, at, ...extra } })
  expect(res.statusCode).toBe(201)
}

async function get(url: string) {
  return t.inject({ method: 'GET', url })
}

describe('GET /api/v1/metrics', () => {
  it('answers today for the district by default, with every child ranked', async () => {
    // Two today in street A (one accepted in 10 min, one never), one yesterday in B.
    await request('a1', STREET_A, '2026-11-28T01:00:00Z')
    await step('a1', 'dispatched', '2026-11-28T01:05:00Z')
    await step('a1', 'accepted', '2026-11-28T01:10:00Z')
    await request('a2', STREET_A, '2026-11-28T02:00:00Z')
    await request('b-yesterday', STREET_B, '2026-11-27T15:59:00Z')
    const res = await get('/api/v1/metrics')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({ unit: '640106', name: '金凤区', from: '2026-11-27T16:00:00.000Z', to: '2026-11-28T16:00:00.000Z' })
    expect(body.figures.requests).toBe(2)
    // a1 answered in 600 s; a2's 30-minute deadline passed at 02:30Z: one of two on time.
    expect(body.figures.responseTime).toEqual({ p50: 600, p90: 600, n: 1 })
    expect(body.figures.onTimeResponse).toMatchObject({ value: 0.5, k: 1, n: 2 })
    // Overdue is a count at this moment: a2 (response) and b-yesterday (response, since 16:29Z).
    expect(body.figures.overdue.response).toBe(2)
    expect(body.children).toHaveLength(8)
    const a = body.children.find((c: { unit: string }) => c.unit === STREET_A)
    expect(a.figures.requests).toBe(2)
    expect(body.rankings.onTimeResponse).toHaveLength(8)
    expect(body.rankings.onTimeResponse[0]).toBe(STREET_A)
  })

  it('takes a unit and a window of dates or whole hours', async () => {
    await request('a1', STREET_A, '2026-11-27T15:59:00Z')
    await request('a2', STREET_A, '2026-11-27T16:00:00Z')
    const yesterday = (await get(`/api/v1/metrics?unit=${STREET_A}&from=2026-11-27&to=2026-11-28`)).json()
    expect(yesterday.figures.requests).toBe(1)
    expect(yesterday.children.length).toBeGreaterThan(0)
    const hours = (await get(`/api/v1/metrics?unit=${STREET_A}&from=2026-11-27T15:00:00Z&to=2026-11-27T17:00:00Z`)).json()
    expect(hours.figures.requests).toBe(2)
    const grid = t.geography.locate(pointIn(t.geography, STREET_A))!.gridId
    const gridOnly = (await get(`/api/v1/metrics?unit=${grid}&from=2026-11-27&to=2026-11-29`)).json()
    expect(gridOnly.figures.requests).toBe(2)
    expect(gridOnly.children).toEqual([])
  })

  const bad: [string, string, string, number][] = [
    ['unit=abc', 'query/unit', 'minLength', 400],
    ['unit=6401060010', 'query/unit', 'pattern', 400],
    ['from=2026-11-28T10:30:00Z', 'query/from', 'pattern', 400],
    ['from=2026-11-28T10:00:00%2B05:30', 'query/from', 'whole-hour', 400],
    ['from=yesterday', 'query/from', 'pattern', 400],
    ['from=2026-11-28&to=2026-11-27', 'query/to', 'after-from', 400],
    ['from=2024-01-01&to=2026-01-01', 'query/to', 'max-window', 400],
    ['colour=red', 'query/colour', 'additionalProperties', 400],
  ]
  for (const [query, field, rule, status] of bad) {
    it(`answers ${status} naming ${field} for ?${query}`, async () => {
      const res = await get(`/api/v1/metrics?${query}`)
      expect(res.statusCode).toBe(status)
      expect(res.json()).toMatchObject({ field, rule })
    })
  }

  it('answers 404 for an unknown unit', async () => {
    const res = await get('/api/v1/metrics?unit=640106999')
    expect(res.statusCode).toBe(404)
    expect(res.json().message).toContain('640106999')
  })
})

describe('GET /api/v1/metrics/series', () => {
  it('gives one point per local day or hour, with n', async () => {
    await request('d1', STREET_A, '2026-11-25T20:00:00Z') // 11-26 local
    await request('d2', STREET_A, '2026-11-26T03:00:00Z') // 11-26 local
    await request('d3', STREET_B, '2026-11-27T03:00:00Z') // 11-27 local
    const days = (await get('/api/v1/metrics/series?metric=requests&bucket=day&from=2026-11-26&to=2026-11-29')).json()
    expect(days).toEqual([
      { t: '2026-11-25T16:00:00.000Z', value: 2, n: 2 },
      { t: '2026-11-26T16:00:00.000Z', value: 1, n: 1 },
      { t: '2026-11-27T16:00:00.000Z', value: 0, n: 0 },
    ])
    const hours = (await get(`/api/v1/metrics/series?unit=${STREET_A}&metric=requests&bucket=hour&from=2026-11-26T02:00:00Z&to=2026-11-26T05:00:00Z`)).json()
    expect(hours.map((p: { value: number }) => p.value)).toEqual([0, 1, 0])
    const rate = (await get('/api/v1/metrics/series?metric=onTimeResponse&bucket=day&from=2026-11-28&to=2026-11-29')).json()
    expect(rate).toEqual([{ t: '2026-11-27T16:00:00.000Z', value: null, n: 0 }])
  })

  it('validates its parameters', async () => {
    expect((await get('/api/v1/metrics/series')).json()).toMatchObject({ statusCode: 400, field: 'query/metric', rule: 'required' })
    expect((await get('/api/v1/metrics/series?metric=happiness')).json()).toMatchObject({ field: 'query/metric', rule: 'enum' })
    expect((await get('/api/v1/metrics/series?metric=requests&bucket=week')).json()).toMatchObject({ field: 'query/bucket', rule: 'enum' })
    expect((await get('/api/v1/metrics/series?metric=requests&bucket=hour&from=2026-01-01&to=2026-03-01')).json()).toMatchObject({
      field: 'query/to',
      rule: 'max-window',
    })
    expect((await get('/api/v1/metrics/series?metric=requests&unit=640106999')).statusCode).toBe(404)
  })
})

describe('metrics:updated', () => {
  it('pushes today’s figures to each watched unit', async () => {
    const server = await startTestServer({ realtime: { tickMs: 50, metricsIntervalMs: 100 } })
    const client = await connectLive(server.url, server.headers.cookie)
    try {
      const updates: MetricsUpdate[] = []
      client.socket.on('metrics:updated', (u) => updates.push(u))
      await subscribe(client.socket, STREET_A)
      await fetch(`${server.url}/api/v1/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: server.headers.authorization },
        body: JSON.stringify({ source: 'app', category: 'noise', priority: 'general', location: pointIn(server.geography, STREET_A) }),
      })
      const update = await waitFor(() => updates.find((u) => u.figures.requests === 1), 'an update with the new request')
      expect(update.unit).toBe(STREET_A)
      expect(updates.every((u) => u.unit === STREET_A)).toBe(true)
    } finally {
      client.socket.disconnect()
      await server.close()
    }
  })
})

describe('wall support routes', () => {
  it('GET /api/v1/metrics/grids gives every grid under the unit, equal to its own metrics', async () => {
    await request('g1', STREET_A, '2026-11-28T01:00:00Z')
    const res = (await get(`/api/v1/metrics/grids?unit=${STREET_A}`)).json()
    const gridIds = t.geography.units.filter((u) => u.level === 'grid' && t.geography.isWithin(u.id, STREET_A)).map((u) => u.id)
    expect(res.grids.map((g: { unit: string }) => g.unit)).toEqual(gridIds)
    const busy = res.grids.find((g: { requests: number }) => g.requests === 1)
    const own = (await get(`/api/v1/metrics?unit=${busy.unit}`)).json().figures
    expect(busy).toEqual({ unit: busy.unit, requests: 1, perThousand: own.perThousand, onTimeResponse: own.onTimeResponse, overdue: own.overdue, coverage: own.patrol.coverage })
    expect((await get('/api/v1/metrics/grids?unit=640106999')).statusCode).toBe(404)
  })

  it('GET /api/v1/config tells the zone, the policy and the base map', async () => {
    const res = (await get('/api/v1/config')).json()
    expect(res).toMatchObject({ timeZone: 'Asia/Shanghai', basemap: null })
    expect(res.policy.deadlines.urgent).toEqual({ responseSec: 1800, resolutionSec: 7200 })
  })

  it('GET /api/v1/events filters by type before its limit', async () => {
    // A general request: an urgent one would raise an alarm too (an event of its own).
    await request('e1', STREET_A, '2026-11-28T01:00:00Z', { priority: 'general' })
    await step('e1', 'dispatched', '2026-11-28T01:05:00Z')
    const all = (await get(`/api/v1/events?unit=${STREET_A}&from=2026-11-28&to=2026-11-29`)).json()
    expect(all.events.map((e: { type: string }) => e.type)).toEqual(['request.received', 'request.transitioned'])
    const received = (await get(`/api/v1/events?unit=${STREET_A}&from=2026-11-28&to=2026-11-29&types=request.received`)).json()
    expect(received).toMatchObject({ truncated: false, events: [{ type: 'request.received', requestId: 'e1' }] })
    expect((await get(`/api/v1/events?unit=${STREET_A}&from=2026-11-28&to=2026-11-29&types=request.*`)).json()).toMatchObject({ field: 'query/types', rule: 'pattern' })
  })
})
