// Sessions across processes: two app instances on one PostgreSQL (PgAccounts on the same database,
// each its own in-memory event store: the accounts are what is tested). A session made on A works
// on B, a logout or a revoked key on A takes effect on B, the login throttle and the ingest rate
// limit count across both. A real PostgreSQL (test/helpers/postgres.ts), never a mock.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app'
import { PgAccounts, KEY_TRUST_MS, ACCOUNTS_SCHEMA_VERSION } from '../../../server/auth/pg-accounts'
import { LOGIN_POLICY } from '../../../server/auth/throttle'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { run } from '../../../server/cli/users'
import { CENTER, addUsers, loginCookie, pointIn, sampleGeography, type TestUser } from '../../helpers/build-app'
import { testDatabase, type TestDatabase } from '../../helpers/postgres'
import { waitFor } from '../../helpers/wait-for'
import { connectLive, subscribe } from '../../helpers/connect-client'

const LEADER: TestUser = { username: 'leader-a', password: 'leader-pass-1', role: 'leader', unit: '640106001' }

let db: TestDatabase
const cleanups: (() => Promise<unknown> | unknown)[] = []
beforeEach(async () => {
  db = await testDatabase('outpost_accounts')
})
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
  await db.drop()
})

let clock = Date.parse('2026-11-28T06:00:00Z')

async function instance(options: { accounts?: Parameters<typeof PgAccounts.open>[1]; ingestRate?: number; listen?: boolean } = {}) {
  const auth = await PgAccounts.open(db.url, options.accounts)
  const store = new SqliteStore({ filename: ':memory:' })
  const app = await buildApp({
    realtime: options.listen ? { tickMs: 50 } : false,
    store,
    auth,
    geography: sampleGeography(),
    now: () => clock,
    ingestRate: options.ingestRate ?? 0,
  })
  if (options.listen) await app.listen({ port: 0, host: '127.0.0.1' })
  else await app.ready()
  cleanups.push(async () => {
    await app.close()
    await store.close()
    await auth.close()
  })
  return { app, auth }
}

const whoAmI = (app: FastifyInstance, cookie: string) => app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })
const login = (app: FastifyInstance, username: string, password: string, remoteAddress = '203.0.113.7') =>
  app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, remoteAddress })
function ingest(app: FastifyInstance, key: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/requests',
    headers: { authorization: `Bearer ${key}` },
    payload: { source: 'hotline', category: 'noise', priority: 'general', location: pointIn(sampleGeography(), '640106001'), description: '噪音' },
  })
}

describe('PgAccounts: sessions across processes', () => {
  it('a session made on A works on B; a logout on A is refused on B at once', async () => {
    const a = await instance()
    const b = await instance()
    await addUsers(a.auth, [CENTER, LEADER])
    const cookie = await loginCookie(a.app, LEADER)
    const onB = await whoAmI(b.app, cookie)
    expect(onB.statusCode).toBe(200)
    expect(onB.json()).toMatchObject({ username: 'leader-a', role: 'leader', unit: '640106001' })
    expect((await a.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, origin: 'http://localhost' } })).statusCode).toBe(204)
    expect((await whoAmI(b.app, cookie)).statusCode).toBe(401)
    expect((await whoAmI(a.app, cookie)).statusCode).toBe(401)
  })

  it('a /live socket opened on B with a session closes when the session ends on A', async () => {
    const a = await instance()
    const b = await instance({ listen: true })
    await addUsers(a.auth, [CENTER, LEADER])
    const cookie = await loginCookie(a.app, LEADER)
    const other = await loginCookie(a.app, CENTER)
    const address = b.app.server.address() as AddressInfo
    const url = `http://127.0.0.1:${address.port}`
    const leader = await connectLive(url, cookie)
    const center = await connectLive(url, other)
    cleanups.push(() => void leader.socket.disconnect(), () => void center.socket.disconnect())
    expect(await subscribe(leader.socket, '640106001')).toMatchObject({ ok: true })
    expect(await subscribe(center.socket, '640106001')).toMatchObject({ ok: true })
    let closed = false
    leader.socket.on('disconnect', () => (closed = true))
    expect((await a.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, origin: 'http://localhost' } })).statusCode).toBe(204)
    await waitFor(() => closed, 'B to close the socket of the session ended on A')
    // Another session's socket stays.
    expect(center.socket.connected).toBe(true)
  })

  it('sessions ended on A reach B’s onSessionsEnded (NOTIFY), for logout, a new password and a removed user', async () => {
    const a = await instance()
    const b = await instance()
    await addUsers(a.auth, [CENTER, LEADER])
    let heard = 0
    b.auth.onSessionsEnded(() => heard++)
    const { token } = await a.auth.createSession(LEADER.username, 3_600_000, clock)
    await a.auth.endSession(token)
    await waitFor(() => heard >= 1, 'the logout on A to reach B')
    await a.auth.setPassword(LEADER.username, { salt: 'c2FsdA==', hash: 'aGFzaA==' })
    await waitFor(() => heard >= 2, 'the new password on A to reach B')
    const second = await b.auth.createSession(CENTER.username, 3_600_000, clock)
    expect(await a.auth.session(second.token, clock)).toBeDefined()
    await a.auth.removeUser(CENTER.username)
    await waitFor(() => heard >= 3, 'the removed user on A to reach B')
    expect(await b.auth.session(second.token, clock)).toBeUndefined()
  })

  it('a key revoked on A is refused on B as soon as the notification arrives, though B trusts it from memory', async () => {
    const a = await instance()
    // B's memory never ages on its own (a frozen clock): only the notification can make it forget.
    const b = await instance({ accounts: { clock: () => 0 } })
    const { key, id } = await a.auth.addKey('camera-box')
    expect(await b.auth.checkKey(key)).toBe('camera-box')
    // Remembered: answered without a query.
    expect(b.auth.checkKey(key)).toBe('camera-box')
    expect(await a.auth.revokeKey(id)).toBe(1)
    await waitFor(async () => (await b.auth.checkKey(key)) === undefined, 'B to refuse the revoked key')
    expect((await ingest(b.app, key)).statusCode).toBe(401)
  })

  it('without notifications a revoked key is refused within KEY_TRUST_MS: the documented bound', async () => {
    let now = 0
    const a = await instance()
    const b = await instance({ accounts: { clock: () => now } })
    const { key, id } = await a.auth.addKey('hotline')
    expect((await ingest(b.app, key)).statusCode).toBe(201)
    // B's notification connection stops: nothing tells it of the revocation below.
    const listener = (b.auth as unknown as { listener: { removeAllListeners(e: string): void } }).listener
    listener.removeAllListeners('notification')
    await a.auth.revokeKey(id)
    now = KEY_TRUST_MS - 1
    expect(b.auth.checkKey(key)).toBe('hotline')
    now = KEY_TRUST_MS
    expect(await b.auth.checkKey(key)).toBeUndefined()
    expect((await ingest(b.app, key)).statusCode).toBe(401)
  })

  it('the login throttle counts failures on A and B together; the pair lock holds on both', async () => {
    const a = await instance()
    const b = await instance()
    await addUsers(a.auth, [CENTER, LEADER])
    const statuses: number[] = []
    for (let i = 0; i < LOGIN_POLICY.pairLimit; i++) statuses.push((await login(i % 2 ? b.app : a.app, LEADER.username, 'wrong-password')).statusCode)
    expect(statuses).toEqual(Array(LOGIN_POLICY.pairLimit).fill(401))
    // Locked on both, even with the right password.
    expect((await login(a.app, LEADER.username, LEADER.password)).statusCode).toBe(429)
    expect((await login(b.app, LEADER.username, LEADER.password)).statusCode).toBe(429)
    // Another address is not locked out by these.
    expect((await login(b.app, LEADER.username, LEADER.password, '198.51.100.9')).statusCode).toBe(200)
    clock += LOGIN_POLICY.windowMs
    expect((await login(b.app, LEADER.username, LEADER.password)).statusCode).toBe(200)
  })

  it('concurrent failing logins over A and B cannot pass more tries than the limit', async () => {
    const a = await instance()
    const b = await instance()
    await addUsers(a.auth, [CENTER, LEADER])
    const tries = await Promise.all(Array.from({ length: 20 }, (_, i) => login(i % 2 ? b.app : a.app, LEADER.username, 'wrong-password', '203.0.113.50')))
    const checked = tries.filter((r) => r.statusCode === 401).length
    expect(checked).toBeLessThanOrEqual(LOGIN_POLICY.pairLimit)
    expect(tries.every((r) => r.statusCode === 401 || r.statusCode === 429)).toBe(true)
    // Tries turned away as busy gave their slot back; the rest fill the limit, then the lock holds.
    let more = 0
    while ((await login(a.app, LEADER.username, 'wrong-password', '203.0.113.50')).statusCode === 401) more++
    expect(checked + more).toBe(LOGIN_POLICY.pairLimit)
    expect((await login(b.app, LEADER.username, LEADER.password, '203.0.113.50')).statusCode).toBe(429)
  })

  it('the throttle table stays bounded: keys beyond maxKeys and keys out of the window are pruned', async () => {
    const policy = { ...LOGIN_POLICY, maxKeys: 30 }
    const a = await instance({ accounts: { loginPolicy: policy } })
    const throttle = a.auth.loginThrottle()
    for (let i = 0; i < 40; i++) await throttle.admit(`user-${i}`, `192.0.2.${i}`, clock + i)
    const rows = async () => Number((await a.auth.pool.query('SELECT count(*) AS n FROM auth_login_failures')).rows[0].n)
    // Each try counts under three keys; the prune runs at most every 10 s, so force one.
    await throttle.admit('late', '192.0.2.200', clock + 20_000)
    expect(await rows()).toBeLessThanOrEqual(policy.maxKeys)
    await throttle.admit('later', '192.0.2.201', clock + 20_000 + policy.windowMs + 10_000)
    expect(await rows()).toBe(3)
  })

  it('the ingest rate limit is shared: a burst over A and B gets the rate through, not twice it', async () => {
    let now = 1_000_000
    const rate = 5
    const a = await instance({ ingestRate: rate, accounts: { rateClock: () => now } })
    const b = await instance({ ingestRate: rate, accounts: { rateClock: () => now } })
    const { key } = await a.auth.addKey('burst')
    const burst = await Promise.all(Array.from({ length: 16 }, (_, i) => ingest(i % 2 ? b.app : a.app, key)))
    const codes = burst.map((r) => r.statusCode)
    expect(codes.filter((c) => c === 201)).toHaveLength(rate)
    expect(codes.filter((c) => c === 429)).toHaveLength(16 - rate)
    // A new window lets the key through again, on either process.
    now += 1000
    expect((await ingest(b.app, key)).statusCode).toBe(201)
    expect((await ingest(a.app, key)).statusCode).toBe(201)
  })

  it('refuses a database whose accounts tables are at another schema version', async () => {
    const a = await instance()
    await a.auth.pool.query('UPDATE auth_schema SET version = $1', [ACCOUNTS_SCHEMA_VERSION + 1])
    await expect(PgAccounts.open(db.url)).rejects.toThrow(/schema version 2, this build uses 1/)
  })

  it('npm run users with OUTPOST_DATABASE_URL writes the shared accounts', async () => {
    const a = await instance()
    process.env.OUTPOST_DATABASE_URL = db.url
    // The audit trail stays a file of the data directory.
    const dir = mkdtempSync(join(tmpdir(), 'outpost-pg-users-'))
    process.env.OUTPOST_DATA_DIR = dir
    cleanups.push(() => {
      delete process.env.OUTPOST_DATABASE_URL
      delete process.env.OUTPOST_DATA_DIR
      rmSync(dir, { recursive: true, force: true })
    })
    const lines: string[] = []
    await run(['add', 'ann', '--role', 'center', '--password', 'ann-password-1'], (l) => lines.push(l), async () => '')
    expect((await login(a.app, 'ann', 'ann-password-1')).statusCode).toBe(200)
    await run(['key', 'add', 'bot'], (l) => lines.push(l), async () => '')
    const key = lines.at(-1)!
    expect((await ingest(a.app, key)).statusCode).toBe(201)
    await run(['key', 'revoke', 'bot'], (l) => lines.push(l), async () => '')
    await waitFor(async () => (await a.auth.checkKey(key)) === undefined, 'the key revoked by the command to be refused')
  })
})
