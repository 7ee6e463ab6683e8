import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AuthStore, authFileIn, KEY_RECHECK_MS } from '../../../server/auth/auth-store'
import { run } from '../../../server/cli/users'
import { geographyFileText } from '../../../server/geo/geography-file'
import { GENERATED_DISTRICT_ID, GENERATED_DISTRICT_NAME, generateDistrict } from '../../helpers/generated-district'
import { hashPassword } from '../../../server/auth/passwords'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { Geography } from '../../../server/geo/geography'
import { addUsers, buildTestApp, pointIn, type TestApp, type TestUser } from '../../helpers/build-app'

const LEADER: TestUser = { username: 'leader-a', password: 'leader-pass-1', role: 'leader', unit: '640106001' }

let clock = Date.parse('2026-11-28T06:00:00Z')
let t: TestApp
beforeEach(async () => {
  clock = Date.parse('2026-11-28T06:00:00Z')
  t = await buildTestApp({ now: () => clock, sessionTtlMs: 3_600_000, users: [LEADER] })
})
afterEach(async () => {
  await t.close()
})

const login = (username: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password } })
const whoAmI = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })

describe('sessions', () => {
  it('logs in with an httpOnly, SameSite cookie that expires, and answers who is logged in', async () => {
    const res = await login(LEADER.username, LEADER.password)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ username: 'leader-a', role: 'leader', unit: '640106001' })
    const setCookie = String(res.headers['set-cookie'])
    expect(setCookie).toMatch(/outpost_session=/)
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Strict/i)
    expect(setCookie).toMatch(/Expires=/i)
    const cookie = setCookie.split(';')[0]!
    expect((await whoAmI(cookie)).json().username).toBe('leader-a')
  })

  it('refuses a wrong password or an unknown user alike', async () => {
    const wrong = await login(LEADER.username, 'nope-nope')
    const unknown = await login('nobody', 'nope-nope')
    expect(wrong.statusCode).toBe(401)
    expect(unknown.statusCode).toBe(401)
    expect(wrong.json().message).toBe(unknown.json().message)
  })

  it('logout ends the session: the same cookie no longer works', async () => {
    const cookie = await t.login(LEADER)
    expect((await whoAmI(cookie)).statusCode).toBe(200)
    // A write with the session cookie comes from a page of this origin (test/server/plugins/origin.test.ts).
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, origin: 'http://localhost' } })).statusCode).toBe(204)
    expect((await whoAmI(cookie)).statusCode).toBe(401)
  })

  it('a session expires, and slides forward while in use', async () => {
    const cookie = await t.login(LEADER)
    clock += 50 * 60_000
    expect((await whoAmI(cookie)).statusCode).toBe(200) // used at 50 min: now valid until 110 min
    clock += 50 * 60_000
    expect((await whoAmI(cookie)).statusCode).toBe(200)
    clock += 61 * 60_000
    expect((await whoAmI(cookie)).statusCode).toBe(401)
  })

  it('a forged cookie is refused', async () => {
    expect((await whoAmI('outpost_session=forged-token-value')).statusCode).toBe(401)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/metrics', headers: { cookie: 'outpost_session=x' } })).statusCode).toBe(401)
  })

  it('throttles login attempts after five failures, even with the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await login(LEADER.username, `wrong-${i}`)).statusCode).toBe(401)
    const blocked = await login(LEADER.username, LEADER.password)
    expect(blocked.statusCode).toBe(429)
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
    clock += 16 * 60_000
    expect((await login(LEADER.username, LEADER.password)).statusCode).toBe(200)
  })

  it('a new password ends the user’s sessions', async () => {
    const cookie = await t.login(LEADER)
    t.auth.setPassword(LEADER.username, await hashPassword('another-pass-2'))
    expect((await whoAmI(cookie)).statusCode).toBe(401)
  })
})

describe('ingest keys', () => {
  const body = () => ({ source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t.geography, '640106001') })

  it('requires a valid, unrevoked key; a session is not a key', async () => {
    const post = (headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/api/v1/requests', payload: body(), headers })
    expect((await post({})).statusCode).toBe(401)
    // A session writes requests (the console), but a key-only route takes no session.
    const patrol = await t.app.inject({ method: 'POST', url: '/api/v1/patrols', payload: { pings: [] }, headers: { cookie: t.headers.cookie, origin: 'http://localhost' } })
    expect(patrol.statusCode).toBe(401)
    expect((await post({ authorization: 'Bearer opk_000000000000_aaaaaaaaaaaaaaaaaaaaaaaa' })).statusCode).toBe(401)
    const { key, id } = t.auth.addKey('hotline')
    expect((await post({ authorization: `Bearer ${key}` })).statusCode).toBe(201)
    t.auth.revokeKey(id)
    const revoked = await post({ authorization: `Bearer ${key}` })
    expect(revoked.statusCode).toBe(401)
    expect(revoked.json().message).toContain('Authorization: Bearer')
  })

  it('refuses before reading the body: a bad body without a key is a 401, not a 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/requests', payload: { nonsense: true } })
    expect(res.statusCode).toBe(401)
  })
})

describe('password storage and the users command', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-users-'))
    process.env.OUTPOST_DATA_DIR = dir
  })
  afterEach(() => {
    delete process.env.OUTPOST_DATA_DIR
    rmSync(dir, { recursive: true, force: true })
  })

  it('stores scrypt hashes with distinct salts, never the password', async () => {
    const out: string[] = []
    const say = (line: string) => out.push(line)
    await run(['add', 'ann', '--role', 'leader', '--unit', '640106001', '--password', 'same-password'], say, async () => '')
    await run(['add', 'ben', '--role', 'center'], say, async () => 'same-password')
    const auth = new AuthStore(authFileIn(dir))
    const ann = auth.user('ann')!
    const ben = auth.user('ben')!
    auth.close()
    expect(ann.password.salt).not.toBe(ben.password.salt)
    expect(ann.password.hash).not.toBe(ben.password.hash)
    const read = (f: string) => (existsSync(f) ? readFileSync(f).toString('latin1') : '')
    const file = read(authFileIn(dir)) + read(`${authFileIn(dir)}-wal`)
    expect(file.length).toBeGreaterThan(0)
    expect(file).not.toContain('same-password')
    expect(ben).toMatchObject({ role: 'center', unit: '640106' })
  })

  it('lists, changes passwords, removes, and refuses bad input', async () => {
    const out: string[] = []
    const say = (line: string) => out.push(line)
    const ask = async () => 'first-password'
    await run(['add', 'cat', '--role', 'leader', '--unit', '640106002001'], say, ask)
    await expect(run(['add', 'cat', '--role', 'leader', '--unit', '640106002001'], say, ask)).rejects.toThrow(/exists/)
    await expect(run(['add', 'dan', '--role', 'leader', '--unit', '640106'], say, ask)).rejects.toThrow(/street or a community/)
    await expect(run(['add', 'dan', '--role', 'boss'], say, ask)).rejects.toThrow(/--role/)
    await expect(run(['add', 'dan', '--role', 'center', '--password', 'short'], say, ask)).rejects.toThrow(/8 characters/)
    out.length = 0
    await run(['list'], say, ask)
    expect(out).toEqual(['cat\tleader\t640106002001'])
    await run(['passwd', 'cat', '--password', 'second-password'], say, ask)
    await run(['remove', 'cat'], say, ask)
    out.length = 0
    await run(['list'], say, ask)
    expect(out).toEqual([])
  })

  it('add checks --unit against the district in use: OUTPOST_GEOGRAPHY when set, else the sample', async () => {
    const units = generateDistrict({ streets: 2, communitiesPerStreet: 2, gridsPerCommunity: 2, verticesPerEdge: 2 })
    const file = join(dir, 'geography.json')
    writeFileSync(file, geographyFileText(units))
    const street = units.find((u) => u.level === 'street')!
    const community = units.find((u) => u.level === 'community')!
    const out: string[] = []
    const say = (line: string) => out.push(line)
    const ask = async () => 'first-password'
    process.env.OUTPOST_GEOGRAPHY = file
    try {
      await run(['add', 'eve', '--role', 'leader', '--unit', street.id], say, ask)
      await run(['add', 'fay', '--role', 'leader', '--unit', community.id], say, ask)
      await run(['add', 'gus', '--role', 'center'], say, ask)
      // The sample's street is not a unit of this district.
      await expect(run(['add', 'hal', '--role', 'leader', '--unit', '640106001'], say, ask)).rejects.toThrow(
        `--unit must be the id of a street or a community of ${GENERATED_DISTRICT_NAME} (${GENERATED_DISTRICT_ID})`,
      )
      expect(out).toContain(`added eve (leader, ${street.id} ${street.name})`)
      const auth = new AuthStore(authFileIn(dir))
      expect(auth.user('gus')).toMatchObject({ role: 'center', unit: GENERATED_DISTRICT_ID })
      auth.close()
      // A broken file stops the command with the file's own message.
      writeFileSync(file, '{"type":"FeatureCollection","features":[]}')
      await expect(run(['add', 'ivy', '--role', 'center'], say, ask)).rejects.toThrow(`${file}: the FeatureCollection has no features`)
    } finally {
      delete process.env.OUTPOST_GEOGRAPHY
    }
    await expect(run(['add', 'jon', '--role', 'leader', '--unit', street.id], say, ask)).rejects.toThrow(/of 金凤区 \(640106\)/)
    await run(['add', 'jon', '--role', 'leader', '--unit', '640106001'], say, ask)
  })

  it('key add prints a working key alone on its last line; key revoke stops it within KEY_RECHECK_MS', async () => {
    const out: string[] = []
    await run(['key', 'add', 'camera-box-7'], (l) => out.push(l), async () => '')
    const key = out.at(-1)!
    expect(key).toMatch(/^opk_[0-9a-f]{12}_\S+$/)
    // The server's store, with a clock of the test's: the command is another connection.
    let now = 1_000
    const auth = new AuthStore(authFileIn(dir), { clock: () => now })
    expect(auth.checkKey(key)).toBe('camera-box-7')
    await run(['key', 'revoke', 'camera-box-7'], (l) => out.push(l), async () => '')
    // Remembered as valid until the file is asked again...
    now += KEY_RECHECK_MS - 1
    expect(auth.checkKey(key)).toBe('camera-box-7')
    // ...and refused from then on.
    now += 1
    expect(auth.checkKey(key)).toBeUndefined()
    now += 5 * KEY_RECHECK_MS
    expect(auth.checkKey(key)).toBeUndefined()
    auth.close()
  })

  it('remembers valid keys only: a key added by another process works at once; a wrong secret never passes', async () => {
    let now = 1_000
    const server = new AuthStore(authFileIn(dir), { clock: () => now })
    const cli = new AuthStore(authFileIn(dir))
    const first = cli.addKey('hotline')
    expect(server.checkKey(first.key)).toBe('hotline')
    // Within the window, a key the server has not seen is looked up: it works at once.
    const second = cli.addKey('camera-box-9')
    expect(server.checkKey(second.key)).toBe('camera-box-9')
    // The remembered key's id with another secret, and a key that merely looks like one.
    // The secret is base64url and may itself hold '_': it starts after `opk_<12 hex>_`.
    const prefix = `opk_${first.id}_`
    const secret = first.key.slice(prefix.length)
    const otherSecret = `${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`
    expect(otherSecret).not.toBe(secret)
    expect(server.checkKey(`${prefix}${otherSecret}`)).toBeUndefined()
    expect(server.checkKey(`${first.key}x`)).toBeUndefined()
    expect(server.checkKey('opk_000000000000_aaaaaaaaaaaaaaaaaaaaaaaa')).toBeUndefined()
    // The server's own revocations and demo removal take effect at once.
    server.revokeKey(first.id)
    expect(server.checkKey(first.key)).toBeUndefined()
    const demo = server.addKey('sim', { demo: true })
    expect(server.checkKey(demo.key)).toBe('sim')
    server.removeDemo()
    expect(server.checkKey(demo.key)).toBeUndefined()
    now += KEY_RECHECK_MS
    expect(server.checkKey(second.key)).toBe('camera-box-9')
    cli.close()
    server.close()
  })
})


describe('a data directory from an older build', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-legacy-'))
  })
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  const authTablesIn = (file: string) => {
    const db = new Database(file, { readonly: true })
    try {
      const names = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]
      return names.filter((n) => ['users', 'sessions', 'ingest_keys'].includes(n))
    } finally {
      db.close()
    }
  }

  it('moves users, sessions and keys out of outpost.db into auth.db; opening again, even after a crash mid-move, is harmless', async () => {
    // The old layout: the auth tables in the events' file, beside the event store's tables.
    const legacyFile = join(dir, 'outpost.db')
    await new SqliteStore({ filename: legacyFile }).close()
    const old = new AuthStore(legacyFile)
    await addUsers(old, [LEADER])
    const { key } = old.addKey('hotline')
    const session = old.createSession(LEADER.username, 3_600_000)
    old.close()
    // A key hashed the way older builds did (createHash), to pin the stored digest's format.
    const secret = 'an-older-secret-of-24-chars'
    const raw = new Database(legacyFile)
    raw
      .prepare(`INSERT INTO ingest_keys (id, name, secret_hash, demo, created_at) VALUES (?, ?, ?, 0, ?)`)
      .run('0123456789ab', 'old-box', createHash('sha256').update(secret).digest('base64url'), clock)
    raw.close()
    // As if the move crashed after its copy: this file still holds the tables.
    const beforeDrop = join(dir, 'before-drop.db')
    copyFileSync(legacyFile, beforeDrop)

    const check = () => {
      const auth = AuthStore.open(dir)
      expect(auth.checkKey(key)).toBe('hotline')
      expect(auth.checkKey('opk_0123456789ab_' + secret)).toBe('old-box')
      expect(auth.session(session.token)?.user.username).toBe(LEADER.username)
      expect(auth.users().map((u) => u.username)).toEqual([LEADER.username])
      expect(auth.keys()).toHaveLength(2)
      auth.close()
      expect(authTablesIn(legacyFile)).toEqual([])
    }
    check()
    check()
    copyFileSync(beforeDrop, legacyFile)
    check()
    // The moved password hash logs in through the API.
    const app = await buildTestApp({ auth: AuthStore.open(dir) })
    await app.login(LEADER)
    await app.close()
    // The event store still opens its file.
    const events = new SqliteStore({ filename: legacyFile })
    expect(await events.lastSeq()).toBe(0)
    await events.close()
  })

  it('leaves a data directory without outpost.db as it is', () => {
    AuthStore.open(dir).close()
    expect(existsSync(join(dir, 'outpost.db'))).toBe(false)
    expect(existsSync(authFileIn(dir))).toBe(true)
  })
})

describe('accounts on another district (OUTPOST_GEOGRAPHY)', () => {
  // Users made on the sample (center at 640106, a leader of 640106001), the server started on another district.
  const district = new Geography(generateDistrict())
  const street = district.children(district.district.id)[0]!

  it('gives a center user the district in use as home, and refuses a leader whose unit is not in it', async () => {
    const own: TestUser = { username: 'own-leader', password: 'own-leader-pass-1', role: 'leader', unit: street.id }
    const app = await buildTestApp({ geography: district, users: [LEADER, own] })
    try {
      const center = await app.inject({ method: 'GET', url: '/api/v1/session' })
      expect(center.json()).toMatchObject({ role: 'center', unit: district.district.id })
      const refused = await app.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: LEADER.username, password: LEADER.password } })
      expect(refused.statusCode).toBe(403)
      expect(refused.json()).toMatchObject({ field: 'body/username', rule: 'unit-in-district' })
      expect(refused.headers['set-cookie']).toBeUndefined()
      const cookie = await app.login(own)
      const mine = await app.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })
      expect(mine.json()).toMatchObject({ role: 'leader', unit: street.id })
    } finally {
      await app.close()
    }
  })
})
