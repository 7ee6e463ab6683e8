// The kept reports (日报/周报): one row per (unit, period, first day), written once. Two engines
// behind one interface: SQLite (reports.db beside directory.db in the data directory, or in memory
// for the tests) and PostgreSQL (pg-archive.ts, with OUTPOST_DATABASE_URL: one archive for every
// process, each report kept once however many processes generate it).
import Database from 'better-sqlite3'
import { join } from 'node:path'
import type { ReportPeriod } from '../../shared/report'

export interface KeptReportEntry {
  /** `<unit>-<period>-<first day>`: the same report always has the same id. */
  id: string
  unit: string
  period: ReportPeriod
  label: string
  start: string
  /** When it was first generated (ms). */
  generatedAt: number
}

export interface ReportArchive {
  /** Keeps a report unless one with the id is kept already; answers whether it was new. */
  put(entry: KeptReportEntry, json: string): Promise<boolean>
  has(id: string): Promise<boolean>
  get(id: string): Promise<(KeptReportEntry & { json: string }) | undefined>
  /** The newest first, at most `limit`, for the units `within` accepts. */
  list(within: (unit: string) => boolean, limit: number): Promise<KeptReportEntry[]>
  close(): Promise<void>
}

export function reportId(unit: string, period: ReportPeriod, start: string): string {
  return `${unit}-${period}-${start}`
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS reports (
  id TEXT PRIMARY KEY,
  unit TEXT NOT NULL,
  period TEXT NOT NULL,
  label TEXT NOT NULL,
  start TEXT NOT NULL,
  generated_at INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_by_start ON reports (start DESC, unit);
`

export interface ReportRow {
  id: string
  unit: string
  period: ReportPeriod
  label: string
  start: string
  generated_at: number
  json: string
}

export const entryOf = (r: ReportRow): KeptReportEntry => ({ id: r.id, unit: r.unit, period: r.period, label: r.label, start: r.start, generatedAt: r.generated_at })

/** Streets and the district keep two reports a period: a few thousand rows a year, read newest first. */
export const SCAN_LIMIT = 20_000

export class SqliteReportArchive implements ReportArchive {
  private readonly db: Database.Database
  private readonly insert: Database.Statement
  private readonly byId: Database.Statement
  private readonly newest: Database.Statement

  constructor(filename: string) {
    this.db = new Database(filename)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('busy_timeout = 5000')
    this.db.exec(SCHEMA)
    this.insert = this.db.prepare(
      'INSERT INTO reports (id, unit, period, label, start, generated_at, json) VALUES (@id, @unit, @period, @label, @start, @generatedAt, @json) ON CONFLICT (id) DO NOTHING',
    )
    this.byId = this.db.prepare('SELECT * FROM reports WHERE id = ?')
    this.newest = this.db.prepare('SELECT id, unit, period, label, start, generated_at FROM reports ORDER BY start DESC, period DESC, unit LIMIT ?')
  }

  /** reports.db in the data directory. */
  static open(dataDir: string): SqliteReportArchive {
    return new SqliteReportArchive(join(dataDir, 'reports.db'))
  }

  async put(entry: KeptReportEntry, json: string): Promise<boolean> {
    return this.insert.run({ ...entry, json }).changes === 1
  }

  async has(id: string): Promise<boolean> {
    return this.byId.get(id) !== undefined
  }

  async get(id: string): Promise<(KeptReportEntry & { json: string }) | undefined> {
    const row = this.byId.get(id) as ReportRow | undefined
    return row ? { ...entryOf(row), json: row.json } : undefined
  }

  async list(within: (unit: string) => boolean, limit: number): Promise<KeptReportEntry[]> {
    const out: KeptReportEntry[] = []
    for (const row of this.newest.iterate(SCAN_LIMIT) as Iterable<ReportRow>) {
      if (!within(row.unit)) continue
      out.push(entryOf(row))
      if (out.length >= limit) break
    }
    return out
  }

  async close(): Promise<void> {
    this.db.close()
  }
}
