// The directory (departments, their rota at streets, expert pools) in a SQLite file of its own
// (`directory.db`) beside auth.db: WAL and a busy timeout let `npm run directory` change it while the
// server runs, and the server reads it afresh on every question (it is small), so such a change
// shows at once. Every change is validated here (the routes and the command share the rules) and
// recorded in the audit trail with its actor.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { DEPARTMENT_KINDS, EXPERT_POOLS } from '../../shared/domain'
import type { AuditActor } from '../../shared/schemas/audit'
import type { Department, Expert, NewRotaEntry, RotaEntry, UnitContact } from '../../shared/schemas/directory'
import { checkContact } from './contacts'
import { zoneOffset } from '../../shared/time'
import type { AuditLog } from '../audit/types'
import type { Directory, DirectoryFailure, DirectoryOutcome, OnDutyEntry } from './types'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS departments (
  id   TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rota (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  department_id TEXT    NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
  street_id     TEXT    NOT NULL,
  weekday       INTEGER NOT NULL,
  start         TEXT    NOT NULL,
  finish        TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS rota_street ON rota (street_id, weekday);
CREATE TABLE IF NOT EXISTS experts (
  id      TEXT PRIMARY KEY,
  pool    TEXT NOT NULL,
  name    TEXT NOT NULL,
  contact TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS unit_contacts (
  unit_id TEXT PRIMARY KEY,
  phone   TEXT NOT NULL,
  qr      TEXT,
  hours   TEXT
);
`

/** The directory's file in a data directory; main, the command and the tests agree on it. */
export function directoryFileIn(dataDir: string): string {
  return join(dataDir, 'directory.db')
}

/** shared/schemas/common.ts EntityIdSchema, for callers that do not go through a schema (the command). */
const ENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/
/** shared/schemas/directory.ts ClockSchema. */
const CLOCK = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/
/** A rota entry's id: `rota-<n>`. */
const ROTA_ID = /^rota-([1-9][0-9]{0,15})$/

export interface DirectoryStoreOptions {
  /** Where each change is recorded. */
  audit: AuditLog
  /** Whether a unit id is a street of the district: a rota entry sits at a street. */
  isStreet: (unitId: string) => boolean
  /** Epoch ms, for the audit entries (tests). */
  now?: () => number
}

interface RotaRow {
  seq: number
  department_id: string
  street_id: string
  weekday: number
  start: string
  finish: string
}

function invalid(field: string, rule: string, message: string): DirectoryFailure {
  return { ok: false, code: 'invalid', field, rule, message }
}

function textProblem(value: unknown, field: string, max = 64): DirectoryFailure | undefined {
  if (typeof value !== 'string' || value.trim().length === 0) return invalid(field, 'minLength', `${field} must not be empty`)
  if ([...value].length > max) return invalid(field, 'maxLength', `${field} is at most ${max} characters`)
  return undefined
}

function idProblem(value: unknown, field: string): DirectoryFailure | undefined {
  if (typeof value !== 'string' || !ENTITY_ID.test(value)) {
    return invalid(field, 'pattern', `${field} must be 1–64 letters, digits, . _ : - (starting with a letter or digit)`)
  }
  return undefined
}

/** The rules of a new department (shared by both engines); the value to store when it passes. */
export function checkDepartment(department: Department): DirectoryOutcome<Department> {
  const problem =
    idProblem(department.id, 'id') ??
    textProblem(department.name, 'name') ??
    (DEPARTMENT_KINDS.includes(department.kind) ? undefined : invalid('kind', 'enum', `kind must be one of ${DEPARTMENT_KINDS.join(', ')}`))
  return problem ?? { ok: true, value: { id: department.id, name: department.name.trim(), kind: department.kind } }
}

/** The rules of a new rota entry that need no look-up (shared by both engines). */
export function rotaProblem(entry: NewRotaEntry, isStreet: (unitId: string) => boolean): DirectoryFailure | undefined {
  return (
    idProblem(entry.departmentId, 'departmentId') ??
    (typeof entry.streetId === 'string' && isStreet(entry.streetId)
      ? undefined
      : invalid('streetId', 'street', `streetId ${String(entry.streetId)} is not a street of the district`)) ??
    (Number.isInteger(entry.weekday) && entry.weekday >= 1 && entry.weekday <= 7 ? undefined : invalid('weekday', 'range', 'weekday is 1 (Monday) to 7 (Sunday)')) ??
    (typeof entry.from === 'string' && CLOCK.test(entry.from) && entry.from !== '24:00' ? undefined : invalid('from', 'pattern', 'from is a time HH:MM, 00:00–23:59')) ??
    (typeof entry.to === 'string' && CLOCK.test(entry.to) ? undefined : invalid('to', 'pattern', 'to is a time HH:MM, 00:01–24:00')) ??
    (entry.from < entry.to ? undefined : invalid('to', 'after_from', `to (${entry.to}) must be later than from (${entry.from})`))
  )
}

/** The refusal of a rota entry that overlaps `clash`, the same department's at the same street and day. */
export function rotaClash(entry: NewRotaEntry, clash: RotaEntry): DirectoryFailure {
  return { ok: false, code: 'conflict', field: 'from', message: `${entry.departmentId} already sits at ${entry.streetId} on weekday ${entry.weekday} ${clash.from}–${clash.to} (${clash.id})` }
}

/** The rules of a new expert (shared by both engines); the value to store when it passes. */
export function checkExpert(expert: Expert): DirectoryOutcome<Expert> {
  const problem =
    idProblem(expert.id, 'id') ??
    (EXPERT_POOLS.includes(expert.pool) ? undefined : invalid('pool', 'enum', `pool must be one of ${EXPERT_POOLS.join(', ')}`)) ??
    textProblem(expert.name, 'name') ??
    textProblem(expert.contact, 'contact')
  return problem ?? { ok: true, value: { id: expert.id, pool: expert.pool, name: expert.name.trim(), contact: expert.contact.trim() } }
}

/** The seq of a rota id `rota-<n>`, or undefined. */
export function rotaSeq(id: string): number | undefined {
  const seq = ROTA_ID.exec(id)?.[1]
  return seq === undefined ? undefined : Number(seq)
}

function toRota(row: RotaRow): RotaEntry {
  return { id: `rota-${row.seq}`, departmentId: row.department_id, streetId: row.street_id, weekday: row.weekday, from: row.start, to: row.finish }
}

/** The ISO weekday (1 Monday … 7 Sunday) and HH:MM of an instant in a time zone. */
export function localWeekdayAndClock(at: number, timeZone: string): { weekday: number; clock: string } {
  const local = new Date(at + zoneOffset(at, timeZone))
  const weekday = local.getUTCDay() === 0 ? 7 : local.getUTCDay()
  const clock = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`
  return { weekday, clock }
}

export class DirectoryStore implements Directory {
  private readonly db: Database.Database
  private readonly audit: AuditLog
  private readonly isStreet: (unitId: string) => boolean
  private readonly now: () => number

  /** `:memory:` for a directory that lives as long as the app (tests, an app built without one). */
  constructor(filename: string, options: DirectoryStoreOptions) {
    this.db = new Database(filename)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('busy_timeout = 5000')
    this.db.pragma('foreign_keys = ON')
    this.db.exec(SCHEMA)
    this.audit = options.audit
    this.isStreet = options.isStreet
    this.now = options.now ?? Date.now
  }

  static open(dataDir: string, options: DirectoryStoreOptions): DirectoryStore {
    return new DirectoryStore(directoryFileIn(dataDir), options)
  }

  // ---- reads --------------------------------------------------------------------------------------

  departments(): Department[] {
    return this.db.prepare(`SELECT id, name, kind FROM departments ORDER BY id`).all() as Department[]
  }

  department(id: string): Department | undefined {
    return this.db.prepare(`SELECT id, name, kind FROM departments WHERE id = ?`).get(id) as Department | undefined
  }

  rota(): RotaEntry[] {
    return (this.db.prepare(`SELECT * FROM rota ORDER BY street_id, weekday, start, department_id, seq`).all() as RotaRow[]).map(toRota)
  }

  experts(): Expert[] {
    return this.db.prepare(`SELECT id, pool, name, contact FROM experts ORDER BY pool, id`).all() as Expert[]
  }

  expert(id: string): Expert | undefined {
    return this.db.prepare(`SELECT id, pool, name, contact FROM experts WHERE id = ?`).get(id) as Expert | undefined
  }

  /** Whether nothing has been entered yet (the demo fills an empty directory). */
  isEmpty(): boolean {
    return this.db.prepare(`SELECT (SELECT COUNT(*) FROM departments) + (SELECT COUNT(*) FROM experts)`).pluck().get() === 0
  }

  onDuty(streetIds: readonly string[], at: number, timeZone: string): OnDutyEntry[] {
    if (streetIds.length === 0) return []
    const { weekday, clock } = localWeekdayAndClock(at, timeZone)
    const rows = this.db
      .prepare(
        `SELECT r.street_id, r.start, r.finish, d.id, d.name, d.kind FROM rota r JOIN departments d ON d.id = r.department_id
         WHERE r.weekday = ? AND r.street_id IN (SELECT value FROM json_each(?))
         ORDER BY r.street_id, r.start, r.finish, d.id`,
      )
      .all(weekday, JSON.stringify(streetIds)) as { street_id: string; start: string; finish: string; id: string; name: string; kind: Department['kind'] }[]
    return rows.map((r) => ({
      department: { id: r.id, name: r.name, kind: r.kind },
      streetId: r.street_id,
      from: r.start,
      to: r.finish,
      // [from, to): exactly `from` is on duty, exactly `to` is not (HH:MM compares as text).
      now: r.start <= clock && clock < r.finish,
    }))
  }

  // ---- changes ------------------------------------------------------------------------------------

  async addDepartment(department: Department, actor: AuditActor): Promise<DirectoryOutcome<Department>> {
    const checked = checkDepartment(department)
    if (!checked.ok) return checked
    const value = checked.value
    const added = this.db.prepare(`INSERT OR IGNORE INTO departments (id, name, kind) VALUES (?, ?, ?)`).run(value.id, value.name, value.kind).changes > 0
    if (!added) return { ok: false, code: 'conflict', field: 'id', message: `department ${value.id} exists already` }
    await this.record(actor, `department:${value.id}`, null)
    return { ok: true, value }
  }

  async removeDepartment(id: string, actor: AuditActor): Promise<DirectoryOutcome<{ id: string }>> {
    const streets = this.db.prepare(`SELECT DISTINCT street_id FROM rota WHERE department_id = ?`).pluck().all(id) as string[]
    // Its rota goes with it (ON DELETE CASCADE, in the same statement).
    const removed = this.db.prepare(`DELETE FROM departments WHERE id = ?`).run(id).changes > 0
    if (!removed) return { ok: false, code: 'not_found', field: 'id', message: `no department ${id}` }
    await this.record(actor, `department:${id}`, streets.length === 1 ? streets[0]! : null)
    return { ok: true, value: { id } }
  }

  async addRota(entry: NewRotaEntry, actor: AuditActor): Promise<DirectoryOutcome<RotaEntry>> {
    const problem = rotaProblem(entry, this.isStreet)
    if (problem) return problem
    const outcome = this.db.transaction((): DirectoryOutcome<RotaEntry> => {
      if (!this.department(entry.departmentId)) {
        return { ok: false, code: 'not_found', field: 'departmentId', message: `no department ${entry.departmentId}` }
      }
      const clash = this.db
        .prepare(`SELECT * FROM rota WHERE department_id = ? AND street_id = ? AND weekday = ? AND start < ? AND ? < finish LIMIT 1`)
        .get(entry.departmentId, entry.streetId, entry.weekday, entry.to, entry.from) as RotaRow | undefined
      if (clash) return rotaClash(entry, toRota(clash))
      const seq = this.db
        .prepare(`INSERT INTO rota (department_id, street_id, weekday, start, finish) VALUES (?, ?, ?, ?, ?)`)
        .run(entry.departmentId, entry.streetId, entry.weekday, entry.from, entry.to).lastInsertRowid
      return { ok: true, value: { id: `rota-${seq}`, departmentId: entry.departmentId, streetId: entry.streetId, weekday: entry.weekday, from: entry.from, to: entry.to } }
    })()
    if (outcome.ok) await this.record(actor, `rota:${outcome.value.id}`, outcome.value.streetId)
    return outcome
  }

  async removeRota(id: string, actor: AuditActor): Promise<DirectoryOutcome<{ id: string }>> {
    const seq = rotaSeq(id)
    const row = seq === undefined ? undefined : (this.db.prepare(`SELECT * FROM rota WHERE seq = ?`).get(seq) as RotaRow | undefined)
    if (!row || this.db.prepare(`DELETE FROM rota WHERE seq = ?`).run(row.seq).changes === 0) {
      return { ok: false, code: 'not_found', field: 'id', message: `no rota entry ${id}` }
    }
    await this.record(actor, `rota:${id}`, row.street_id)
    return { ok: true, value: { id } }
  }

  async addExpert(expert: Expert, actor: AuditActor): Promise<DirectoryOutcome<Expert>> {
    const checked = checkExpert(expert)
    if (!checked.ok) return checked
    const value = checked.value
    const added = this.db.prepare(`INSERT OR IGNORE INTO experts (id, pool, name, contact) VALUES (?, ?, ?, ?)`).run(value.id, value.pool, value.name, value.contact).changes > 0
    if (!added) return { ok: false, code: 'conflict', field: 'id', message: `expert ${value.id} exists already` }
    await this.record(actor, `expert:${value.id}`, null)
    return { ok: true, value }
  }

  async removeExpert(id: string, actor: AuditActor): Promise<DirectoryOutcome<{ id: string }>> {
    if (this.db.prepare(`DELETE FROM experts WHERE id = ?`).run(id).changes === 0) {
      return { ok: false, code: 'not_found', field: 'id', message: `no expert ${id}` }
    }
    await this.record(actor, `expert:${id}`, null)
    return { ok: true, value: { id } }
  }

  contacts(): UnitContact[] {
    const rows = this.db.prepare(`SELECT unit_id, phone, qr, hours FROM unit_contacts ORDER BY unit_id`).all() as { unit_id: string; phone: string; qr: string | null; hours: string | null }[]
    return rows.map((r) => ({ unit: r.unit_id, phone: r.phone, ...(r.qr === null ? {} : { qr: r.qr }), ...(r.hours === null ? {} : { hours: r.hours }) }))
  }

  async setContact(contact: UnitContact, actor: AuditActor): Promise<DirectoryOutcome<UnitContact>> {
    const checked = checkContact(contact)
    if (!checked.ok) return checked
    const c = checked.value
    this.db
      .prepare(`INSERT INTO unit_contacts (unit_id, phone, qr, hours) VALUES (?, ?, ?, ?) ON CONFLICT (unit_id) DO UPDATE SET phone = excluded.phone, qr = excluded.qr, hours = excluded.hours`)
      .run(c.unit, c.phone, c.qr ?? null, c.hours ?? null)
    await this.record(actor, `contact:${c.unit}`, c.unit)
    return { ok: true, value: c }
  }

  async removeContact(unitId: string, actor: AuditActor): Promise<DirectoryOutcome<{ unit: string }>> {
    if (this.db.prepare(`DELETE FROM unit_contacts WHERE unit_id = ?`).run(unitId).changes === 0) {
      return { ok: false, code: 'not_found', field: 'unit', message: `no contact for unit ${unitId}` }
    }
    await this.record(actor, `contact:${unitId}`, unitId)
    return { ok: true, value: { unit: unitId } }
  }

  /** One SQLite file per data directory: the server seeds it at start, alone. */
  async seedWhenEmpty(fill: () => Promise<void>): Promise<boolean> {
    if (!this.isEmpty()) return false
    await fill()
    return true
  }

  // The change is in directory.db before its entry is in audit.db (two files: not atomic together).
  private record(actor: AuditActor, target: string, unit: string | null): Promise<void> {
    return this.audit.record({ at: this.now(), actor, action: 'directory.change', target, unit })
  }

  async close(): Promise<void> {
    this.db.close()
  }
}
