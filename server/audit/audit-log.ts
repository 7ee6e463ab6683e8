// The audit trail in a SQLite file of its own (`audit.db`) beside auth.db: append-only (triggers
// refuse an UPDATE or DELETE), WAL and a busy timeout so `npm run users` and `npm run directory`
// record their changes while the server runs. Read by the center role only; never published live.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { AuditAction, AuditEntry } from '../../shared/schemas/audit'
import type { AuditLog, AuditQuery, NewAuditEntry } from './types'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  actor_kind TEXT    NOT NULL,
  actor_name TEXT    NOT NULL,
  action     TEXT    NOT NULL,
  target     TEXT    NOT NULL,
  unit       TEXT
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
CREATE INDEX IF NOT EXISTS audit_actor ON audit (actor_name, at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
`

/** The audit trail's file in a data directory; main, the commands and the tests agree on it. */
export function auditFileIn(dataDir: string): string {
  return join(dataDir, 'audit.db')
}

interface AuditRow {
  at: number
  actor_kind: AuditEntry['actor']['kind']
  actor_name: string
  action: AuditAction
  target: string
  unit: string | null
}

export class SqliteAuditLog implements AuditLog {
  private readonly db: Database.Database
  private readonly insert: Database.Statement

  /** `:memory:` for a trail that lives as long as the app (tests, an app built without one). */
  constructor(filename: string) {
    this.db = new Database(filename)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('busy_timeout = 5000')
    this.db.exec(SCHEMA)
    this.insert = this.db.prepare(`INSERT INTO audit (at, actor_kind, actor_name, action, target, unit) VALUES (?, ?, ?, ?, ?, ?)`)
  }

  static open(dataDir: string): SqliteAuditLog {
    return new SqliteAuditLog(auditFileIn(dataDir))
  }

  async record(entry: NewAuditEntry): Promise<void> {
    this.insert.run(entry.at, entry.actor.kind, entry.actor.name, entry.action, entry.target, entry.unit)
  }

  async entries(query: AuditQuery): Promise<AuditEntry[]> {
    const where = ['at >= ?', 'at < ?']
    const params: unknown[] = [query.from, query.to]
    if (query.user !== undefined) {
      where.push('actor_name = ?')
      params.push(query.user)
    }
    if (query.units !== undefined) {
      // A subtree can hold thousands of units: one JSON parameter, not thousands of placeholders.
      where.push('unit IN (SELECT value FROM json_each(?))')
      params.push(JSON.stringify([...query.units]))
    }
    params.push(Math.max(0, Math.floor(query.limit)))
    const rows = this.db
      .prepare(`SELECT at, actor_kind, actor_name, action, target, unit FROM audit WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`)
      .all(...params) as AuditRow[]
    return rows.map((r) => ({
      at: new Date(r.at).toISOString(),
      actor: { kind: r.actor_kind, name: r.actor_name },
      action: r.action,
      target: r.target,
      unit: r.unit,
    }))
  }

  async close(): Promise<void> {
    this.db.close()
  }
}
