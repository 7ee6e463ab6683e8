// The live simulator: a district's residents, cameras and grid workers talking to the ingest API
// through the same HTTP routes (validation included) as outside systems. Fastify's `app.inject`
// is an Injector. Time is compressed by `speed`; timestamps stay the real clock's.
//
// It plays the center's staff too, where the demo needs them: it dispatches to the grid's worker,
// to the department sitting at the street (with a directory) or to an expert; it acknowledges the
// alarms it knows it caused (urgent requests, camera alerts, requests it answered late) a minute or
// three after; and it urges (督办) a share of the requests it lets go late.
import { alarmIdOf, type Category, type DispatchTarget, type Priority, type Stage, type Verdict } from '../../shared/domain'
import { DEFAULT_POLICY, type Policy } from '../../shared/metrics'
import { fromWgs84 } from '../../shared/geo'
import type { CreateAlert, AlertReview } from '../../shared/schemas/alerts'
import type { Location } from '../../shared/schemas/common'
import { MAX_PINGS_PER_BATCH, type PatrolPing } from '../../shared/schemas/patrols'
import type { CreateRequest, Transition } from '../../shared/schemas/requests'
import type { Directory } from '../directory/types'
import type { Camera } from '../geo/cameras'
import type { Geography } from '../geo/geography'
import { TimeQueue } from './time-queue'
import { DEFAULT_TIME_ZONE, drawTargetPlan, resolveTarget, workerTarget, type TargetPlan } from './targets'
import { activityRate, drawActivity } from './activities'
import {
  ALERT_RAISES,
  type PendingStep,
  type Rng,
  type SimGrid,
  type Walker,
  alertRate,
  buildDistrict,
  chance,
  createWalker,
  drawAlert,
  drawRequest,
  mulberry32,
  patrolKind,
  MINUTE,
  planLifecycle,
  planUrge,
  poisson,
  randomPointIn,
  requestRate,
  round7,
  walk,
} from './model'

/** Fastify's `app.inject` is one; payloads are always JSON objects. */
export type Injector = (req: {
  method: 'POST' | 'GET'
  url: string
  payload?: object
  headers?: Record<string, string>
}) => Promise<{ statusCode: number; json(): unknown }>

export interface SimulatorOptions {
  inject: Injector
  geography: Geography
  /**
   * The center's registered cameras (OUTPOST_CAMERAS): the alerts come from them, without a
   * location (the server takes the camera's), when there are any; else from cameras of its own.
   */
  cameras?: readonly Camera[]
  /** Time compression: at 60, an hour of the district's activity happens in a minute. */
  speed: number
  now?: () => number
  seed?: number
  /** Real milliseconds between ticks (default 1000). */
  tickMs?: number
  /** false: no timer; the caller drives `tick()` (tests, benchmarks). Default true. */
  autoTick?: boolean
  log?: (msg: string) => void
  /** Headers for every call (an ingest key, for example). */
  headers?: Record<string, string>
  /** The backfill's `pending` steps: carried out (compressed by `speed`) so its open requests move on. */
  resume?: readonly PendingStep[]
  /**
   * Departments, rota and experts: some dispatches go to the department sitting at the street at
   * that moment, or to an expert. Without one, every dispatch goes to the grid's worker.
   */
  directory?: Directory
  /** The rota's time zone (OUTPOST_TIME_ZONE); Asia/Shanghai by default. */
  timeZone?: string
  /** The deadlines the server's overdue alarms follow (OUTPOST_POLICY); the default policy's otherwise. */
  policy?: Policy
}

export interface SimulatorStats {
  /** Successful POST /requests (camera-raised requests are counted in `reviews`). */
  requests: number
  transitions: number
  alerts: number
  reviews: number
  pings: number
  activities: number
  /** 督办 stored (a request closed meanwhile is skipped, not counted). */
  urges: number
  /** Alarms acknowledged (one gone or already acknowledged is skipped, not counted). */
  acks: number
  errors: number
}

export interface Simulator {
  /** Stops the timer and waits for the calls in flight. */
  stop(): Promise<void>
  stats(): SimulatorStats
  /** One step, as the timer does it; resolves when the calls it started have settled. */
  tick(): Promise<void>
}

/** Simulated seconds between a worker's pings. */
const PING_EVERY_MS = 30_000
/** A stalled process does not make up for lost time in one burst. */
const MAX_TICK_GAP_TICKS = 10
/** Error lines logged before the log goes quiet. */
const MAX_ERROR_LINES = 5
/** An overdue alarm the server's sweep may not have raised yet: asked again this much later (real ms), so often. */
const OVERDUE_ACK_RETRY_MS = 30_000
const OVERDUE_ACK_RETRIES = 2
const URGE_NOTE = '已超过办理时限，请尽快办结并反馈'

/** Something to do for one entity (a request or an alert) once its time has come. */
interface Action {
  entity: Entity
  run: (entity: Entity) => Promise<void>
}

/** A request or alert: its calls run one after another, and stop after a failure. */
interface Entity {
  id: string
  failed: boolean
  /** The time of its last event: a later one is never stamped before it. */
  lastAt: number
  /** A request's receipt and priority, when known: its deadlines (for the overdue alarm). */
  receivedAt?: number
  priority?: Priority
  /** A request's first `accepted` has happened (its response deadline is then settled). */
  accepted?: boolean
  /** Its overdue alarm has been acknowledged, or is about to be. */
  overdueAcked?: boolean
}

interface WorkerState {
  grid: SimGrid
  walker: Walker
  nextPing: number
  lastPing: number
  checkedIn: boolean
}

export function startSimulator(options: SimulatorOptions): Simulator {
  const { inject, geography } = options
  const speed = options.speed > 0 ? options.speed : 1
  const now = options.now ?? Date.now
  const seed = options.seed ?? (Date.now() ^ 0x9e3779b9)
  const tickMs = options.tickMs !== undefined && options.tickMs > 0 ? options.tickMs : 1000
  const log = options.log ?? (() => {})
  const headers = options.headers
  const rand: Rng = mulberry32(seed)
  const district = buildDistrict(geography, seed, options.cameras)
  const startedAt = now()
  // The start time keeps ids apart from earlier runs and from any backfill.
  const prefix = `sim-${Math.floor(startedAt / 1000).toString(36)}`
  const directory = options.directory
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE
  const deadlines = (options.policy ?? DEFAULT_POLICY).deadlines
  const counts: SimulatorStats = { requests: 0, transitions: 0, alerts: 0, reviews: 0, pings: 0, activities: 0, urges: 0, acks: 0, errors: 0 }
  const due = new TimeQueue<Action>()
  const chains = new Map<string, Promise<void>>()
  const inFlight = new Set<Promise<void>>()
  let nextRequest = 0
  let nextAlert = 0
  let lastTick = startedAt
  let stopped = false
  let errorLines = 0
  /** The patrol calls of the last tick that had a worker's first check-in. */
  let checkIns: Promise<unknown> = Promise.resolve()

  const pingInterval = PING_EVERY_MS / speed
  const workers: WorkerState[] = district.grids.map((grid) => ({
    grid,
    walker: createWalker(rand, grid.area),
    // Staggered, so the first tick is not one wall of pings.
    nextPing: startedAt + rand() * pingInterval,
    lastPing: startedAt,
    checkedIn: false,
  }))

  const iso = (ms: number) => new Date(ms).toISOString()

  const fail = (what: string, detail: string) => {
    counts.errors++
    if (errorLines < MAX_ERROR_LINES) {
      errorLines++
      log(`simulator: ${what} failed: ${detail}${errorLines === MAX_ERROR_LINES ? ' (further errors are counted, not logged)' : ''}`)
    }
  }

  /** One call; a non-2xx answer (other than those in `tolerate`) throws, naming the status and the start of the body. */
  const post = async (url: string, payload: object, tolerate: readonly number[] = []): Promise<{ statusCode: number; body: unknown }> => {
    const res = await inject({ method: 'POST', url, payload, ...(headers ? { headers } : {}) })
    if ((res.statusCode < 200 || res.statusCode >= 300) && !tolerate.includes(res.statusCode)) {
      let body = ''
      try {
        body = JSON.stringify(res.json()).slice(0, 200)
      } catch {
        // A body that is not JSON: the status says enough.
      }
      throw new Error(`POST ${url} → ${res.statusCode} ${body}`)
    }
    return { statusCode: res.statusCode, body: res.statusCode < 300 ? res.json() : undefined }
  }
  const call = async (url: string, payload: object): Promise<unknown> => (await post(url, payload)).body
  /** The staff's calls: 404 (gone, not raised) and 409 (already done, closed) are no failure. */
  const STAFF_TOLERATES = [404, 409] as const

  /** Runs the action after the entity's previous one; a failure stops the entity's later actions. */
  const runAction = (action: Action): Promise<void> => {
    const { entity } = action
    // A dispatch names a worker the server must have seen: the first check-ins go before anything else.
    const previous = chains.get(entity.id) ?? checkIns
    const next = previous.then(async () => {
      if (entity.failed || stopped) return
      try {
        await action.run(entity)
      } catch (error) {
        entity.failed = true
        fail(entity.id, error instanceof Error ? error.message : String(error))
      }
    })
    chains.set(entity.id, next)
    inFlight.add(next)
    void next.finally(() => {
      inFlight.delete(next)
      if (chains.get(entity.id) === next) chains.delete(entity.id)
    })
    return next
  }

  /**
   * A call of the staff's on the entity's chain (after its earlier calls): a failure is counted and
   * logged but does not stop the entity's later calls.
   */
  const scheduleStaff = (entity: Entity, dueAt: number, what: string, run: () => Promise<void>) => {
    due.push(dueAt, {
      entity,
      run: async () => {
        try {
          await run()
        } catch (error) {
          fail(what, error instanceof Error ? error.message : String(error))
        }
      },
    })
  }

  /** 1–3 simulated minutes: how long the duty officer takes to acknowledge an alarm. */
  const ackDelay = () => ((1 + 2 * rand()) * MINUTE) / speed

  /** Acknowledges an alarm on the console's behalf; one not raised (yet) is asked for again `retries` times. */
  const scheduleAck = (entity: Entity, alarmId: string, dueAt: number, retries = 0) => {
    scheduleStaff(entity, dueAt, alarmId, async () => {
      const { statusCode } = await post(`/api/v1/alarms/${encodeURIComponent(alarmId)}/ack`, {}, STAFF_TOLERATES)
      if (statusCode < 300) counts.acks++
      else if (statusCode === 404 && retries > 0 && !stopped) scheduleAck(entity, alarmId, now() + Math.max(OVERDUE_ACK_RETRY_MS, ackDelay()), retries - 1)
    })
  }

  /** 督办 on the center's behalf; a request closed meanwhile is left alone. */
  const scheduleUrge = (entity: Entity, dueAt: number) => {
    scheduleStaff(entity, dueAt, `${entity.id} urge`, async () => {
      entity.lastAt = Math.max(entity.lastAt, now())
      const { statusCode } = await post(`/api/v1/requests/${encodeURIComponent(entity.id)}/urge`, { note: URGE_NOTE, at: iso(entity.lastAt) }, STAFF_TOLERATES)
      if (statusCode < 300) counts.urges++
    })
  }

  /** Whether the step just taken at `at` was late by the server's deadlines (the request's overdue alarm is then up). */
  const tookLate = (entity: Entity, stage: Stage, at: number): boolean => {
    if (entity.receivedAt === undefined || entity.priority === undefined || entity.overdueAcked) return false
    const deadline = deadlines[entity.priority]
    if (stage === 'accepted' && !entity.accepted) {
      entity.accepted = true
      if (at > entity.receivedAt + deadline.responseSec * 1000) return true
    }
    return stage === 'resolved' && at > entity.receivedAt + deadline.resolutionSec * 1000
  }

  /** A step; a `dispatched` with a plan picks its target when it happens (who sits at the street then). */
  const scheduleTransition = (entity: Entity, dueAt: number, body: Omit<Transition, 'at'>, plan?: TargetPlan) => {
    due.push(dueAt, {
      entity,
      run: async () => {
        const at = (entity.lastAt = Math.max(entity.lastAt, now()))
        const assignee = body.stage === 'dispatched' && plan ? resolveTarget(plan, at, directory, timeZone) : body.assignee
        const transition: Transition = { ...body, ...(assignee ? { assignee } : {}), at: iso(at) }
        await call(`/api/v1/requests/${encodeURIComponent(entity.id)}/transitions`, transition)
        counts.transitions++
        if (tookLate(entity, body.stage, at)) {
          // The sweep raised its overdue alarm when the deadline passed; the officer acknowledges it.
          entity.overdueAcked = true
          scheduleAck(entity, alarmIdOf('overdue', entity.id), at + ackDelay(), OVERDUE_ACK_RETRIES)
        }
      },
    })
  }

  /** Queues a request's lifecycle, compressed by the speed, from `from` (real ms), and its 督办 when the plan is late. */
  const scheduleLifecycle = (entity: Entity, from: number, priority: Priority, workerId: string, plan?: TargetPlan) => {
    const steps = planLifecycle(rand, priority, workerTarget(workerId))
    for (const { offset, ...step } of steps) scheduleTransition(entity, from + offset / speed, step, plan)
    const urgeAt = planUrge(rand, priority, steps)
    if (urgeAt !== undefined) scheduleUrge(entity, from + urgeAt / speed)
  }

  /** A dispatch plan, drawn only with a directory: without one the draws stay as they were. */
  const targetPlan = (grid: SimGrid, category: Category): TargetPlan | undefined =>
    directory ? drawTargetPlan(rand, grid.workerId, grid.path.streetId, category) : undefined

  /** The operator's verdict; a confirmed alert raises a request whose lifecycle is then queued. */
  const scheduleReview = (entity: Entity, dueAt: number, verdict: Verdict, raise?: { priority: Priority; assignee: DispatchTarget; plan?: TargetPlan }) => {
    due.push(dueAt, {
      entity,
      run: async () => {
        const reviewAt = (entity.lastAt = Math.max(entity.lastAt, now()))
        const review: AlertReview = { verdict, at: iso(reviewAt), ...(raise ? { raiseRequest: true } : {}) }
        const reply = (await call(`/api/v1/alerts/${encodeURIComponent(entity.id)}/review`, review)) as { requestId?: unknown } | null
        counts.reviews++
        if (raise && typeof reply?.requestId === 'string') {
          // The API names the raised request and sets its category and priority from the kind.
          const raised: Entity = { id: reply.requestId, failed: false, lastAt: reviewAt, receivedAt: reviewAt, priority: raise.priority }
          scheduleLifecycle(raised, reviewAt, raise.priority, raise.assignee.id, raise.plan)
          if (raise.priority === 'urgent') scheduleAck(raised, alarmIdOf('urgent_request', raised.id), reviewAt + ackDelay())
        }
      },
    })
  }

  /** Steps a backfill left for later, on the simulator's compressed clock. */
  const resume = (steps: readonly PendingStep[]) => {
    const entities = new Map<string, Entity>()
    const entityFor = (id: string) => {
      let entity = entities.get(id)
      if (!entity) entities.set(id, (entity = { id, failed: false, lastAt: startedAt }))
      return entity
    }
    for (const step of steps) {
      const dueAt = startedAt + Math.max(0, step.at - startedAt) / speed
      if (step.type === 'review') {
        scheduleReview(entityFor(step.alertId), dueAt, step.verdict, step.raise)
      } else {
        const { type: _type, at: _at, requestId, plan, receivedAt, priority, ...body } = step
        const entity = entityFor(requestId)
        if (receivedAt !== undefined && priority !== undefined) {
          entity.receivedAt = receivedAt
          entity.priority = priority
        }
        scheduleTransition(entity, dueAt, body, plan)
      }
    }
  }

  const newRequest = (at: number) => {
    const grid = district.pickGrid(rand)
    const draft = drawRequest(rand, grid)
    const point = randomPointIn(rand, grid.area)
    // One hotline request in 20 arrives in GCJ-02, as from a map app, to exercise the conversion.
    let location: Location = { lon: round7(point.lon), lat: round7(point.lat) }
    if (draft.source === 'hotline' && chance(rand, 0.05)) {
      const gcj = fromWgs84(point, 'gcj02')
      location = { lon: round7(gcj.lon), lat: round7(gcj.lat), crs: 'gcj02' }
    }
    const entity: Entity = { id: `${prefix}-r-${++nextRequest}`, failed: false, lastAt: at, receivedAt: at, priority: draft.priority }
    const body: CreateRequest = {
      id: entity.id,
      source: draft.source,
      category: draft.category,
      priority: draft.priority,
      location,
      receivedAt: iso(at),
      ...(draft.description !== undefined ? { description: draft.description } : {}),
      ...(draft.reporter !== undefined ? { reporter: draft.reporter } : {}),
    }
    due.push(at, {
      entity,
      run: async () => {
        await call('/api/v1/requests', body)
        counts.requests++
      },
    })
    scheduleLifecycle(entity, at, draft.priority, grid.workerId, targetPlan(grid, draft.category))
    // An urgent request raises an alarm that stays on the wall until the officer acknowledges it.
    if (draft.priority === 'urgent') scheduleAck(entity, alarmIdOf('urgent_request', entity.id), at + ackDelay())
  }

  const newAlert = (at: number) => {
    const camera = district.pickCamera(rand)
    const draft = drawAlert(rand)
    const entity: Entity = { id: `${prefix}-a-${++nextAlert}`, failed: false, lastAt: at }
    const body: CreateAlert = {
      id: entity.id,
      cameraId: camera.id,
      kind: draft.kind,
      confidence: draft.confidence,
      // A registered camera's box sends no location: the server knows where the camera is.
      ...(camera.registered ? {} : { location: { lon: round7(camera.lon), lat: round7(camera.lat) } }),
      at: iso(at),
    }
    due.push(at, {
      entity,
      run: async () => {
        await call('/api/v1/alerts', body)
        counts.alerts++
      },
    })
    scheduleAck(entity, alarmIdOf('camera_alert', entity.id), at + ackDelay())
    const plan = draft.falsePositive ? undefined : targetPlan(camera.grid, ALERT_RAISES[draft.kind].category)
    const raise = draft.falsePositive
      ? undefined
      : { priority: ALERT_RAISES[draft.kind].priority, assignee: workerTarget(camera.grid.workerId), ...(plan ? { plan } : {}) }
    scheduleReview(entity, at + draft.reviewDelay / speed, raise ? 'confirmed' : 'false_positive', raise)
  }

  /** Each worker due reports once this tick, having walked the simulated time since the last one. */
  const patrolPings = (t: number): { pings: PatrolPing[]; firstCheckIn: boolean } => {
    const pings: PatrolPing[] = []
    let firstCheckIn = false
    for (const w of workers) {
      if (w.nextPing > t) continue
      if (!w.checkedIn) firstCheckIn = true
      const elapsed = (t - w.lastPing) * speed
      walk(rand, w.walker, w.grid.area, elapsed)
      const kind = w.checkedIn ? patrolKind(rand, w.walker, elapsed) : 'check_in'
      w.checkedIn = true
      w.lastPing = t
      // At most one report per worker per tick: beyond that the wall would not show the difference.
      w.nextPing = Math.max(w.nextPing + pingInterval, t + Math.min(pingInterval, tickMs) / 2)
      pings.push({ workerId: w.grid.workerId, kind, location: { lon: round7(w.walker.lon), lat: round7(w.walker.lat) }, at: iso(t) })
    }
    return { pings, firstCheckIn }
  }

  const newActivity = (at: number) => {
    const draft = drawActivity(rand, district)
    const p = call('/api/v1/activities', { ...draft, at: new Date(at).toISOString() }).then(
      () => {
        counts.activities++
      },
      (error: unknown) => fail('activities', error instanceof Error ? error.message : String(error)),
    )
    inFlight.add(p)
    void p.finally(() => inFlight.delete(p))
  }

  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve()
    const t = now()
    const from = Math.max(lastTick, t - MAX_TICK_GAP_TICKS * tickMs)
    const span = Math.max(0, t - from)
    lastTick = Math.max(lastTick, t)
    try {
      if (span > 0) {
        // Arrivals: Poisson over the simulated span, at the rate of the real clock's hour.
        const simulated = span * speed
        const nRequests = poisson(rand, requestRate(t) * simulated)
        for (let i = 0; i < nRequests; i++) newRequest(from + rand() * span)
        const nAlerts = poisson(rand, alertRate(t) * simulated)
        for (let i = 0; i < nAlerts; i++) newAlert(from + rand() * span)
        const nActivities = poisson(rand, activityRate() * simulated)
        for (let i = 0; i < nActivities; i++) newActivity(Math.round(from + rand() * span))
      }
      const started: Promise<void>[] = []
      const { pings, firstCheckIn } = patrolPings(t)
      for (let i = 0; i < pings.length; i += MAX_PINGS_PER_BATCH) {
        const batch = pings.slice(i, i + MAX_PINGS_PER_BATCH)
        const p = call('/api/v1/patrols', { pings: batch }).then(
          () => {
            counts.pings += batch.length
          },
          (error: unknown) => fail('patrols', error instanceof Error ? error.message : String(error)),
        )
        inFlight.add(p)
        void p.finally(() => inFlight.delete(p))
        started.push(p)
      }
      if (firstCheckIn) checkIns = Promise.all(started)
      for (let next = due.popUntil(t); next; next = due.popUntil(t)) started.push(runAction(next.item))
      return Promise.all(started).then(() => undefined)
    } catch (error) {
      fail('tick', error instanceof Error ? error.message : String(error))
      return Promise.resolve()
    }
  }

  if (options.resume) resume(options.resume)
  const timer = options.autoTick === false ? undefined : setInterval(() => void tick(), tickMs)
  timer?.unref()
  log(`simulator: ${district.grids.length} grids, ${district.cameras.length} ${district.cameras[0]?.registered ? 'registered ' : ''}cameras, speed ×${speed}`)

  return {
    tick,
    stats: () => ({ ...counts }),
    async stop() {
      if (timer) clearInterval(timer)
      stopped = true
      due.clear()
      while (inFlight.size > 0) await Promise.allSettled([...inFlight])
    },
  }
}
