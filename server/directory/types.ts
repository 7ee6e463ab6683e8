// The directory's contract: departments, their rota at streets, and expert pools. Two
// implementations: a SQLite file of its own beside auth.db (directory-store.ts) and PostgreSQL,
// shared by every process on the database (pg-directory.ts). The routes, the console and the
// simulator read it through this; reads are synchronous (the simulator asks at every step).
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
  /** Whether nothing has been entered yet (the demo fills an empty directory). */
  isEmpty(): boolean
  /**
   * Each change is recorded in the audit trail with its actor; it is visible to this process's
   * reads when the promise resolves (and to other processes on the same database soon after).
   */
  addDepartment(department: Department, actor: AuditActor): Promise<DirectoryOutcome<Department>>
  /** Removing a department removes its rota entries too. */
  removeDepartment(id: string, actor: AuditActor): Promise<DirectoryOutcome<{ id: string }>>
  addRota(entry: NewRotaEntry, actor: AuditActor): Promise<DirectoryOutcome<RotaEntry>>
  removeRota(id: string, actor: AuditActor): Promise<DirectoryOutcome<{ id: string }>>
  addExpert(expert: Expert, actor: AuditActor): Promise<DirectoryOutcome<Expert>>
  removeExpert(id: string, actor: AuditActor): Promise<DirectoryOutcome<{ id: string }>>
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
  setContact(contact: UnitContact, actor: AuditActor): Promise<DirectoryOutcome<UnitContact>>
  removeContact(unitId: string, actor: AuditActor): Promise<DirectoryOutcome<{ unit: string }>>
  /**
   * Runs `fill` if the directory is empty, while no other `seedWhenEmpty` on the same directory runs
   * (two processes starting at once on an empty database seed it once). Resolves whether it ran.
   */
  seedWhenEmpty(fill: () => Promise<void>): Promise<boolean>
  close(): Promise<void>
}
