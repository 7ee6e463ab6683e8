// The read queries of the SQLite store. Each answers from one read (a transaction where several
// statements must describe the same instant) and hands its result out only once everything
// committed so far is durable (`GroupCommit.whenDurable`): a read never gives out a seq or a row
// that power loss could take back.
import type Database from 'better-sqlite3'
import type { Actor, DispatchTarget, Satisfaction, Stage, TransitionStage, UnitLevel } from '../../shared/domain'
import type { LiveEvent, LiveSnapshot, OpenAlarm, OpenAlert, OpenRequest, WorkerPosition } from '../../shared/events'
import type { RequestDetail, StageRecord } from '../../shared/schemas/requests'
import type { Alarm } from '../../shared/schemas/alarms'
import { maskName, maskPhone } from '../../shared/privacy'
import type { AlertFacts, RequestFacts } from '../../shared/metrics'
import type { UnitRef } from '../geo/geography'
import type { AlertState, EventsAfter, GeographyRecord, PatrolFact, PlacedRequestFacts, RequestSummary, RollupCheckpoint } from './types'
import { REQUEST_EVENT, type AlarmRow, type AlertRow, type RequestRow } from './sqlite-schema'
import type { GroupCommit } from './sqlite-commit'

interface EventRow {
  seq: number
  type: LiveEvent['type']
  at: number
  grid_id: string
  data: string
}

const UNIT_COLUMN = { district: 'district_id', street: 'street_id', community: 'community_id', grid: 'grid_id' } as const

export class SqliteQueries {
  private readonly db: Database.Database
  private readonly commits: GroupCommit
  private readonly stmt: ReturnType<SqliteQueries['prepare']>

  constructor(db: Database.Database, commits: GroupCommit) {
    this.db = db
    this.commits = commits
    this.stmt = this.prepare()
  }

  private prepare() {
    const db = this.db
    return {
      lastSeq: db.prepare(`SELECT coalesce(max(seq), 0) AS seq FROM events`).pluck(),
      getRequest: db.prepare(`SELECT * FROM requests WHERE id = ?`),
      requestEvents: db.prepare(`SELECT seq, type, at, data, private, actor FROM events WHERE entity_id = ? AND ${REQUEST_EVENT} ORDER BY seq`),
      communitiesOfGrid: db.prepare(`SELECT community_id FROM grids WHERE grid_id = ?`).pluck(),
      getAlert: db.prepare(`SELECT * FROM alerts WHERE id = ?`),
      actorAt: db.prepare(`SELECT actor FROM events WHERE seq = ?`).pluck(),
      getAlarm: db.prepare(`SELECT * FROM alarms WHERE id = ?`),
      hasWorker: db.prepare(`SELECT 1 FROM workers WHERE worker_id = ?`).pluck(),
    }
  }

  async lastSeq(): Promise<number> {
    return this.commits.whenDurable(this.stmt.lastSeq.get() as number)
  }

  async getRequest(id: string, options: { reveal?: boolean } = {}): Promise<RequestDetail | undefined> {
    // One read: the row and its timeline describe the same instant.
    const read = this.db.transaction(() => {
      const row = this.stmt.getRequest.get(id) as RequestRow | undefined
      return row ? { row, events: this.stmt.requestEvents.all(id) as (EventRow & { private: string | null; actor: string | null })[] } : undefined
    })()
    if (!read) return undefined
    const { row, events } = read
    const stages: StageRecord[] = []
    const urges: RequestDetail['urges'] = []
    for (const e of events) {
      const data = JSON.parse(e.data) as Record<string, unknown>
      const priv = e.private ? (JSON.parse(e.private) as { note?: string }) : {}
      const actor = e.actor ? (JSON.parse(e.actor) as Actor) : undefined
      if (e.type === 'request.urged') {
        // Notes are kept as stage notes are: private to the log, shown in the detail.
        urges.push({ seq: e.seq, at: new Date(e.at).toISOString(), ...(actor ? { actor } : {}), ...(priv.note !== undefined ? { note: priv.note } : {}) })
        continue
      }
      const record: StageRecord = {
        seq: e.seq,
        stage: e.type === 'request.received' ? 'received' : (data.stage as Stage),
        at: new Date(e.at).toISOString(),
      }
      if (actor) record.actor = actor
      if (typeof data.assignee === 'string' || isTarget(data.assignee)) record.assignee = data.assignee
      if (priv.note !== undefined) record.note = priv.note
      if (typeof data.resolved === 'boolean') record.review = { resolved: data.resolved, satisfaction: data.satisfaction as never }
      stages.push(record)
    }
    const reporter = reporterOf(row, options.reveal ?? false)
    const detail: RequestDetail = {
      id: row.id,
      source: row.source,
      category: row.category,
      priority: row.priority,
      location: { lon: row.lon, lat: row.lat },
      gridId: row.grid_id,
      communityId: row.community_id,
      streetId: row.street_id,
      receivedAt: new Date(row.received_at).toISOString(),
      stage: row.stage,
      ...(row.description !== null ? { description: row.description } : {}),
      ...(reporter ? { reporter } : {}),
      stages,
      urges,
      // The last stage's seq (an urge does not move it), as a stale transition's failure gives it.
      seq: row.last_seq ?? row.created_seq,
    }
    return this.commits.whenDurable(detail)
  }

  /**
   * With `stage`: the requests now at it, whenever received (`from` and `openOnly` do not apply).
   * Along the unit's index, like the open ones (no stage index: every transition would move a row in it).
   */
  async listRequests(unit: UnitRef, options: { openOnly: boolean; from: number; limit: number; stage?: Stage }): Promise<RequestSummary[]> {
    const where = this.unitWhere(unit)
    const filter =
      options.stage !== undefined
        ? { sql: 'AND stage = ?', params: [options.stage] }
        : { sql: `AND received_at >= ? ${options.openOnly ? "AND stage NOT IN ('resolved', 'reviewed')" : ''}`, params: [options.from] }
    const rows = this.db
      .prepare(
        `SELECT id, grid_id, source, category, priority, stage, stage_at, received_at, reporter_name, reporter_phone, lon, lat, assignee, urges
         FROM requests WHERE ${where.sql} ${filter.sql} ORDER BY received_at, id LIMIT ?`,
      )
      .all(...where.params, ...filter.params, options.limit) as RequestRow[]
    const summaries = rows.map((r): RequestSummary => {
      const reporter = reporterOf(r, false)
      return {
        id: r.id,
        gridId: r.grid_id,
        source: r.source,
        category: r.category,
        priority: r.priority,
        stage: r.stage,
        stageAt: r.stage_at,
        receivedAt: r.received_at,
        ...(reporter ? { reporter } : {}),
        lon: r.lon,
        lat: r.lat,
        ...(r.assignee !== null ? { assignee: JSON.parse(r.assignee) as DispatchTarget | string } : {}),
        urges: r.urges,
      }
    })
    return this.commits.whenDurable(summaries)
  }

  /** Newest first, along the unit's alarm index (its open ones' partial index with `openOnly`). */
  async listAlarms(unit: UnitRef, options: { openOnly: boolean; limit: number }): Promise<Alarm[]> {
    const where = this.unitWhere(unit)
    const rows = this.db
      .prepare(`SELECT * FROM alarms WHERE ${where.sql} ${options.openOnly ? 'AND acked_seq IS NULL' : ''} ORDER BY raised_seq DESC LIMIT ?`)
      .all(...where.params, options.limit) as AlarmRow[]
    return this.commits.whenDurable(rows.map(toAlarm))
  }

  async getAlarm(id: string): Promise<Alarm | undefined> {
    const row = this.stmt.getAlarm.get(id) as AlarmRow | undefined
    return this.commits.whenDurable(row ? toAlarm(row) : undefined)
  }

  async hasWorker(workerId: string): Promise<boolean> {
    return this.commits.whenDurable(this.stmt.hasWorker.get(workerId) !== undefined)
  }

  async listAlerts(unit: UnitRef, options: { from: number; to: number; openOnly: boolean; limit: number }): Promise<AlertState[]> {
    const where = this.unitWhere(unit)
    const rows = this.db
      .prepare(
        `SELECT * FROM alerts WHERE ${where.sql} AND at >= ? AND at < ? ${options.openOnly ? 'AND verdict IS NULL' : ''}
         ORDER BY at DESC, id LIMIT ?`,
      )
      .all(...where.params, options.from, options.to, options.limit) as AlertRow[]
    return this.commits.whenDurable(
      rows.map((row) => ({ ...toOpenAlert(row), verdict: row.verdict, requestId: row.request_id, ...(row.snapshot_url ? { snapshotUrl: row.snapshot_url } : {}) })),
    )
  }

  async getAlert(id: string): Promise<AlertState | undefined> {
    const row = this.stmt.getAlert.get(id) as AlertRow | undefined
    if (!row) return this.commits.whenDurable(undefined)
    const actor = row.review_seq !== null ? (this.stmt.actorAt.get(row.review_seq) as string | null | undefined) : undefined
    return this.commits.whenDurable({
      ...toOpenAlert(row),
      verdict: row.verdict,
      requestId: row.request_id,
      ...(actor ? { reviewedBy: JSON.parse(actor) as Actor } : {}),
      ...(row.snapshot_url ? { snapshotUrl: row.snapshot_url } : {}),
    })
  }

  async requestsReceived(unit: UnitRef, from: number, to: number): Promise<RequestFacts[]> {
    const where = this.unitWhere(unit)
    return this.commits.whenDurable(this.requestFacts(`${where.sql} AND received_at >= ? AND received_at < ?`, [...where.params, from, to]))
  }

  async openRequests(unit: UnitRef): Promise<PlacedRequestFacts[]> {
    const where = this.unitWhere(unit)
    return this.commits.whenDurable(this.requestFacts(`${where.sql} AND stage NOT IN ('resolved', 'reviewed')`, where.params, true) as PlacedRequestFacts[])
  }

  /** Requests matching `where`, with their transitions read in one pass over the log (and places if asked). */
  private requestFacts(where: string, params: unknown[], placed = false): RequestFacts[] {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare(`SELECT id, source, category, priority, grid_id, received_at, lon, lat FROM requests WHERE ${where} ORDER BY received_at, id`)
        .all(...params) as RequestRow[]
      const facts = new Map<string, RequestFacts>()
      for (const row of rows) {
        facts.set(row.id, {
          id: row.id,
          source: row.source,
          category: row.category,
          priority: row.priority,
          gridId: row.grid_id,
          receivedAt: row.received_at,
          stages: [],
          ...(placed ? { lon: row.lon, lat: row.lat } : {}),
        })
      }
      const transitions = this.db
        .prepare(
          `SELECT entity_id, at, data FROM events
           WHERE type = 'request.transitioned' AND ${REQUEST_EVENT} AND entity_id IN (SELECT id FROM requests WHERE ${where}) ORDER BY seq`,
        )
        .all(...params) as { entity_id: string; at: number; data: string }[]
      for (const t of transitions) {
        const d = JSON.parse(t.data) as { stage: TransitionStage; resolved?: boolean; satisfaction?: Satisfaction }
        facts.get(t.entity_id)?.stages.push({
          stage: d.stage,
          at: t.at,
          ...(d.resolved !== undefined ? { resolved: d.resolved } : {}),
          ...(d.satisfaction !== undefined ? { satisfaction: d.satisfaction } : {}),
        })
      }
      return [...facts.values()]
    })()
  }

  async alertsRaised(unit: UnitRef, from: number, to: number): Promise<AlertFacts[]> {
    const where = this.unitWhere(unit)
    const rows = this.db
      .prepare(`SELECT id, kind, grid_id, at, verdict, reviewed_at FROM alerts WHERE ${where.sql} AND at >= ? AND at < ? ORDER BY at, id`)
      .all(...where.params, from, to) as AlertRow[]
    return this.commits.whenDurable(rows.map((a) => ({ id: a.id, kind: a.kind, gridId: a.grid_id, at: a.at, verdict: a.verdict, reviewedAt: a.reviewed_at })))
  }

  async patrolsBetween(unit: UnitRef, from: number, to: number): Promise<PatrolFact[]> {
    const where = this.unitWhere(unit)
    const span = this.seqSpan(unit)
    const rows = this.db
      .prepare(
        `SELECT entity_id, grid_id, at, data FROM events
         WHERE type = 'patrol.reported' AND ${where.sql} AND at >= ? AND at < ? ${span} ORDER BY seq`,
      )
      .all(...where.params, from, to, ...(span ? [from, to, from, to] : [])) as { entity_id: string; grid_id: string; at: number; data: string }[]
    const facts = rows.map((r): PatrolFact => {
      const d = JSON.parse(r.data) as { lon: number; lat: number }
      return { workerId: r.entity_id, gridId: r.grid_id, lon: d.lon, lat: d.lat, at: r.at }
    })
    return this.commits.whenDurable(facts)
  }

  async readLog(afterSeq: number, limit: number): Promise<LiveEvent[]> {
    const rows = this.db
      .prepare(`SELECT seq, type, at, grid_id, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?`)
      .all(afterSeq, limit) as EventRow[]
    return this.commits.whenDurable(rows.map(toLiveEvent))
  }

  async snapshot(unit: UnitRef): Promise<{ seq: number; snapshot: LiveSnapshot }> {
    const where = this.unitWhere(unit)
    // One read transaction: the rows and the seq describe the same instant.
    const result = this.db.transaction(() => {
      const seq = this.stmt.lastSeq.get() as number
      const requests = (
        this.db
          .prepare(
            `SELECT id, grid_id, source, category, priority, lon, lat, received_at, stage, stage_at FROM requests
             WHERE ${where.sql} AND stage NOT IN ('resolved', 'reviewed') ORDER BY received_at`,
          )
          .all(...where.params) as RequestRow[]
      ).map(
        (r): OpenRequest => ({
          requestId: r.id,
          gridId: r.grid_id,
          source: r.source,
          category: r.category,
          priority: r.priority,
          lon: r.lon,
          lat: r.lat,
          receivedAt: r.received_at,
          stage: r.stage,
          stageAt: r.stage_at,
        }),
      )
      const alerts = (
        this.db
          .prepare(`SELECT * FROM alerts WHERE ${where.sql} AND verdict IS NULL ORDER BY at`)
          .all(...where.params) as AlertRow[]
      ).map(toOpenAlert)
      const workers = (
        this.db
          .prepare(`SELECT worker_id, grid_id, kind, lon, lat, at FROM workers WHERE ${where.sql} ORDER BY worker_id`)
          .all(...where.params) as { worker_id: string; grid_id: string; kind: WorkerPosition['kind']; lon: number; lat: number; at: number }[]
      ).map((w): WorkerPosition => ({ workerId: w.worker_id, gridId: w.grid_id, kind: w.kind, lon: w.lon, lat: w.lat, at: w.at }))
      const alarms = (
        this.db.prepare(`SELECT * FROM alarms WHERE ${where.sql} AND acked_seq IS NULL ORDER BY raised_seq`).all(...where.params) as AlarmRow[]
      ).map(
        (a): OpenAlarm => ({ alarmId: a.id, reason: a.reason, subjectId: a.subject_id, gridId: a.grid_id, lon: a.lon, lat: a.lat, at: a.raised_at }),
      )
      return { seq, snapshot: { requests, alerts, workers, alarms } }
    })()
    return this.commits.whenDurable(result)
  }

  async eventsAfter(unit: UnitRef, sinceSeq: number, limit: number, maxBytes = Infinity): Promise<EventsAfter | undefined> {
    const where = this.unitWhere(unit)
    const result = this.db.transaction(() => {
      const seq = this.stmt.lastSeq.get() as number
      // Row by row, stopping at the first row past either bound: a gap too large to replay costs
      // no more reading than the bound, and no row outlives its event.
      const rows = this.db
        .prepare(`SELECT seq, type, at, grid_id, data FROM events WHERE ${where.sql} AND seq > ? ORDER BY seq LIMIT ?`)
        .iterate(...where.params, sinceSeq, limit + 1) as IterableIterator<EventRow>
      const events: LiveEvent[] = []
      let bytes = 0
      for (const row of rows) {
        bytes += eventJsonBytes(row)
        if (events.length === limit || bytes > maxBytes) return undefined
        events.push(toLiveEvent(row))
      }
      return { seq: Math.max(seq, sinceSeq), events }
    })()
    return this.commits.whenDurable(result)
  }

  async firstEventAt(from: number): Promise<number | undefined> {
    // Along the time index: one seek, however long the log.
    const at = this.db.prepare(`SELECT min(at) FROM events WHERE at >= ?`).pluck().get(from) as number | null
    return this.commits.whenDurable(at ?? undefined)
  }

  async eventsBetween(unit: UnitRef, from: number, to: number, limit: number, types?: readonly LiveEvent['type'][]): Promise<LiveEvent[]> {
    const where = this.unitWhere(unit)
    const typeFilter = types && types.length > 0 ? `AND type IN (${types.map(() => '?').join(', ')})` : ''
    const span = this.seqSpan(unit)
    const rows = this.db
      .prepare(`SELECT seq, type, at, grid_id, data FROM events WHERE ${where.sql} AND at >= ? AND at < ? ${span} ${typeFilter} ORDER BY seq LIMIT ?`)
      .all(...where.params, from, to, ...(span ? [from, to, from, to] : []), ...(typeFilter ? types! : []), limit) as EventRow[]
    return this.commits.whenDurable(rows.map(toLiveEvent))
  }

  /**
   * For a time window of a street, community or grid: the seqs of the window's events, from the
   * time index (its parameters: from, to, from, to). The unit indexes are (unit, seq), so without it
   * SQLite reads the unit's whole history and filters on time (a street's day out of 30 days of
   * 3 M events: 367 ms; with the span 83 ms). Exact: every event of the window lies in the span.
   * A district is read along the time index itself.
   */
  private seqSpan(unit: UnitRef): string {
    if (unit.level === 'district') return ''
    return `AND seq BETWEEN (SELECT min(seq) FROM events WHERE at >= ? AND at < ?) AND (SELECT max(seq) FROM events WHERE at >= ? AND at < ?)`
  }

  /**
   * The WHERE term for a unit's rows, with its parameters. A grid has no index of its own: its rows
   * are read along its community's index (from `grids`; normally one community) and filtered.
   */
  private unitWhere(unit: UnitRef): { sql: string; params: string[] } {
    if (unit.level !== 'grid') return { sql: `${UNIT_COLUMN[unit.level]} = ?`, params: [unit.id] }
    const communities = this.stmt.communitiesOfGrid.all(unit.id) as string[]
    return { sql: `community_id IN (${communities.map(() => '?').join(', ')}) AND grid_id = ?`, params: [...communities, unit.id] }
  }

  async activityTotals(unit: UnitRef, from: number, to: number): Promise<{ kind: string; activities: number; participants: number }[]> {
    if (unit.level === 'grid') return []
    const totals = this.db
      .prepare(
        `SELECT kind, count(*) AS activities, sum(participants) AS participants FROM activities
         WHERE ${UNIT_COLUMN[unit.level]} = ? AND at >= ? AND at < ? GROUP BY kind ORDER BY kind`,
      )
      .all(unit.id, from, to) as { kind: string; activities: number; participants: number }[]
    return this.commits.whenDurable(totals)
  }

  // ---- rollup checkpoints (server/metrics/checkpoint.ts) ------------------------------------------

  async loadCheckpoint(basis: string): Promise<RollupCheckpoint | undefined> {
    const row = this.db.prepare(`SELECT seq, basis, saved_at, data FROM rollup_checkpoints WHERE basis = ?`).get(basis) as
      | { seq: number; basis: string; saved_at: number; data: Buffer }
      | undefined
    return this.commits.whenDurable(row && { seq: row.seq, basis: row.basis, savedAt: row.saved_at, data: row.data })
  }

  // ---- the geography record (geography-guard.ts) ----------------------------------------------

  async geographyRecord(): Promise<GeographyRecord | undefined> {
    const record = this.db.transaction(() => {
      const head = this.db.prepare(`SELECT hash, recorded_at FROM geography WHERE id = 1`).get() as { hash: string; recorded_at: number } | undefined
      if (!head) return undefined
      const rows = this.db.prepare(`SELECT unit_id, level, parent_id, name FROM geography_units ORDER BY unit_id`).all() as {
        unit_id: string
        level: UnitLevel
        parent_id: string | null
        name: string
      }[]
      return { hash: head.hash, recordedAt: head.recorded_at, units: rows.map((r) => ({ id: r.unit_id, level: r.level, parentId: r.parent_id, name: r.name })) }
    })()
    return this.commits.whenDurable(record)
  }

  /**
   * Streets and communities are counted on their own indexes (index only); a grid along the
   * indexes of the communities `grids` names for it, all of a community's grids in one pass (or in
   * one pass over the log when that reads less); a grid that `grids` does not name has no event at
   * all. A district has no index: its count is the sum of its streets' (see `logStreets`).
   */
  async eventCountsByUnit(units: readonly UnitRef[]): Promise<number[]> {
    const counts = this.db.transaction(() => {
      const result = units.map(() => 0)
      const countStreet = this.db.prepare(`SELECT count(*) FROM events WHERE street_id = ?`).pluck()
      const countCommunity = this.db.prepare(`SELECT count(*) FROM events WHERE community_id = ?`).pluck()
      /** community → grid → the places in `units` that ask for it */
      const gridsByCommunity = new Map<string, Map<string, number[]>>()
      let streets: { streetId: string; districtId: string }[] | undefined
      units.forEach((unit, i) => {
        switch (unit.level) {
          case 'district':
            streets ??= this.logStreets()
            for (const s of streets) if (s.districtId === unit.id) result[i] += countStreet.get(s.streetId) as number
            break
          case 'street':
            result[i] = countStreet.get(unit.id) as number
            break
          case 'community':
            result[i] = countCommunity.get(unit.id) as number
            break
          case 'grid':
            for (const community of this.stmt.communitiesOfGrid.all(unit.id) as string[]) {
              const grids = gridsByCommunity.get(community) ?? new Map<string, number[]>()
              gridsByCommunity.set(community, grids)
              grids.set(unit.id, [...(grids.get(unit.id) ?? []), i])
            }
            break
        }
      })
      if (gridsByCommunity.size === 0) return result
      // Through the community index each row costs a lookup of its own (about 3× a row read in
      // order: a community's rows are spread over the whole log), so when the communities hold more
      // than a third of the log, one pass over the log in order reads less. (seq is the rowid and no
      // row is ever deleted, so the last seq is the number of rows.)
      let inCommunities = 0
      for (const community of gridsByCommunity.keys()) inCommunities += countCommunity.get(community) as number
      const byGrid = new Map<string, number[]>()
      for (const grids of gridsByCommunity.values()) for (const [grid, places] of grids) byGrid.set(grid, places)
      type GridCount = { grid_id: string; n: number }
      const wholeLog = inCommunities * 3 > (this.stmt.lastSeq.get() as number)
      const inCommunity = this.db.prepare(`SELECT grid_id, count(*) AS n FROM events WHERE community_id = ? GROUP BY grid_id`)
      const rows = wholeLog
        ? (this.db.prepare(`SELECT grid_id, count(*) AS n FROM events GROUP BY grid_id`).all() as GridCount[])
        : [...gridsByCommunity.keys()].flatMap((community) => inCommunity.all(community) as GridCount[])
      for (const row of rows) for (const i of byGrid.get(row.grid_id) ?? []) result[i] += row.n
      return result
    })()
    return this.commits.whenDurable(counts)
  }

  async unitsInLog(): Promise<UnitRef[]> {
    const units = this.db.transaction(() => {
      const streets = this.logStreets()
      const refs: UnitRef[] = [...new Set(streets.map((s) => s.districtId))].map((id) => ({ id, level: 'district' }))
      for (const s of streets) refs.push({ id: s.streetId, level: 'street' })
      for (const id of this.db.prepare(`SELECT DISTINCT community_id FROM grids ORDER BY community_id`).pluck().all() as string[]) {
        refs.push({ id, level: 'community' })
      }
      for (const id of this.db.prepare(`SELECT DISTINCT grid_id FROM grids ORDER BY grid_id`).pluck().all() as string[]) {
        refs.push({ id, level: 'grid' })
      }
      return refs
    })()
    return this.commits.whenDurable(units)
  }

  /**
   * The streets the log names, one seek each along the street index (a skip scan), each with the
   * district of its first event. Every event of a street names the same district: a geography has
   * one district, a start whose district replaces one that events name is stopped by the guard, and
   * a store written before the guard knew only the sample. So a district's events are its streets'
   * events, counted on the street index, and no district question reads the whole log.
   */
  private logStreets(): { streetId: string; districtId: string }[] {
    const first = this.db.prepare(`SELECT street_id FROM events ORDER BY street_id LIMIT 1`).pluck()
    const next = this.db.prepare(`SELECT street_id FROM events WHERE street_id > ? ORDER BY street_id LIMIT 1`).pluck()
    const districtOf = this.db.prepare(`SELECT district_id FROM events WHERE street_id = ? ORDER BY seq LIMIT 1`).pluck()
    const streets: { streetId: string; districtId: string }[] = []
    for (let id = first.get() as string | undefined; id !== undefined; id = next.get(id) as string | undefined) {
      streets.push({ streetId: id, districtId: districtOf.get(id) as string })
    }
    return streets
  }
}

/** The reporter as a view may see them: masked (张* / 138****1234) unless revealed to the center. */
function reporterOf(row: { reporter_name: string | null; reporter_phone: string | null }, reveal: boolean): { name?: string; phone?: string } | undefined {
  const reporter: { name?: string; phone?: string } = {}
  if (row.reporter_name) reporter.name = reveal ? row.reporter_name : maskName(row.reporter_name)
  if (row.reporter_phone) reporter.phone = reveal ? row.reporter_phone : maskPhone(row.reporter_phone)
  return reporter.name || reporter.phone ? reporter : undefined
}

function isTarget(value: unknown): value is DispatchTarget {
  return typeof value === 'object' && value !== null && typeof (value as DispatchTarget).kind === 'string' && typeof (value as DispatchTarget).id === 'string'
}

/** An alarm as the API gives it: times as ISO strings, as in a request's detail. */
function toAlarm(a: AlarmRow): Alarm {
  return {
    id: a.id,
    reason: a.reason,
    subjectId: a.subject_id,
    gridId: a.grid_id,
    lon: a.lon,
    lat: a.lat,
    raisedAt: new Date(a.raised_at).toISOString(),
    seq: a.raised_seq,
    ...(a.acked_seq !== null
      ? { ack: { at: new Date(a.acked_at!).toISOString(), actor: JSON.parse(a.acked_by!) as Actor, seq: a.acked_seq } }
      : {}),
  }
}

function toOpenAlert(a: AlertRow): OpenAlert {
  return { alertId: a.id, gridId: a.grid_id, cameraId: a.camera_id, kind: a.kind, confidence: a.confidence, lon: a.lon, lat: a.lat, at: a.at }
}

function toLiveEvent(row: EventRow): LiveEvent {
  return { seq: row.seq, type: row.type, at: row.at, gridId: row.grid_id, ...JSON.parse(row.data) } as LiveEvent
}

/**
 * The bytes of the event's JSON as it is sent, to within a few: `data` holds every field but the
 * four columns, whose keys and numbers take about 60 bytes besides the type and grid id.
 */
function eventJsonBytes(row: EventRow): number {
  return Buffer.byteLength(row.data) + row.type.length + row.grid_id.length + 60
}
