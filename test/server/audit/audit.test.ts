// The audit trail: append-only in audit.db, read by the center only through GET /api/v1/audit with
// its filters, newest first; POST /api/v1/audit/exports records a CSV export. The routes' tests run
// on both engines: the SQLite trail and PostgreSQL's (pg-audit-log.test.ts has its own).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteAuditLog, auditFileIn } from '../../../server/audit/audit-log'
import { PgAuditLog } from '../../../server/audit/pg-audit-log'
import type { AuditLog } from '../../../server/audit/types'
import { testDatabase } from '../../helpers/postgres'
import { buildTestApp, type TestApp, type TestUser } from '../../helpers/build-app'

const A = '640106001'
const A1 = '640106001001'
const A1_GRID = '64010600100101'
const B = '640106002'
const LEADER: TestUser = { username: 'leader-a', password: 'leader-pass-a', role: 'leader', unit: A }
const OWN = 'http://localhost'
const NOW = Date.parse('2026-12-07T02:00:00Z')
const HOUR = 3_600_000

describe('SqliteAuditLog', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-audit-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('is durable and append-only', async () => {
    const log = SqliteAuditLog.open(dir)
    await log.record({ at: NOW, actor: { kind: 'cli', name: 'root' }, action: 'user.change', target: 'user:ann', unit: A })
    log.close()
    const db = new Database(auditFileIn(dir))
    expect(() => db.prepare('UPDATE audit SET target = ?').run('user:eve')).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/)
    db.close()
    const again = SqliteAuditLog.open(dir)
    expect(await again.entries({ from: 0, to: NOW + 1, limit: 10 })).toEqual([
      { at: new Date(NOW).toISOString(), actor: { kind: 'cli', name: 'root' }, action: 'user.change', target: 'user:ann', unit: A },
    ])
    again.close()
  })
})

/** The trail an app is built with: its own in-memory SQLite one, or PostgreSQL's on a database of its own. */
const ENGINES: [string, () => Promise<{ audit: AuditLog; close: () => Promise<void> } | undefined>][] = [
  ['SQLite', async () => undefined],
  [
    'PostgreSQL',
    async () => {
      const db = await testDatabase('outpost_audit')
      const audit = await PgAuditLog.open(db.url)
      return {
        audit,
        close: async () => {
          await audit.close()
          await db.drop()
        },
      }
    },
  ],
]

for (const [engine, open] of ENGINES) {
  let closeTrail: () => Promise<void> = async () => {}
  const trail = async (): Promise<{ audit?: AuditLog }> => {
    const opened = await open()
    closeTrail = opened?.close ?? (async () => {})
    return opened ? { audit: opened.audit } : {}
  }

  describe(`${engine}: GET /api/v1/audit`, () => {
    let t: TestApp
    let leader: string
    beforeEach(async () => {
      t = await buildTestApp({ users: [LEADER], now: () => NOW, ...(await trail()) })
      leader = await t.login(LEADER)
      const entry = (hoursAgo: number, name: string, target: string, unit: string | null) =>
        t.app.audit.record({ at: NOW - hoursAgo * HOUR, actor: { kind: 'user', name }, action: 'request.read', target, unit })
      await entry(50 * 24, 'center', 'request:ancient', A1_GRID) // outside the default 30 days
      await entry(5, 'center', 'request:r1', A1_GRID)
      await entry(4, 'ann', 'request:r2', B)
      await entry(3, 'center', 'request:r3', A1)
      await entry(2, 'ann', 'request:r4', null)
      await entry(1, 'center', 'request:r5', B)
    })
    afterEach(async () => {
      await t.close()
      await closeTrail()
    })

    const targets = async (query: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/audit${query}`, headers: { cookie: t.headers.cookie } })
      expect(res.statusCode, res.body).toBe(200)
      return (res.json().entries as { target: string }[]).map((e) => e.target)
    }

    it('answers newest first within the last 30 days by default', async () => {
      expect(await targets('')).toEqual(['request:r5', 'request:r4', 'request:r3', 'request:r2', 'request:r1'])
    })

    it('filters by user, by a unit’s subtree, by from/to, and limits', async () => {
      expect(await targets('?user=ann')).toEqual(['request:r4', 'request:r2'])
      expect(await targets(`?unit=${A}`)).toEqual(['request:r3', 'request:r1'])
      expect(await targets(`?unit=${A1_GRID}`)).toEqual(['request:r1'])
      expect(await targets(`?unit=${B}&user=center`)).toEqual(['request:r5'])
      const iso = (hoursAgo: number) => encodeURIComponent(new Date(NOW - hoursAgo * HOUR).toISOString())
      expect(await targets(`?from=${iso(4)}&to=${iso(2)}`)).toEqual(['request:r4', 'request:r3', 'request:r2'])
      expect(await targets(`?from=${iso(60 * 24)}&to=${iso(10)}`)).toEqual(['request:ancient'])
      expect(await targets('?limit=2')).toEqual(['request:r5', 'request:r4'])
    })

    it('is the center’s: a leader gets a 403 naming the role; bad input names the field', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: { cookie: leader } })
      expect([res.statusCode, res.json().field, res.json().rule]).toEqual([403, 'role', 'center'])
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(401)
      const bad = async (query: string) => {
        const r = await t.app.inject({ method: 'GET', url: `/api/v1/audit${query}`, headers: { cookie: t.headers.cookie } })
        return [r.statusCode, r.json().field]
      }
      expect(await bad('?limit=5001')).toEqual([400, 'query/limit'])
      expect(await bad('?limit=0')).toEqual([400, 'query/limit'])
      expect(await bad('?unit=12')).toEqual([400, 'query/unit'])
      expect(await bad('?from=never')).toEqual([400, 'query/from'])
      expect(await bad('?from=2026-12-07T00:00:00Z&to=2026-12-06T00:00:00Z')).toEqual([400, 'query/from'])
      expect(await bad('?unit=640106999')).toEqual([404, 'query/unit'])
    })
  })

  describe(`${engine}: POST /api/v1/audit/exports`, () => {
    let t: TestApp
    let leader: string
    beforeEach(async () => {
      t = await buildTestApp({ users: [LEADER], now: () => NOW, ...(await trail()) })
      leader = await t.login(LEADER)
    })
    afterEach(async () => {
      await t.close()
      await closeTrail()
    })

    it('records a leader’s export inside the scope, refuses one outside it', async () => {
      const post = (payload: object, cookie = leader) => t.app.inject({ method: 'POST', url: '/api/v1/audit/exports', payload, headers: { cookie, origin: OWN } })
      expect((await post({ what: 'requests.csv', unit: A1, rows: 42 })).statusCode).toBe(204)
      const outside = await post({ what: 'requests.csv', unit: B, rows: 1 })
      expect([outside.statusCode, outside.json().field, outside.json().rule]).toEqual([403, 'body/unit', 'scope'])
      const bad = await post({ what: 'Requests CSV', unit: A1, rows: 1 })
      expect([bad.statusCode, bad.json().field]).toEqual([400, 'body/what'])
      const noOrigin = await t.app.inject({ method: 'POST', url: '/api/v1/audit/exports', payload: { what: 'x', unit: A1, rows: 1 }, headers: { cookie: leader } })
      expect(noOrigin.statusCode).toBe(403)
      expect(await t.app.audit.entries({ from: 0, to: NOW + 1, limit: 10 })).toEqual([
        { at: new Date(NOW).toISOString(), actor: { kind: 'user', name: 'leader-a' }, action: 'export.csv', target: 'export:requests.csv', unit: A1 },
      ])
    })
  })
}
