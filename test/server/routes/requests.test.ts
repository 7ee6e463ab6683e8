import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { distanceMetres } from '../../../shared/geo'
import { addUsers, pointIn } from '../../helpers/build-app'
import { STREET_A, useTestApp } from '../../helpers/route-app'

const app = useTestApp()
const { post, seq } = app

function validRequest(overrides: Record<string, unknown> = {}) {
  return {
    source: 'hotline',
    category: 'noise',
    priority: 'general',
    location: pointIn(app.t.geography, STREET_A),
    description: '楼上装修噪音',
    reporter: { name: '张三', phone: '13812345678' },
    ...overrides,
  }
}

describe('POST /api/v1/requests', () => {
  it('stores a request, assigns its grid and answers 201 with its seq', async () => {
    const res = await post('/api/v1/requests', validRequest({ id: 'r-1' }))
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body).toMatchObject({ id: 'r-1', seq: 1 })
    expect(app.t.geography.isWithin(body.gridId, STREET_A)).toBe(true)
    expect(app.t.geography.get(body.gridId)?.level).toBe('grid')
  })

  it('generates an id when the caller gives none', async () => {
    const a = (await post('/api/v1/requests', validRequest())).json()
    const b = (await post('/api/v1/requests', validRequest())).json()
    expect(a.id).not.toBe(b.id)
    expect(b.seq).toBe(a.seq + 1)
  })

  it('an id the server made, named by a later body, is a conflict: only a named id can be retried', async () => {
    const made = (await post('/api/v1/requests', validRequest())).json()
    const res = await post('/api/v1/requests', validRequest({ id: made.id }))
    expect(res.statusCode).toBe(409)
    expect(await seq()).toBe(1)
  })

  it('answers a retry with the first answer and stores nothing new', async () => {
    const first = await post('/api/v1/requests', validRequest({ id: 'r-retry', receivedAt: '2026-11-28T09:00:00+08:00' }))
    // The same body with its keys in another order is the same body.
    const { source, ...rest } = validRequest({ id: 'r-retry', receivedAt: '2026-11-28T09:00:00+08:00' })
    const second = await post('/api/v1/requests', { ...rest, source })
    expect(second.statusCode).toBe(201)
    expect(second.json()).toEqual(first.json())
    expect(await seq()).toBe(1)
  })

  it('refuses the same id with a different body (409) and stores nothing', async () => {
    await post('/api/v1/requests', validRequest({ id: 'r-dup' }))
    const res = await post('/api/v1/requests', validRequest({ id: 'r-dup', category: 'environment' }))
    expect(res.statusCode).toBe(409)
    expect(res.json().message).toContain('r-dup')
    expect(await seq()).toBe(1)
  })

  it('stores a GCJ-02 location as its WGS84 point (published test vector, 1 m)', async (ctx) => {
    const vectorsFile = fileURLToPath(new URL('../../../../shared/reference/geo/gcj_test_vectors.json', import.meta.url))
    if (!existsSync(vectorsFile)) {
      ctx.skip(`reference vectors not found at ${vectorsFile}`)
      return
    }
    const vectors = JSON.parse(readFileSync(vectorsFile, 'utf8')) as { vectors: { name: string; wgs84: [number, number]; gcj02: [number, number] }[] }
    const yinchuan = vectors.vectors.find((v) => v.name.startsWith('Yinchuan'))!
    const res = await post('/api/v1/requests', validRequest({ id: 'r-gcj', location: { lon: yinchuan.gcj02[0], lat: yinchuan.gcj02[1], crs: 'gcj02' } }))
    expect(res.statusCode).toBe(201)
    const stored = (await app.t.inject({ method: 'GET', url: '/api/v1/requests/r-gcj' })).json()
    const error = distanceMetres(stored.location, { lon: yinchuan.wgs84[0], lat: yinchuan.wgs84[1] })
    expect(error).toBeLessThan(1)
    // And the conversion really happened: the raw GCJ-02 point is ~387 m away.
    expect(distanceMetres(stored.location, { lon: yinchuan.gcj02[0], lat: yinchuan.gcj02[1] })).toBeGreaterThan(300)
  })

  it('answers 422 for a location outside every grid, and stores nothing', async () => {
    const res = await post('/api/v1/requests', validRequest({ location: { lon: 116.4, lat: 39.9 } }))
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ field: 'body/location', rule: 'within-area' })
    expect(res.json().message).toContain('outside every grid')
    expect(await seq()).toBe(0)
  })
})

describe('400: each rule names the field and changes nothing', () => {
  const cases: [string, (base: Record<string, unknown>) => unknown, string, string][] = [
    ['an unknown field', (b) => ({ ...b, colour: 'red' }), 'body/colour', 'additionalProperties'],
    ['an unknown nested field', (b) => ({ ...b, reporter: { name: '李四', email: 'x@y' } }), 'body/reporter/email', 'additionalProperties'],
    ['a missing field', ({ category: _c, ...b }) => b, 'body/category', 'required'],
    ['a wrong type', (b) => ({ ...b, location: { lon: '106.2', lat: 38.5 } }), 'body/location/lon', 'type'],
    ['a longitude out of range', (b) => ({ ...b, location: { lon: 181, lat: 38.5 } }), 'body/location/lon', 'maximum'],
    ['a latitude out of range', (b) => ({ ...b, location: { lon: 106.2, lat: -91 } }), 'body/location/lat', 'minimum'],
    ['an unknown source', (b) => ({ ...b, source: 'fax' }), 'body/source', 'enum'],
    ['an unknown crs', (b) => ({ ...b, location: { lon: 106.2, lat: 38.5, crs: 'utm' } }), 'body/location/crs', 'enum'],
    ['an over-long description', (b) => ({ ...b, description: 'x'.repeat(4001) }), 'body/description', 'maxLength'],
    ['a bad phone', (b) => ({ ...b, reporter: { phone: 'call me' } }), 'body/reporter/phone', 'pattern'],
    ['a time without a zone', (b) => ({ ...b, receivedAt: '2026-11-28 09:00' }), 'body/receivedAt', 'format'],
    ['a bad id', (b) => ({ ...b, id: 'has space' }), 'body/id', 'pattern'],
    ['a time in the future', (b) => ({ ...b, receivedAt: '2099-01-01T00:00:00Z' }), 'body/receivedAt', 'not-future'],
    ['a time before 2000 (year 1 read as itself, not 1901)', (b) => ({ ...b, receivedAt: '0001-01-01T00:00:00Z' }), 'body/receivedAt', 'range'],
    ['a time just before 2000', (b) => ({ ...b, receivedAt: '1999-12-31T23:59:59Z' }), 'body/receivedAt', 'range'],
  ]
  for (const [what, mutate, field, rule] of cases) {
    it(`rejects ${what}`, async () => {
      const res = await post('/api/v1/requests', mutate(validRequest()))
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ statusCode: 400, field, rule })
      expect(res.json().message).toContain(field)
      expect(await seq()).toBe(0)
    })
  }

  it('rejects a body over the size limit (413 names the limit) and stores nothing', async () => {
    const res = await app.t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ ...validRequest(), description: 'x'.repeat(70_000) }),
    })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toMatchObject({ field: 'body' })
    expect(await seq()).toBe(0)
  })

  it('rejects malformed JSON', async () => {
    const res = await app.t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      headers: { 'content-type': 'application/json' },
      payload: '{"source": ',
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('body')
  })
})

describe('POST /api/v1/requests/:id/transitions', () => {
  async function created(id = 'r-life') {
    await post('/api/v1/requests', validRequest({ id, receivedAt: '2026-11-28T09:00:00+08:00' }))
    return id
  }

  it('walks the lifecycle and GET shows every stage with its time; the reporter is masked', async () => {
    const id = await created()
    // A worker is a dispatch target once the store has seen them report.
    await post('/api/v1/patrols', { pings: [{ workerId: 'w-1', kind: 'ping', location: pointIn(app.t.geography, STREET_A) }] })
    const steps = [
      { stage: 'dispatched', at: '2026-11-28T09:05:00+08:00', assignee: { kind: 'worker', id: 'w-1' } },
      { stage: 'accepted', at: '2026-11-28T09:20:00+08:00' },
      { stage: 'onsite', at: '2026-11-28T09:50:00+08:00' },
      { stage: 'resolved', at: '2026-11-28T11:00:00+08:00', note: '已协调' },
      { stage: 'reviewed', at: '2026-11-29T10:00:00+08:00', review: { resolved: true, satisfaction: 'satisfied' } },
    ]
    for (const step of steps) {
      const res = await post(`/api/v1/requests/${id}/transitions`, step)
      expect(res.statusCode).toBe(201)
      expect(res.json()).toMatchObject({ id, stage: step.stage })
    }
    const detail = (await app.t.inject({ method: 'GET', url: `/api/v1/requests/${id}` })).json()
    expect(detail.stage).toBe('reviewed')
    expect(detail.stages.map((s: { stage: string }) => s.stage)).toEqual(['received', 'dispatched', 'accepted', 'onsite', 'resolved', 'reviewed'])
    expect(detail.stages[1]).toMatchObject({ at: '2026-11-28T01:05:00.000Z', assignee: { kind: 'worker', id: 'w-1' }, assigneeName: 'w-1' })
    expect(detail.stages[5].review).toEqual({ resolved: true, satisfaction: 'satisfied' })
    // The center sees the contact in clear; a leader of the street sees it masked.
    expect(detail.reporter).toEqual({ name: '张三', phone: '13812345678' })
    const leader = { username: 'leader-a', password: 'leader-pass-1', role: 'leader' as const, unit: STREET_A }
    await addUsers(app.t.auth, [leader])
    const masked = (await app.t.inject({ method: 'GET', url: `/api/v1/requests/${id}`, headers: { cookie: await app.t.login(leader) } })).json()
    expect(masked.reporter).toEqual({ name: '张*', phone: '138****5678' })
    expect(JSON.stringify(masked)).not.toContain('13812345678')
  })

  it('answers 409 for a step the lifecycle does not allow, naming the allowed stages', async () => {
    const id = await created()
    const res = await post(`/api/v1/requests/${id}/transitions`, { stage: 'resolved' })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ rule: 'lifecycle', allowed: ['dispatched'] })
    expect(res.json().message).toContain('received')
    expect(await seq()).toBe(1)
  })

  it('allows the side paths: returned → dispatched, reviewed → reopened → dispatched', async () => {
    const id = await created()
    for (const stage of ['dispatched', 'returned', 'dispatched', 'accepted', 'resolved']) {
      expect((await post(`/api/v1/requests/${id}/transitions`, { stage })).statusCode).toBe(201)
    }
    expect((await post(`/api/v1/requests/${id}/transitions`, { stage: 'reviewed', review: { resolved: false, satisfaction: 'dissatisfied' } })).statusCode).toBe(201)
    expect((await post(`/api/v1/requests/${id}/transitions`, { stage: 'reopened' })).statusCode).toBe(201)
    const res = await post(`/api/v1/requests/${id}/transitions`, { stage: 'accepted' })
    expect(res.statusCode).toBe(409)
    expect(res.json().allowed).toEqual(['dispatched'])
  })

  it('answers 404 for an unknown request', async () => {
    const res = await post('/api/v1/requests/nope/transitions', { stage: 'dispatched' })
    expect(res.statusCode).toBe(404)
  })

  it('requires a review for reviewed, and refuses one elsewhere', async () => {
    const id = await created()
    const missing = await post(`/api/v1/requests/${id}/transitions`, { stage: 'reviewed' })
    expect(missing.statusCode).toBe(400)
    expect(missing.json()).toMatchObject({ field: 'body/review', rule: 'required' })
    const stray = await post(`/api/v1/requests/${id}/transitions`, { stage: 'dispatched', review: { resolved: true, satisfaction: 'satisfied' } })
    expect(stray.statusCode).toBe(400)
    const badReview = await post(`/api/v1/requests/${id}/transitions`, { stage: 'reviewed', review: { resolved: 'yes', satisfaction: 'satisfied' } })
    expect(badReview.json()).toMatchObject({ field: 'body/review/resolved', rule: 'type' })
    expect(await seq()).toBe(1)
  })

  it('is idempotent for a retried step and refuses a step back in time', async () => {
    const id = await created()
    const step = { stage: 'dispatched', at: '2026-11-28T09:05:00+08:00' }
    const first = await post(`/api/v1/requests/${id}/transitions`, step)
    const again = await post(`/api/v1/requests/${id}/transitions`, step)
    expect(again.statusCode).toBe(201)
    expect(again.json()).toEqual(first.json())
    expect(await seq()).toBe(2)
    const back = await post(`/api/v1/requests/${id}/transitions`, { stage: 'accepted', at: '2026-11-28T08:00:00+08:00' })
    expect(back.statusCode).toBe(409)
    expect(back.json().message).toContain('before')
  })

  it('rejects an unknown stage', async () => {
    const id = await created()
    const res = await post(`/api/v1/requests/${id}/transitions`, { stage: 'closed' })
    expect(res.json()).toMatchObject({ statusCode: 400, field: 'body/stage', rule: 'enum' })
  })
})


describe('GET /api/v1/requests/:id', () => {
  it('GET /api/v1/requests/:id is 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await app.t.inject({ method: 'GET', url: '/api/v1/requests/none' })).statusCode).toBe(404)
    const bad = await app.t.inject({ method: 'GET', url: `/api/v1/requests/${'x'.repeat(65)}` })
    expect(bad.json()).toMatchObject({ statusCode: 400, field: 'params/id', rule: 'maxLength' })
  })
})
