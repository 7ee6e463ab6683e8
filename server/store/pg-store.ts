// PostgreSQL engine (the pinned `pg` driver, plain SQL): the store's class and its write
// projections, the same as SQLite's (sqlite-store.ts) written as async jobs of the group commit
// (pg-commit.ts); the reads are in pg-queries.ts. Several processes may open one database: each
// write transaction holds the ordering lock, and every process's `onCommit` follows the whole log.
import pg from 'pg'
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
  NewActivity,
  NewAlarm,
  NewAlarmAck,
  NewAlert,
  NewAlertReview,
  NewPing,
  NewRequest,
  NewTransition,
  NewUrge,
  Outcome,
  PatrolFact,
  PlacedRequestFacts,
  RequestSummary,
  ReviewedReply,
  RollupCheckpoint,
  Store,
  StoreFailure,
  TransitionedReply,
} from './types'
import type { AlarmRow, AlertRow, RequestRow } from './sqlite-schema'
import { migratePg, MIGRATION_LOCK } from './pg-schema'
import { PgGroupCommit, type WriteTx } from './pg-commit'
import { PgQueries } from './pg-queries'

/** An arbitrary constant: the advisory lock that serialises recording the geography between processes. */
const GEOGRAPHY_LOCK = 7_310_420_008

export interface PgStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string
  /** A schema of its own in the database (created when missing); `public` by default. */
  schema?: string
  /** Connections for reads and the write transactions (the follower has one more of its own). */
  poolSize?: number
}

/**
 * bigint columns (seqs, epoch ms, counts) as numbers: every one stays far below 2^53.
 * `numeric` (a sum of bigints) likewise.
 */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format as 'text')
  }) as typeof pg.types.getTypeParser,
}

/** Where a URL points, for messages: never its password. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || ''}`
  } catch {
    return 'the configured database (an unreadable URL)'
  }
}

export class PgStore implements Store {
  readonly engine = 'postgresql'
  private readonly pool: pg.Pool
  private readonly commits: PgGroupCommit
  private readonly queries: PgQueries
  /** The communities of each grid whose row in `grids` is committed (normally one). */
  private readonly knownGrids = new Map<string, string[]>()
  /** Set while `importHistory` runs: the backfill raises no alarms. */
  private importing = false

  private constructor(pool: pg.Pool, commits: PgGroupCommit) {
    this.pool = pool
    this.commits = commits
    this.queries = new PgQueries(pool)
  }

  /**
   * Connects, creates or migrates the schema (refusing a newer one) and starts following the log.
   * An unreachable database fails with an error naming its host, never the password.
   */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const where = describeDatabase(options.url)
    const schema = options.schema
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}`)
    const config: pg.ClientConfig = {
      connectionString: options.url,
      types: TYPES,
      ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
      application_name: 'outpost',
    }
    const pool = new pg.Pool({ ...config, max: options.poolSize ?? 4 })
    // An idle connection that the server drops must not crash the process: the next use reconnects.
    pool.on('error', () => undefined)
    try {
      const client = await pool.connect().catch((error: Error) => {
        throw new Error(`cannot connect to PostgreSQL at ${where}: ${error.message}`, { cause: error })
      })
      try {
        // Under the migrations' lock: two processes creating the schema at once would collide.
        if (schema !== undefined) await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${MIGRATION_LOCK}); CREATE SCHEMA IF NOT EXISTS ${schema}; COMMIT`)
        await migratePg(client, schema !== undefined ? `${where} (schema ${schema})` : where)
      } finally {
        client.release()
      }
      const startSeq = (await pool.query<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1')).rows[0]!.seq
      const commits = new PgGroupCommit({ pool, startSeq, connectListener: () => new pg.Client(config) })
      const store = new PgStore(pool, commits)
      for (const row of (await pool.query<{ grid_id: string; community_id: string }>('SELECT grid_id, community_id FROM grids')).rows) {
        store.gridKnown(row.grid_id, row.community_id)
      }
      await commits.listen().catch((error: Error) => {
        throw new Error(`cannot LISTEN on PostgreSQL at ${where}: ${error.message}`, { cause: error })
      })
      return store
    } catch (error) {
      await pool.end().catch(() => undefined)
      throw error
    }
  }

  /** The follower's LISTEN connection dropped as by a network failure (tests). */
  dropListenerForTest(): void {
    this.commits.dropListener()
  }

  // ---- writes ---------------------------------------------------------------------------------

  private async append(tx: WriteTx, event: UnsequencedEvent, path: NewRequest['path'], entityId: string, privateData?: unknown, actor?: Actor): Promise<number> {
    const { type, at, gridId: _gridId, ...rest } = event
    const seq = await this.insertEvent(
      tx,
      type,
      entityId,
      at,
      path,
      JSON.stringify(rest),
      privateData === undefined ? null : JSON.stringify(privateData),
      actor ? JSON.stringify(actor) : null,
    )
    tx.events.push({ ...event, seq } as LiveEvent)
    return seq
  }

  private async insertEvent(
    tx: WriteTx,
    type: LiveEvent['type'],
    entityId: string,
    at: number,
    path: NewRequest['path'],
    data: string,
    privateJson: string | null,
    actorJson: string | null = null,
  ): Promise<number> {
    await this.noteGrid(tx, path.gridId, path.communityId)
    const seq = tx.nextSeq()
    await tx.query(
      `INSERT INTO events (seq, type, entity_id, at, district_id, street_id, community_id, grid_id, data, private, actor)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [seq, type, entityId, at, path.districtId, path.streetId, path.communityId, path.gridId, data, privateJson, actorJson],
    )
    return seq
  }

  private async noteGrid(tx: WriteTx, gridId: string, communityId: string): Promise<void> {
    if (this.knownGrids.get(gridId)?.includes(communityId)) return
    await tx.query('INSERT INTO grids (grid_id, community_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [gridId, communityId])
    tx.onceCommitted(() => this.gridKnown(gridId, communityId))
  }

  createRequest(request: NewRequest): Promise<Outcome<CreatedReply>> {
    return this.commits.enqueue((tx) => this.applyCreateRequest(tx, request))
  }

  transitionRequest(transition: NewTransition): Promise<Outcome<TransitionedReply>> {
    return this.commits.enqueue((tx) => this.applyTransition(tx, transition))
  }

  createAlert(alert: NewAlert): Promise<Outcome<CreatedReply>> {
    return this.commits.enqueue((tx) => this.applyCreateAlert(tx, alert), true)
  }

  reviewAlert(review: NewAlertReview): Promise<Outcome<ReviewedReply>> {
    return this.commits.enqueue((tx) => this.applyReview(tx, review))
  }

  appendPings(pings: NewPing[]): Promise<{ accepted: number; seq: number }> {
    return this.commits.enqueue((tx) => this.applyPings(tx, pings))
  }

  urgeRequest(urge: NewUrge): Promise<Outcome<UrgeReply>> {
    return this.commits.enqueue((tx) => this.applyUrge(tx, urge))
  }

  raiseAlarm(alarm: NewAlarm): Promise<Outcome<{ id: string; seq: number }>> {
    return this.commits.enqueue((tx) => this.applyRaiseAlarm(tx, alarm))
  }

  ackAlarm(ack: NewAlarmAck): Promise<Outcome<AlarmAckReply>> {
    return this.commits.enqueue((tx) => this.applyAck(tx, ack))
  }

  recordActivity(activity: NewActivity): Promise<Outcome<{ id: string }>> {
    return this.commits.enqueue((tx) => this.applyActivity(tx, activity))
  }

  async importHistory(ops: HistoryOp[]): Promise<{ applied: number; rejected: number; seq: number }> {
    // One transaction of its own, published by no process (its range is recorded as unpublished).
    const counts = await this.commits.exclusive(async (tx) => {
      let applied = 0
      let rejected = 0
      this.importing = true
      try {
        for (const op of ops) {
          if (await this.applyOp(tx, op)) applied++
          else rejected++
        }
      } finally {
        this.importing = false
      }
      return { applied, rejected }
    })
    return { ...counts, seq: await this.lastSeq() }
  }

  private async applyOp(tx: WriteTx, op: HistoryOp): Promise<boolean> {
    switch (op.op) {
      case 'request':
        return (await this.applyCreateRequest(tx, op.request)).ok
      case 'transition':
        return (await this.applyTransition(tx, op.transition)).ok
      case 'alert':
        return (await this.applyCreateAlert(tx, op.alert)).ok
      case 'review':
        return (await this.applyReview(tx, op.review)).ok
      case 'pings':
        await this.applyPings(tx, op.pings)
        return true
      case 'activity':
        return (await this.applyActivity(tx, op.activity)).ok
    }
  }

  private async applyCreateRequest(tx: WriteTx, r: NewRequest): Promise<Outcome<CreatedReply>> {
    const data = { requestId: r.id, source: r.source, category: r.category, priority: r.priority, lon: r.lon, lat: r.lat }
    const privateJson = r.description || r.reporter ? JSON.stringify({ description: r.description, reporter: r.reporter }) : null
    const { districtId, streetId, communityId, gridId } = r.path
    await this.noteGrid(tx, gridId, communityId)
    const seq = tx.nextSeq()
    // The request's row and its event in one statement, the row first: an id already there
    // inserts neither (ON CONFLICT), and only then is the row read, for the replay or the
    // conflict. One round trip on the hot path, no lookup before it.
    const inserted = await tx.query(
      `WITH r AS (
         INSERT INTO requests (id, source, category, priority, lon, lat, district_id, street_id, community_id, grid_id,
           received_at, description, reporter_name, reporter_phone, stage, stage_at, created_seq, fingerprint)
         VALUES ($2, $11, $12, $13, $14, $15, $4, $5, $6, $7, $3, $16, $17, $18, 'received', $3, $1, $19)
         ON CONFLICT (id) DO NOTHING
         RETURNING id
       )
       INSERT INTO events (seq, type, entity_id, at, district_id, street_id, community_id, grid_id, data, private, actor)
       SELECT $1::bigint, 'request.received', $2::text, $3::bigint, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text FROM r`,
      [
        seq,
        r.id,
        r.receivedAt,
        districtId,
        streetId,
        communityId,
        gridId,
        JSON.stringify(data),
        privateJson,
        r.actor ? JSON.stringify(r.actor) : null,
        r.source,
        r.category,
        r.priority,
        r.lon,
        r.lat,
        r.description ?? null,
        r.reporter?.name ?? null,
        r.reporter?.phone ?? null,
        r.fingerprint,
      ],
    )
    if (inserted.rowCount === 0) {
      tx.returnSeq(seq)
      const existing = (await tx.query<RequestRow>('SELECT id, created_seq, grid_id, fingerprint FROM requests WHERE id = $1', [r.id])).rows[0]!
      return replayOrConflict(existing, r.fingerprint, 'request')
    }
    tx.events.push({
      type: 'request.received',
      at: r.receivedAt,
      gridId,
      requestId: r.id,
      source: r.source,
      category: r.category,
      priority: r.priority,
      lon: r.lon,
      lat: r.lat,
      seq,
    })
    if (r.priority === 'urgent' && !this.importing) {
      await this.applyRaiseAlarm(tx, { id: alarmIdOf('urgent_request', r.id), reason: 'urgent_request', subjectId: r.id, lon: r.lon, lat: r.lat, path: r.path, at: r.receivedAt })
    }
    return { ok: true, replayed: false, value: { id: r.id, seq, gridId } }
  }

  private async requestState(tx: WriteTx, id: string) {
    return (
      await tx.query<
        Pick<RequestRow, 'id' | 'stage' | 'stage_at' | 'district_id' | 'street_id' | 'community_id' | 'grid_id' | 'created_seq' | 'last_seq'> & {
          last_fingerprint: string | null
        }
      >(`SELECT id, stage, stage_at, district_id, street_id, community_id, grid_id, created_seq, last_seq, last_fingerprint FROM requests WHERE id = $1`, [id])
    ).rows[0]
  }

  private async applyTransition(tx: WriteTx, t: NewTransition): Promise<Outcome<TransitionedReply>> {
    const row = await this.requestState(tx, t.requestId)
    if (!row) return { ok: false, code: 'not_found', message: `request ${t.requestId} not found` }
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
    if (!allowed.includes(t.stage)) return invalidTransition(row.stage, t.stage, allowed)
    if (t.at < row.stage_at) {
      return {
        ok: false,
        code: 'conflict',
        message: `at ${new Date(t.at).toISOString()} is before the current stage ${row.stage} at ${new Date(row.stage_at).toISOString()}`,
      }
    }
    const seq = await this.append(
      tx,
      {
        type: 'request.transitioned',
        at: t.at,
        gridId: row.grid_id,
        requestId: row.id,
        stage: t.stage,
        ...(t.assignee !== undefined ? { assignee: t.assignee } : {}),
        ...(t.review ? { resolved: t.review.resolved, satisfaction: t.review.satisfaction } : {}),
      },
      pathOf(row),
      row.id,
      t.note !== undefined ? { note: t.note } : undefined,
      t.actor,
    )
    await tx.query(`UPDATE requests SET stage = $1, stage_at = $2, last_seq = $3, last_fingerprint = $4, assignee = coalesce($5, assignee) WHERE id = $6`, [
      t.stage,
      t.at,
      seq,
      t.fingerprint,
      t.assignee !== undefined ? JSON.stringify(t.assignee) : null,
      row.id,
    ])
    return { ok: true, replayed: false, value: { id: row.id, seq, stage: t.stage } }
  }

  private async getAlertRow(tx: WriteTx, id: string): Promise<AlertRow | undefined> {
    return (await tx.query<AlertRow>('SELECT * FROM alerts WHERE id = $1', [id])).rows[0]
  }

  private async applyCreateAlert(tx: WriteTx, a: NewAlert): Promise<Outcome<CreatedReply>> {
    const existing = await this.getAlertRow(tx, a.id)
    if (existing) return replayOrConflict(existing, a.fingerprint, 'alert')
    const seq = await this.append(
      tx,
      { type: 'alert.raised', at: a.at, gridId: a.path.gridId, alertId: a.id, cameraId: a.cameraId, kind: a.kind, confidence: a.confidence, lon: a.lon, lat: a.lat },
      a.path,
      a.id,
      undefined,
      a.actor,
    )
    const { districtId, streetId, communityId, gridId } = a.path
    await tx.query(
      `INSERT INTO alerts (id, camera_id, kind, confidence, lon, lat, district_id, street_id, community_id, grid_id, at, snapshot_url, created_seq, fingerprint)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [a.id, a.cameraId, a.kind, a.confidence, a.lon, a.lat, districtId, streetId, communityId, gridId, a.at, a.snapshotUrl ?? null, seq, a.fingerprint],
    )
    if (!this.importing) {
      await this.applyRaiseAlarm(tx, { id: alarmIdOf('camera_alert', a.id), reason: 'camera_alert', subjectId: a.id, lon: a.lon, lat: a.lat, path: a.path, at: a.at })
    }
    return { ok: true, replayed: false, value: { id: a.id, seq, gridId: a.path.gridId } }
  }

  private async applyReview(tx: WriteTx, r: NewAlertReview): Promise<Outcome<ReviewedReply>> {
    const row = await this.getAlertRow(tx, r.alertId)
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
      const raised = await this.applyCreateRequest(tx, {
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
    const seq = await this.append(
      tx,
      { type: 'alert.reviewed', at: r.at, gridId: row.grid_id, alertId: row.id, verdict: r.verdict, ...(requestId ? { requestId } : {}) },
      path,
      row.id,
      undefined,
      r.actor,
    )
    await tx.query('UPDATE alerts SET verdict = $1, reviewed_at = $2, review_seq = $3, request_id = $4 WHERE id = $5', [r.verdict, r.at, seq, requestId ?? null, row.id])
    return { ok: true, replayed: false, value: { id: row.id, seq, verdict: r.verdict, ...(requestId ? { requestId } : {}) } }
  }

  private async applyUrge(tx: WriteTx, u: NewUrge): Promise<Outcome<UrgeReply>> {
    const row = await this.requestState(tx, u.requestId)
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
    const seq = await this.append(
      tx,
      { type: 'request.urged', at: u.at, gridId: row.grid_id, requestId: row.id, by: actorName(u.actor) },
      pathOf(row),
      row.id,
      u.note !== undefined ? { note: u.note } : undefined,
      u.actor,
    )
    await tx.query('UPDATE requests SET urges = urges + 1 WHERE id = $1', [row.id])
    return { ok: true, replayed: false, value: { id: row.id, seq } }
  }

  private async applyRaiseAlarm(tx: WriteTx, a: NewAlarm): Promise<Outcome<{ id: string; seq: number }>> {
    const existing = (await tx.query<AlarmRow>('SELECT id, raised_seq FROM alarms WHERE id = $1', [a.id])).rows[0]
    if (existing) return { ok: true, replayed: true, value: { id: existing.id, seq: existing.raised_seq } }
    const seq = await this.append(
      tx,
      { type: 'alarm.raised', at: a.at, gridId: a.path.gridId, alarmId: a.id, reason: a.reason, subjectId: a.subjectId, lon: a.lon, lat: a.lat },
      a.path,
      a.id,
    )
    const { districtId, streetId, communityId, gridId } = a.path
    await tx.query(
      `INSERT INTO alarms (id, reason, subject_id, lon, lat, district_id, street_id, community_id, grid_id, raised_at, raised_seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [a.id, a.reason, a.subjectId, a.lon, a.lat, districtId, streetId, communityId, gridId, a.at, seq],
    )
    return { ok: true, replayed: false, value: { id: a.id, seq } }
  }

  private async applyAck(tx: WriteTx, ack: NewAlarmAck): Promise<Outcome<AlarmAckReply>> {
    const row = (await tx.query<AlarmRow>('SELECT * FROM alarms WHERE id = $1', [ack.alarmId])).rows[0]
    if (!row) return { ok: false, code: 'not_found', message: `alarm ${ack.alarmId} not found` }
    if (row.acked_seq !== null) {
      const by = row.acked_by ? actorName(JSON.parse(row.acked_by) as Actor) : 'someone'
      return { ok: false, code: 'conflict', message: `alarm ${row.id} was already acknowledged by ${by} at ${new Date(row.acked_at!).toISOString()}` }
    }
    const seq = await this.append(tx, { type: 'alarm.acked', at: ack.at, gridId: row.grid_id, alarmId: row.id, by: actorName(ack.actor) }, pathOf(row), row.id, undefined, ack.actor)
    await tx.query('UPDATE alarms SET acked_at = $1, acked_seq = $2, acked_by = $3 WHERE id = $4', [ack.at, seq, JSON.stringify(ack.actor), row.id])
    return { ok: true, replayed: false, value: { id: row.id, seq } }
  }

  private async applyActivity(tx: WriteTx, a: NewActivity): Promise<Outcome<{ id: string }>> {
    const existing = (await tx.query<{ fingerprint: string }>('SELECT fingerprint FROM activities WHERE id = $1', [a.id])).rows[0]
    if (existing) {
      return existing.fingerprint === a.fingerprint
        ? { ok: true, replayed: true, value: { id: a.id } }
        : { ok: false, code: 'conflict', message: `activity ${a.id} already exists with a different body` }
    }
    await tx.query(
      `INSERT INTO activities (id, team, kind, unit_id, district_id, street_id, community_id, at, participants, fingerprint)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [a.id, a.team, a.kind, a.unitId, a.districtId, a.streetId, a.communityId, a.at, a.participants, a.fingerprint],
    )
    return { ok: true, replayed: false, value: { id: a.id } }
  }

  /** All pings of a batch in one statement (arrays unnested), their workers' rows in one more. */
  private async applyPings(tx: WriteTx, pings: NewPing[]): Promise<{ accepted: number; seq: number }> {
    if (pings.length === 0) return { accepted: 0, seq: 0 }
    const noted = new Set<string>()
    for (const p of pings) {
      const key = `${p.path.gridId}\u0000${p.path.communityId}`
      if (noted.has(key)) continue
      noted.add(key)
      await this.noteGrid(tx, p.path.gridId, p.path.communityId)
    }
    const first = tx.takeSeqs(pings.length)
    const n = pings.length
    const cols = { entity: new Array<string>(n), at: new Array<number>(n), d: new Array<string>(n), s: new Array<string>(n), c: new Array<string>(n), g: new Array<string>(n), data: new Array<string>(n) }
    const latest = new Map<string, number>()
    for (let i = 0; i < n; i++) {
      const p = pings[i]!
      cols.entity[i] = p.workerId
      cols.at[i] = p.at
      cols.d[i] = p.path.districtId
      cols.s[i] = p.path.streetId
      cols.c[i] = p.path.communityId
      cols.g[i] = p.path.gridId
      cols.data[i] = `{"workerId":${JSON.stringify(p.workerId)},"kind":${JSON.stringify(p.kind)},"lon":${p.lon},"lat":${p.lat}}`
      tx.events.push({ type: 'patrol.reported', at: p.at, gridId: p.path.gridId, workerId: p.workerId, kind: p.kind, lon: p.lon, lat: p.lat, seq: first + i })
      const best = latest.get(p.workerId)
      if (best === undefined || p.at >= pings[best]!.at) latest.set(p.workerId, i)
    }
    await tx.query(
      `INSERT INTO events (seq, type, entity_id, at, district_id, street_id, community_id, grid_id, data)
       SELECT $1::bigint + o - 1, 'patrol.reported', e, a, d, s, c, g, x
       FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS t(e, a, d, s, c, g, x, o)`,
      [first, cols.entity, cols.at, cols.d, cols.s, cols.c, cols.g, cols.data],
    )
    const w = [...latest.values()].map((i) => ({ p: pings[i]!, seq: first + i }))
    await tx.query(
      `INSERT INTO workers (worker_id, kind, lon, lat, district_id, street_id, community_id, grid_id, at, seq)
       SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[])
       ON CONFLICT (worker_id) DO UPDATE SET kind = excluded.kind, lon = excluded.lon, lat = excluded.lat,
         district_id = excluded.district_id, street_id = excluded.street_id, community_id = excluded.community_id,
         grid_id = excluded.grid_id, at = excluded.at, seq = excluded.seq
       WHERE excluded.at >= workers.at`,
      [
        w.map((x) => x.p.workerId),
        w.map((x) => x.p.kind),
        w.map((x) => x.p.lon),
        w.map((x) => x.p.lat),
        w.map((x) => x.p.path.districtId),
        w.map((x) => x.p.path.streetId),
        w.map((x) => x.p.path.communityId),
        w.map((x) => x.p.path.gridId),
        w.map((x) => x.p.at),
        w.map((x) => x.seq),
      ],
    )
    return { accepted: n, seq: first + n - 1 }
  }

  /** Replaces the geography record in one transaction of its own (no event, no ordering lock). */
  async recordGeography(record: GeographyRecord): Promise<void> {
    await this.transaction(async (client) => {
      // Processes starting at once on a new database each record it: one at a time (the DELETE
      // below then sees the rows the other committed), never a duplicate key.
      await client.query('SELECT pg_advisory_xact_lock($1)', [GEOGRAPHY_LOCK])
      await client.query('DELETE FROM geography_units')
      if (record.units.length > 0) {
        await client.query(
          `INSERT INTO geography_units (unit_id, level, parent_id, name) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
          [record.units.map((u) => u.id), record.units.map((u) => u.level), record.units.map((u) => u.parentId), record.units.map((u) => u.name)],
        )
      }
      await client.query(
        `INSERT INTO geography (id, hash, recorded_at) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, recorded_at = excluded.recorded_at`,
        [record.hash, record.recordedAt],
      )
    })
  }

  async loadCheckpoint(basis: string): Promise<RollupCheckpoint | undefined> {
    const row = (await this.pool.query<{ basis: string; seq: number; saved_at: number; data: Buffer }>('SELECT basis, seq, saved_at, data FROM rollup_checkpoints WHERE basis = $1', [basis]))
      .rows[0]
    return row ? { basis: row.basis, seq: row.seq, savedAt: row.saved_at, data: row.data } : undefined
  }

  /** Only a later state replaces the kept one: several processes may save theirs. */
  async saveCheckpoint(checkpoint: RollupCheckpoint): Promise<void> {
    await this.pool.query(
      `INSERT INTO rollup_checkpoints (basis, seq, saved_at, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (basis) DO UPDATE SET seq = excluded.seq, saved_at = excluded.saved_at, data = excluded.data
       WHERE excluded.seq > rollup_checkpoints.seq`,
      [checkpoint.basis, checkpoint.seq, checkpoint.savedAt, checkpoint.data],
    )
  }

  private async transaction<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const result = await run(client)
      await client.query('COMMIT')
      client.release()
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      client.release(error instanceof Error ? error : undefined)
      throw error
    }
  }

  private gridKnown(grid: string, community: string): void {
    const communities = this.knownGrids.get(grid)
    if (!communities) this.knownGrids.set(grid, [community])
    else if (!communities.includes(community)) communities.push(community)
  }

  // ---- reads (pg-queries.ts) ------------------------------------------------------------------

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

  eventCountsByUnit(units: readonly UnitRef[]): Promise<number[]> {
    return this.queries.eventCountsByUnit(units)
  }

  unitsInLog(): Promise<UnitRef[]> {
    return this.queries.unitsInLog()
  }

  /** Listeners get, in seq order and once each, every event committed after the store opened, by any process. */
  onCommit(listener: (events: LiveEvent[]) => void): () => void {
    return this.commits.onCommit(listener)
  }

  async close(): Promise<void> {
    await this.commits.close()
    await this.pool.end()
  }
}

function pathOf(row: { district_id: string; street_id: string; community_id: string; grid_id: string }) {
  return { districtId: row.district_id, streetId: row.street_id, communityId: row.community_id, gridId: row.grid_id }
}

function replayOrConflict(row: { id: string; created_seq: number; grid_id: string; fingerprint: string }, fingerprint: string, what: string): Outcome<CreatedReply> {
  if (row.fingerprint !== fingerprint) return { ok: false, code: 'conflict', message: `${what} ${row.id} already exists with a different body` }
  return { ok: true, replayed: true, value: { id: row.id, seq: row.created_seq, gridId: row.grid_id } }
}

function actorName(actor: Actor): string {
  return actor.kind === 'user' ? actor.name : actor.source
}

function invalidTransition(current: Stage, wanted: TransitionStage, allowed: readonly TransitionStage[]): StoreFailure {
  return { ok: false, code: 'invalid_transition', current, allowed, message: `cannot move from ${current} to ${wanted}; allowed next: ${allowed.join(', ') || 'none'}` }
}
