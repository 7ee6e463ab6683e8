// Every /api/ reply is kept out of caches unless its route chose otherwise for data that is not
// personal, and is never content-sniffed: the center's request detail carries names and phones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InjectOptions } from 'fastify'
import { buildTestApp, pointIn, type TestApp } from '../../helpers/build-app'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp()
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/requests',
    payload: { id: 'req-1', source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t.geography, '640106001'), reporter: { name: '张三', phone: '13812345678' } },
  })
  expect(res.statusCode).toBe(201)
})

afterAll(async () => {
  await t.close()
})

describe('headers on /api/ replies', () => {
  const replies: [string, InjectOptions, number][] = [
    ['the request detail with the reporter in clear', { method: 'GET', url: '/api/v1/requests/req-1' }, 200],
    ['an ingest answer', { method: 'POST', url: '/api/v1/requests/req-1/transitions', payload: { stage: 'dispatched' } }, 201],
    ['a list', { method: 'GET', url: '/api/v1/requests' }, 200],
    ['a 400', { method: 'GET', url: '/api/v1/requests?limit=0' }, 400],
    ['a 404 of no route', { method: 'GET', url: '/api/v1/nothing' }, 404],
    ['a 400 of a bad url', { method: 'GET', url: '/api/v1/requests/%E0%A4%A' }, 400],
    ['a 415', { method: 'POST', url: '/api/v1/requests', headers: { 'content-type': 'application/xml' }, payload: '<a/>' }, 415],
  ]
  for (const [what, request, status] of replies) {
    it(`${what} (${status}): Cache-Control no-store, X-Content-Type-Options nosniff`, async () => {
      const res = await t.inject(request)
      expect(res.statusCode).toBe(status)
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.headers['x-content-type-options']).toBe('nosniff')
    })
  }

  it('a 401 too, before any route runs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/requests/req-1' })
    expect(res.statusCode).toBe(401)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
  })

  it('a route that chose its own caching for non-personal data keeps it (the kiosk’s aggregates)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/public/stats?unit=640106001' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('public, max-age=10')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
  })
})
