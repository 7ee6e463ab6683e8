// People write: every write route takes a logged-in session as well as an ingest key. The session's
// writes are scope-checked (a leader inside their subtree), record their actor, and are in the audit
// trail; a key's record the key's source and are not audited.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { InjectOptions } from 'fastify'
import { buildTestApp, firstGrid, pointIn, type TestApp, type TestUser } from '../../helpers/build-app'

const A = '640106001'
const B = '640106002'
const LEADER_A: TestUser = { username: 'leader-a', password: 'leader-pass-a', role: 'leader', unit: A }
/** `app.inject` asks for http://localhost: the app's own origin, as a page of it sends. */
const OWN = 'http://localhost'
const NOW = Date.parse('2026-11-28T06:00:00Z')

let t: TestApp
let leaderCookie: string
let clock = NOW

beforeEach(async () => {
  clock = NOW
  t = await buildTestApp({ users: [LEADER_A], now: () => clock })
  leaderCookie = await t.login(LEADER_A)
})
afterEach(async () => {
  await t.close()
})

type Who = 'center' | 'leader' | 'key'
function as(who: Who, method: InjectOptions['method'], url: string, payload?: object) {
  const headers: Record<string, string> =
    who === 'key' ? { authorization: t.headers.authorization } : { cookie: who === 'center' ? t.headers.cookie : leaderCookie, origin: OWN }
  return t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) })
}
const post = (who: Who, url: string, payload: object = {}) => as(who, 'POST', url, payload)
const get = (who: Who, url: string) => as(who, 'GET', url)
const seq = () => t.store.lastSeq()

function newRequest(unit: string, overrides: Record<string, unknown> = {}) {
  return { source: 'walk_in', category: 'noise', priority: 'general', location: pointIn(t.geography, unit), ...overrides }
}
function newAlert(unit: string, overrides: Record<string, unknown> = {}) {
  return { cameraId: 'cam-1', kind: 'smoke_fire', confidence: 0.9, location: pointIn(t.geography, unit), ...overrides }
}
const audit = () => t.app.audit.entries({ from: 0, to: Number.MAX_SAFE_INTEGER, limit: 1000 })

describe('a session writes, and every step shows who took it', () => {
  it('a center officer takes a request, a key dispatches it, the officer urges it: each step names its actor', async () => {
    const created = await post('center', '/api/v1/requests', newRequest(A, { id: 'walk-1', reporter: { name: '张三', phone: '13812345678' } }))
    expect(created.statusCode).toBe(201)
    await t.app.directory.addDepartment({ id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }, { kind: 'cli', name: 'test' })
    const dispatched = await post('key', '/api/v1/requests/walk-1/transitions', { stage: 'dispatched', assignee: { kind: 'department', id: 'zj-jf' } })
    expect(dispatched.statusCode).toBe(201)
    const urged = await post('center', '/api/v1/requests/walk-1/urge', { note: '请今日内办结' })
    expect(urged.statusCode).toBe(201)
    expect(urged.json()).toEqual({ id: 'walk-1', seq: expect.any(Number) })

    const detail = (await get('center', '/api/v1/requests/walk-1')).json()
    expect(detail.stages[0]).toMatchObject({ stage: 'received', actor: { kind: 'user', name: 'center' } })
    expect(detail.stages[1]).toMatchObject({
      stage: 'dispatched',
      actor: { kind: 'key', source: 'test' },
      assignee: { kind: 'department', id: 'zj-jf' },
      assigneeName: '金凤区住建局',
    })
    expect(detail.urges).toEqual([{ seq: urged.json().seq, at: expect.any(String), actor: { kind: 'user', name: 'center' }, note: '请今日内办结' }])
    expect(detail.seq).toBe(dispatched.json().seq)
  })

  it('a leader acts inside their street', async () => {
    const created = await post('leader', '/api/v1/requests', newRequest(A, { id: 'in-a' }))
    expect(created.statusCode).toBe(201)
    expect((await post('leader', '/api/v1/requests/in-a/transitions', { stage: 'dispatched', expectedStage: 'received' })).statusCode).toBe(201)
    expect((await post('leader', '/api/v1/requests/in-a/urge')).statusCode).toBe(201)
    const detail = (await get('leader', '/api/v1/requests/in-a')).json()
    expect(detail.stages.map((s: { actor: unknown }) => s.actor)).toEqual([
      { kind: 'user', name: 'leader-a' },
      { kind: 'user', name: 'leader-a' },
    ])
  })

  it('the audit trail holds each action of a person, with its target and grid; a key’s writes are not in it', async () => {
    const created = (await post('center', '/api/v1/requests', newRequest(A, { id: 'aud-1' }))).json()
    await post('key', '/api/v1/requests', newRequest(A, { id: 'aud-key' }))
    await post('key', '/api/v1/requests/aud-key/transitions', { stage: 'dispatched' })
    await post('center', '/api/v1/requests/aud-1/transitions', { stage: 'dispatched' })
    await post('center', '/api/v1/requests/aud-1/urge')
    await post('key', '/api/v1/alerts', newAlert(A, { id: 'al-1' }))
    await post('center', '/api/v1/alerts/al-1/review', { verdict: 'false_positive' })
    await post('center', '/api/v1/alarms/alert:al-1/ack')
    // The center's unmasked read is recorded; a leader's masked read is not.
    await get('center', '/api/v1/requests/aud-1')
    await get('leader', '/api/v1/requests/aud-1')
    const alertGrid = (await t.store.getAlert('al-1'))!.gridId
    const entries = (await audit()).map(({ actor, action, target, unit }) => ({ actor, action, target, unit }))
    const center = { kind: 'user', name: 'center' }
    expect(entries.reverse()).toEqual([
      { actor: center, action: 'request.create', target: 'request:aud-1', unit: created.gridId },
      { actor: center, action: 'request.transition', target: 'request:aud-1', unit: created.gridId },
      { actor: center, action: 'request.urge', target: 'request:aud-1', unit: created.gridId },
      { actor: center, action: 'alert.review', target: 'alert:al-1', unit: alertGrid },
      { actor: center, action: 'alarm.ack', target: 'alarm:alert:al-1', unit: alertGrid },
      { actor: center, action: 'request.read', target: 'request:aud-1', unit: created.gridId },
    ])
  })
})

describe('a leader outside their subtree: 403 on every write, nothing stored', () => {
  it('refuses each write route, naming the field and the scope rule', async () => {
    await post('key', '/api/v1/requests', newRequest(B, { id: 'req-b', priority: 'urgent' }))
    await post('key', '/api/v1/alerts', newAlert(B, { id: 'alert-b' }))
    const before = await seq()
    const cases: [string, object, string][] = [
      ['/api/v1/requests', newRequest(B), 'body/location'],
      ['/api/v1/requests/req-b/transitions', { stage: 'dispatched' }, 'params/id'],
      ['/api/v1/requests/req-b/urge', {}, 'params/id'],
      ['/api/v1/alerts', newAlert(B), 'body/location'],
      ['/api/v1/alerts/alert-b/review', { verdict: 'confirmed', raiseRequest: true }, 'params/id'],
      ['/api/v1/alarms/urgent:req-b/ack', {}, 'params/id'],
      ['/api/v1/alarms/alert:alert-b/ack', {}, 'params/id'],
    ]
    for (const [url, payload, field] of cases) {
      const res = await post('leader', url, payload)
      expect(res.statusCode, url).toBe(403)
      expect(res.json(), url).toMatchObject({ statusCode: 403, field, rule: 'scope' })
    }
    expect(await seq()).toBe(before)
    expect(await audit()).toEqual([])
  })

  it('an unknown id is a 404 to a session as to a key', async () => {
    for (const url of ['/api/v1/requests/none/transitions', '/api/v1/requests/none/urge', '/api/v1/alerts/none/review', '/api/v1/alarms/urgent:none/ack']) {
      const payload = url.includes('review') ? { verdict: 'confirmed' } : url.includes('transitions') ? { stage: 'dispatched' } : {}
      for (const who of ['leader', 'key'] as const) {
        const res = await post(who, url, payload)
        expect(res.statusCode, `${who} ${url}`).toBe(404)
        expect(res.json()).toMatchObject({ field: 'params/id', rule: 'exists' })
      }
    }
  })

  it('GET /api/v1/alarms shows a leader their subtree only: their street by default, another street 403', async () => {
    await post('key', '/api/v1/requests', newRequest(A, { id: 'urgent-a', priority: 'urgent' }))
    await post('key', '/api/v1/requests', newRequest(B, { id: 'urgent-b', priority: 'urgent' }))
    const mine = await get('leader', '/api/v1/alarms')
    expect(mine.statusCode).toBe(200)
    expect(mine.json().items.map((a: { id: string }) => a.id)).toEqual(['urgent:urgent-a'])
    expect((await get('leader', `/api/v1/alarms?unit=${B}`)).json()).toMatchObject({ statusCode: 403, field: 'query/unit', rule: 'scope' })
    const all = (await get('center', '/api/v1/alarms')).json().items.map((a: { id: string }) => a.id)
    expect(all.sort()).toEqual(['urgent:urgent-a', 'urgent:urgent-b'])
  })
})

describe('two officers, one case', () => {
  it('a stale expectedStage is a 409 with the request’s stage and seq, and stores nothing', async () => {
    await post('center', '/api/v1/requests', newRequest(A, { id: 'race' }))
    const first = await post('center', '/api/v1/requests/race/transitions', { stage: 'dispatched', expectedStage: 'received' })
    expect(first.statusCode).toBe(201)
    const before = await seq()
    const second = await post('leader', '/api/v1/requests/race/transitions', { stage: 'dispatched', expectedStage: 'received' })
    expect(second.statusCode).toBe(409)
    expect(second.json()).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: expect.stringContaining('dispatched'),
      field: 'body/expectedStage',
      rule: 'stale',
      stage: 'dispatched',
      seq: first.json().seq,
    })
    expect(await seq()).toBe(before)
    // The same officer's retry of the stored step is answered as the first time.
    const retry = await post('center', '/api/v1/requests/race/transitions', { stage: 'dispatched', expectedStage: 'received' })
    expect(retry.json()).toEqual(first.json())
    // Other 409s keep the one error shape.
    const lifecycle = await post('center', '/api/v1/requests/race/transitions', { stage: 'reviewed', review: { resolved: true, satisfaction: 'satisfied' } })
    expect(lifecycle.json()).toMatchObject({ statusCode: 409, field: 'body/stage', rule: 'lifecycle' })
    expect(lifecycle.json()).not.toHaveProperty('seq')
  })

  it('an alert’s first review wins; a second, other verdict is a 409 naming the stored one', async () => {
    await post('key', '/api/v1/alerts', newAlert(A, { id: 'two-officers' }))
    const first = await post('center', '/api/v1/alerts/two-officers/review', { verdict: 'confirmed' })
    expect(first.statusCode).toBe(201)
    const before = await seq()
    const second = await post('leader', '/api/v1/alerts/two-officers/review', { verdict: 'false_positive' })
    expect(second.statusCode).toBe(409)
    expect(second.json().message).toContain('confirmed')
    expect(await seq()).toBe(before)
    expect((await t.store.getAlert('two-officers'))!.verdict).toBe('confirmed')
  })

  it('the same verdict from a second officer is a 409 naming the first; the first officer’s retry is answered as before', async () => {
    await post('key', '/api/v1/alerts', newAlert(A, { id: 'same-verdict' }))
    const first = await post('center', '/api/v1/alerts/same-verdict/review', { verdict: 'confirmed' })
    expect(first.statusCode).toBe(201)
    expect((await t.store.getAlert('same-verdict'))!.reviewedBy).toEqual({ kind: 'user', name: 'center' })
    const before = await seq()
    const retry = await post('center', '/api/v1/alerts/same-verdict/review', { verdict: 'confirmed' })
    expect(retry.statusCode).toBe(201)
    expect(retry.json()).toEqual(first.json())
    const second = await post('leader', '/api/v1/alerts/same-verdict/review', { verdict: 'confirmed' })
    expect(second.statusCode).toBe(409)
    expect(second.json()).toMatchObject({ field: 'body', rule: 'conflict' })
    expect(second.json().message).toContain('confirmed by center')
    expect(await seq()).toBe(before)
    // A key's retry of a key's review stays idempotent (an outside system resending).
    await post('key', '/api/v1/alerts', newAlert(A, { id: 'key-verdict' }))
    const byKey = await post('key', '/api/v1/alerts/key-verdict/review', { verdict: 'false_positive' })
    expect((await post('key', '/api/v1/alerts/key-verdict/review', { verdict: 'false_positive' })).json()).toEqual(byKey.json())
  })
})

describe('dispatch targets', () => {
  it('an unknown worker, department or expert is a 422 naming body/assignee/id; known ones are taken', async () => {
    await post('key', '/api/v1/requests', newRequest(A, { id: 'target' }))
    const before = await seq()
    for (const kind of ['worker', 'department', 'expert']) {
      const res = await post('center', '/api/v1/requests/target/transitions', { stage: 'dispatched', assignee: { kind, id: 'nobody' } })
      expect(res.statusCode, kind).toBe(422)
      expect(res.json()).toMatchObject({ statusCode: 422, field: 'body/assignee/id', rule: 'exists' })
      expect(res.json().message).toContain('nobody')
    }
    expect(await seq()).toBe(before)
    await t.app.directory.addExpert({ id: 'law-01', pool: 'legal', name: '王律师', contact: '13912345678' }, { kind: 'cli', name: 'test' })
    const res = await post('center', '/api/v1/requests/target/transitions', { stage: 'dispatched', assignee: { kind: 'expert', id: 'law-01' } })
    expect(res.statusCode).toBe(201)
    const detail = (await get('leader', '/api/v1/requests/target')).json()
    expect(detail.stages[1]).toMatchObject({ assignee: { kind: 'expert', id: 'law-01' }, assigneeName: '王律师' })
    // The expert's contact is never part of a request.
    expect(JSON.stringify(detail)).not.toContain('13912345678')
    const worker = await post('key', '/api/v1/requests/target/transitions', { stage: 'returned' })
    expect(worker.statusCode).toBe(201)
    await post('key', '/api/v1/patrols', { pings: [{ workerId: 'w-1', kind: 'ping', location: pointIn(t.geography, firstGrid(t.geography, A)) }] })
    expect((await post('center', '/api/v1/requests/target/transitions', { stage: 'dispatched', assignee: { kind: 'worker', id: 'w-1' } })).statusCode).toBe(201)
  })

  it('a free-text assignee is refused: targets are typed', async () => {
    await post('key', '/api/v1/requests', newRequest(A, { id: 'free' }))
    const res = await post('key', '/api/v1/requests/free/transitions', { stage: 'dispatched', assignee: 'w-1' })
    expect(res.json()).toMatchObject({ statusCode: 400, field: 'body/assignee', rule: 'type' })
  })
})

describe('POST /api/v1/requests/:id/urge (督办)', () => {
  it('urges an open request: 201 and the urge in its timeline; a closed one is a 409, nothing stored', async () => {
    await post('key', '/api/v1/requests', newRequest(A, { id: 'slow' }))
    const a = await post('center', '/api/v1/requests/slow/urge', { note: '已超时' })
    const b = await post('key', '/api/v1/requests/slow/urge')
    expect([a.statusCode, b.statusCode]).toEqual([201, 201])
    expect(b.json().seq).toBeGreaterThan(a.json().seq)
    const detail = (await get('center', '/api/v1/requests/slow')).json()
    expect(detail.urges.map((u: { actor: unknown }) => u.actor)).toEqual([
      { kind: 'user', name: 'center' },
      { kind: 'key', source: 'test' },
    ])
    // The stage does not change.
    expect(detail.stage).toBe('received')
    for (const stage of ['dispatched', 'accepted', 'resolved']) await post('key', '/api/v1/requests/slow/transitions', { stage })
    const before = await seq()
    const closed = await post('center', '/api/v1/requests/slow/urge')
    expect(closed.statusCode).toBe(409)
    expect(closed.json()).toMatchObject({ field: 'params/id', rule: 'lifecycle' })
    expect(await seq()).toBe(before)
  })

  it('validates the body', async () => {
    await post('key', '/api/v1/requests', newRequest(A, { id: 'urge-bad' }))
    expect((await post('center', '/api/v1/requests/urge-bad/urge', { note: 'x'.repeat(2001) })).json()).toMatchObject({ field: 'body/note', rule: 'maxLength' })
    expect((await post('center', '/api/v1/requests/urge-bad/urge', { colour: 'red' })).json()).toMatchObject({ field: 'body/colour', rule: 'additionalProperties' })
    expect((await post('center', '/api/v1/requests/urge-bad/urge', { at: '2099-01-01T00:00:00Z' })).json()).toMatchObject({ field: 'body/at', rule: 'not-future' })
  })
})

describe('the request list', () => {
  it('stage= lists the requests now at that stage, whenever received', async () => {
    await post('key', '/api/v1/requests', newRequest(A, { id: 'old-resolved', receivedAt: '2026-11-01T00:00:00Z' }))
    for (const stage of ['dispatched', 'accepted', 'resolved']) await post('key', '/api/v1/requests/old-resolved/transitions', { stage, at: '2026-11-02T00:00:00Z' })
    await post('key', '/api/v1/requests', newRequest(A, { id: 'open-one' }))
    const resolved = (await get('center', '/api/v1/requests?stage=resolved')).json().items.map((r: { id: string }) => r.id)
    expect(resolved).toEqual(['old-resolved'])
    const open = (await get('center', '/api/v1/requests')).json().items.map((r: { id: string }) => r.id)
    expect(open).toEqual(['open-one'])
  })
})
