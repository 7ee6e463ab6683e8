// The directory in PostgreSQL (OUTPOST_DATABASE_URL), shared by every Outpost process and by
// `npm run directory` on the database. Plain SQL on `pg`, tables of their own (`directory_*`) with a
// schema version, created at open under an advisory lock (several processes may start at once).
//
// The simulator and the routes read the directory synchronously at every step, so each process keeps
// a copy in memory: read whole at open, and again whenever any process changes it (every change
// sends NOTIFY outpost_directory in its transaction; each process LISTENs and reloads). A change made
// here reloads before it resolves, so this process reads its own write at once; another process reads
// it once the notification arrives. A lost notification connection reloads on reconnecting.
//
// Changes are serialised by an advisory lock held in their transaction (the checks, e.g. an
// overlapping rota slot, read what every other process committed); each change and its audit entry
// are one transaction: both or neither.
import pg from 'pg'
import type { AuditActor } from '../../shared/schemas/audit'
import type { Department, Expert, NewRotaEntry, RotaEntry, UnitContact } from '../../shared/schemas/directory'
import type { PgAuditLog } from '../audit/pg-audit-log'
import { checkContact } from './contacts'
import { checkDepartment, checkExpert, localWeekdayAndClock, rotaClash, rotaProblem, rotaSeq } from './directory-store'
import type { Directory, DirectoryOutcome, OnDutyEntry } from './types'
import { prepareVersionedTables } from '../store/pg-versioned-tables'

/** The version of the `directory_*` tables this build writes; a database at another version is refused. */
export const DIRECTORY_SCHEMA_VERSION = 1

/** The channel every process listens on. */
export const DIRECTORY_CHANNEL = 'outpost_directory'

/** Arbitrary constants: advisory locks for schema creation, for changes, and for the demo seed. */
const SCHEMA_LOCK = 7_310_420_004
const CHANGE_LOCK = 7_310_420_005
const SEED_LOCK = 7_310_420_006
/** Wait before opening a lost notification connection again (ms). */
const RELISTEN_MS = 1000

const SCHEMA = `
CREATE TABLE IF NOT EXISTS directory_schema (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS directory_departments (
  id   text PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL
);
CREATE TABLE IF NOT EXISTS directory_rota (
  seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  department_id text    NOT NULL REFERENCES directory_departments (id) ON DELETE CASCADE,
  street_id     text    NOT NULL,
  weekday       integer NOT NULL,
  start         text    NOT NULL,
  finish        text    NOT NULL
);
CREATE INDEX IF NOT EXISTS directory_rota_department ON directory_rota (department_id, street_id, weekday);
CREATE TABLE IF NOT EXISTS directory_experts (
  id      text PRIMARY KEY,
  pool    text NOT NULL,
  name    text NOT NULL,
  contact text NOT NULL
);
CREATE TABLE IF NOT EXISTS directory_contacts (
  unit_id text PRIMARY KEY,
  phone   text NOT NULL,
  qr      text,
  hours   text
);
`

/** The whole directory in one statement (one snapshot: no rota entry without its department). */
const LOAD = `
SELECT
  (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'kind', kind) ORDER BY id), '[]') FROM directory_departments) AS departments,
  (SELECT coalesce(json_agg(json_build_object('seq', seq, 'departmentId', department_id, 'streetId', street_id, 'weekday', weekday, 'from', start, 'to', finish)
     ORDER BY street_id, weekday, start, department_id, seq), '[]') FROM directory_rota) AS rota,
  (SELECT coalesce(json_agg(json_build_object('id', id, 'pool', pool, 'name', name, 'contact', contact) ORDER BY pool, id), '[]') FROM directory_experts) AS experts,
  (SELECT coalesce(json_agg(json_build_object('unit', unit_id, 'phone', phone, 'qr', qr, 'hours', hours) ORDER BY unit_id), '[]') FROM directory_contacts) AS contacts
`

export class DirectorySchemaError extends Error {}

export interface PgDirectoryOptions {
  /** Where each change is recorded: the audit trail on the same database (one transaction with the change). */
  audit: PgAuditLog
  /** Whether a unit id is a street of the district: a rota entry sits at a street. */
  isStreet: (unitId: string) => boolean
  /** Epoch ms, for the audit entries (tests). */
  now?: () => number
  /** Listen for other processes' changes (default true; a one-shot command needs not). */
  listen?: boolean
  /** Connections in the pool (default 2: seedWhenEmpty holds one while its changes take another). */
  poolSize?: number
}

interface Snapshot {
  departments: Department[]
  rota: RotaEntry[]
  experts: Expert[]
  contacts: UnitContact[]
  departmentById: Map<string, Department>
  expertById: Map<string, Expert>
}

const EMPTY: Snapshot = { departments: [], rota: [], experts: [], contacts: [], departmentById: new Map(), expertById: new Map() }

type Change<T> = { outcome: DirectoryOutcome<T>; target?: string; unit?: string | null }

export class PgDirectory implements Directory {
  private data: Snapshot = EMPTY
  private readonly audit: PgAuditLog
  private readonly isStreet: (unitId: string) => boolean
  private readonly now: () => number
  private listener: pg.Client | undefined
  private relistenTimer: NodeJS.Timeout | undefined
  private closed = false
  private loading: Promise<void> | undefined
  private queued: Promise<void> | undefined

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    options: PgDirectoryOptions,
  ) {
    this.audit = options.audit
    this.isStreet = options.isStreet
    this.now = options.now ?? Date.now
  }

  /** Connects, creates the tables when missing (or refuses another schema version), listens, and reads the directory. */
  static async open(url: string, options: PgDirectoryOptions): Promise<PgDirectory> {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 2 })
    // An idle connection that the server drops must not take the process down.
    pool.on('error', () => undefined)
    const directory = new PgDirectory(pool, url, options)
    try {
      await directory.prepareSchema()
      // Listening first: a change committed between the read and the LISTEN would be missed.
      if (options.listen !== false) await directory.startListening()
      await directory.refresh()
    } catch (error) {
      await directory.close()
      throw error
    }
    return directory
  }

  private async prepareSchema(): Promise<void> {
    await this.tx((c) =>
      prepareVersionedTables(c, {
        lock: SCHEMA_LOCK,
        versionTable: 'directory_schema',
        version: DIRECTORY_SCHEMA_VERSION,
        what: 'directory tables',
        ddl: SCHEMA,
        refuse: DirectorySchemaError,
      }),
    )
  }

  private async startListening(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url })
    client.on('notification', (message) => {
      if (message.channel === DIRECTORY_CHANNEL) void this.refresh().catch(() => undefined)
    })
    const lost = () => {
      if (this.listener !== client) return
      this.listener = undefined
      client.end().catch(() => undefined)
      if (!this.closed) this.relistenTimer = setTimeout(() => void this.relisten(), RELISTEN_MS)
    }
    client.on('error', lost)
    client.on('end', lost)
    this.listener = client
    await client.connect()
    await client.query(`LISTEN ${DIRECTORY_CHANNEL}`)
  }

  private async relisten(): Promise<void> {
    if (this.closed) return
    try {
      await this.startListening()
      // What changed while no one listened: read it all again.
      await this.refresh()
    } catch {
      const client = this.listener
      this.listener = undefined
      client?.end().catch(() => undefined)
      if (!this.closed) this.relistenTimer = setTimeout(() => void this.relisten(), RELISTEN_MS)
    }
  }

  /**
   * Reads the directory again. A call while a read is under way waits for one that starts after it
   * (that read may have begun before the change the caller wants to see); calls meanwhile share it.
   */
  refresh(): Promise<void> {
    if (!this.loading) {
      this.loading = this.load().finally(() => {
        this.loading = undefined
      })
      return this.loading
    }
    this.queued ??= this.loading
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined
        return this.refresh()
      })
    return this.queued
  }

  private async load(): Promise<void> {
    if (this.closed) return
    const { rows } = await this.pool.query<{ departments: Department[]; rota: (Omit<RotaEntry, 'id'> & { seq: string | number })[]; experts: Expert[]; contacts: (UnitContact & { qr: string | null; hours: string | null })[] }>(LOAD)
    const row = rows[0]!
    const departments = row.departments
    const experts = row.experts
    this.data = {
      departments,
      rota: row.rota.map(({ seq, ...r }) => ({ id: `rota-${seq}`, departmentId: r.departmentId, streetId: r.streetId, weekday: r.weekday, from: r.from, to: r.to })),
      experts,
      contacts: row.contacts.map((c) => ({ unit: c.unit, phone: c.phone, ...(c.qr === null ? {} : { qr: c.qr }), ...(c.hours === null ? {} : { hours: c.hours }) })),
      departmentById: new Map(departments.map((d) => [d.id, d])),
      expertById: new Map(experts.map((e) => [e.id, e])),
    }
  }

  private async tx<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const result = await run(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  /**
   * One change: under the change lock, `run` decides; a change that succeeds writes its audit entry
   * and the notification in the same transaction. A refusal has written nothing.
   */
  private async change<T>(actor: AuditActor, run: (client: pg.PoolClient) => Promise<Change<T>>): Promise<DirectoryOutcome<T>> {
    const outcome = await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [CHANGE_LOCK])
      const done = await run(c)
      if (!done.outcome.ok) return done.outcome
      await this.audit.insertIn(c, { at: this.now(), actor, action: 'directory.change', target: done.target!, unit: done.unit ?? null })
      await c.query('SELECT pg_notify($1, $2)', [DIRECTORY_CHANNEL, ''])
      return done.outcome
    })
    if (outcome.ok) await this.refresh()
    return outcome
  }

  // ---- reads --------------------------------------------------------------------------------------

  departments(): Department[] {
    return this.data.departments.map((d) => ({ ...d }))
  }

  department(id: string): Department | undefined {
    const d = this.data.departmentById.get(id)
    return d && { ...d }
  }

  rota(): RotaEntry[] {
    return this.data.rota.map((r) => ({ ...r }))
  }

  experts(): Expert[] {
    return this.data.experts.map((e) => ({ ...e }))
  }

  expert(id: string): Expert | undefined {
    const e = this.data.expertById.get(id)
    return e && { ...e }
  }

  isEmpty(): boolean {
    return this.data.departments.length === 0 && this.data.experts.length === 0
  }

  onDuty(streetIds: readonly string[], at: number, timeZone: string): OnDutyEntry[] {
    if (streetIds.length === 0) return []
    const { weekday, clock } = localWeekdayAndClock(at, timeZone)
    const streets = new Set(streetIds)
    const found: OnDutyEntry[] = []
    for (const r of this.data.rota) {
      if (r.weekday !== weekday || !streets.has(r.streetId)) continue
      const department = this.data.departmentById.get(r.departmentId)
      if (!department) continue
      // [from, to): exactly `from` is on duty, exactly `to` is not (HH:MM compares as text).
      found.push({ department: { ...department }, streetId: r.streetId, from: r.from, to: r.to, now: r.from <= clock && clock < r.to })
    }
    // The SQLite engine's order: street, from, to, department.
    const key = (e: OnDutyEntry) => [e.streetId, e.from, e.to, e.department.id]
    return found.sort((a, b) => {
      const ka = key(a)
      const kb = key(b)
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1
      return 0
    })
  }

  contacts(): UnitContact[] {
    return this.data.contacts.map((c) => ({ ...c }))
  }

  // ---- changes ------------------------------------------------------------------------------------

  addDepartment(department: Department, actor: AuditActor): Promise<DirectoryOutcome<Department>> {
    const checked = checkDepartment(department)
    if (!checked.ok) return Promise.resolve(checked)
    const value = checked.value
    return this.change(actor, async (c) => {
      const added = (await c.query(`INSERT INTO directory_departments (id, name, kind) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, [value.id, value.name, value.kind])).rowCount! > 0
      if (!added) return { outcome: { ok: false, code: 'conflict', field: 'id', message: `department ${value.id} exists already` } }
      return { outcome: { ok: true, value }, target: `department:${value.id}`, unit: null }
    })
  }

  removeDepartment(id: string, actor: AuditActor): Promise<DirectoryOutcome<{ id: string }>> {
    return this.change(actor, async (c) => {
      const streets = (await c.query<{ street_id: string }>(`SELECT DISTINCT street_id FROM directory_rota WHERE department_id = $1`, [id])).rows.map((r) => r.street_id)
      // Its rota goes with it (ON DELETE CASCADE, in the same statement).
      const removed = (await c.query(`DELETE FROM directory_departments WHERE id = $1`, [id])).rowCount! > 0
      if (!removed) return { outcome: { ok: false, code: 'not_found', field: 'id', message: `no department ${id}` } }
      return { outcome: { ok: true, value: { id } }, target: `department:${id}`, unit: streets.length === 1 ? streets[0]! : null }
    })
  }

  addRota(entry: NewRotaEntry, actor: AuditActor): Promise<DirectoryOutcome<RotaEntry>> {
    const problem = rotaProblem(entry, this.isStreet)
    if (problem) return Promise.resolve(problem)
    return this.change(actor, async (c) => {
      if ((await c.query(`SELECT 1 FROM directory_departments WHERE id = $1`, [entry.departmentId])).rowCount === 0) {
        return { outcome: { ok: false, code: 'not_found', field: 'departmentId', message: `no department ${entry.departmentId}` } }
      }
      const clash = (
        await c.query<{ seq: string; start: string; finish: string }>(
          `SELECT seq, start, finish FROM directory_rota WHERE department_id = $1 AND street_id = $2 AND weekday = $3 AND start < $4 AND $5 < finish ORDER BY seq LIMIT 1`,
          [entry.departmentId, entry.streetId, entry.weekday, entry.to, entry.from],
        )
      ).rows[0]
      if (clash) {
        return { outcome: rotaClash(entry, { id: `rota-${clash.seq}`, departmentId: entry.departmentId, streetId: entry.streetId, weekday: entry.weekday, from: clash.start, to: clash.finish }) }
      }
      const seq = (
        await c.query<{ seq: string }>(`INSERT INTO directory_rota (department_id, street_id, weekday, start, finish) VALUES ($1, $2, $3, $4, $5) RETURNING seq`, [
          entry.departmentId,
          entry.streetId,
          entry.weekday,
          entry.from,
          entry.to,
        ])
      ).rows[0]!.seq
      const value: RotaEntry = { id: `rota-${seq}`, departmentId: entry.departmentId, streetId: entry.streetId, weekday: entry.weekday, from: entry.from, to: entry.to }
      return { outcome: { ok: true, value }, target: `rota:${value.id}`, unit: value.streetId }
    })
  }

  removeRota(id: string, actor: AuditActor): Promise<DirectoryOutcome<{ id: string }>> {
    const seq = rotaSeq(id)
    const missing: DirectoryOutcome<{ id: string }> = { ok: false, code: 'not_found', field: 'id', message: `no rota entry ${id}` }
    if (seq === undefined || !Number.isSafeInteger(seq)) return Promise.resolve(missing)
    return this.change(actor, async (c) => {
      const row = (await c.query<{ street_id: string }>(`DELETE FROM directory_rota WHERE seq = $1 RETURNING street_id`, [seq])).rows[0]
      if (!row) return { outcome: missing }
      return { outcome: { ok: true, value: { id } }, target: `rota:${id}`, unit: row.street_id }
    })
  }

  addExpert(expert: Expert, actor: AuditActor): Promise<DirectoryOutcome<Expert>> {
    const checked = checkExpert(expert)
    if (!checked.ok) return Promise.resolve(checked)
    const value = checked.value
    return this.change(actor, async (c) => {
      const added =
        (await c.query(`INSERT INTO directory_experts (id, pool, name, contact) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`, [value.id, value.pool, value.name, value.contact]))
          .rowCount! > 0
      if (!added) return { outcome: { ok: false, code: 'conflict', field: 'id', message: `expert ${value.id} exists already` } }
      return { outcome: { ok: true, value }, target: `expert:${value.id}`, unit: null }
    })
  }

  removeExpert(id: string, actor: AuditActor): Promise<DirectoryOutcome<{ id: string }>> {
    return this.change(actor, async (c) => {
      if ((await c.query(`DELETE FROM directory_experts WHERE id = $1`, [id])).rowCount === 0) {
        return { outcome: { ok: false, code: 'not_found', field: 'id', message: `no expert ${id}` } }
      }
      return { outcome: { ok: true, value: { id } }, target: `expert:${id}`, unit: null }
    })
  }

  setContact(contact: UnitContact, actor: AuditActor): Promise<DirectoryOutcome<UnitContact>> {
    const checked = checkContact(contact)
    if (!checked.ok) return Promise.resolve(checked)
    const value = checked.value
    return this.change(actor, async (c) => {
      await c.query(
        `INSERT INTO directory_contacts (unit_id, phone, qr, hours) VALUES ($1, $2, $3, $4)
         ON CONFLICT (unit_id) DO UPDATE SET phone = excluded.phone, qr = excluded.qr, hours = excluded.hours`,
        [value.unit, value.phone, value.qr ?? null, value.hours ?? null],
      )
      return { outcome: { ok: true, value }, target: `contact:${value.unit}`, unit: value.unit }
    })
  }

  removeContact(unitId: string, actor: AuditActor): Promise<DirectoryOutcome<{ unit: string }>> {
    return this.change(actor, async (c) => {
      if ((await c.query(`DELETE FROM directory_contacts WHERE unit_id = $1`, [unitId])).rowCount === 0) {
        return { outcome: { ok: false, code: 'not_found', field: 'unit', message: `no contact for unit ${unitId}` } }
      }
      return { outcome: { ok: true, value: { unit: unitId } }, target: `contact:${unitId}`, unit: unitId }
    })
  }

  /**
   * Holds the seed lock on a connection of its own while it reads the directory afresh and, if it is
   * still empty, runs `fill`: a second process starting at once waits, then finds it filled.
   */
  async seedWhenEmpty(fill: () => Promise<void>): Promise<boolean> {
    const client = await this.pool.connect()
    try {
      await client.query('SELECT pg_advisory_lock($1)', [SEED_LOCK])
      try {
        await this.refresh()
        if (!this.isEmpty()) return false
        await fill()
        return true
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK])
      }
    } finally {
      client.release()
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.relistenTimer)
    const listener = this.listener
    this.listener = undefined
    await listener?.end().catch(() => undefined)
    await this.loading?.catch(() => undefined)
    await this.pool.end()
  }
}
