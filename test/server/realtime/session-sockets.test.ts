// A `/live` socket lives no longer than the session it was opened with: logout, a new password, a
// removed user, a changed role or unit, expiry — whether the server itself or `npm run users` in
// another process (another connection to auth.db) ended it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AuthStore, authFileIn } from '../../../server/auth/auth-store'
import { hashPassword } from '../../../server/auth/passwords'
import { run } from '../../../server/cli/users'
import { SESSION_CHECK_MS } from '../../../server/realtime/session-watch'
import { pointIn, startTestServer, type TestUser } from '../../helpers/build-app'
import { connectLive, subscribe } from '../../helpers/connect-client'
import { waitFor } from '../../helpers/wait-for'

const STREET_A = '640106001'
const LEADER: TestUser = { username: 'leader-a', password: 'leader-pass-1', role: 'leader', unit: STREET_A }
/** Another session on the same street, whose socket must stay. */
const OTHER: TestUser = { username: 'center-b', password: 'center-pass-2', role: 'center', unit: '640106' }
/** Generous: the watcher asks the file every SESSION_CHECK_MS; a loaded machine may be slow. */
const PATIENCE_MS = 20_000

type Server = Awaited<ReturnType<typeof startTestServer>>
type Client = Awaited<ReturnType<typeof connectLive>>

let dir: string
let clock: number
const cleanups: (() => Promise<void> | void)[] = []
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outpost-session-sockets-'))
  clock = Date.parse('2026-11-28T06:00:00Z')
})
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
  delete process.env.OUTPOST_DATA_DIR
  rmSync(dir, { recursive: true, force: true })
})

/** The server on an auth.db file that `npm run users` (run here on its own connection) also opens. */
async function start(): Promise<Server> {
  const server = await startTestServer({ auth: AuthStore.open(dir), users: [LEADER, OTHER], now: () => clock, sessionTtlMs: 3_600_000 })
  cleanups.push(() => server.close())
  return server
}

async function streaming(server: Server, user: TestUser): Promise<Client & { cookie: string; reasons: string[] }> {
  const cookie = await server.login(user)
  const c = await connectLive(server.url, cookie)
  cleanups.push(() => void c.socket.disconnect())
  const reasons: string[] = []
  c.socket.on('disconnect', (reason) => reasons.push(reason))
  expect(await subscribe(c.socket, STREET_A)).toMatchObject({ ok: true })
  return { ...c, cookie, reasons }
}

async function users(...argv: string[]): Promise<void> {
  process.env.OUTPOST_DATA_DIR = dir
  await run(argv, () => {}, async () => 'a-new-password-1')
}

const liveSockets = (server: Server) => server.app.io.of('/live').sockets.size
const tokenOf = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1)

async function post(server: Server, id: string): Promise<void> {
  const res = await server.inject({
    method: 'POST',
    url: '/api/v1/requests',
    payload: { id, source: 'app', category: 'noise', priority: 'general', location: pointIn(server.geography, STREET_A) },
  })
  expect(res.statusCode).toBe(201)
}

/** The socket was closed by the server and gets nothing more, while `witness` (another session) still does. */
async function expectClosed(server: Server, closed: Client & { reasons: string[] }, witness: Client): Promise<void> {
  await waitFor(() => closed.reasons.length > 0, 'the server to close the socket', PATIENCE_MS)
  expect(closed.reasons).toEqual(['io server disconnect'])
  const before = closed.events().length
  await post(server, `after-${Math.random().toString(36).slice(2)}`)
  await waitFor(() => witness.events().some((e) => e.type === 'request.received' && e.requestId.startsWith('after-')), 'the witness to see the event')
  expect(closed.events().length).toBe(before)
  expect(witness.socket.connected).toBe(true)
}

describe('sessions ended by npm run users in another process', () => {
  it('a new password closes the user’s sockets, and only theirs', async () => {
    const server = await start()
    const leader = await streaming(server, LEADER)
    const other = await streaming(server, OTHER)
    await users('passwd', LEADER.username)
    await expectClosed(server, leader, other)
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: leader.cookie } })).statusCode).toBe(401)
  })

  it('removing the user closes their sockets', async () => {
    const server = await start()
    const leader = await streaming(server, LEADER)
    const other = await streaming(server, OTHER)
    await users('remove', LEADER.username)
    await expectClosed(server, leader, other)
  })

  it('a changed role or unit closes the sockets opened under the old one', async () => {
    const server = await start()
    const leader = await streaming(server, LEADER)
    const other = await streaming(server, OTHER)
    // No command changes it today; an operator's SQL (or a later command) can.
    const db = new Database(authFileIn(dir))
    db.pragma('busy_timeout = 5000')
    db.prepare(`UPDATE users SET unit_id = ? WHERE username = ?`).run('640106003', LEADER.username)
    db.close()
    await expectClosed(server, leader, other)
  })
})

describe('sessions ended by the server itself close their sockets at once', () => {
  const cases: [string, (server: Server, cookie: string) => Promise<void> | void][] = [
    ['logout', async (server, cookie) => void (await server.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, origin: 'http://localhost' } }))],
    ['endSession', (server, cookie) => server.auth.endSession(tokenOf(cookie))],
    ['setPassword', async (server) => void server.auth.setPassword(LEADER.username, await hashPassword('a-new-password-1'))],
    ['removeUser', (server) => void server.auth.removeUser(LEADER.username)],
  ]
  for (const [what, end] of cases) {
    it(what, async () => {
      const server = await start()
      const leader = await streaming(server, LEADER)
      const other = await streaming(server, OTHER)
      expect(liveSockets(server)).toBe(2)
      await end(server, leader.cookie)
      // Not a tick later: by the time the change returns, the server has let go of the socket.
      expect(liveSockets(server)).toBe(1)
      await expectClosed(server, leader, other)
    })
  }
})

describe('expiry', () => {
  it('an expired session’s socket closes; use over REST slides the expiry, and the socket stays', async () => {
    const server = await start()
    const leader = await streaming(server, LEADER)
    const other = await streaming(server, OTHER)
    clock += 50 * 60_000
    // Used at 50 min: valid until 110 min. The other session is not used: it ends at 60 min.
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: leader.cookie } })).statusCode).toBe(200)
    clock += 20 * 60_000
    await waitFor(() => other.reasons.length > 0, 'the unused session’s socket to close', PATIENCE_MS)
    expect(other.reasons).toEqual(['io server disconnect'])
    expect(liveSockets(server)).toBe(1)
    expect(leader.socket.connected).toBe(true)
    clock += 41 * 60_000
    await waitFor(() => leader.reasons.length > 0, 'the used session’s socket to close at its slid expiry', PATIENCE_MS)
    expect(leader.reasons).toEqual(['io server disconnect'])
  })
})

describe('cost', () => {
  it('reads nothing on a tick where nothing changed, and one row per session (not per socket) when the file changed', async () => {
    const server = await start()
    const sockets = [await streaming(server, LEADER), await streaming(server, OTHER)]
    const leaderCookie = sockets[0]!.cookie
    for (let i = 0; i < 3; i++) {
      const c = await connectLive(server.url, leaderCookie)
      cleanups.push(() => void c.socket.disconnect())
    }
    expect(liveSockets(server)).toBe(5)
    const lookups = vi.spyOn(server.auth, 'session')
    const ticks = vi.spyOn(server.auth, 'externalVersion')
    const afterTicks = async (n: number) => {
      const target = ticks.mock.calls.length + n
      await waitFor(() => ticks.mock.calls.length >= target, `${n} ticks of the watcher`, PATIENCE_MS + n * SESSION_CHECK_MS)
    }
    await afterTicks(2)
    expect(lookups).not.toHaveBeenCalled()
    // Another process commits something unrelated: every session is read again, each once.
    await users('key', 'add', 'hotline')
    await waitFor(() => lookups.mock.calls.length >= 2, 'the sessions to be read again', PATIENCE_MS)
    await afterTicks(2)
    expect(lookups).toHaveBeenCalledTimes(2)
    expect(liveSockets(server)).toBe(5)
  })
})
