import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_RUNNING_HASHES, MAX_WAITING_HASHES, passwordHashes } from '../../../server/auth/passwords'
import { LOGIN_POLICY, LoginThrottle, addressGroup } from '../../../server/auth/throttle'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { buildTestApp, CENTER, pointIn, type TestApp, type TestUser } from '../../helpers/build-app'
import { waitFor } from '../../helpers/wait-for'

const LEADER: TestUser = { username: 'leader-a', password: 'leader-pass-1', role: 'leader', unit: '640106001' }
const START = Date.parse('2026-11-28T06:00:00Z')

let clock = START
let t: TestApp | undefined
let dir: string | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

async function app(options: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> {
  clock = START
  t = await buildTestApp({ now: () => clock, users: [LEADER], ...options })
  return t
}

const login = (username: string, password: string, remoteAddress: string) =>
  t!.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, remoteAddress })
const retryAfterMs = (res: { headers: Record<string, unknown> }) => Number(res.headers['retry-after']) * 1000

describe('login throttling through the API', () => {
  it('50 concurrent wrong passwords for one user from one address: at most 5 are checked (401), the rest are 429', async () => {
    await app()
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => login(LEADER.username, `wrong-${i}`, '10.0.0.1')))
    const codes = replies.map((r) => r.statusCode)
    expect(codes.filter((c) => c === 401).length).toBe(LOGIN_POLICY.pairLimit)
    expect(codes.filter((c) => c === 429).length).toBe(50 - LOGIN_POLICY.pairLimit)
    for (const r of replies.filter((r) => r.statusCode === 429)) {
      expect(r.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests', field: 'body', rule: 'throttle' })
      expect(retryAfterMs(r)).toBeGreaterThan(0)
    }
    // Even the right password waits until the oldest failure ages out.
    const blocked = await login(LEADER.username, LEADER.password, '10.0.0.1')
    expect(blocked.statusCode).toBe(429)
    clock += retryAfterMs(blocked)
    expect((await login(LEADER.username, LEADER.password, '10.0.0.1')).statusCode).toBe(200)
  })

  it('made-up usernames from one address do not lock out the users behind it; a newcomer there waits a bounded delay', async () => {
    await app()
    const office = '10.0.0.2'
    expect((await login(LEADER.username, LEADER.password, office)).statusCode).toBe(200)
    const spray = []
    for (let i = 0; i < 30; i++) spray.push(await login(`nobody-${i}`, 'guess-guess', office))
    expect(spray.filter((r) => r.statusCode === 401).length).toBe(LOGIN_POLICY.address.after)
    expect(spray.filter((r) => r.statusCode === 429).length).toBe(30 - LOGIN_POLICY.address.after)

    // Someone who has logged in from this address before is not slowed by the address's failures.
    expect((await login(LEADER.username, LEADER.password, office)).statusCode).toBe(200)
    // Someone who has not waits, but only the address's short delay, not 15 minutes.
    const newcomer = await login(CENTER.username, CENTER.password, office)
    expect(newcomer.statusCode).toBe(429)
    expect(retryAfterMs(newcomer)).toBeLessThanOrEqual(LOGIN_POLICY.address.maxDelayMs)
    clock += retryAfterMs(newcomer)
    expect((await login(CENTER.username, CENTER.password, office)).statusCode).toBe(200)
  })

  it('wrong passwords for a user from address A do not block that user’s correct login from address B', async () => {
    await app()
    for (let i = 0; i < LOGIN_POLICY.pairLimit; i++) expect((await login(LEADER.username, `wrong-${i}`, '10.0.0.3')).statusCode).toBe(401)
    expect((await login(LEADER.username, LEADER.password, '10.0.0.3')).statusCode).toBe(429)
    expect((await login(LEADER.username, LEADER.password, '10.0.0.4')).statusCode).toBe(200)
    // And the user's success from B does not forgive A's failures.
    expect((await login(LEADER.username, LEADER.password, '10.0.0.3')).statusCode).toBe(429)
  })

  it('a correct login forgives that user’s failures from that address', async () => {
    await app()
    for (let i = 0; i < LOGIN_POLICY.pairLimit - 1; i++) expect((await login(LEADER.username, `wrong-${i}`, '10.0.0.5')).statusCode).toBe(401)
    expect((await login(LEADER.username, LEADER.password, '10.0.0.5')).statusCode).toBe(200)
    for (let i = 0; i < LOGIN_POLICY.pairLimit; i++) expect((await login(LEADER.username, `again-${i}`, '10.0.0.5')).statusCode).toBe(401)
    expect((await login(LEADER.username, LEADER.password, '10.0.0.5')).statusCode).toBe(429)
  })

  it('checks one password at a time, refuses logins beyond a short queue at once, and a store write made during a burst is not held up', async () => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-throttle-'))
    // A file store in `full` mode: its acknowledgement waits for an fdatasync on libuv's thread pool.
    await app({ store: new SqliteStore({ filename: join(dir, 'outpost.db') }) })
    const burst = 20
    const answered: number[] = []
    // Distinct users and addresses, so that the throttle lets every one of them through.
    const logins = Array.from({ length: burst }, (_, i) =>
      login(`someone-${i}`, 'guess-guess', `10.1.0.${i + 1}`).then((r) => {
        answered.push(r.statusCode)
        return r
      }),
    )
    // Every login is answered or holds a place at the password check before the write is made.
    await waitFor(() => answered.length + passwordHashes.running + passwordHashes.waiting === burst, 'the burst to reach the password check')
    const write = await t!.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t!.geography, '640106001') },
    })
    const checkedBeforeWrite = answered.filter((c) => c === 401).length
    const replies = await Promise.all(logins)

    expect(write.statusCode).toBe(201)
    // The hash running when the write came, perhaps the next; not the burst's queue.
    expect(checkedBeforeWrite).toBeLessThanOrEqual(2)
    expect(passwordHashes.peak).toBeLessThanOrEqual(MAX_RUNNING_HASHES)
    const checked = replies.filter((r) => r.statusCode === 401)
    const busy = replies.filter((r) => r.statusCode === 429)
    expect(checked.length + busy.length).toBe(burst)
    expect(checked.length).toBeGreaterThanOrEqual(MAX_RUNNING_HASHES + MAX_WAITING_HASHES)
    expect(busy.length).toBeGreaterThan(0)
    for (const r of busy) {
      expect(r.json()).toMatchObject({ statusCode: 429, field: 'body', rule: 'busy' })
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0)
    }
    // A login refused as busy was never checked: it is no failure, and the same try goes through later.
    const refused = busy[0]!
    const index = replies.indexOf(refused)
    expect((await login(`someone-${index}`, 'guess-guess', `10.1.0.${index + 1}`)).statusCode).toBe(401)
  })
})

describe('LoginThrottle', () => {
  const P = LOGIN_POLICY
  const WINDOW = P.windowMs

  /** A failed try: takes the slot and keeps it. */
  function fail(throttle: LoginThrottle, user: string, address: string, now: number): number {
    const { retryAfterMs, attempt } = throttle.admit(user, address, now)
    expect(attempt === undefined).toBe(retryAfterMs > 0)
    return retryAfterMs
  }

  it('per user and address: the limit, then blocked until the oldest failure ages out', () => {
    const throttle = new LoginThrottle()
    for (let i = 0; i < P.pairLimit; i++) expect(fail(throttle, 'u', '10.0.0.1', START + i * 1000)).toBe(0)
    expect(throttle.admit('u', '10.0.0.1', START + 60_000).retryAfterMs).toBe(WINDOW - 60_000)
    expect(throttle.admit('u', '10.0.0.1', START + WINDOW).attempt).toBeDefined()
  })

  it('per address: past the threshold, a delay that doubles with each failure, up to a cap', () => {
    const throttle = new LoginThrottle()
    let now = START
    for (let i = 0; i < P.address.after; i++) expect(fail(throttle, `nobody-${i}`, '10.0.0.2', now)).toBe(0)
    const waits: number[] = []
    // 1 s, 2 s, … 256 s, then the cap twice.
    for (let i = 0; i < 11; i++) {
      const wait = throttle.admit(`again-${i}`, '10.0.0.2', now).retryAfterMs
      waits.push(wait)
      now += wait
      expect(fail(throttle, `again-${i}`, '10.0.0.2', now)).toBe(0)
    }
    expect(waits.slice(0, 4)).toEqual([P.address.firstDelayMs, 2 * P.address.firstDelayMs, 4 * P.address.firstDelayMs, 8 * P.address.firstDelayMs])
    expect(Math.max(...waits)).toBe(P.address.maxDelayMs)
    expect(waits.at(-1)).toBe(P.address.maxDelayMs)
    // Another address is not affected.
    expect(throttle.admit('someone', '10.0.0.9', now).retryAfterMs).toBe(0)
    // Once the failures age out, no delay.
    expect(throttle.admit('someone', '10.0.0.2', now + WINDOW).retryAfterMs).toBe(0)
  })

  it('per user across addresses: a capped delay, which a user and address that logged in before skip', () => {
    const throttle = new LoginThrottle()
    throttle.admit('u', '10.0.0.50', START).attempt!.succeeded()
    for (let i = 0; i < P.user.after; i++) expect(fail(throttle, 'u', `10.2.0.${i}`, START)).toBe(0)
    const stranger = throttle.admit('u', '10.3.0.1', START)
    expect(stranger.retryAfterMs).toBe(P.user.firstDelayMs)
    expect(stranger.retryAfterMs).toBeLessThanOrEqual(P.user.maxDelayMs)
    expect(throttle.admit('u', '10.0.0.50', START).attempt).toBeDefined()
  })

  it('a cancelled try gives its slot back; a success forgives the pair but not the failures of others', () => {
    const throttle = new LoginThrottle()
    for (let i = 0; i < P.pairLimit - 1; i++) fail(throttle, 'u', '10.0.0.1', START)
    const cancelled = throttle.admit('u', '10.0.0.1', START).attempt!
    cancelled.cancelled()
    const last = throttle.admit('u', '10.0.0.1', START).attempt!
    expect(throttle.admit('u', '10.0.0.1', START).retryAfterMs).toBeGreaterThan(0)
    last.succeeded()
    expect(throttle.admit('u', '10.0.0.1', START).attempt).toBeDefined()
  })

  it('holds a bounded number of keys, the least recently used going first', () => {
    const throttle = new LoginThrottle({ ...P, maxKeys: 100 })
    for (let i = 0; i < 1000; i++) fail(throttle, `nobody-${i}`, `10.${i >> 8}.${i & 255}.1`, START)
    expect(throttle.size).toBeLessThanOrEqual(100)
  })

  it('counts an IPv6 /64 as one address, and an IPv4-mapped address as its IPv4 one', () => {
    expect(addressGroup('2001:db8:1:2:aaaa::1')).toBe(addressGroup('2001:db8:1:2:bbbb:cccc:dddd:eeee'))
    expect(addressGroup('2001:db8:1:2::1')).not.toBe(addressGroup('2001:db8:1:3::1'))
    expect(addressGroup('2001:db8::1')).toBe(addressGroup('2001:0db8:0:0:ffff::2'))
    expect(addressGroup('::ffff:10.0.0.1')).toBe('10.0.0.1')
    expect(addressGroup('10.0.0.1')).toBe('10.0.0.1')
  })
})
