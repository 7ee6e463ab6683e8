// The read queries of the PostgreSQL store, the same answers as sqlite-queries.ts along the same
// indexes. A read of several statements that must describe one instant runs in one REPEATABLE READ
// transaction (one snapshot). A commit is durable when COMMIT returns, so a read hands out only
// durable state without waiting for anything.
import type pg from 'pg'
import type { Actor, DispatchTarget, Satisfaction, Stage, TransitionStage, UnitLevel } from '../../shared/domain'
import type { LiveEvent, LiveSnapshot, OpenAlarm, OpenAlert, OpenRequest, WorkerPosition } from '../../shared/events'
import type { RequestDetail, StageRecord } from '../../shared/schemas/requests'
import type { Alarm } from '../../shared/schemas/alarms'
import { maskName, maskPhone } from '../../shared/privacy'
import type { AlertFacts, RequestFacts } from '../../shared/metrics'
import type { UnitRef } from '../geo/geography'
import type { AlertState, EventsAfter, GeographyRecord, PatrolFact, PlacedRequestFacts, RequestSummary } from './types'
import type { AlarmRow, AlertRow, RequestRow } from './sqlite-schema'
import { PG_REQUEST_EVENT } from './pg-schema'
import { toLiveEvent } from './pg-commit'

interface EventRow {
  seq: number
  type: LiveEvent['type']
  at: number
  grid_id: string
  data: string
}

type Queryable = Pick<pg.ClientBase, 'query'>

const UNIT_COLUMN = { district: 'district_id', street: 'street_id', community: 'community_id', grid: 'grid_id' } as const

/** Numbered parameters ($1, $2, …) for a statement built in pieces. */
class Params {
  readonly values: unknown[] = []
  add(value: unknown): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
}

/**
 * The WHERE term for a unit's rows. A grid has no index of its own: its rows are read along its
 * communities' index (from `grids`; normally one community) and filtered, as in SQLite.
 */
function unitWhere(unit: UnitRef, p: Params): string {
  if (unit.level !== 'grid') return `${UNIT_COLUMN[unit.level]} = ${p.add(unit.id)}`
  const id = p.add(unit.id)
  return `community_id IN (SELECT community_id FROM grids WHERE grid_id = ${id}) AND grid_id = ${id}`
}

/** For a time window of a street, community or grid: the seqs of the window, from the time index (see sqlite-queries.ts). */
function seqSpan(unit: UnitRef, from: string, to: string): string {
  if (unit.level === 'district') return ''
  return `AND seq BETWEEN (SELECT min(seq) FROM events WHERE at >= ${from} AND at < ${to}) AND (SELECT max(seq) FROM events WHERE at >= ${from} AND at < ${to})`
}

export class PgQueries {
  constructor(private readonly pool: pg.Pool) {}

  /** Statements that must see one instant: one snapshot. */
  private async read<T>(run: (client: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
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

  private async rows<R extends pg.QueryResultRow>(sql: string, params: unknown[], on: Queryable = this.pool): Promise<R[]> {
    return (await on.query<R>(sql, params)).rows
  }

  async lastSeq(on: Queryable = this.pool): Promise<number> {
    return (await this.rows<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1', [], on))[0]!.seq
  }

  async getRequest(id: string, options: { reveal?: boolean } = {}): Promise<RequestDetail | undefined> {
    const read = await this.read(async (c) => {
      const row = (await this.rows<RequestRow>('SELECT * FROM requests WHERE id = $1', [id], c))[0]
      if (!row) return undefined
      const events = await this.rows<EventRow & { private: string | null; actor: string | null }>(
        `SELECT seq, type, at, data, private, actor FROM events WHERE entity_id = $1 AND ${PG_REQUEST_EVENT} ORDER BY seq`,
        [id],
        c,
      )
      return { row, events }
    })
    if (!read) return undefined
    const { row, events } = read
    const stages: StageRecord[] = []
    const urges: RequestDetail['urges'] = []
    for (const e of events) {
      const data = JSON.parse(e.data) as Record<string, unknown>
      const priv = e.private ? (JSON.parse(e.private) as { note?: string }) : {}
      const actor = e.actor ? (JSON.parse(e.actor) as Actor) : undefined
      if (e.type === 'request.urged') {
        urges.push({ seq: e.seq, at: new Date(e.at).toISOString(), ...(actor ? { actor } : {}), ...(priv.note !== undefined ? { note: priv.note } : {}) })
        continue
      }
      const record: StageRecord = { seq: e.seq, stage: e.type === 'request.received' ? 'received' : (data.stage as Stage), at: new Date(e.at).toISOString() }
      if (actor) record.actor = actor
      if (typeof data.assignee === 'string' || isTarget(data.assignee)) record.assignee = data.assignee
      if (priv.note !== undefined) record.note = priv.note
      if (typeof data.resolved === 'boolean') record.review = { resolved: data.resolved, satisfaction: data.satisfaction as never }
      stages.push(record)
    }
    const reporter = reporterOf(row, options.reveal ?? false)
    return {
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
      seq: row.last_seq ?? row.created_seq,
    }
  }

  async listRequests(unit: UnitRef, options: { openOnly: boolean; from: number; limit: number; stage?: Stage }): Promise<RequestSummary[]> {
    const p = new Params()
    const where = unitWhere(unit, p)
    const filter =
      options.stage !== undefined
        ? `AND stage = ${p.add(options.stage)}`
        : `AND received_at >= ${p.add(options.from)} ${options.openOnly ? "AND stage NOT IN ('resolved', 'reviewed')" : ''}`
    const rows = await this.rows<RequestRow>(
      `SELECT id, grid_id, source, category, priority, stage, stage_at, received_at, reporter_name, reporter_phone, lon, lat, assignee, urges
       FROM requests WHERE ${where} ${filter} ORDER BY received_at, id LIMIT ${p.add(options.limit)}`,
      p.values,
    )
    return rows.map((r): RequestSummary => {
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
  }

  async listAlarms(unit: UnitRef, options: { openOnly: boolean; limit: number }): Promise<Alarm[]> {
    const p = new Params()
    const where = unitWhere(unit, p)
    const rows = await this.rows<AlarmRow>(
      `SELECT * FROM alarms WHERE ${where} ${options.openOnly ? 'AND acked_seq IS NULL' : ''} ORDER BY raised_seq DESC LIMIT ${p.add(options.limit)}`,
      p.values,
    )
    return rows.map(toAlarm)
  }

  async getAlarm(id: string): Promise<Alarm | undefined> {
    const row = (await this.rows<AlarmRow>('SELECT * FROM alarms WHERE id = $1', [id]))[0]
    return row ? toAlarm(row) : undefined
  }

  async hasWorker(workerId: string): Promise<boolean> {
    return (await this.rows('SELECT 1 FROM workers WHERE worker_id = $1', [workerId])).length > 0
  }

  async listAlerts(unit: UnitRef, options: { from: number; to: number; openOnly: boolean; limit: number }): Promise<AlertState[]> {
    const p = new Params()
    const where = unitWhere(unit, p)
    const rows = await this.rows<AlertRow>(
      `SELECT * FROM alerts WHERE ${where} AND at >= ${p.add(options.from)} AND at < ${p.add(options.to)} ${options.openOnly ? 'AND verdict IS NULL' : ''}
       ORDER BY at DESC, id LIMIT ${p.add(options.limit)}`,
      p.values,
    )
    return rows.map((row) => ({ ...toOpenAlert(row), verdict: row.verdict, requestId: row.request_id, ...(row.snapshot_url ? { snapshotUrl: row.snapshot_url } : {}) }))
  }

  async getAlert(id: string): Promise<AlertState | undefined> {
    const row = (
      await this.rows<AlertRow & { reviewer: string | null }>(
        `SELECT a.*, (SELECT actor FROM events WHERE seq = a.review_seq) AS reviewer FROM alerts a WHERE id = $1`,
        [id],
      )
    )[0]
    if (!row) return undefined
    return {
      ...toOpenAlert(row),
      verdict: row.verdict,
      requestId: row.request_id,
      ...(row.reviewer ? { reviewedBy: JSON.parse(row.reviewer) as Actor } : {}),
      ...(row.snapshot_url ? { snapshotUrl: row.snapshot_url } : {}),
    }
  }

  async requestsReceived(unit: UnitRef, from: number, to: number): Promise<RequestFacts[]> {
    const p = new Params()
    const where = `${unitWhere(unit, p)} AND received_at >= ${p.add(from)} AND received_at < ${p.add(to)}`
    return this.requestFacts(where, p.values)
  }

  async openRequests(unit: UnitRef): Promise<PlacedRequestFacts[]> {
    const p = new Params()
    return (await this.requestFacts(`${unitWhere(unit, p)} AND stage NOT IN ('resolved', 'reviewed')`, p.values, true)) as PlacedRequestFacts[]
  }

  private requestFacts(where: string, params: unknown[], placed = false): Promise<RequestFacts[]> {
    return this.read(async (c) => {
      const rows = await this.rows<RequestRow>(
        `SELECT id, source, category, priority, grid_id, received_at, lon, lat FROM requests WHERE ${where} ORDER BY received_at, id`,
        params,
        c,
      )
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
      if (rows.length === 0) return []
      const transitions = await this.rows<{ entity_id: string; at: number; data: string }>(
        `SELECT entity_id, at, data FROM events
         WHERE type = 'request.transitioned' AND ${PG_REQUEST_EVENT} AND entity_id IN (SELECT id FROM requests WHERE ${where}) ORDER BY seq`,
        params,
        c,
      )
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
    })
  }

  async alertsRaised(unit: UnitRef, from: number, to: number): Promise<AlertFacts[]> {
    const p = new Params()
    const rows = await this.rows<AlertRow>(
      `SELECT id, kind, grid_id, at, verdict, reviewed_at FROM alerts WHERE ${unitWhere(unit, p)} AND at >= ${p.add(from)} AND at < ${p.add(to)} ORDER BY at, id`,
      p.values,
    )
    return rows.map((a) => ({ id: a.id, kind: a.kind, gridId: a.grid_id, at: a.at, verdict: a.verdict, reviewedAt: a.reviewed_at }))
  }

  async patrolsBetween(unit: UnitRef, from: number, to: number): Promise<PatrolFact[]> {
    const p = new Params()
    const where = unitWhere(unit, p)
    const f = p.add(from)
    const t = p.add(to)
    const rows = await this.rows<{ entity_id: string; grid_id: string; at: number; data: string }>(
      `SELECT entity_id, grid_id, at, data FROM events
       WHERE type = 'patrol.reported' AND ${where} AND at >= ${f} AND at < ${t} ${seqSpan(unit, f, t)} ORDER BY seq`,
      p.values,
    )
    return rows.map((r): PatrolFact => {
      const d = JSON.parse(r.data) as { lon: number; lat: number }
      return { workerId: r.entity_id, gridId: r.grid_id, lon: d.lon, lat: d.lat, at: r.at }
    })
  }

  async readLog(afterSeq: number, limit: number): Promise<LiveEvent[]> {
    const rows = await this.rows<EventRow>('SELECT seq, type, at, grid_id, data FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit])
    return rows.map(toLiveEvent)
  }

  async snapshot(unit: UnitRef): Promise<{ seq: number; snapshot: LiveSnapshot }> {
    return this.read(async (c) => {
      const seq = await this.lastSeq(c)
      const p = new Params()
      const where = unitWhere(unit, p)
      const requests = (
        await this.rows<RequestRow>(
          `SELECT id, grid_id, source, category, priority, lon, lat, received_at, stage, stage_at FROM requests
           WHERE ${where} AND stage NOT IN ('resolved', 'reviewed') ORDER BY received_at`,
          p.values,
          c,
        )
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
      const alerts = (await this.rows<AlertRow>(`SELECT * FROM alerts WHERE ${where} AND verdict IS NULL ORDER BY at`, p.values, c)).map(toOpenAlert)
      const workers = (
        await this.rows<{ worker_id: string; grid_id: string; kind: WorkerPosition['kind']; lon: number; lat: number; at: number }>(
          `SELECT worker_id, grid_id, kind, lon, lat, at FROM workers WHERE ${where} ORDER BY worker_id`,
          p.values,
          c,
        )
      ).map((w): WorkerPosition => ({ workerId: w.worker_id, gridId: w.grid_id, kind: w.kind, lon: w.lon, lat: w.lat, at: w.at }))
      const alarms = (await this.rows<AlarmRow>(`SELECT * FROM alarms WHERE ${where} AND acked_seq IS NULL ORDER BY raised_seq`, p.values, c)).map(
        (a): OpenAlarm => ({ alarmId: a.id, reason: a.reason, subjectId: a.subject_id, gridId: a.grid_id, lon: a.lon, lat: a.lat, at: a.raised_at }),
      )
      return { seq, snapshot: { requests, alerts, workers, alarms } }
    })
  }

  async eventsAfter(unit: UnitRef, sinceSeq: number, limit: number, maxBytes = Infinity): Promise<EventsAfter | undefined> {
    return this.read(async (c) => {
      const seq = await this.lastSeq(c)
      const p = new Params()
      const where = unitWhere(unit, p)
      const rows = await this.rows<EventRow>(
        `SELECT seq, type, at, grid_id, data FROM events WHERE ${where} AND seq > ${p.add(sinceSeq)} ORDER BY seq LIMIT ${p.add(limit + 1)}`,
        p.values,
        c,
      )
      const events: LiveEvent[] = []
      let bytes = 0
      for (const row of rows) {
        bytes += eventJsonBytes(row)
        if (events.length === limit || bytes > maxBytes) return undefined
        events.push(toLiveEvent(row))
      }
      return { seq: Math.max(seq, sinceSeq), events }
    })
  }

  async firstEventAt(from: number): Promise<number | undefined> {
    const at = (await this.rows<{ at: number | null }>('SELECT min(at) AS at FROM events WHERE at >= $1', [from]))[0]?.at
    return at ?? undefined
  }

  async eventsBetween(unit: UnitRef, from: number, to: number, limit: number, types?: readonly LiveEvent['type'][]): Promise<LiveEvent[]> {
    const p = new Params()
    const where = unitWhere(unit, p)
    const f = p.add(from)
    const t = p.add(to)
    const typeFilter = types && types.length > 0 ? `AND type = ANY(${p.add([...types])}::text[])` : ''
    const rows = await this.rows<EventRow>(
      `SELECT seq, type, at, grid_id, data FROM events WHERE ${where} AND at >= ${f} AND at < ${t} ${seqSpan(unit, f, t)} ${typeFilter}
       ORDER BY seq LIMIT ${p.add(limit)}`,
      p.values,
    )
    return rows.map(toLiveEvent)
  }

  async activityTotals(unit: UnitRef, from: number, to: number): Promise<{ kind: string; activities: number; participants: number }[]> {
    if (unit.level === 'grid') return []
    return this.rows<{ kind: string; activities: number; participants: number }>(
      `SELECT kind, count(*) AS activities, sum(participants) AS participants FROM activities
       WHERE ${UNIT_COLUMN[unit.level]} = $1 AND at >= $2 AND at < $3 GROUP BY kind ORDER BY kind`,
      [unit.id, from, to],
    )
  }

  // ---- the geography record (geography-guard.ts) ----------------------------------------------

  async geographyRecord(): Promise<GeographyRecord | undefined> {
    return this.read(async (c) => {
      const head = (await this.rows<{ hash: string; recorded_at: number }>('SELECT hash, recorded_at FROM geography WHERE id = 1', [], c))[0]
      if (!head) return undefined
      const rows = await this.rows<{ unit_id: string; level: UnitLevel; parent_id: string | null; name: string }>(
        'SELECT unit_id, level, parent_id, name FROM geography_units ORDER BY unit_id',
        [],
        c,
      )
      return { hash: head.hash, recordedAt: head.recorded_at, units: rows.map((r) => ({ id: r.unit_id, level: r.level, parentId: r.parent_id, name: r.name })) }
    })
  }

  /** As sqlite-queries.ts: streets and communities on their indexes, grids along their communities', districts as the sum of their streets. */
  async eventCountsByUnit(units: readonly UnitRef[]): Promise<number[]> {
    return this.read(async (c) => {
      const result = units.map(() => 0)
      const count = async (column: 'street_id' | 'community_id', id: string) =>
        (await this.rows<{ n: number }>(`SELECT count(*) AS n FROM events WHERE ${column} = $1`, [id], c))[0]!.n
      const gridsByCommunity = new Map<string, Map<string, number[]>>()
      let streets: { streetId: string; districtId: string }[] | undefined
      for (const [i, unit] of units.entries()) {
        switch (unit.level) {
          case 'district':
            streets ??= await this.logStreets(c)
            for (const s of streets) if (s.districtId === unit.id) result[i] += await count('street_id', s.streetId)
            break
          case 'street':
            result[i] = await count('street_id', unit.id)
            break
          case 'community':
            result[i] = await count('community_id', unit.id)
            break
          case 'grid':
            for (const { community_id: community } of await this.rows<{ community_id: string }>('SELECT community_id FROM grids WHERE grid_id = $1', [unit.id], c)) {
              const grids = gridsByCommunity.get(community) ?? new Map<string, number[]>()
              gridsByCommunity.set(community, grids)
              grids.set(unit.id, [...(grids.get(unit.id) ?? []), i])
            }
            break
        }
      }
      if (gridsByCommunity.size === 0) return result
      // One pass over the log when the communities hold more than a third of it (the last seq is
      // the number of rows: seqs are gapless and no row is ever deleted).
      let inCommunities = 0
      for (const community of gridsByCommunity.keys()) inCommunities += await count('community_id', community)
      const byGrid = new Map<string, number[]>()
      for (const grids of gridsByCommunity.values()) for (const [grid, places] of grids) byGrid.set(grid, places)
      type GridCount = { grid_id: string; n: number }
      const wholeLog = inCommunities * 3 > (await this.lastSeq(c))
      const rows = wholeLog
        ? await this.rows<GridCount>('SELECT grid_id, count(*) AS n FROM events GROUP BY grid_id', [], c)
        : await this.rows<GridCount>('SELECT grid_id, count(*) AS n FROM events WHERE community_id = ANY($1::text[]) GROUP BY grid_id', [[...gridsByCommunity.keys()]], c)
      for (const row of rows) for (const i of byGrid.get(row.grid_id) ?? []) result[i] += row.n
      return result
    })
  }

  async unitsInLog(): Promise<UnitRef[]> {
    return this.read(async (c) => {
      const streets = await this.logStreets(c)
      const refs: UnitRef[] = [...new Set(streets.map((s) => s.districtId))].map((id) => ({ id, level: 'district' }))
      for (const s of streets) refs.push({ id: s.streetId, level: 'street' })
      for (const { id } of await this.rows<{ id: string }>('SELECT DISTINCT community_id AS id FROM grids ORDER BY id', [], c)) refs.push({ id, level: 'community' })
      for (const { id } of await this.rows<{ id: string }>('SELECT DISTINCT grid_id AS id FROM grids ORDER BY id', [], c)) refs.push({ id, level: 'grid' })
      return refs
    })
  }

  /** The streets the log names, one seek each along the street index (a skip scan by recursion), each with its first event's district. */
  private async logStreets(c: Queryable): Promise<{ streetId: string; districtId: string }[]> {
    const rows = await this.rows<{ street_id: string; district_id: string }>(
      `WITH RECURSIVE s AS (
         SELECT (SELECT min(street_id) FROM events) AS street_id
         UNION ALL
         SELECT (SELECT min(street_id) FROM events WHERE street_id > s.street_id) FROM s WHERE s.street_id IS NOT NULL
       )
       SELECT street_id, (SELECT district_id FROM events e WHERE e.street_id = s.street_id ORDER BY seq LIMIT 1) AS district_id
       FROM s WHERE street_id IS NOT NULL`,
      [],
      c,
    )
    return rows.map((r) => ({ streetId: r.street_id, districtId: r.district_id }))
  }
}

function reporterOf(row: { reporter_name: string | null; reporter_phone: string | null }, reveal: boolean): { name?: string; phone?: string } | undefined {
  const reporter: { name?: string; phone?: string } = {}
  if (row.reporter_name) reporter.name = reveal ? row.reporter_name : maskName(row.reporter_name)
  if (row.reporter_phone) reporter.phone = reveal ? row.reporter_phone : maskPhone(row.reporter_phone)
  return reporter.name || reporter.phone ? reporter : undefined
}

function isTarget(value: unknown): value is DispatchTarget {
  return typeof value === 'object' && value !== null && typeof (value as DispatchTarget).kind === 'string' && typeof (value as DispatchTarget).id === 'string'
}

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
    ...(a.acked_seq !== null ? { ack: { at: new Date(a.acked_at!).toISOString(), actor: JSON.parse(a.acked_by!) as Actor, seq: a.acked_seq } } : {}),
  }
}

function toOpenAlert(a: AlertRow): OpenAlert {
  return { alertId: a.id, gridId: a.grid_id, cameraId: a.camera_id, kind: a.kind, confidence: a.confidence, lon: a.lon, lat: a.lat, at: a.at }
}

function eventJsonBytes(row: EventRow): number {
  return Buffer.byteLength(row.data) + row.type.length + row.grid_id.length + 60
}
