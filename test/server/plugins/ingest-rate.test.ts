// OUTPOST_INGEST_RATE: a limit per ingest key, counted by the verified key's id, on every route that
// takes an ingest key and on nothing else. The clock (Date only) stands still inside a test, so a
// one-second window never turns over between two requests of the same burst; moving it on shows the
// window's end.
import type { RouteOptions } from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SnapshotStore } from '../../../server/plugins/ingest-rate'
import { buildTestApp, pointIn, type TestApp } from '../../helpers/build-app'

const STREET_A = '640106001'

let t: TestApp | undefined
afterEach(async () => {
  vi.useRealTimers()
  await t?.close()
  t = undefined
})

async function appAt(ingestRate: number, onRoute?: (route: RouteOptions) => void): Promise<TestApp> {
  t = await buildTestApp({ ingestRate, ...(onRoute ? { onRoute } : {}) })
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(Date.UTC(2026, 5, 1, 2, 0, 0))
  return t
}

function request(app: TestApp, key: string | undefined) {
  const body = {
    source: 'hotline',
    category: 'noise',
    priority: 'general',
    location: pointIn(app.geography, STREET_A),
    description: '楼上装修噪音',
  }
  return app.app.inject({ method: 'POST', url: '/api/v1/requests', headers: key ? { authorization: `Bearer ${key}` } : {}, payload: body })
}

async function lastSeq(app: TestApp): Promise<number> {
  return (await app.inject({ method: 'GET', url: '/api/v1/health' })).json().seq
}

describe('OUTPOST_INGEST_RATE: requests a second per ingest key', () => {
  it('lets a key through up to its rate, then answers 429 with Retry-After and the error shape; another key is unaffected', async () => {
    const app = await appAt(5)
    const { key } = app.auth.addKey('camera-vendor')
    const { key: other } = app.auth.addKey('hotline')
    for (let i = 0; i < 5; i++) {
      const res = await request(app, key)
      expect(res.statusCode).toBe(201)
      // An accepted request pays for no rate headers.
      expect(res.headers['x-ratelimit-remaining']).toBeUndefined()
    }
    const refused = await request(app, key)
    expect(refused.statusCode).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(refused.headers['x-ratelimit-limit']).toBe('5')
    expect(refused.json()).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/limit of 5 requests a second \(OUTPOST_INGEST_RATE\)/),
      field: 'header/authorization',
      rule: 'rate',
    })
    expect(await lastSeq(app)).toBe(5)

    expect((await request(app, other)).statusCode).toBe(201)
    expect(await lastSeq(app)).toBe(6)

    // Once the second is over, the key is let through again.
    vi.setSystemTime(Date.now() + 1000)
    expect((await request(app, key)).statusCode).toBe(201)
  })

  it('20 requests at once with one key: exactly 5 accepted, 15 refused', async () => {
    const app = await appAt(5)
    const { key } = app.auth.addKey('burst')
    const replies = await Promise.all(Array.from({ length: 20 }, () => request(app, key)))
    const codes = replies.map((r) => r.statusCode)
    expect(codes.filter((c) => c === 201)).toHaveLength(5)
    expect(codes.filter((c) => c === 429)).toHaveLength(15)
    expect(await lastSeq(app)).toBe(5)
  })

  it('counts only requests whose key passed the check: a wrong secret for a key id neither counts nor is limited by it', async () => {
    const app = await appAt(5)
    const { key, id } = app.auth.addKey('victim')
    const forged = `opk_${id}_${'x'.repeat(32)}`
    for (let i = 0; i < 10; i++) {
      const res = await request(app, forged)
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ field: 'header/authorization', rule: 'authenticated' })
    }
    const codes = []
    for (let i = 0; i < 6; i++) codes.push((await request(app, key)).statusCode)
    expect(codes).toEqual([201, 201, 201, 201, 201, 429])
    // A key over its limit with a forged secret is still a 401, not a 429: auth comes first.
    expect((await request(app, forged)).statusCode).toBe(401)
  })

  it('one count per key across every ingest route, each refused before its body is read; no other route is limited', async () => {
    const routes: { method: string; url: string }[] = []
    const app = await appAt(5, (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url })
    })
    const { key } = app.auth.addKey('busy')
    for (let i = 0; i < 5; i++) expect((await request(app, key)).statusCode).toBe(201)

    const ingestRoutes: string[] = []
    for (const route of routes) {
      const url = route.url.replace(/:[a-zA-Z]+/g, 'x')
      const method = route.method as 'GET' | 'POST'
      const anonymous = await app.app.inject({ method, url })
      const ingest = anonymous.statusCode === 401 && anonymous.json().field === 'header/authorization'
      if (!ingest) continue
      ingestRoutes.push(`${route.method} ${route.url}`)
      // No body at all: a 429, not a 400, since the limit runs before the body is parsed.
      const res = await app.app.inject({ method, url, headers: { authorization: `Bearer ${key}` } })
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(429)
      expect(res.json()).toMatchObject({ field: 'header/authorization', rule: 'rate' })
    }
    expect(ingestRoutes.sort()).toEqual([
      'POST /api/v1/activities',
      'POST /api/v1/alarms/:id/ack',
      'POST /api/v1/alerts',
      'POST /api/v1/alerts/:id/review',
      'POST /api/v1/patrols',
      'POST /api/v1/requests',
      'POST /api/v1/requests/:id/transitions',
      'POST /api/v1/requests/:id/urge',
    ])

    // Reads with the session, and the kiosk's public figures, are never counted: ten times the rate each.
    for (const url of ['/api/v1/requests?unit=640106', '/api/v1/public/stats?unit=640106']) {
      for (let i = 0; i < 50; i++) {
        const res = await app.inject({ method: 'GET', url })
        expect(res.statusCode, url).toBe(200)
        expect(res.headers['x-ratelimit-limit'], url).toBeUndefined()
      }
    }
  })

  it('0 turns the limit off', async () => {
    const app = await appAt(0)
    const { key } = app.auth.addKey('unlimited')
    const replies = await Promise.all(Array.from({ length: 20 }, () => request(app, key)))
    expect(replies.map((r) => r.statusCode)).toEqual(Array(20).fill(201))
    expect(app.app.hasDecorator('rateLimit')).toBe(false)
  })

  it('remembers a bounded number of keys, the least recently used dropped first', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const store = new SnapshotStore({ cache: 3 })
    const count = (key: string): number => {
      let current = 0
      store.incr(key, (_error, result) => (current = result!.current), 1000, 5)
      return current
    }
    for (const key of ['a', 'b', 'c', 'a']) count(key)
    expect(count('a')).toBe(3)
    count('d') // the fourth key: 'b', used longest ago, goes
    expect(count('b')).toBe(1)
    expect(count('a')).toBe(4)
  })
})
