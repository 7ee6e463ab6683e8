// Alarms: an urgent request, a camera alert and a request that has just passed a deadline each
// raise one, listed until a person acknowledges it, once.
import { afterEach, describe, expect, it } from 'vitest'
import type { InjectOptions } from 'fastify'
import { DEFAULT_POLICY } from '../../../shared/metrics'
import { buildTestApp, pointIn, type TestApp } from '../../helpers/build-app'

const A = '640106001'
const OWN = 'http://localhost'
const T0 = Date.parse('2026-11-28T00:00:00Z')
const HOUR = 3_600_000

let t: TestApp
let clock = T0
afterEach(async () => {
  await t?.close()
})

async function start(): Promise<TestApp> {
  clock = T0
  t = await buildTestApp({ now: () => clock })
  return t
}

function inject(who: 'center' | 'key', method: InjectOptions['method'], url: string, payload?: object) {
  const headers: Record<string, string> = who === 'key' ? { authorization: t.headers.authorization } : { cookie: t.headers.cookie, origin: OWN }
  return t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) })
}
const ids = async (query = '') => (await inject('center', 'GET', `/api/v1/alarms${query}`)).json().items.map((a: { id: string }) => a.id) as string[]

function newRequest(id: string, priority: string, receivedAt?: number) {
  return {
    id,
    source: 'hotline',
    category: 'noise',
    priority,
    location: pointIn(t.geography, A),
    ...(receivedAt !== undefined ? { receivedAt: new Date(receivedAt).toISOString() } : {}),
  }
}

describe('alarms', () => {
  it('an urgent request and a camera alert raise alarms, listed newest first; a general request raises none', async () => {
    await start()
    await inject('key', 'POST', '/api/v1/requests', newRequest('calm', 'general'))
    await inject('key', 'POST', '/api/v1/requests', newRequest('fire', 'urgent'))
    clock += 1000
    const alert = (await inject('key', 'POST', '/api/v1/alerts', { id: 'cam-a', cameraId: 'c-1', kind: 'smoke_fire', confidence: 0.9, location: pointIn(t.geography, A) })).json()
    const reply = (await inject('center', 'GET', '/api/v1/alarms')).json()
    expect(reply.items).toEqual([
      { id: 'alert:cam-a', reason: 'camera_alert', subjectId: 'cam-a', gridId: alert.gridId, lon: expect.any(Number), lat: expect.any(Number), raisedAt: new Date(T0 + 1000).toISOString(), seq: expect.any(Number) },
      { id: 'urgent:fire', reason: 'urgent_request', subjectId: 'fire', gridId: alert.gridId, lon: expect.any(Number), lat: expect.any(Number), raisedAt: new Date(T0).toISOString(), seq: expect.any(Number) },
    ])
    expect(await ids(`?unit=${A}&limit=1`)).toEqual(['alert:cam-a'])
    // The figures take the new events in their stride: two requests, one alert, nothing else counted.
    await inject('center', 'POST', '/api/v1/requests/fire/urge')
    await inject('center', 'POST', '/api/v1/alarms/urgent:fire/ack')
    const metrics = await inject('center', 'GET', '/api/v1/metrics?from=2026-11-28&to=2026-11-29')
    expect(metrics.statusCode).toBe(200)
    expect(metrics.json().figures).toMatchObject({ requests: 2, camera: { alerts: 1 } })
  })

  it('is acknowledged once: 201, then a 409 naming who was first; the list moves it out of the open ones', async () => {
    await start()
    await inject('key', 'POST', '/api/v1/requests', newRequest('fire', 'urgent'))
    const ack = await inject('center', 'POST', '/api/v1/alarms/urgent:fire/ack')
    expect(ack.statusCode).toBe(201)
    expect(ack.json()).toEqual({ id: 'urgent:fire', seq: expect.any(Number) })
    const before = await t.store.lastSeq()
    for (const who of ['center', 'key'] as const) {
      const again = await inject(who, 'POST', '/api/v1/alarms/urgent:fire/ack')
      expect(again.statusCode).toBe(409)
      expect(again.json()).toMatchObject({ statusCode: 409, field: 'params/id', rule: 'acknowledged' })
      expect(again.json().message).toContain('center')
    }
    expect(await t.store.lastSeq()).toBe(before)
    expect(await ids()).toEqual([])
    const all = (await inject('center', 'GET', '/api/v1/alarms?open=false')).json().items
    expect(all).toMatchObject([{ id: 'urgent:fire', ack: { at: new Date(T0).toISOString(), actor: { kind: 'user', name: 'center' }, seq: ack.json().seq } }])
  })

  it('answers 404 for an unknown alarm and 400 for an id that is no alarm’s', async () => {
    await start()
    expect((await inject('center', 'POST', '/api/v1/alarms/urgent:none/ack')).json()).toMatchObject({ statusCode: 404, field: 'params/id', rule: 'exists' })
    expect((await inject('center', 'POST', '/api/v1/alarms/req-1/ack')).json()).toMatchObject({ statusCode: 400, field: 'params/id', rule: 'pattern' })
    expect((await inject('center', 'GET', '/api/v1/alarms?limit=0')).json()).toMatchObject({ statusCode: 400, field: 'query/limit', rule: 'minimum' })
    expect((await inject('center', 'GET', '/api/v1/alarms?unit=640106999')).json()).toMatchObject({ statusCode: 404, field: 'query/unit', rule: 'exists' })
  })

  it('takes the ack of an overdue alarm whose request id is 64 characters long', async () => {
    await start()
    const id = 'r'.repeat(64)
    await inject('key', 'POST', '/api/v1/requests', newRequest(id, 'general'))
    clock += DEFAULT_POLICY.deadlines.general.responseSec * 1000 + 60_000
    expect(await t.app.overdueSweep()).toEqual([`overdue:${id}`])
    expect((await inject('center', 'POST', `/api/v1/alarms/overdue:${id}/ack`)).statusCode).toBe(201)
  })
})

describe('the overdue sweep', () => {
  const response = DEFAULT_POLICY.deadlines.general.responseSec * 1000
  const resolution = DEFAULT_POLICY.deadlines.urgent.resolutionSec * 1000

  it('raises an alarm for a request whose deadline passed within the hour, once', async () => {
    await start()
    await inject('key', 'POST', '/api/v1/requests', newRequest('late', 'general'))
    // Not yet: the deadline is still ahead, then exactly now (overdue is strictly after it).
    clock = T0 + response - 1
    expect(await t.app.overdueSweep()).toEqual([])
    clock = T0 + response
    expect(await t.app.overdueSweep()).toEqual([])
    clock = T0 + response + 1
    expect(await t.app.overdueSweep()).toEqual(['overdue:late'])
    const seq = await t.store.lastSeq()
    clock += 30_000
    expect(await t.app.overdueSweep()).toEqual([])
    expect(await t.store.lastSeq()).toBe(seq)
    const [alarm] = (await inject('center', 'GET', '/api/v1/alarms')).json().items
    expect(alarm).toMatchObject({ id: 'overdue:late', reason: 'overdue', subjectId: 'late', raisedAt: new Date(T0 + response + 1).toISOString() })
  })

  it('an accepted request is not late for its response; its resolution deadline raises its alarm', async () => {
    await start()
    await inject('key', 'POST', '/api/v1/requests', newRequest('taken', 'urgent'))
    // The urgent request's own alarm, acknowledged.
    await inject('center', 'POST', '/api/v1/alarms/urgent:taken/ack')
    await inject('key', 'POST', '/api/v1/requests/taken/transitions', { stage: 'dispatched' })
    await inject('key', 'POST', '/api/v1/requests/taken/transitions', { stage: 'accepted' })
    clock = T0 + DEFAULT_POLICY.deadlines.urgent.responseSec * 1000 + 60_000
    expect(await t.app.overdueSweep()).toEqual([])
    clock = T0 + resolution + 60_000
    expect(await t.app.overdueSweep()).toEqual(['overdue:taken'])
  })

  it('a deadline passed more than an hour ago raises none, nor does a resolved request', async () => {
    await start()
    await inject('key', 'POST', '/api/v1/requests', newRequest('long-ago', 'general', T0 - response - 2 * 3_600_000))
    await inject('key', 'POST', '/api/v1/requests', newRequest('done', 'general', T0 - response + 60_000))
    for (const stage of ['dispatched', 'accepted', 'resolved']) await inject('key', 'POST', '/api/v1/requests/done/transitions', { stage })
    clock = T0 + 2 * 60_000
    expect(await t.app.overdueSweep()).toEqual([])
    expect(await ids()).toEqual([])
  })

  it('runs by itself on its interval when asked', async () => {
    clock = T0
    t = await buildTestApp({ now: () => clock, overdueSweepMs: 20 })
    await inject('key', 'POST', '/api/v1/requests', newRequest('timed', 'general'))
    clock = T0 + response + HOUR / 2
    const deadline = Date.now() + 10_000
    while ((await ids()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(await ids()).toEqual(['overdue:timed'])
  })
})
