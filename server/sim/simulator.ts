// The live simulator: a district's residents, cameras and grid workers talking to the ingest API
// through the same HTTP routes (validation included) as outside systems. Fastify's `app.inject`
// is an Injector. Time is compressed by `speed`; timestamps stay the real clock's.
import type { Priority, Verdict } from '../../shared/domain'
import { fromWgs84 } from '../../shared/geo'
import type { CreateAlert, AlertReview } from '../../shared/schemas/alerts'
import type { Location } from '../../shared/schemas/common'
import { MAX_PINGS_PER_BATCH, type PatrolPing } from '../../shared/schemas/patrols'
import type { CreateRequest, Transition } from '../../shared/schemas/requests'
import type { Camera } from '../geo/cameras'
import type { Geography } from '../geo/geography'
import { TimeQueue } from './time-queue'
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
  planLifecycle,
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
}

export interface SimulatorStats {
  /** Successful POST /requests (camera-raised requests are counted in `reviews`). */
  requests: number
  transitions: number
  alerts: number
  reviews: number
  pings: number
  activities: number
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
  const counts: SimulatorStats = { requests: 0, transitions: 0, alerts: 0, reviews: 0, pings: 0, activities: 0, errors: 0 }
  const due = new TimeQueue<Action>()
  const chains = new Map<string, Promise<void>>()
  const inFlight = new Set<Promise<void>>()
  let nextRequest = 0
  let nextAlert = 0
  let lastTick = startedAt
  let stopped = false
  let errorLines = 0

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

  /** One call; a non-2xx answer throws, naming the status and the start of the body. */
  const call = async (url: string, payload: object): Promise<unknown> => {
    const res = await inject({ method: 'POST', url, payload, ...(headers ? { headers } : {}) })
    if (res.statusCode < 200 || res.statusCode >= 300) {
      let body = ''
      try {
        body = JSON.stringify(res.json()).slice(0, 200)
      } catch {
        // A body that is not JSON: the status says enough.
      }
      throw new Error(`POST ${url} → ${res.statusCode} ${body}`)
    }
    return res.json()
  }

  /** Runs the action after the entity's previous one; a failure stops the entity's later actions. */
  const runAction = (action: Action): Promise<void> => {
    const { entity } = action
    const previous = chains.get(entity.id) ?? Promise.resolve()
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

  const scheduleTransition = (entity: Entity, dueAt: number, body: Omit<Transition, 'at'>) => {
    due.push(dueAt, {
      entity,
      run: async () => {
        entity.lastAt = Math.max(entity.lastAt, now())
        const transition: Transition = { ...body, at: iso(entity.lastAt) }
        await call(`/api/v1/requests/${encodeURIComponent(entity.id)}/transitions`, transition)
        counts.transitions++
      },
    })
  }

  /** Queues a request's lifecycle, compressed by the speed, from `from` (real ms). */
  const scheduleLifecycle = (entity: Entity, from: number, priority: Priority, assignee: string) => {
    for (const { offset, ...step } of planLifecycle(rand, priority, assignee)) scheduleTransition(entity, from + offset / speed, step)
  }

  /** The operator's verdict; a confirmed alert raises a request whose lifecycle is then queued. */
  const scheduleReview = (entity: Entity, dueAt: number, verdict: Verdict, raise?: { priority: Priority; assignee: string }) => {
    due.push(dueAt, {
      entity,
      run: async () => {
        const reviewAt = (entity.lastAt = Math.max(entity.lastAt, now()))
        const review: AlertReview = { verdict, at: iso(reviewAt), ...(raise ? { raiseRequest: true } : {}) }
        const reply = (await call(`/api/v1/alerts/${encodeURIComponent(entity.id)}/review`, review)) as { requestId?: unknown } | null
        counts.reviews++
        if (raise && typeof reply?.requestId === 'string') {
          // The API names the raised request and sets its category and priority from the kind.
          scheduleLifecycle({ id: reply.requestId, failed: false, lastAt: reviewAt }, reviewAt, raise.priority, raise.assignee)
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
        const { type: _type, at: _at, requestId, ...body } = step
        scheduleTransition(entityFor(requestId), dueAt, body)
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
    const entity: Entity = { id: `${prefix}-r-${++nextRequest}`, failed: false, lastAt: at }
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
    scheduleLifecycle(entity, at, draft.priority, grid.workerId)
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
    const raise = draft.falsePositive ? undefined : { priority: ALERT_RAISES[draft.kind].priority, assignee: camera.grid.workerId }
    scheduleReview(entity, at + draft.reviewDelay / speed, raise ? 'confirmed' : 'false_positive', raise)
  }

  /** Each worker due reports once this tick, having walked the simulated time since the last one. */
  const patrolPings = (t: number): PatrolPing[] => {
    const pings: PatrolPing[] = []
    for (const w of workers) {
      if (w.nextPing > t) continue
      const elapsed = (t - w.lastPing) * speed
      walk(rand, w.walker, w.grid.area, elapsed)
      const kind = w.checkedIn ? patrolKind(rand, w.walker, elapsed) : 'check_in'
      w.checkedIn = true
      w.lastPing = t
      // At most one report per worker per tick: beyond that the wall would not show the difference.
      w.nextPing = Math.max(w.nextPing + pingInterval, t + Math.min(pingInterval, tickMs) / 2)
      pings.push({ workerId: w.grid.workerId, kind, location: { lon: round7(w.walker.lon), lat: round7(w.walker.lat) }, at: iso(t) })
    }
    return pings
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
      for (let next = due.popUntil(t); next; next = due.popUntil(t)) started.push(runAction(next.item))
      const pings = patrolPings(t)
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
