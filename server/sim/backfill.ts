// History for a fresh store: `days` of requests, alerts and (for the last day) patrols ending at
// `now`, written through the store's bulk path in time order. Deterministic for a seed (and a
// directory). With a directory, some requests go to the department sitting at the street or to an
// expert, as the live simulator sends them (targets.ts).
import type { Category } from '../../shared/domain'
import type { Directory } from '../directory/types'
import type { Camera } from '../geo/cameras'
import type { Geography } from '../geo/geography'
import type { HistoryOp, NewPing, NewRequest, Store } from '../store/types'
import { TimeQueue } from './time-queue'
import { activityRate, drawActivity } from './activities'
import {
  ALERT_RAISES,
  DAY,
  HOUR,
  LOCAL_OFFSET_MS,
  MINUTE,
  PATROL_END_HOUR,
  PATROL_START_HOUR,
  type PendingStep,
  type Rng,
  type SimGrid,
  type Walker,
  alertRate,
  buildDistrict,
  createWalker,
  drawAlert,
  drawRequest,
  localHour,
  mulberry32,
  patrolKind,
  planLifecycle,
  poisson,
  randomPointIn,
  requestRate,
  round7,
  walk,
} from './model'
import { DEFAULT_TIME_ZONE, drawTargetPlan, resolveTarget, workerTarget, type TargetPlan } from './targets'

export interface BackfillOptions {
  store: Store
  geography: Geography
  /** The center's registered cameras (OUTPOST_CAMERAS): the alerts come from them when there are any. */
  cameras?: readonly Camera[]
  days: number
  now: number
  seed?: number
  /** Ops per importHistory call. */
  chunkSize?: number
  /** Multiplies the request and alert rates (benchmarks: ×83 gives about a million requests in 30 days). */
  scale?: number
  /** Departments, rota and experts: dispatches go to them too. Without one, every dispatch goes to the grid's worker. */
  directory?: Directory
  /** The rota's time zone (OUTPOST_TIME_ZONE); Asia/Shanghai by default. */
  timeZone?: string
}

export interface BackfillResult {
  /** Requests created, camera-raised ones included. */
  requests: number
  alerts: number
  /** Individual patrol reports. */
  pings: number
  /** The store's last seq after the import. */
  seq: number
  transitions: number
  reviews: number
  activities: number
  /** Ops handed to importHistory; every one was applied. */
  ops: number
  /** What would happen after `now`, in time order: pass it to startSimulator's `resume`. */
  pending: PendingStep[]
}

const PING_INTERVAL = 5 * MINUTE
const DEFAULT_CHUNK = 5000

/** Ids of one backfill: the run's `now` and seed keep them apart from other runs and the live simulator. */
export function backfillIdPrefix(now: number, seed: number): string {
  return `hist-${Math.floor(now / 1000).toString(36)}-${(seed >>> 0).toString(36)}`
}

export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const { store, geography, now } = options
  const seed = options.seed ?? 1
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK
  const scale = options.scale ?? 1
  const days = Math.max(0, options.days)
  const start = now - days * DAY
  const pingStart = Math.max(start, now - DAY)
  const rand: Rng = mulberry32(seed)
  const district = buildDistrict(geography, seed, options.cameras)
  const prefix = backfillIdPrefix(now, seed)
  const directory = options.directory
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE
  /** A request's dispatch plan: drawn only with a directory, so that history without one stays as it was. */
  const targetPlan = (grid: SimGrid, category: Category): TargetPlan | undefined =>
    directory ? drawTargetPlan(rand, grid.workerId, grid.path.streetId, category) : undefined
  const queue = new TimeQueue<HistoryOp>()
  const result: BackfillResult = { requests: 0, alerts: 0, pings: 0, seq: await store.lastSeq(), transitions: 0, reviews: 0, activities: 0, ops: 0, pending: [] }
  let nextRequest = 0
  let nextAlert = 0
  let chunk: HistoryOp[] = []

  const flush = async () => {
    if (chunk.length === 0) return
    const ops = chunk
    chunk = []
    const outcome = await store.importHistory(ops)
    if (outcome.rejected > 0 || outcome.applied !== ops.length) {
      throw new Error(`backfill: the store applied ${outcome.applied} of ${ops.length} ops (${outcome.rejected} rejected)`)
    }
    result.ops += ops.length
    result.seq = outcome.seq
  }

  /** Hand over, in time order, every queued op due at or before `until`. */
  const drain = async (until: number) => {
    for (let next = queue.popUntil(until); next; next = queue.popUntil(until)) {
      const op = next.item
      if (op.op === 'transition') result.transitions++
      else if (op.op === 'review') result.reviews++
      chunk.push(op)
      if (chunk.length >= chunkSize) await flush()
    }
  }

  /** A request's lifecycle: what has happened by `now` is queued, the rest is pending. */
  const queueLifecycle = (requestId: string, receivedAt: number, priority: NewRequest['priority'], grid: SimGrid, plan: TargetPlan | undefined) => {
    planLifecycle(rand, priority, workerTarget(grid.workerId)).forEach((step, i) => {
      const at = receivedAt + step.offset
      const assignee = step.assignee !== undefined && plan ? resolveTarget(plan, at, directory, timeZone) : step.assignee
      const fields = {
        stage: step.stage,
        ...(assignee !== undefined ? { assignee } : {}),
        ...(step.note !== undefined ? { note: step.note } : {}),
        ...(step.review !== undefined ? { review: step.review } : {}),
      }
      if (at > now) {
        // The live simulator decides the dispatch again when it happens, on its own clock.
        result.pending.push({ type: 'transition', at, requestId, ...fields, ...(plan && step.stage === 'dispatched' ? { plan } : {}), receivedAt, priority })
        return
      }
      // The store takes a repeat of the last fingerprint for a retry; each step needs its own.
      queue.push(at, { op: 'transition', transition: { requestId, fingerprint: `${requestId}#${i}`, at, ...fields } })
    })
  }

  const reportedRequest = (at: number) => {
    const grid = district.pickGrid(rand)
    const draft = drawRequest(rand, grid)
    const point = randomPointIn(rand, grid.area)
    const id = `${prefix}-r-${++nextRequest}`
    const request: NewRequest = {
      id,
      fingerprint: id,
      source: draft.source,
      category: draft.category,
      priority: draft.priority,
      lon: round7(point.lon),
      lat: round7(point.lat),
      path: grid.path,
      receivedAt: at,
      ...(draft.description !== undefined ? { description: draft.description } : {}),
      ...(draft.reporter !== undefined ? { reporter: draft.reporter } : {}),
    }
    queue.push(at, { op: 'request', request })
    result.requests++
    queueLifecycle(id, at, request.priority, grid, targetPlan(grid, draft.category))
  }

  const cameraAlert = (at: number) => {
    const camera = district.pickCamera(rand)
    const draft = drawAlert(rand)
    const id = `${prefix}-a-${++nextAlert}`
    const lon = round7(camera.lon)
    const lat = round7(camera.lat)
    queue.push(at, {
      op: 'alert',
      alert: { id, fingerprint: id, cameraId: camera.id, kind: draft.kind, confidence: draft.confidence, lon, lat, path: camera.grid.path, at },
    })
    result.alerts++
    const reviewAt = at + Math.round(draft.reviewDelay)
    if (reviewAt > now) {
      const plan = draft.falsePositive ? undefined : targetPlan(camera.grid, ALERT_RAISES[draft.kind].category)
      const raise = draft.falsePositive
        ? undefined
        : { priority: ALERT_RAISES[draft.kind].priority, assignee: workerTarget(camera.grid.workerId), ...(plan ? { plan } : {}) }
      result.pending.push({ type: 'review', at: reviewAt, alertId: id, verdict: raise ? 'confirmed' : 'false_positive', ...(raise ? { raise } : {}) })
      return
    }
    if (draft.falsePositive) {
      queue.push(reviewAt, { op: 'review', review: { alertId: id, verdict: 'false_positive', at: reviewAt } })
      return
    }
    const raised = { requestId: `${prefix}-r-${++nextRequest}`, ...ALERT_RAISES[draft.kind] }
    queue.push(reviewAt, { op: 'review', review: { alertId: id, verdict: 'confirmed', at: reviewAt, raise: raised } })
    // The store creates the raised request with the review; only its lifecycle is queued here.
    result.requests++
    queueLifecycle(raised.requestId, reviewAt, raised.priority, camera.grid, targetPlan(camera.grid, raised.category))
  }

  let nextActivity = 0
  const serviceActivity = (at: number) => {
    const draft = drawActivity(rand, district)
    const unit = geography.get(draft.unit)!
    const id = `${prefix}-act-${++nextActivity}`
    queue.push(at, {
      op: 'activity',
      activity: {
        id,
        fingerprint: id,
        team: draft.team,
        kind: draft.kind,
        unitId: unit.id,
        districtId: geography.district.id,
        streetId: unit.level === 'street' ? unit.id : unit.parentId,
        communityId: unit.level === 'community' ? unit.id : null,
        at,
        participants: draft.participants,
      },
    })
    result.activities++
  }

  // Patrols: every worker on duty reports every five minutes; each day starts with a check-in.
  const walkers = new Map<string, Walker>()
  let walkDay = -1
  const patrolRound = (at: number) => {
    const day = Math.floor((at + LOCAL_OFFSET_MS) / DAY)
    if (day !== walkDay) {
      walkers.clear()
      walkDay = day
    }
    const pings: NewPing[] = []
    for (const grid of district.grids) {
      let walker = walkers.get(grid.id)
      let kind: NewPing['kind']
      if (!walker) {
        walker = createWalker(rand, grid.area)
        walkers.set(grid.id, walker)
        kind = 'check_in'
      } else {
        walk(rand, walker, grid.area, PING_INTERVAL)
        kind = patrolKind(rand, walker, PING_INTERVAL)
      }
      pings.push({ workerId: grid.workerId, kind, lon: round7(walker.lon), lat: round7(walker.lat), path: grid.path, at })
    }
    queue.push(at, { op: 'pings', pings })
    result.pings += pings.length
  }

  for (let hourStart = start; hourStart < now; ) {
    // UTC+8 is a whole number of hours: UTC hour boundaries are local ones too.
    const hourEnd = Math.min(now, (Math.floor(hourStart / HOUR) + 1) * HOUR)
    const span = hourEnd - hourStart
    const nRequests = poisson(rand, requestRate(hourStart) * span * scale)
    for (let i = 0; i < nRequests; i++) reportedRequest(hourStart + Math.floor(rand() * span))
    const nAlerts = poisson(rand, alertRate(hourStart) * span * scale)
    for (let i = 0; i < nAlerts; i++) cameraAlert(hourStart + Math.floor(rand() * span))
    const hourOfDay = localHour(hourStart)
    if (hourOfDay >= 8 && hourOfDay < 18) {
      // Activities happen in the daytime: the day's share falls in these ten hours.
      const nActivities = poisson(rand, activityRate() * span * 2.4)
      for (let i = 0; i < nActivities; i++) serviceActivity(hourStart + Math.floor(rand() * span))
    }
    const hour = localHour(hourStart)
    if (hourEnd > pingStart && hour >= PATROL_START_HOUR && hour < PATROL_END_HOUR) {
      for (let at = Math.ceil(Math.max(hourStart, pingStart) / PING_INTERVAL) * PING_INTERVAL; at < hourEnd; at += PING_INTERVAL) {
        patrolRound(at)
      }
    }
    // Everything due before the next hour has been queued by now: ops leave in time order.
    await drain(hourEnd - 1)
    hourStart = hourEnd
  }
  await drain(now)
  queue.clear()
  await flush()
  // Stable: the steps of one request stay in their order.
  result.pending.sort((a, b) => a.at - b.at)
  return result
}
