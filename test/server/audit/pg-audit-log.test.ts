// The audit trail in PostgreSQL: durable and append-only (a trigger refuses UPDATE, DELETE and
// TRUNCATE, whoever asks), one trail for every process; `npm run users` and `npm run directory` with
// OUTPOST_DATABASE_URL write to it, and the directory command's change reaches a running process.
// The routes' tests on this engine are in audit.test.ts. A real PostgreSQL, never a mock.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AUDIT_SCHEMA_VERSION, PgAuditLog } from '../../../server/audit/pg-audit-log'
import { run as users } from '../../../server/cli/users'
import { run as directoryCommand } from '../../../server/cli/directory'
import { PgDirectory } from '../../../server/directory/pg-directory'
import { sampleGeography } from '../../helpers/build-app'
import { testDatabase, type TestDatabase } from '../../helpers/postgres'
import { waitFor } from '../../helpers/wait-for'

const A = '640106001'
const NOW = Date.parse('2026-12-07T02:00:00Z')
const ALL = { from: 0, to: Number.MAX_SAFE_INTEGER, limit: 1000 }

let db: TestDatabase
const cleanups: (() => Promise<unknown> | unknown)[] = []
beforeEach(async () => {
  db = await testDatabase('outpost_audit')
})
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
  await db.drop()
})

async function open(): Promise<PgAuditLog> {
  const log = await PgAuditLog.open(db.url)
  cleanups.push(() => log.close())
  return log
}

async function asAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

describe('PgAuditLog', () => {
  it('is durable, shared, and append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const one = await open()
    const two = await open()
    await one.record({ at: NOW, actor: { kind: 'cli', name: 'root' }, action: 'user.change', target: 'user:ann', unit: A })
    // Resolved: committed, so another process reads it at once.
    expect(await two.entries(ALL)).toEqual([{ at: new Date(NOW).toISOString(), actor: { kind: 'cli', name: 'root' }, action: 'user.change', target: 'user:ann', unit: A }])
    await asAdmin(async (c) => {
      await expect(c.query(`UPDATE audit_entries SET target = 'user:eve'`)).rejects.toThrow(/append-only/)
      await expect(c.query(`DELETE FROM audit_entries`)).rejects.toThrow(/append-only/)
      await expect(c.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/)
    })
    await one.close()
    const again = await open()
    expect((await again.entries(ALL)).map((e) => e.target)).toEqual(['user:ann'])
  })

  it('refuses a database whose audit table is at another schema version', async () => {
    await open()
    await asAdmin((c) => c.query('UPDATE audit_schema SET version = $1', [AUDIT_SCHEMA_VERSION + 1]))
    await expect(PgAuditLog.open(db.url)).rejects.toThrow(/schema version 2, this build uses 1/)
  })
})

describe('the commands with OUTPOST_DATABASE_URL', () => {
  let dir: string
  const saved = { url: process.env.OUTPOST_DATABASE_URL, dataDir: process.env.OUTPOST_DATA_DIR, geography: process.env.OUTPOST_GEOGRAPHY }
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-pg-audit-'))
    process.env.OUTPOST_DATABASE_URL = db.url
    process.env.OUTPOST_DATA_DIR = dir
    delete process.env.OUTPOST_GEOGRAPHY
  })
  afterEach(() => {
    for (const [name, value] of [
      ['OUTPOST_DATABASE_URL', saved.url],
      ['OUTPOST_DATA_DIR', saved.dataDir],
      ['OUTPOST_GEOGRAPHY', saved.geography],
    ] as const) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    rmSync(dir, { recursive: true, force: true })
  })

  it('npm run users records its changes in PostgreSQL’s trail', async () => {
    await users(['add', 'ann', '--role', 'leader', '--unit', A, '--password', 'ann-password-1'], () => {}, async () => '')
    await users(['key', 'add', 'cameras'], () => {}, async () => '')
    const entries = await (await open()).entries(ALL)
    expect(entries.map((e) => [e.action, e.target, e.unit, e.actor])).toEqual([
      ['user.change', 'key:cameras', null, { kind: 'cli', name: userInfo().username }],
      ['user.change', 'user:ann', A, { kind: 'cli', name: userInfo().username }],
    ])
    expect(existsSync(join(dir, 'audit.db'))).toBe(false)
  })

  it('npm run directory changes the shared directory: a running process sees it, the trail records it', async () => {
    const audit = await open()
    const running = await PgDirectory.open(db.url, { audit, isStreet: (id) => sampleGeography().get(id)?.level === 'street' })
    cleanups.push(() => running.close())
    const out: string[] = []
    await directoryCommand(['department', 'add', 'zj-jf', '--name', '金凤区住建局', '--kind', 'housing'], (line) => out.push(line))
    await directoryCommand(['rota', 'add', 'zj-jf', '--street', A, '--weekday', '1', '--from', '09:00', '--to', '12:00'], (line) => out.push(line))
    await waitFor(() => running.rota().length === 1, 'the command’s rota entry in the running process')
    expect(running.department('zj-jf')).toEqual({ id: 'zj-jf', name: '金凤区住建局', kind: 'housing' })
    const rotaId = running.rota()[0]!.id
    expect((await audit.entries(ALL)).map((e) => [e.target, e.actor.kind])).toEqual([
      [`rota:${rotaId}`, 'cli'],
      ['department:zj-jf', 'cli'],
    ])
    // Nothing went to the data directory's files.
    expect([existsSync(join(dir, 'directory.db')), existsSync(join(dir, 'audit.db'))]).toEqual([false, false])
    await directoryCommand(['department', 'remove', 'zj-jf'], () => {})
    await waitFor(() => running.departments().length === 0, 'the removal in the running process')
    expect(running.rota()).toEqual([])
  })
})
