// SQLite engine (better-sqlite3, WAL): the store's class and its write projections. Each write is
// a job of the group-commit engine (sqlite-commit.ts), which commits the jobs of one event-loop turn
// together and answers them once durable; the reads are in sqlite-queries.ts. A write appends its
// event to the log and updates the projections (`requests`, `alerts`, `workers`, `grids`) in the
// same transaction, after checking what needs state (idempotency, the lifecycle, time order).
import Database from 'better-sqlite3'
import { alarmIdOf, allowedNextStages, isClosedStage, type Actor, type Stage, type TransitionStage } from '../../shared/domain'
import type { LiveEvent, LiveSnapshot, UnsequencedEvent } from '../../shared/events'
import type { RequestDetail, UrgeReply } from '../../shared/schemas/requests'
import type { Alarm, AlarmAckReply } from '../../shared/schemas/alarms'
import type { AlertFacts, RequestFacts } from '../../shared/metrics'
import type { UnitRef } from '../geo/geography'
import type {
  AlertState,
  CreatedReply,
  EventsAfter,
  GeographyRecord,
  HistoryOp,
  NewAlarm,
  NewAlarmAck,
  NewAlert,
  NewAlertReview,
  NewPing,
  NewRequest,
  NewTransition,
  NewUrge,
  Outcome,
  NewActivity,
  PatrolFact,
  PlacedRequestFacts,
  RequestSummary,
  ReviewedReply,
  RollupCheckpoint,
  Store,
  StoreFailure,
  TransitionedReply,
} from './types'
import { MIGRATIONS, SCHEMA_SQL, SCHEMA_VERSION, type AlarmRow, type AlertRow, type RequestRow } from './sqlite-schema'
import { GroupCommit, type DurabilityOptions } from './sqlite-commit'
import { SqliteQueries } from './sqlite-queries'

export { INLINE_BACKOFF_MS, INLINE_SYNC_LIMIT_MS, type SqliteSync } from './sqlite-commit'

export interface SqliteStoreOptions extends DurabilityOptions {
  /** A file path, or ':memory:' for tests. */
  filename: string
}

export class SqliteStore implements Store {
  readonly engine = 'sqlite'
  private readonly db: Database.Database
  private readonly commits: GroupCommit
  private readonly queries: SqliteQueries
  private readonly stmt: ReturnType<SqliteStore['prepare']>
  /** The communities of each grid whose row in `grids` is committed (normally one). */
  private readonly knownGrids = new Map<string, string[]>()
  /** Set while `importHistory` runs: the backfill raises no alarms. */
  private importing = false

  constructor(options: SqliteStoreOptions) {
    const sync = options.synchronous ?? 'full'
    this.db = new Database(options.filename)
    const journal = this.db.pragma('journal_mode = WAL', { simple: true }) as string
    this.db.pragma(`synchronous = ${sync === 'full-inline' ? 'FULL' : 'NORMAL'}`)
    this.db.pragma('busy_timeout = 5000')
    this.migrate()
    this.stmt = this.prepare()
    for (const row of this.db.prepare(`SELECT grid_id, community_id FROM grids`).all() as { grid_id: string; community_id: string }[]) {
      this.gridKnown(row.grid_id, row.community_id)
    }
    this.commits = new GroupCommit(this.db, journal, options)
    this.queries = new SqliteQueries(this.db, this.commits)
  }

  private migrate(): void {
    let version = this.db.pragma('user_version', { simple: true }) as number
    if (version > SCHEMA_VERSION) throw new Error(`data file has schema version ${version}; this build knows ${SCHEMA_VERSION}`)
    if (version === 0) {
      this.db.transaction(() => {
        this.db.exec(SCHEMA_SQL)
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`)
      })()
      return
    }
    for (; version < SCHEMA_VERSION; version++) {
      const next = version + 1
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version]!)
        this.db.pragma(`user_version = ${next}`)
      })()
    }
  }

  private prepare() {
    const db = this.db
    return {
      // Positional parameters on the statements every ping and request runs: binding by name
      // costs better-sqlite3 about 5 µs more per row.
      insertEvent: db.prepare(
        `INSERT INTO events (type, entity_id, at, district_id, street_id, community_id, grid_id, data, private, actor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      getRequest: db.prepare(`SELECT * FROM requests WHERE id = ?`),
      insertRequest: db.prepare(
        `INSERT INTO requests (id, source, category, priority, lon, lat, district_id, street_id, community_id, grid_id,
           received_at, description, reporter_name, reporter_phone, stage, stage_at, created_seq, fingerprint)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?)`,
      ),
      requestState: db.prepare(
        `SELECT id, stage, stage_at, district_id, street_id, community_id, grid_id, created_seq, last_seq, last_fingerprint FROM requests WHERE id = ?`,
      ),
      updateRequestStage: db.prepare(
        `UPDATE requests SET stage = ?, stage_at = ?, last_seq = ?, last_fingerprint = ?, assignee = coalesce(?, assignee) WHERE id = ?`,
      ),
      countUrge: db.prepare(`UPDATE requests SET urges = urges + 1 WHERE id = ?`),
      getAlarm: db.prepare(`SELECT * FROM alarms WHERE id = ?`),
      insertAlarm: db.prepare(
        `INSERT INTO alarms (id, reason, subject_id, lon, lat, district_id, street_id, community_id, grid_id, raised_at, raised_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      ackAlarm: db.prepare(`UPDATE alarms SET acked_at = ?, acked_seq = ?, acked_by = ? WHERE id = ?`),
      addGrid: db.prepare(`INSERT OR IGNORE INTO grids (grid_id, community_id) VALUES (?, ?)`),
      getAlert: db.prepare(`SELECT * FROM alerts WHERE id = ?`),
      insertAlert: db.prepare(
        `INSERT INTO alerts (id, camera_id, kind, confidence, lon, lat, district_id, street_id, community_id, grid_id,
           at, snapshot_url, created_seq, fingerprint)
         VALUES (@id, @cameraId, @kind, @confidence, @lon, @lat, @districtId, @streetId, @communityId, @gridId,
           @at, @snapshotUrl, @seq, @fingerprint)`,
      ),
      reviewAlert: db.prepare(`UPDATE alerts SET verdict = ?, reviewed_at = ?, review_seq = ?, request_id = ? WHERE id = ?`),
      upsertWorker: db.prepare(
        `INSERT INTO workers (worker_id, kind, lon, lat, district_id, street_id, community_id, grid_id, at, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (worker_id) DO UPDATE SET kind = excluded.kind, lon = excluded.lon, lat = excluded.lat,
           district_id = excluded.district_id, street_id = excluded.street_id, community_id = excluded.community_id,
           grid_id = excluded.grid_id, at = excluded.at, seq = excluded.seq
         WHERE excluded.at >= workers.at`,
      ),
    }
  }

  // ---- writes ---------------------------------------------------------------------------------

  private append(event: UnsequencedEvent, path: NewRequest['path'], entityId: string, privateData?: unknown, actor?: Actor): number {
    const { type, at, gridId: _gridId, ...rest } = event
    const seq = this.insertEvent(
      type,
      entityId,
      at,
      path,
      JSON.stringify(rest),
      privateData === undefined ? null : JSON.stringify(privateData),
      actor ? JSON.stringify(actor) : null,
    )
    this.commits.pending.push({ ...event, seq } as LiveEvent)
    return seq
  }

  /**
   * One row of the log; `data` is the event less type, at and gridId, as JSON; `actorJson` who wrote
   * it (never on the live event). Returns its seq.
   */
  private insertEvent(
    type: LiveEvent['type'],
    entityId: string,
    at: number,
    path: NewRequest['path'],
    data: string,
    privateJson: string | null,
    actorJson: string | null = null,
  ): number {
    if (!this.knownGrids.get(path.gridId)?.includes(path.communityId)) {
      this.stmt.addGrid.run(path.gridId, path.communityId)
      this.commits.onceCommitted(() => this.gridKnown(path.gridId, path.communityId))
    }
    const info = this.stmt.insertEvent.run(type, entityId, at, path.districtId, path.streetId, path.communityId, path.gridId, data, privateJson, actorJson)
    return Number(info.lastInsertRowid)
  }

  createRequest(request: NewRequest): Promise<Outcome<CreatedReply>> {
    return this.commits.enqueue(() => this.applyCreateRequest(request))
  }

  transitionRequest(transition: NewTransition): Promise<Outcome<TransitionedReply>> {
    return this.commits.enqueue(() => this.applyTransition(transition))
  }

  createAlert(alert: NewAlert): Promise<Outcome<CreatedReply>> {
    return this.commits.enqueue(() => this.applyCreateAlert(alert), true)
  }

  reviewAlert(review: NewAlertReview): Promise<Outcome<ReviewedReply>> {
    return this.commits.enqueue(() => this.applyReview(review))
  }

  appendPings(pings: NewPing[]): Promise<{ accepted: number; seq: number }> {
    return this.commits.enqueue(() => this.applyPings(pings))
  }

  urgeRequest(urge: NewUrge): Promise<Outcome<UrgeReply>> {
    return this.commits.enqueue(() => this.applyUrge(urge))
  }

  raiseAlarm(alarm: NewAlarm): Promise<Outcome<{ id: string; seq: number }>> {
    return this.commits.enqueue(() => this.applyRaiseAlarm(alarm))
  }

  ackAlarm(ack: NewAlarmAck): Promise<Outcome<AlarmAckReply>> {
    return this.commits.enqueue(() => this.applyAck(ack))
  }

  async importHistory(ops: HistoryOp[]): Promise<{ applied: number; rejected: number; seq: number }> {
    let applied = 0
    let rejected = 0
    // Durable before it returns, like any write; it publishes nothing.
    this.commits.importBatch(() => {
      this.importing = true
      try {
        for (const op of ops) {
          const outcome = this.applyOp(op)
          if (outcome) applied++
          else rejected++
        }
      } finally {
        this.importing = false
      }
    })
    return { applied, rejected, seq: await this.lastSeq() }
  }

  private applyOp(op: HistoryOp): boolean {
    switch (op.op) {
      case 'request':
        return this.applyCreateRequest(op.request).ok
      case 'transition':
        return this.applyTransition(op.transition).ok
      case 'alert':
        return this.applyCreateAlert(op.alert).ok
      case 'review':
        return this.applyReview(op.review).ok
      case 'pings':
        this.applyPings(op.pings)
        return true
      case 'activity':
        return this.applyActivity(op.activity).ok
    }
  }

  private applyCreateRequest(r: NewRequest): Outcome<CreatedReply> {
    // An id the server made (no fingerprint) is new: not looked up. Were it there all the same, the
    // primary key would refuse the insert, and the write fail alone (see commit).
    if (r.fingerprint !== '') {
      const existing = this.stmt.getRequest.get(r.id) as RequestRow | undefined
      if (existing) return this.replayOrConflict(existing, r.fingerprint, 'request')
    }
    // The single-event hot path: the event's data (what `append` would write: the event less type,
    // at and gridId, keys in the same order) from a literal, without copying the event twice.
    const data = { requestId: r.id, source: r.source, category: r.category, priority: r.priority, lon: r.lon, lat: r.lat }
    const privateJson = r.description || r.reporter ? JSON.stringify({ description: r.description, reporter: r.reporter }) : null
    const seq = this.insertEvent('request.received', r.id, r.receivedAt, r.path, JSON.stringify(data), privateJson, r.actor ? JSON.stringify(r.actor) : null)
    this.commits.pending.push({
      type: 'request.received',
      at: r.receivedAt,
      gridId: r.path.gridId,
      requestId: r.id,
      source: r.source,
      category: r.category,
      priority: r.priority,
      lon: r.lon,
      lat: r.lat,
      seq,
    })
    const { districtId, streetId, communityId, gridId } = r.path
    this.stmt.insertRequest.run(
      r.id,
      r.source,
      r.category,
      r.priority,
      r.lon,
      r.lat,
      districtId,
      streetId,
      communityId,
      gridId,
      r.receivedAt,
      r.description ?? null,
      r.reporter?.name ?? null,
      r.reporter?.phone ?? null,
      r.receivedAt,
      seq,
      r.fingerprint,
    )
    // An urgent request raises its alarm in the same transaction (not the backfill's).
    if (r.priority === 'urgent' && !this.importing) {
      this.applyRaiseAlarm({ id: alarmIdOf('urgent_request', r.id), reason: 'urgent_request', subjectId: r.id, lon: r.lon, lat: r.lat, path: r.path, at: r.receivedAt })
    }
    return { ok: true, replayed: false, value: { id: r.id, seq, gridId: r.path.gridId } }
  }

  private replayOrConflict(row: { id: string; created_seq: number; grid_id: string; fingerprint: string }, fingerprint: string, what: string): Outcome<CreatedReply> {
    if (row.fingerprint !== fingerprint) {
      return { ok: false, code: 'conflict', message: `${what} ${row.id} already exists with a different body` }
    }
    return { ok: true, replayed: true, value: { id: row.id, seq: row.created_seq, gridId: row.grid_id } }
  }

  private applyTransition(t: NewTransition): Outcome<TransitionedReply> {
    const row = this.requestState(t.requestId)
    if (!row) return { ok: false, code: 'not_found', message: `request ${t.requestId} not found` }
    // A retry of the last transition replays, also when it named the stage it acted on (which the
    // request has left since, by that very transition).
    if (row.last_seq !== null && row.last_fingerprint === t.fingerprint) {
      return { ok: true, replayed: true, value: { id: row.id, seq: row.last_seq, stage: row.stage as TransitionStage } }
    }
    if (t.expectedStage !== undefined && t.expectedStage !== row.stage) {
      return {
        ok: false,
        code: 'stale',
        message: `request ${row.id} is ${row.stage} now, no longer ${t.expectedStage}`,
        current: row.stage,
        seq: row.last_seq ?? row.created_seq,
      }
    }
    const allowed = allowedNextStages(row.stage)
    if (!allowed.includes(t.stage)) {
      return invalidTransition(row.stage, t.stage, allowed)
    }
    if (t.at < row.stage_at) {
      return {
        ok: false,
        code: 'conflict',
        message: `at ${new Date(t.at).toISOString()} is before the current stage ${row.stage} at ${new Date(row.stage_at).toISOString()}`,
      }
    }
    const path = pathOf(row)
    const seq = this.append(
      {
        type: 'request.transitioned',
        at: t.at,
        gridId: row.grid_id,
        requestId: row.id,
        stage: t.stage,
        ...(t.assignee !== undefined ? { assignee: t.assignee } : {}),
        ...(t.review ? { resolved: t.review.resolved, satisfaction: t.review.satisfaction } : {}),
      },
      path,
      row.id,
      t.note !== undefined ? { note: t.note } : undefined,
      t.actor,
    )
    this.stmt.updateRequestStage.run(t.stage, t.at, seq, t.fingerprint, t.assignee !== undefined ? JSON.stringify(t.assignee) : null, row.id)
    return { ok: true, replayed: false, value: { id: row.id, seq, stage: t.stage } }
  }

  private applyCreateAlert(a: NewAlert): Outcome<CreatedReply> {
    const existing = this.stmt.getAlert.get(a.id) as AlertRow | undefined
    if (existing) return this.replayOrConflict(existing, a.fingerprint, 'alert')
    const seq = this.append(
      {
        type: 'alert.raised',
        at: a.at,
        gridId: a.path.gridId,
        alertId: a.id,
        cameraId: a.cameraId,
        kind: a.kind,
        confidence: a.confidence,
        lon: a.lon,
        lat: a.lat,
      },
      a.path,
      a.id,
      undefined,
      a.actor,
    )
    this.stmt.insertAlert.run({ ...a, ...a.path, snapshotUrl: a.snapshotUrl ?? null, seq })
    // Its alarm in the same transaction, on the same urgent lane (not the backfill's).
    if (!this.importing) {
      this.applyRaiseAlarm({ id: alarmIdOf('camera_alert', a.id), reason: 'camera_alert', subjectId: a.id, lon: a.lon, lat: a.lat, path: a.path, at: a.at })
    }
    return { ok: true, replayed: false, value: { id: a.id, seq, gridId: a.path.gridId } }
  }

  private applyReview(r: NewAlertReview): Outcome<ReviewedReply> {
    const row = this.stmt.getAlert.get(r.alertId) as AlertRow | undefined
    if (!row) return { ok: false, code: 'not_found', message: `alert ${r.alertId} not found` }
    if (row.verdict !== null) {
      if (row.verdict === r.verdict && (r.raise === undefined || row.request_id !== null)) {
        return {
          ok: true,
          replayed: true,
          value: { id: row.id, seq: row.review_seq!, verdict: row.verdict, ...(row.request_id ? { requestId: row.request_id } : {}) },
        }
      }
      return { ok: false, code: 'conflict', message: `alert ${row.id} was already reviewed as ${row.verdict}` }
    }
    if (r.at < row.at) {
      return { ok: false, code: 'conflict', message: `at ${new Date(r.at).toISOString()} is before the alert (${new Date(row.at).toISOString()})` }
    }
    const path = pathOf(row)
    let requestId: string | undefined
    if (r.raise && r.verdict === 'confirmed') {
      const raised = this.applyCreateRequest({
        id: r.raise.requestId,
        fingerprint: `alert:${row.id}`,
        source: 'camera',
        category: r.raise.category,
        priority: r.raise.priority,
        lon: row.lon,
        lat: row.lat,
        path,
        receivedAt: r.at,
        ...(r.actor ? { actor: r.actor } : {}),
      })
      if (!raised.ok) return raised
      requestId = raised.value.id
    }
    const seq = this.append(
      { type: 'alert.reviewed', at: r.at, gridId: row.grid_id, alertId: row.id, verdict: r.verdict, ...(requestId ? { requestId } : {}) },
      path,
      row.id,
      undefined,
      r.actor,
    )
    this.stmt.reviewAlert.run(r.verdict, r.at, seq, requestId ?? null, row.id)
    return { ok: true, replayed: false, value: { id: row.id, seq, verdict: r.verdict, ...(requestId ? { requestId } : {}) } }
  }

  private requestState(id: string) {
    return this.stmt.requestState.get(id) as
      | (Pick<RequestRow, 'id' | 'stage' | 'stage_at' | 'district_id' | 'street_id' | 'community_id' | 'grid_id' | 'created_seq' | 'last_seq'> & {
          last_fingerprint: string | null
        })
      | undefined
  }

  /** 督办: an event of its own on the request's timeline (its note private); the stage stays. */
  private applyUrge(u: NewUrge): Outcome<UrgeReply> {
    const row = this.requestState(u.requestId)
    if (!row) return { ok: false, code: 'not_found', message: `request ${u.requestId} not found` }
    if (isClosedStage(row.stage)) {
      return {
        ok: false,
        code: 'invalid_transition',
        current: row.stage,
        allowed: allowedNextStages(row.stage),
        message: `request ${row.id} is ${row.stage}: a closed request cannot be urged`,
      }
    }
    const seq = this.append(
      { type: 'request.urged', at: u.at, gridId: row.grid_id, requestId: row.id, by: actorName(u.actor) },
      pathOf(row),
      row.id,
      u.note !== undefined ? { note: u.note } : undefined,
      u.actor,
    )
    this.stmt.countUrge.run(row.id)
    return { ok: true, replayed: false, value: { id: row.id, seq } }
  }

  /** Raises an alarm once: the same id again is a replay and stores nothing. */
  private applyRaiseAlarm(a: NewAlarm): Outcome<{ id: string; seq: number }> {
    const existing = this.stmt.getAlarm.get(a.id) as AlarmRow | undefined
    if (existing) return { ok: true, replayed: true, value: { id: existing.id, seq: existing.raised_seq } }
    const seq = this.append(
      { type: 'alarm.raised', at: a.at, gridId: a.path.gridId, alarmId: a.id, reason: a.reason, subjectId: a.subjectId, lon: a.lon, lat: a.lat },
      a.path,
      a.id,
    )
    const { districtId, streetId, communityId, gridId } = a.path
    this.stmt.insertAlarm.run(a.id, a.reason, a.subjectId, a.lon, a.lat, districtId, streetId, communityId, gridId, a.at, seq)
    return { ok: true, replayed: false, value: { id: a.id, seq } }
  }

  /** The first acknowledgement wins; a second is a conflict that names who and when. */
  private applyAck(ack: NewAlarmAck): Outcome<AlarmAckReply> {
    const row = this.stmt.getAlarm.get(ack.alarmId) as AlarmRow | undefined
    if (!row) return { ok: false, code: 'not_found', message: `alarm ${ack.alarmId} not found` }
    if (row.acked_seq !== null) {
      const by = row.acked_by ? actorName(JSON.parse(row.acked_by) as Actor) : 'someone'
      return { ok: false, code: 'conflict', message: `alarm ${row.id} was already acknowledged by ${by} at ${new Date(row.acked_at!).toISOString()}` }
    }
    const seq = this.append({ type: 'alarm.acked', at: ack.at, gridId: row.grid_id, alarmId: row.id, by: actorName(ack.actor) }, pathOf(row), row.id, undefined, ack.actor)
    this.stmt.ackAlarm.run(ack.at, seq, JSON.stringify(ack.actor), row.id)
    return { ok: true, replayed: false, value: { id: row.id, seq } }
  }

  recordActivity(activity: NewActivity): Promise<Outcome<{ id: string }>> {
    return this.commits.enqueue(() => this.applyActivity(activity))
  }

  private applyActivity(a: NewActivity): Outcome<{ id: string }> {
    const existing = this.db.prepare(`SELECT fingerprint FROM activities WHERE id = ?`).get(a.id) as { fingerprint: string } | undefined
    if (existing) {
      return existing.fingerprint === a.fingerprint
        ? { ok: true, replayed: true, value: { id: a.id } }
        : { ok: false, code: 'conflict', message: `activity ${a.id} already exists with a different body` }
    }
    this.db
      .prepare(
        `INSERT INTO activities (id, team, kind, unit_id, district_id, street_id, community_id, at, participants, fingerprint)
         VALUES (@id, @team, @kind, @unitId, @districtId, @streetId, @communityId, @at, @participants, @fingerprint)`,
      )
      .run(a)
    return { ok: true, replayed: false, value: { id: a.id } }
  }

  private applyPings(pings: NewPing[]): { accepted: number; seq: number } {
    const seqs = new Array<number>(pings.length)
    // Each worker's latest ping of the batch (the later one on a tie, as row-by-row upserts would
    // leave it): the workers row is written once per worker, not once per ping.
    const latest = new Map<string, number>()
    for (let i = 0; i < pings.length; i++) {
      const p = pings[i]!
      // The data column written directly: the hot path of bulk ingest, run a thousand times a batch.
      const data = `{"workerId":${JSON.stringify(p.workerId)},"kind":${JSON.stringify(p.kind)},"lon":${p.lon},"lat":${p.lat}}`
      const seq = this.insertEvent('patrol.reported', p.workerId, p.at, p.path, data, null)
      seqs[i] = seq
      this.commits.pending.push({ type: 'patrol.reported', at: p.at, gridId: p.path.gridId, workerId: p.workerId, kind: p.kind, lon: p.lon, lat: p.lat, seq })
      const best = latest.get(p.workerId)
      if (best === undefined || p.at >= pings[best]!.at) latest.set(p.workerId, i)
    }
    for (const i of latest.values()) {
      const p = pings[i]!
      const { districtId, streetId, communityId, gridId } = p.path
      this.stmt.upsertWorker.run(p.workerId, p.kind, p.lon, p.lat, districtId, streetId, communityId, gridId, p.at, seqs[i])
    }
    return { accepted: pings.length, seq: seqs[pings.length - 1] ?? 0 }
  }

  /** Replaces the geography record (geography-guard.ts). */
  recordGeography(record: GeographyRecord): Promise<void> {
    return this.commits.enqueue(() => {
      this.db.prepare(`DELETE FROM geography_units`).run()
      const insert = this.db.prepare(`INSERT INTO geography_units (unit_id, level, parent_id, name) VALUES (?, ?, ?, ?)`)
      for (const unit of record.units) insert.run(unit.id, unit.level, unit.parentId, unit.name)
      this.db
        .prepare(
          `INSERT INTO geography (id, hash, recorded_at) VALUES (1, ?, ?)
           ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, recorded_at = excluded.recorded_at`,
        )
        .run(record.hash, record.recordedAt)
    })
  }

  /** Keeps a rollup checkpoint unless one of the same basis with a seq as high is kept already. */
  saveCheckpoint(checkpoint: RollupCheckpoint): Promise<void> {
    return this.commits.enqueue(() => {
      this.db
        .prepare(
          `INSERT INTO rollup_checkpoints (basis, seq, saved_at, data) VALUES (?, ?, ?, ?)
           ON CONFLICT (basis) DO UPDATE SET seq = excluded.seq, saved_at = excluded.saved_at, data = excluded.data
           WHERE excluded.seq > rollup_checkpoints.seq`,
        )
        .run(checkpoint.basis, checkpoint.seq, checkpoint.savedAt, checkpoint.data)
    })
  }

  private gridKnown(grid: string, community: string): void {
    const communities = this.knownGrids.get(grid)
    if (!communities) this.knownGrids.set(grid, [community])
    else if (!communities.includes(community)) communities.push(community)
  }

  // ---- reads (sqlite-queries.ts) --------------------------------------------------------------

  lastSeq(): Promise<number> {
    return this.queries.lastSeq()
  }

  getRequest(id: string, options?: { reveal?: boolean }): Promise<RequestDetail | undefined> {
    return this.queries.getRequest(id, options)
  }

  listRequests(unit: UnitRef, options: { openOnly: boolean; from: number; limit: number; stage?: Stage }): Promise<RequestSummary[]> {
    return this.queries.listRequests(unit, options)
  }

  listAlarms(unit: UnitRef, options: { openOnly: boolean; limit: number }): Promise<Alarm[]> {
    return this.queries.listAlarms(unit, options)
  }

  getAlarm(id: string): Promise<Alarm | undefined> {
    return this.queries.getAlarm(id)
  }

  hasWorker(workerId: string): Promise<boolean> {
    return this.queries.hasWorker(workerId)
  }

  listAlerts(unit: UnitRef, options: { from: number; to: number; openOnly: boolean; limit: number }): Promise<AlertState[]> {
    return this.queries.listAlerts(unit, options)
  }

  getAlert(id: string): Promise<AlertState | undefined> {
    return this.queries.getAlert(id)
  }

  requestsReceived(unit: UnitRef, from: number, to: number): Promise<RequestFacts[]> {
    return this.queries.requestsReceived(unit, from, to)
  }

  openRequests(unit: UnitRef): Promise<PlacedRequestFacts[]> {
    return this.queries.openRequests(unit)
  }

  alertsRaised(unit: UnitRef, from: number, to: number): Promise<AlertFacts[]> {
    return this.queries.alertsRaised(unit, from, to)
  }

  patrolsBetween(unit: UnitRef, from: number, to: number): Promise<PatrolFact[]> {
    return this.queries.patrolsBetween(unit, from, to)
  }

  activityTotals(unit: UnitRef, from: number, to: number): Promise<{ kind: string; activities: number; participants: number }[]> {
    return this.queries.activityTotals(unit, from, to)
  }

  readLog(afterSeq: number, limit: number): Promise<LiveEvent[]> {
    return this.queries.readLog(afterSeq, limit)
  }

  snapshot(unit: UnitRef): Promise<{ seq: number; snapshot: LiveSnapshot }> {
    return this.queries.snapshot(unit)
  }

  eventsAfter(unit: UnitRef, sinceSeq: number, limit: number, maxBytes?: number): Promise<EventsAfter | undefined> {
    return this.queries.eventsAfter(unit, sinceSeq, limit, maxBytes)
  }

  firstEventAt(from: number): Promise<number | undefined> {
    return this.queries.firstEventAt(from)
  }

  eventsBetween(unit: UnitRef, from: number, to: number, limit: number, types?: readonly LiveEvent['type'][]): Promise<LiveEvent[]> {
    return this.queries.eventsBetween(unit, from, to, limit, types)
  }

  geographyRecord(): Promise<GeographyRecord | undefined> {
    return this.queries.geographyRecord()
  }

  loadCheckpoint(basis: string): Promise<RollupCheckpoint | undefined> {
    return this.queries.loadCheckpoint(basis)
  }

  eventCountsByUnit(units: readonly UnitRef[]): Promise<number[]> {
    return this.queries.eventCountsByUnit(units)
  }

  unitsInLog(): Promise<UnitRef[]> {
    return this.queries.unitsInLog()
  }

  onCommit(listener: (events: LiveEvent[]) => void): () => void {
    return this.commits.onCommit(listener)
  }

  close(): Promise<void> {
    return this.commits.close()
  }
}

function pathOf(row: { district_id: string; street_id: string; community_id: string; grid_id: string }) {
  return { districtId: row.district_id, streetId: row.street_id, communityId: row.community_id, gridId: row.grid_id }
}

/** How an event's `by` names an actor: the username, or the source system of an ingest key. */
export function actorName(actor: Actor): string {
  return actor.kind === 'user' ? actor.name : actor.source
}

function invalidTransition(current: Stage, wanted: TransitionStage, allowed: readonly TransitionStage[]): StoreFailure {
  return {
    ok: false,
    code: 'invalid_transition',
    current,
    allowed,
    message: `cannot move from ${current} to ${wanted}; allowed next: ${allowed.join(', ') || 'none'}`,
  }
}
