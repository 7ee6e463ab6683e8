// The directory in PostgreSQL: the directory's contract (directory-contract.ts) on a real database,
// then what several processes on one database need: two app instances (buildApp twice, each its own
// event store and accounts: the directory and the audit trail are what is shared) see each other's
// changes, a change and its audit entry are one transaction, two demo seeds at once give one set, a
// lost notification connection catches up. A real PostgreSQL (test/helpers/postgres.ts), never a mock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import pg from 'pg'
import { PgAuditLog } from '../../../server/audit/pg-audit-log'
import { DIRECTORY_SCHEMA_VERSION, PgDirectory } from '../../../server/directory/pg-directory'
import { demoDepartments, demoExperts, demoRota, seedEmptyDemoDirectory } from '../../../server/directory/demo'
import { buildTestApp, pointIn, sampleGeography, type TestApp } from '../../helpers/build-app'
import { testDatabase, type TestDatabase } from '../../helpers/postgres'
import { waitFor } from '../../helpers/wait-for'
import { directoryContract } from './directory-contract'

const A = '640106001'
const OWN = 'http://localhost'
const actor = { kind: 'cli' as const, name: 'tester' }
const isStreet = (id: string) => sampleGeography().get(id)?.level === 'street'
// Monday 2026-12-07, 10:00 in Shanghai: the app's clock and the directory's audit entries'.
const NOW = Date.parse('2026-12-07T10:00:00+08:00')

describe('PostgreSQL', () => {
  directoryContract('PostgreSQL', async (options) => {
    const db = await testDatabase('outpost_directory')
    const audit = await PgAuditLog.open(db.url)
    let directory = await PgDirectory.open(db.url, { audit, ...options })
    return {
      directory,
      audit,
      async reopen() {
        await directory.close()
        directory = await PgDirectory.open(db.url, { audit, isStreet: () => true })
        return directory
      },
      async close() {
        await directory.close()
        await audit.close()
        await db.drop()
      },
    }
  })
})

describe('PgDirectory across processes', () => {
  let db: TestDatabase
  const cleanups: (() => Promise<unknown>)[] = []
  beforeEach(async () => {
    db = await testDatabase('outpost_directory')
  })
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
    await db.drop()
  })

  async function open(options: { listen?: boolean } = {}) {
    const audit = await PgAuditLog.open(db.url)
    const directory = await PgDirectory.open(db.url, { audit, isStreet, now: () => NOW, ...options })
    cleanups.push(async () => {
      await directory.close()
      await audit.close()
    })
    return { audit, directory }
  }

  /** An Outpost process: its own in-memory event store and accounts, the database's directory and audit trail. */
  async function instance(): Promise<TestApp> {
    const { audit, directory } = await open()
    const t = await buildTestApp({ directory, audit, now: () => NOW, timeZone: 'Asia/Shanghai' })
    cleanups.push(() => t.close())
    return t
  }
  const asCenter = (t: TestApp, method: 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, ...(payload ? { payload } : {}), headers: { cookie: t.headers.cookie, origin: OWN } })
  const listed = async (t: TestApp) => (await t.app.inject({ method: 'GET', url: '/api/v1/directory', headers: { cookie: t.headers.cookie } })).json()
  const dispatch = async (t: TestApp, id: string) => {
    const created = await t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { id, source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t.geography, A), description: '噪音' },
    })
    expect(created.statusCode, created.body).toBe(201)
    return t.inject({ method: 'POST', url: `/api/v1/requests/${id}/transitions`, payload: { stage: 'dispatched', assignee: { kind: 'department', id: 'zj-jf' } } })
  }

  it('a department and its rota added through the API on A are listed and dispatchable on B; removed on B, gone on A', async () => {
    const a = await instance()
    const b = await instance()
    expect((await asCenter(a, 'POST', '/api/v1/directory/departments', { id: 'zj-jf', name: '金凤区住建局', kind: 'housing' })).statusCode).toBe(201)
    const rota = await asCenter(a, 'POST', '/api/v1/directory/rota', { departmentId: 'zj-jf', streetId: A, weekday: 1, from: '09:00', to: '12:00' })
    expect(rota.statusCode).toBe(201)
    // A reads its own write at once.
    expect((await listed(a)).rota.map((r: { id: string }) => r.id)).toEqual([rota.json().id])

    const onB = await waitFor(async () => {
      const d = await listed(b)
      return d.rota.length === 1 && d
    }, 'the rota entry made on A, listed on B')
    expect(onB.departments).toEqual([{ id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }])
    expect(onB.rota).toEqual([{ id: rota.json().id, departmentId: 'zj-jf', streetId: A, weekday: 1, from: '09:00', to: '12:00' }])
    const onDuty = await b.app.inject({ method: 'GET', url: `/api/v1/directory/on-duty?unit=${A}`, headers: { cookie: b.headers.cookie } })
    expect(onDuty.json().entries).toEqual([{ department: { id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }, streetId: A, from: '09:00', to: '12:00', now: true }])
    expect((await dispatch(b, 'walk-1')).statusCode).toBe(201)

    expect((await asCenter(b, 'DELETE', '/api/v1/directory/departments/zj-jf')).statusCode).toBe(204)
    await waitFor(async () => (await listed(a)).departments.length === 0, 'the department removed on B, gone on A')
    expect((await listed(a)).rota).toEqual([])
    const refused = await dispatch(a, 'walk-2')
    expect([refused.statusCode, refused.json().field]).toEqual([422, 'body/assignee/id'])
  })

  it('an audit entry written through A is read on B', async () => {
    const a = await instance()
    const b = await instance()
    expect((await asCenter(a, 'POST', '/api/v1/audit/exports', { what: 'requests.csv', unit: A, rows: 3 })).statusCode).toBe(204)
    expect((await asCenter(a, 'POST', '/api/v1/directory/experts', { id: 'law-01', pool: 'legal', name: '王律师', contact: '13912345678' })).statusCode).toBe(201)
    // Both at NOW: newest first is the later write first.
    const res = await b.app.inject({ method: 'GET', url: '/api/v1/audit', headers: { cookie: b.headers.cookie } })
    expect(res.statusCode).toBe(200)
    expect(res.json().entries.map((e: { action: string; target: string }) => `${e.action} ${e.target}`)).toEqual(['directory.change expert:law-01', 'export.csv export:requests.csv'])
  })

  it('a change and its audit entry: both or neither', async () => {
    const { directory, audit } = await open()
    const other = await open()
    // The trail refuses the next entry: the change must not stay without it.
    const admin = new pg.Client({ connectionString: db.url })
    await admin.connect()
    try {
      await admin.query(`CREATE FUNCTION refuse_entry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'trail unavailable'; END $$`)
      await admin.query(`CREATE TRIGGER refuse_entry BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION refuse_entry()`)
      await expect(directory.addDepartment({ id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }, actor)).rejects.toThrow(/trail unavailable/)
      expect(directory.department('zj-jf')).toBeUndefined()
      expect((await admin.query(`SELECT count(*)::int AS n FROM directory_departments`)).rows[0].n).toBe(0)
      await admin.query(`DROP TRIGGER refuse_entry ON audit_entries`)
    } finally {
      await admin.end()
    }
    expect((await directory.addDepartment({ id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }, actor)).ok).toBe(true)
    expect((await other.audit.entries({ from: 0, to: Number.MAX_SAFE_INTEGER, limit: 10 })).map((e) => e.target)).toEqual(['department:zj-jf'])
    expect(await audit.entries({ from: 0, to: Number.MAX_SAFE_INTEGER, limit: 10 })).toHaveLength(1)
  })

  it('two processes seeding the empty demo directory at once seed it once', async () => {
    const one = await open()
    const two = await open()
    const geography = sampleGeography()
    const seeded = await Promise.all([seedEmptyDemoDirectory(one.directory, geography, actor), seedEmptyDemoDirectory(two.directory, geography, actor)])
    expect(seeded.filter(Boolean)).toHaveLength(1)
    const expected = demoDepartments(geography).length + demoRota(geography).length + demoExperts().length
    for (const { directory } of [one, two]) {
      await waitFor(() => directory.rota().length === demoRota(geography).length, 'the seeded rota')
      expect(directory.departments()).toHaveLength(demoDepartments(geography).length)
      expect(directory.experts()).toHaveLength(demoExperts().length)
    }
    expect(await one.audit.entries({ from: 0, to: Number.MAX_SAFE_INTEGER, limit: 5000 })).toHaveLength(expected)
    // A later start finds it filled.
    expect(await seedEmptyDemoDirectory((await open()).directory, geography, actor)).toBe(false)
  })

  it('a process whose notification connection was cut reads what changed meanwhile once it listens again', async () => {
    const reader = await open()
    const writer = await open({ listen: false })
    const admin = new pg.Client({ connectionString: db.url })
    await admin.connect()
    try {
      const cut = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN outpost_directory'`, [db.name])
      expect(cut.rowCount).toBe(1)
    } finally {
      await admin.end()
    }
    expect((await writer.directory.addExpert({ id: 'law-01', pool: 'legal', name: '王律师', contact: '13912345678' }, actor)).ok).toBe(true)
    await waitFor(() => reader.directory.expert('law-01'), 'the expert added while the reader was not listening')
  })

  it('refuses a database whose directory tables are at another schema version', async () => {
    await open()
    const admin = new pg.Client({ connectionString: db.url })
    await admin.connect()
    await admin.query('UPDATE directory_schema SET version = $1', [DIRECTORY_SCHEMA_VERSION + 1])
    await admin.end()
    const audit = await PgAuditLog.open(db.url)
    cleanups.push(() => audit.close())
    await expect(PgDirectory.open(db.url, { audit, isStreet })).rejects.toThrow(/schema version 2, this build uses 1/)
  })
})
