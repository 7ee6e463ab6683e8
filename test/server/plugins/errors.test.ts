// Every 4xx the API answers has the one error shape, whoever raised it: the router, a body
// parser, a schema, a hook or a handler. And a by-id read tells nothing about what exists outside
// the caller's scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildTestApp, pointIn, type TestApp, type TestUser } from '../../helpers/build-app'

const STREET_A = '640106001'
const STREET_B = '640106002'
const LEADER_A: TestUser = { username: 'leader-a', password: 'leader-pass-a', role: 'leader', unit: STREET_A }

let t: TestApp
let leaderCookie: string

beforeAll(async () => {
  t = await buildTestApp({ users: [LEADER_A] })
  leaderCookie = await t.login(LEADER_A)
  for (const [id, street] of [['req-a', STREET_A], ['req-b', STREET_B]] as const) {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { id, source: 'app', category: 'noise', priority: 'general', location: pointIn(t.geography, street) },
    })
    expect(res.statusCode).toBe(201)
  }
})

afterAll(async () => {
  await t.close()
})

async function seq(): Promise<number> {
  return (await t.inject({ method: 'GET', url: '/api/v1/health' })).json().seq
}

/** The one shape, with the field and rule this answer should name. */
function expectShape(res: LightMyRequestResponse, status: number, field: string, rule: string): void {
  expect(res.statusCode, res.body).toBe(status)
  expect(res.headers['content-type']).toContain('application/json')
  const body = res.json()
  expect(body).toEqual({ statusCode: status, error: expect.any(String), message: expect.any(String), field, rule })
  expect(body.message.length).toBeGreaterThan(0)
}

describe('the one error shape for the framework’s own 4xx', () => {
  const post = (headers: Record<string, string>, payload: string): InjectOptions => ({ method: 'POST', url: '/api/v1/requests', headers, payload })
  const cases: [string, InjectOptions, number, string, string][] = [
    ['an empty body with a JSON content type', post({ 'content-type': 'application/json' }, ''), 400, 'body', 'not-empty'],
    ['malformed JSON', post({ 'content-type': 'application/json' }, '{"source": '), 400, 'body', 'json'],
    ['a prototype-poisoning key', post({ 'content-type': 'application/json' }, '{"__proto__": {"x": 1}}'), 400, 'body', 'json'],
    ['a content type the API does not take', post({ 'content-type': 'application/xml' }, '<request/>'), 415, 'header/content-type', 'content-type'],
    ['a body over the size limit', post({ 'content-type': 'application/json' }, JSON.stringify({ description: 'x'.repeat(70_000) })), 413, 'body', 'max-size'],
    ['a body shorter than its Content-Length', post({ 'content-type': 'application/json', 'content-length': '40' }, '{}'), 400, 'header/content-length', 'content-length'],
    ['a bad % escape in a path', { method: 'GET', url: '/api/v1/requests/%E0%A4%A' }, 400, 'url', 'url-encoding'],
    ['a path parameter longer than the router takes', { method: 'GET', url: `/api/v1/requests/${'x'.repeat(150)}` }, 414, 'url', 'max-length'],
    ['an invalid query string', { method: 'GET', url: '/api/v1/requests?limit=many' }, 400, 'query/limit', 'type'],
    ['an unknown query parameter', { method: 'GET', url: '/api/v1/requests?colour=red' }, 400, 'query/colour', 'additionalProperties'],
    ['a route that does not exist', { method: 'GET', url: '/api/v1/nothing-here' }, 404, 'url', 'route'],
    ['a method a route does not have', { method: 'PUT', url: '/api/v1/requests' }, 404, 'url', 'route'],
  ]
  for (const [what, request, status, field, rule] of cases) {
    it(`${what}: ${status} naming ${field} and ${rule}, nothing stored`, async () => {
      const before = await seq()
      expectShape(await t.inject(request), status, field, rule)
      expect(await seq()).toBe(before)
    })
  }
})

describe('the one error shape for the handlers’ and hooks’ 4xx', () => {
  it('401 without a session names the cookie', async () => {
    expectShape(await t.app.inject({ method: 'GET', url: '/api/v1/requests' }), 401, 'header/cookie', 'authenticated')
  })

  it('401 without an ingest key names the authorization header', async () => {
    expectShape(await t.app.inject({ method: 'POST', url: '/api/v1/requests', payload: {} }), 401, 'header/authorization', 'authenticated')
  })

  it('401 for a wrong password names the credentials, not which of them was wrong', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'center', password: 'wrong-pass-1' } })
    expectShape(res, 401, 'body', 'credentials')
  })

  it('403 for a unit outside the scope, 404 for an unknown one', async () => {
    expectShape(await t.inject({ method: 'GET', url: `/api/v1/requests?unit=${STREET_B}`, headers: { cookie: leaderCookie } }), 403, 'query/unit', 'scope')
    expectShape(await t.inject({ method: 'GET', url: '/api/v1/requests?unit=640106999' }), 404, 'query/unit', 'exists')
  })

  it('404 for an unknown request in a transition, 409 for a conflicting id', async () => {
    expectShape(await t.inject({ method: 'POST', url: '/api/v1/requests/req-none/transitions', payload: { stage: 'dispatched' } }), 404, 'params/id', 'exists')
    const other = { id: 'req-a', source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t.geography, STREET_A) }
    expectShape(await t.inject({ method: 'POST', url: '/api/v1/requests', payload: other }), 409, 'body', 'conflict')
  })

  it('409 for a step dated before the current stage', async () => {
    expect((await t.inject({ method: 'POST', url: '/api/v1/requests/req-a/transitions', payload: { stage: 'dispatched' } })).statusCode).toBe(201)
    const res = await t.inject({ method: 'POST', url: '/api/v1/requests/req-a/transitions', payload: { stage: 'accepted', at: '2020-01-01T00:00:00Z' } })
    expectShape(res, 409, 'body', 'conflict')
  })

  it('404 for an unknown alert under review', async () => {
    const res = await t.inject({ method: 'POST', url: '/api/v1/alerts/alert-none/review', payload: { verdict: 'false_positive' } })
    expectShape(res, 404, 'params/id', 'exists')
  })
})

describe('a request outside the scope is answered as one that does not exist', () => {
  it('a leader gets the same 404 for another street’s request as for an unknown id', async () => {
    const other = await t.inject({ method: 'GET', url: '/api/v1/requests/req-b', headers: { cookie: leaderCookie } })
    const unknown = await t.inject({ method: 'GET', url: '/api/v1/requests/req-z', headers: { cookie: leaderCookie } })
    expectShape(other, 404, 'params/id', 'exists')
    expectShape(unknown, 404, 'params/id', 'exists')
    // Only the id the caller sent differs.
    expect(other.json().message.replace('req-b', 'ID')).toBe(unknown.json().message.replace('req-z', 'ID'))
    expect(other.headers['content-length']).toBe(unknown.headers['content-length'])
  })

  it('while their own street’s request and, for the center, any request are found', async () => {
    expect((await t.inject({ method: 'GET', url: '/api/v1/requests/req-a', headers: { cookie: leaderCookie } })).statusCode).toBe(200)
    expect((await t.inject({ method: 'GET', url: '/api/v1/requests/req-b' })).statusCode).toBe(200)
  })
})
