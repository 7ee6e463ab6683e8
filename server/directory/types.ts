// The directory's contract: departments, their rota at streets, and expert pools. One
// implementation (directory-store.ts, a SQLite file of its own beside auth.db); the routes, the
// console and the simulator read it through this.
import type { Department, Expert, NewRotaEntry, RotaEntry, UnitContact } from '../../shared/schemas/directory'
import type { AuditActor } from '../../shared/schemas/audit'

/** A department on duty at a street on a day: its slot, and whether `at` falls inside it. */
export interface OnDutyEntry {
  department: Department
  streetId: string
  from: string
  to: string
  now: boolean
}

export type DirectoryFailure =
  | { ok: false; code: 'not_found'; field: string; message: string }
  | { ok: false; code: 'conflict'; field: string; message: string }
  | { ok: false; code: 'invalid'; field: string; rule: string; message: string }

export type DirectoryOutcome<T> = { ok: true; value: T } | DirectoryFailure

export interface Directory {
  departments(): Department[]
  department(id: string): Department | undefined
  rota(): RotaEntry[]
  experts(): Expert[]
  expert(id: string): Expert | undefined
  /** Each change is recorded in the audit trail with its actor. */
  addDepartment(department: Department, actor: AuditActor): DirectoryOutcome<Department>
  /** Removing a department removes its rota entries too. */
  removeDepartment(id: string, actor: AuditActor): DirectoryOutcome<{ id: string }>
  addRota(entry: NewRotaEntry, actor: AuditActor): DirectoryOutcome<RotaEntry>
  removeRota(id: string, actor: AuditActor): DirectoryOutcome<{ id: string }>
  addExpert(expert: Expert, actor: AuditActor): DirectoryOutcome<Expert>
  removeExpert(id: string, actor: AuditActor): DirectoryOutcome<{ id: string }>
  /**
   * The rota entries of these streets on the weekday of `at` in `timeZone`, each with `now` true
   * when `at` lies in [from, to) local time.
   */
  onDuty(streetIds: readonly string[], at: number, timeZone: string): OnDutyEntry[]
  /** The units' own report contacts (a unit without one inherits its parent's: server/directory/contacts.ts). */
  contacts(): UnitContact[]
  /**
   * Sets (or replaces) a unit's report contact. The caller checks that the unit is the district, a
   * street or a community (contactUnitProblem); the store checks the rest.
   */
  setContact(contact: UnitContact, actor: AuditActor): DirectoryOutcome<UnitContact>
  removeContact(unitId: string, actor: AuditActor): DirectoryOutcome<{ unit: string }>
  close(): void
}
