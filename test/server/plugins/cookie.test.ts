// The session cookie's Secure flag: on, off, or (the default) as the request came, which behind a
// TLS-terminating proxy is what X-Forwarded-Proto says, when that proxy is trusted.
import { afterEach, describe, expect, it } from 'vitest'
import type { InjectOptions } from 'fastify'
import { buildTestApp, CENTER, type TestApp } from '../../helpers/build-app'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function sessionCookie(options: Parameters<typeof buildTestApp>[0], request: Partial<InjectOptions> = {}) {
  t = await buildTestApp(options)
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { username: CENTER.username, password: CENTER.password },
    ...request,
  })
  expect(res.statusCode).toBe(200)
  return res.cookies.find((c) => c.name === 'outpost_session')!
}

const viaTls = { headers: { 'x-forwarded-proto': 'https' } }

describe('the session cookie’s Secure flag', () => {
  it('auto (the default): not Secure over plain http', async () => {
    expect((await sessionCookie({})).secure).toBeFalsy()
  })

  it('auto: Secure when a trusted proxy says the request came over https', async () => {
    expect((await sessionCookie({ trustProxy: true }, viaTls)).secure).toBe(true)
  })

  it('auto: X-Forwarded-Proto is ignored when no proxy is trusted', async () => {
    expect((await sessionCookie({}, viaTls)).secure).toBeFalsy()
  })

  it('auto: only the listed proxies are trusted', async () => {
    expect((await sessionCookie({ trustProxy: ['10.0.0.1'] }, { ...viaTls, remoteAddress: '10.0.0.2' })).secure).toBeFalsy()
    await t!.close()
    expect((await sessionCookie({ trustProxy: ['10.0.0.0/24'] }, { ...viaTls, remoteAddress: '10.0.0.2' })).secure).toBe(true)
  })

  it('on: Secure over plain http too (a proxy that sends no X-Forwarded-Proto)', async () => {
    expect((await sessionCookie({ secureCookie: 'on' })).secure).toBe(true)
  })

  it('off: never Secure, whatever the proxy says', async () => {
    expect((await sessionCookie({ secureCookie: 'off', trustProxy: true }, viaTls)).secure).toBeFalsy()
  })

  it('the sliding refresh and the logout carry the same flag', async () => {
    const cookie = await sessionCookie({ secureCookie: 'on' })
    const header = `${cookie.name}=${cookie.value}`
    const me = await t!.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: header } })
    expect(me.cookies.find((c) => c.name === 'outpost_session')?.secure).toBe(true)
    const out = await t!.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: header, origin: 'http://localhost' } })
    expect(out.cookies.find((c) => c.name === 'outpost_session')?.secure).toBe(true)
  })
})
