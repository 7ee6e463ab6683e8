// The audit trail's contract: append-only, read by the center role only, never published live. Two
// engines: a SQLite file per data directory (audit-log.ts) and PostgreSQL (pg-audit-log.ts).
import type { AuditAction, AuditActor, AuditEntry } from '../../shared/schemas/audit'

export interface NewAuditEntry {
  /** Epoch ms. */
  at: number
  actor: AuditActor
  action: AuditAction
  target: string
  /** The unit it concerns (a request's grid, a rota entry's street), or null. */
  unit: string | null
}

export interface AuditQuery {
  user?: string
  /** Only entries whose unit lies in these units (the subtree of the asked unit), when given. */
  units?: ReadonlySet<string>
  from: number
  to: number
  limit: number
}

export interface AuditLog {
  /** Appends: durable when the promise resolves (a route awaits it before it answers). */
  record(entry: NewAuditEntry): Promise<void>
  /** Newest first. */
  entries(query: AuditQuery): Promise<AuditEntry[]>
  close(): Promise<void>
}
