// What the session cookie opens — a write, the `/live` stream — only pages of the server's own
// origin and of OUTPOST_ALLOWED_ORIGINS may use: the browser sends the cookie to this host from a
// page on any port of it.
import { afterEach, describe, expect, it } from 'vitest'
import { io } from 'socket.io-client'
import { buildApp } from '../../../server/app'
import { AuthStore } from '../../../server/auth/auth-store'
import { ConfigError, loadConfig } from '../../../server/config'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { addUsers, buildTestApp, CENTER, loginCookie, pointIn, sampleGeography, startTestServer, type TestApp } from '../../helpers/build-app'
import { connectLive, subscribe, type LiveClient } from '../../helpers/connect-client'
import { waitFor } from '../../helpers/wait-for'

const STREET = '640106001'
/** `app.inject` asks for http://localhost:80, so this is the app's own origin there. */
const OWN = 'http://localhost'
/** A page on another port of the same host: the browser still sends the cookie. */
const FOREIGN = 'http://localhost:8081'
const WALL = 'https://wall.example.org'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function app(options: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> {
  const t = await buildTestApp(options)
  cleanups.push(() => t.close())
  return t
}

const logout = (t: TestApp, headers: Record<string, string>) =>
  t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: t.headers.cookie, ...headers } })
const sessionWorks = async (t: TestApp) => (await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: t.headers.cookie } })).statusCode === 200

describe('writes with the session cookie', () => {
  it('refuses a foreign Origin with a 403 naming the origin header, and ends nothing', async () => {
    const t = await app()
    const res = await logout(t, { origin: FOREIGN })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.stringContaining(FOREIGN), field: 'header/origin', rule: 'same-origin' })
    expect(await sessionWorks(t)).toBe(true)
  })

  it('takes the server’s own origin', async () => {
    const t = await app()
    expect((await logout(t, { origin: OWN })).statusCode).toBe(204)
    expect(await sessionWorks(t)).toBe(false)
  })

  it('refuses a write with neither Origin nor Referer', async () => {
    const t = await app()
    const res = await logout(t, {})
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ field: 'header/origin', rule: 'same-origin' })
    expect(await sessionWorks(t)).toBe(true)
  })

  it('refuses the opaque origin "null" (a sandboxed frame, a redirect)', async () => {
    const t = await app()
    expect((await logout(t, { origin: 'null' })).statusCode).toBe(403)
    expect(await sessionWorks(t)).toBe(true)
  })

  it('without Origin, goes by the Referer’s origin', async () => {
    const t = await app()
    expect((await logout(t, { referer: `${FOREIGN}/wall?scene=640106` })).statusCode).toBe(403)
    expect(await sessionWorks(t)).toBe(true)
    expect((await logout(t, { referer: `${OWN}/wall?scene=640106` })).statusCode).toBe(204)
    expect(await sessionWorks(t)).toBe(false)
  })

  it('takes an origin of OUTPOST_ALLOWED_ORIGINS', async () => {
    const t = await app({ allowedOrigins: [WALL] })
    expect((await logout(t, { origin: 'https://other.example.org' })).statusCode).toBe(403)
    expect((await logout(t, { origin: WALL })).statusCode).toBe(204)
    expect(await sessionWorks(t)).toBe(false)
  })

  it('behind a trusted proxy, the own origin is the one the proxy was asked for', async () => {
    const proxied = { origin: 'https://outpost.example.org', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'outpost.example.org' }
    const untrusting = await app()
    expect((await logout(untrusting, proxied)).statusCode).toBe(403)
    const trusting = await app({ trustProxy: true })
    expect((await logout(trusting, proxied)).statusCode).toBe(204)
  })

  it('covers a write route added later (a console action) without the route declaring anything', async () => {
    const auth = new AuthStore(':memory:')
    const store = new SqliteStore({ filename: ':memory:' })
    const later = await buildApp({ store, auth, geography: sampleGeography(), realtime: false })
    cleanups.push(async () => {
      await later.close()
      await store.close()
      auth.close()
    })
    later.post('/api/v1/console/ping', { onRequest: later.requireUser }, async () => ({ ok: true }))
    await later.ready()
    await addUsers(auth, [CENTER])
    const cookie = await loginCookie(later, CENTER)
    const ping = (origin: string) => later.inject({ method: 'POST', url: '/api/v1/console/ping', headers: { cookie, origin } })
    expect((await ping(FOREIGN)).json()).toMatchObject({ statusCode: 403, field: 'header/origin', rule: 'same-origin' })
    expect((await ping(OWN)).json()).toEqual({ ok: true })
  })

  it('does not refuse a Bearer-authenticated write from any origin: no page can add that header', async () => {
    const t = await app()
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      headers: { origin: FOREIGN },
      payload: { source: 'app', category: 'noise', priority: 'general', location: pointIn(t.geography, STREET) },
    })
    expect(res.statusCode).toBe(201)
  })

  describe('a route that takes a session or a key (the console’s writes)', () => {
    const body = (t: TestApp) => ({ source: 'walk_in', category: 'noise', priority: 'general', location: pointIn(t.geography, STREET) })
    const write = (t: TestApp, headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/api/v1/requests', headers, payload: body(t) })

    it('refuses a cookie write without Origin or Referer (403 header/origin), and stores nothing', async () => {
      const t = await app()
      const res = await write(t, { cookie: t.headers.cookie })
      expect(res.statusCode).toBe(403)
      expect(res.json()).toMatchObject({ statusCode: 403, field: 'header/origin', rule: 'same-origin' })
      expect(await t.store.lastSeq()).toBe(0)
    })

    it('refuses a cookie write from a foreign origin, by Origin or by Referer', async () => {
      const t = await app()
      for (const headers of [{ origin: FOREIGN }, { referer: `${FOREIGN}/console` }, { origin: 'null' }] as Record<string, string>[]) {
        const res = await write(t, { cookie: t.headers.cookie, ...headers })
        expect(res.statusCode, JSON.stringify(headers)).toBe(403)
        expect(res.json()).toMatchObject({ field: 'header/origin', rule: 'same-origin' })
      }
      expect(await t.store.lastSeq()).toBe(0)
    })

    it('takes a cookie write from its own origin and an allow-listed one: the actor is the user', async () => {
      const t = await app({ allowedOrigins: [WALL] })
      for (const origin of [OWN, WALL]) {
        const res = await write(t, { cookie: t.headers.cookie, origin })
        expect(res.statusCode, origin).toBe(201)
        const detail = (await t.inject({ method: 'GET', url: `/api/v1/requests/${res.json().id}` })).json()
        expect(detail.stages[0].actor).toEqual({ kind: 'user', name: CENTER.username })
      }
    })

    it('takes a Bearer write without Origin, and with a foreign one: the actor is the key', async () => {
      const t = await app()
      for (const headers of [{}, { origin: FOREIGN }] as Record<string, string>[]) {
        const res = await write(t, { authorization: t.headers.authorization, ...headers })
        expect(res.statusCode).toBe(201)
        const detail = (await t.inject({ method: 'GET', url: `/api/v1/requests/${res.json().id}` })).json()
        expect(detail.stages[0].actor).toEqual({ kind: 'key', source: 'test' })
      }
    })

    it('a bad key is a 401 even beside a valid cookie: a Bearer header decides alone', async () => {
      const t = await app()
      const res = await write(t, { authorization: 'Bearer opk_000000000000_forged', cookie: t.headers.cookie, origin: FOREIGN })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ field: 'header/authorization', rule: 'authenticated' })
    })

    it('neither a session nor a key: 401', async () => {
      const t = await app()
      for (const headers of [{}, { cookie: 'outpost_session=forged', origin: OWN }] as Record<string, string>[]) {
        const res = await write(t, headers)
        expect(res.statusCode).toBe(401)
        expect(res.json()).toMatchObject({ field: 'header/authorization', rule: 'authenticated' })
      }
    })

    it('counts a key’s writes against its rate, and a session’s not at all', async () => {
      const t = await app({ ingestRate: 2 })
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) statuses.push((await write(t, { cookie: t.headers.cookie, origin: OWN })).statusCode)
      for (let i = 0; i < 3; i++) statuses.push((await write(t, { authorization: t.headers.authorization })).statusCode)
      expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429])
    })
  })

  it('leaves reads alone', async () => {
    const t = await app()
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: t.headers.cookie, origin: FOREIGN } })
    expect(res.statusCode).toBe(200)
  })
})

describe('the /live handshake', () => {
  async function server(options: Parameters<typeof startTestServer>[0] = {}) {
    const s = await startTestServer(options)
    cleanups.push(() => s.close())
    return s
  }

  async function live(url: string, cookie: string, origin?: string) {
    const c = await connectLive(url, cookie, origin ? { origin } : {})
    cleanups.push(() => void c.socket.disconnect())
    return c
  }

  it('refuses a page of another origin, even with a valid cookie: connect_error, and nothing arrives', async () => {
    const s = await server()
    const refused: LiveClient = io(`${s.url}/live`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: { cookie: s.headers.cookie, origin: FOREIGN },
    })
    cleanups.push(() => void refused.close())
    const received: string[] = []
    refused.onAny((event) => received.push(event))
    const error = await new Promise<Error>((resolve, reject) => {
      refused.once('connect_error', resolve)
      refused.once('connect', () => reject(new Error('a foreign origin connected')))
    })
    expect(error.message).toMatch(/forbidden origin/)
    // A page of this server's origin, on the same district, sees the event the refused one does not.
    const own = await live(s.url, s.headers.cookie, s.url)
    expect((await subscribe(own.socket, '640106')).ok).toBe(true)
    refused.emit('scope:subscribe', { unit: '640106' }, () => received.push('ack'))
    await s.inject({ method: 'POST', url: '/api/v1/requests', payload: { source: 'app', category: 'noise', priority: 'general', location: pointIn(s.geography, STREET) } })
    await waitFor(() => own.events().length === 1, 'the own-origin client to see the event')
    expect(received).toEqual([])
    expect(refused.connected).toBe(false)
  })

  it('takes the server’s own origin and an allow-listed one', async () => {
    const s = await server({ allowedOrigins: [WALL] })
    for (const origin of [s.url, WALL]) {
      const c = await live(s.url, s.headers.cookie, origin)
      expect(await subscribe(c.socket, STREET)).toMatchObject({ ok: true })
    }
  })

  it('behind a trusted proxy, takes the origin the proxy was asked for', async () => {
    const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'outpost.example.org' }
    const connect = (url: string, cookie: string) =>
      connectLive(url, cookie, { origin: 'https://outpost.example.org', ...proxied }).then((c) => {
        cleanups.push(() => void c.socket.disconnect())
        return c
      })
    const untrusting = await server()
    await expect(connect(untrusting.url, untrusting.headers.cookie)).rejects.toThrow(/forbidden origin/)
    const trusting = await server({ trustProxy: ['127.0.0.1'] })
    expect(await subscribe((await connect(trusting.url, trusting.headers.cookie)).socket, STREET)).toMatchObject({ ok: true })
  })

  it('takes a handshake without Origin (not a browser, which always sends one); the cookie still decides', async () => {
    const s = await server()
    const c = await live(s.url, s.headers.cookie)
    expect(await subscribe(c.socket, STREET)).toMatchObject({ ok: true })
    await expect(connectLive(s.url, 'outpost_session=forged')).rejects.toThrow(/unauthorized/)
  })

  it('leaves the kiosk’s /public open to any origin: it needs no cookie and carries only what is public', async () => {
    const s = await server()
    const kiosk = io(`${s.url}/public`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin: FOREIGN } })
    cleanups.push(() => void kiosk.close())
    await new Promise<void>((resolve, reject) => {
      kiosk.once('connect', () => resolve())
      kiosk.once('connect_error', reject)
    })
    expect(kiosk.connected).toBe(true)
  })
})

describe('OUTPOST_ALLOWED_ORIGINS', () => {
  it('is empty by default, and takes a comma list of origins, written as browsers write them', () => {
    expect(loadConfig({}).allowedOrigins).toEqual([])
    expect(loadConfig({ OUTPOST_ALLOWED_ORIGINS: 'https://Wall.Example.org:443, http://10.0.0.5:3000' }).allowedOrigins).toEqual([
      'https://wall.example.org',
      'http://10.0.0.5:3000',
    ])
  })

  for (const bad of ['wall.example.org', 'https://wall.example.org/', 'https://wall.example.org/wall', 'ftp://files.lan', '*', 'https://*.example.org', 'http://10.0.0.5:99999', 'https://a.org,,https://b.org']) {
    it(`refuses ${JSON.stringify(bad)}, naming the variable`, () => {
      expect(() => loadConfig({ OUTPOST_ALLOWED_ORIGINS: bad })).toThrow(ConfigError)
      expect(() => loadConfig({ OUTPOST_ALLOWED_ORIGINS: bad })).toThrow(/OUTPOST_ALLOWED_ORIGINS must be a comma list of origins/)
    })
  }
})
