// The kept reports in PostgreSQL (OUTPOST_DATABASE_URL): one archive for every Outpost process on
// the database. Each process's generator keeps the same closed periods; the first INSERT of an id
// wins and the others change nothing (ON CONFLICT DO NOTHING), and as every process builds a
// report from the same log as of the period's end, whichever wins kept the same figures. Plain SQL
// on `pg`, a table of its own with a schema version, created at open under an advisory lock.
import pg from 'pg'
import { prepareVersionedTables } from '../store/pg-versioned-tables'
import { entryOf, SCAN_LIMIT, type KeptReportEntry, type ReportArchive, type ReportRow } from './archive'

/** The version of the `kept_reports` tables this build writes; a database at another is refused. */
export const REPORTS_SCHEMA_VERSION = 1

/** An arbitrary constant: the advisory lock that serialises schema creation between processes. */
const SCHEMA_LOCK = 7_310_420_007

const SCHEMA = `
CREATE TABLE kept_reports_schema (version integer NOT NULL);
CREATE TABLE kept_reports (
  id           text   PRIMARY KEY,
  unit         text   NOT NULL,
  period       text   NOT NULL,
  label        text   NOT NULL,
  start        text   NOT NULL,
  generated_at bigint NOT NULL,
  json         text   NOT NULL
);
CREATE INDEX kept_reports_by_start ON kept_reports (start DESC, period DESC, unit);
`

export class ReportsSchemaError extends Error {}

type PgRow = Omit<ReportRow, 'generated_at'> & { generated_at: string | number }

const fromPg = (r: PgRow): ReportRow => ({ ...r, generated_at: Number(r.generated_at) })

export class PgReportArchive implements ReportArchive {
  private constructor(private readonly pool: pg.Pool) {}

  /** Connects and creates the table when missing (or refuses one written by another schema version). */
  static async open(url: string, options: { poolSize?: number } = {}): Promise<PgReportArchive> {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 2 })
    // An idle connection the server drops must not take the process down.
    pool.on('error', () => undefined)
    const archive = new PgReportArchive(pool)
    try {
      await archive.prepareSchema()
    } catch (error) {
      await pool.end()
      throw error
    }
    return archive
  }

  private async prepareSchema(): Promise<void> {
    const c = await this.pool.connect()
    try {
      await c.query('BEGIN')
      await prepareVersionedTables(c, {
        lock: SCHEMA_LOCK,
        versionTable: 'kept_reports_schema',
        version: REPORTS_SCHEMA_VERSION,
        what: 'kept reports',
        ddl: SCHEMA,
        refuse: ReportsSchemaError,
      })
      await c.query('COMMIT')
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      c.release()
    }
  }

  async put(entry: KeptReportEntry, json: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO kept_reports (id, unit, period, label, start, generated_at, json) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [entry.id, entry.unit, entry.period, entry.label, entry.start, entry.generatedAt, json],
    )
    return rowCount === 1
  }

  async has(id: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM kept_reports WHERE id = $1', [id])).rowCount === 1
  }

  async get(id: string): Promise<(KeptReportEntry & { json: string }) | undefined> {
    const row = (await this.pool.query<PgRow>('SELECT * FROM kept_reports WHERE id = $1', [id])).rows[0]
    return row ? { ...entryOf(fromPg(row)), json: row.json } : undefined
  }

  async list(within: (unit: string) => boolean, limit: number): Promise<KeptReportEntry[]> {
    // The same bounded scan as SQLite's: the newest SCAN_LIMIT rows at most, filtered by scope.
    const { rows } = await this.pool.query<PgRow>(
      'SELECT id, unit, period, label, start, generated_at FROM kept_reports ORDER BY start DESC, period DESC, unit LIMIT $1',
      [SCAN_LIMIT],
    )
    const out: KeptReportEntry[] = []
    for (const row of rows) {
      if (!within(row.unit)) continue
      out.push(entryOf(fromPg(row)))
      if (out.length >= limit) break
    }
    return out
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}
