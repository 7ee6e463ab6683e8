// The audit trail in PostgreSQL (OUTPOST_DATABASE_URL), one trail for every Outpost process and for
// `npm run users` / `npm run directory` on the database. Append-only as in SQLite: a trigger refuses
// an UPDATE, a DELETE or a TRUNCATE of `audit_entries`. `record` resolves once the row is committed,
// so a route that awaits it answers only after its entry is durable. Plain SQL on `pg`, a table of
// its own with a schema version, created at open under an advisory lock (several processes may
// start at once). PgDirectory writes its changes' entries in its own transaction through `insertIn`.
import pg from 'pg'
import type { AuditAction, AuditEntry } from '../../shared/schemas/audit'
import type { AuditLog, AuditQuery, NewAuditEntry } from './types'
import { prepareVersionedTables } from '../store/pg-versioned-tables'

/** The version of the `audit_*` tables this build writes; a database at another version is refused. */
export const AUDIT_SCHEMA_VERSION = 1

/** An arbitrary constant: the advisory lock that serialises schema creation between processes. */
const SCHEMA_LOCK = 7_310_420_003

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_schema (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS audit_entries (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         bigint NOT NULL,
  actor_kind text   NOT NULL,
  actor_name text   NOT NULL,
  action     text   NOT NULL,
  target     text   NOT NULL,
  unit       text
);
CREATE INDEX IF NOT EXISTS audit_entries_at ON audit_entries (at);
CREATE INDEX IF NOT EXISTS audit_entries_actor ON audit_entries (actor_name, at);
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only';
END
$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
`

const INSERT = `INSERT INTO audit_entries (at, actor_kind, actor_name, action, target, unit) VALUES ($1, $2, $3, $4, $5, $6)`

export class AuditSchemaError extends Error {}

interface AuditRow {
  at: string
  actor_kind: AuditEntry['actor']['kind']
  actor_name: string
  action: AuditAction
  target: string
  unit: string | null
}

export interface PgAuditLogOptions {
  /** Connections in the pool (default 2). */
  poolSize?: number
}

export class PgAuditLog implements AuditLog {
  private closed = false

  private constructor(readonly pool: pg.Pool) {}

  /** Connects and creates the table when missing (or refuses a database written by another schema version). */
  static async open(url: string, options: PgAuditLogOptions = {}): Promise<PgAuditLog> {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 2 })
    // An idle connection that the server drops must not take the process down.
    pool.on('error', () => undefined)
    const log = new PgAuditLog(pool)
    try {
      await log.prepareSchema()
    } catch (error) {
      await log.close()
      throw error
    }
    return log
  }

  private async prepareSchema(): Promise<void> {
    const c = await this.pool.connect()
    try {
      await c.query('BEGIN')
      await prepareVersionedTables(c, {
        lock: SCHEMA_LOCK,
        versionTable: 'audit_schema',
        version: AUDIT_SCHEMA_VERSION,
        what: 'audit tables',
        ddl: SCHEMA,
        refuse: AuditSchemaError,
      })
      await c.query('COMMIT')
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      c.release()
    }
  }

  /** Appends inside the caller's transaction (a directory change and its entry: both or neither). */
  async insertIn(client: pg.ClientBase, entry: NewAuditEntry): Promise<void> {
    await client.query(INSERT, [entry.at, entry.actor.kind, entry.actor.name, entry.action, entry.target, entry.unit])
  }

  async record(entry: NewAuditEntry): Promise<void> {
    await this.pool.query(INSERT, [entry.at, entry.actor.kind, entry.actor.name, entry.action, entry.target, entry.unit])
  }

  async entries(query: AuditQuery): Promise<AuditEntry[]> {
    const params: unknown[] = [query.from, query.to]
    const where = ['at >= $1', 'at < $2']
    if (query.user !== undefined) {
      params.push(query.user)
      where.push(`actor_name = $${params.length}`)
    }
    if (query.units !== undefined) {
      params.push([...query.units])
      where.push(`unit = ANY($${params.length}::text[])`)
    }
    params.push(Math.max(0, Math.floor(query.limit)))
    const { rows } = await this.pool.query<AuditRow>(
      `SELECT at, actor_kind, actor_name, action, target, unit FROM audit_entries WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT $${params.length}`,
      params,
    )
    return rows.map((r) => ({
      at: new Date(Number(r.at)).toISOString(),
      actor: { kind: r.actor_kind, name: r.actor_name },
      action: r.action,
      target: r.target,
      unit: r.unit,
    }))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.pool.end()
  }
}
