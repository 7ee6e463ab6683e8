// The kept reports in PostgreSQL: the archive's contract on both engines, and two app instances (two
// processes' worth) on one database keeping one set of reports between them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { backfill } from '../../../server/sim/backfill'
import { SqliteReportArchive, reportId, type KeptReportEntry, type ReportArchive } from '../../../server/reports/archive'
import { PgReportArchive, REPORTS_SCHEMA_VERSION } from '../../../server/reports/pg-archive'
import { generateClosedReports, reportUnits } from '../../../server/reports/generator'
import { buildTestApp, sampleGeography, type TestApp } from '../../helpers/build-app'
import { testDatabase, type TestDatabase } from '../../helpers/postgres'
import pg from 'pg'

const TZ = 'Asia/Shanghai'
const NOW = Date.parse('2026-11-25T10:00:00+08:00')
const geography = sampleGeography()

const entry = (unit: string, period: 'day' | 'week', start: string): KeptReportEntry => ({
  id: reportId(unit, period, start),
  unit,
  period,
  label: start,
  start,
  generatedAt: Date.parse(`${start}T12:00:00Z`),
})

let db: TestDatabase
beforeAll(async () => {
  db = await testDatabase('outpost_reports')
}, 60_000)
afterAll(async () => {
  await db?.drop()
})

describe.each([
  ['SQLite', async (): Promise<ReportArchive> => new SqliteReportArchive(':memory:')],
  ['PostgreSQL', async (): Promise<ReportArchive> => {
    const own = await testDatabase('outpost_reports_contract')
    const archive = await PgReportArchive.open(own.url)
    const close = archive.close.bind(archive)
    archive.close = async () => {
      await close()
      await own.drop()
    }
    return archive
  }],
] as const)('the report archive on %s', (_engine, open) => {
  it('keeps a report once: a second put of the id changes nothing; get, has and list read it back', async () => {
    const archive = await open()
    try {
      const a = entry('640106001', 'week', '2026-11-16')
      expect(await archive.has(a.id)).toBe(false)
      expect(await archive.get(a.id)).toBeUndefined()
      expect(await archive.put(a, '{"v":1}')).toBe(true)
      expect(await archive.put({ ...a, generatedAt: a.generatedAt + 1 }, '{"v":2}')).toBe(false)
      expect(await archive.has(a.id)).toBe(true)
      expect(await archive.get(a.id)).toEqual({ ...a, json: '{"v":1}' })
    } finally {
      await archive.close()
    }
  })

  it('lists the newest first (start, then week before day, then unit), only units in scope, at most the limit', async () => {
    const archive = await open()
    try {
      const kept = [
        entry('640106002', 'day', '2026-11-24'),
        entry('640106001', 'day', '2026-11-24'),
        entry('640106001', 'week', '2026-11-16'),
        entry('640106001', 'day', '2026-11-16'),
        entry('640106002', 'week', '2026-11-09'),
      ]
      for (const e of kept) await archive.put(e, '{}')
      const all = await archive.list(() => true, 100)
      expect(all.map((e) => e.id)).toEqual([kept[1]!.id, kept[0]!.id, kept[2]!.id, kept[3]!.id, kept[4]!.id])
      expect(all[0]).toEqual(kept[1])
      expect((await archive.list((u) => u === '640106002', 100)).map((e) => e.id)).toEqual([kept[0]!.id, kept[4]!.id])
      expect(await archive.list(() => true, 2)).toHaveLength(2)
    } finally {
      await archive.close()
    }
  })
})

describe('kept reports shared by two processes on one PostgreSQL', () => {
  let a: TestApp
  let b: TestApp
  let archiveA: PgReportArchive
  let archiveB: PgReportArchive

  beforeAll(async () => {
    // The same log under both (one store): what differs between the two is only the process.
    const store = new SqliteStore({ filename: ':memory:' })
    await backfill({ store, geography, days: 4, now: NOW, timeZone: TZ, seed: 11 })
    ;[archiveA, archiveB] = await Promise.all([PgReportArchive.open(db.url), PgReportArchive.open(db.url)])
    a = await buildTestApp({ store, geography, timeZone: TZ, now: () => NOW, reports: archiveA })
    b = await buildTestApp({ store, geography, timeZone: TZ, now: () => NOW, reports: archiveB })
  }, 120_000)

  afterAll(async () => {
    await a?.close()
    await b?.close()
    await archiveA?.close()
    await archiveB?.close()
  })

  it('both generate at once: each report is kept once, and each process lists and serves the same', async () => {
    const [keptA, keptB] = await Promise.all([
      generateClosedReports(a.app, archiveA, { days: 2, weeks: 0 }),
      generateClosedReports(b.app, archiveB, { days: 2, weeks: 0 }),
    ])
    const units = reportUnits(a.app)
    // Between them, every report once: whichever process inserted an id first kept it.
    expect(keptA.kept + keptB.kept).toBe(2 * units.length)
    const listA = (await a.inject({ method: 'GET', url: '/api/v1/reports?limit=500' })).json<{ reports: { id: string }[] }>().reports
    const listB = (await b.inject({ method: 'GET', url: '/api/v1/reports?limit=500' })).json<{ reports: { id: string }[] }>().reports
    expect(listA).toHaveLength(2 * units.length)
    expect(listB).toEqual(listA)
    const id = reportId(units[1]!, 'day', '2026-11-24')
    const onA = await a.inject({ method: 'GET', url: `/api/v1/reports/${id}` })
    const onB = await b.inject({ method: 'GET', url: `/api/v1/reports/${id}` })
    expect(onA.statusCode).toBe(200)
    expect(onB.body).toBe(onA.body)
    expect(JSON.parse(onB.body)).toMatchObject({ unit: units[1], period: 'day', start: '2026-11-24' })
  })

  it('a database whose kept reports are at another schema version is refused at open', async () => {
    const other = await testDatabase('outpost_reports_version')
    try {
      await (await PgReportArchive.open(other.url)).close()
      const c = new pg.Client({ connectionString: other.url })
      await c.connect()
      await c.query('UPDATE kept_reports_schema SET version = $1', [REPORTS_SCHEMA_VERSION + 1])
      await c.end()
      await expect(PgReportArchive.open(other.url)).rejects.toThrow(/schema version 2, this build uses 1/)
    } finally {
      await other.drop()
    }
  })
})
