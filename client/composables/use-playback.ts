import { onScopeDispose, ref } from 'vue'
import type { LiveEvent, OpenRequest } from '../../shared/events'
import type { Policy } from '../../shared/metrics'
import { HOUR_MS, addDays, startOfLocalDate } from '../../shared/time'
import { fetchOpenRequests, fetchSeries, type OpenRequestsReply } from '../api'
import { isUnauthorized, type FetchLike } from '../http'
import { hourOfDayMedian } from '../charts/response-times'
import { useGeographyStore } from '../stores/geography'
import { useLiveStore, workersOnline } from '../stores/live'
import { useMetricsStore } from '../stores/metrics'
import { loadEvents } from '../wall/load'
import { DueQueue, PlaybackClock } from '../wall/playback-clock'
import { PlaybackFacts, type PlaybackGrid } from '../wall/playback-facts'

export type PlaybackStatus = 'loading' | 'playing' | 'ended' | 'error'

export interface PlaybackOptions {
  unit: string
  /** The local day replayed, YYYY-MM-DD. */
  date: string
  speed: number
  timeZone: string
  policy: Policy
  fetchImpl?: FetchLike
  /**
   * The replayed instant to start from (a rotation's next scene carries on where the last one
   * was); the start of the day by default. The day's events before it are applied at once.
   */
  startAt?: number
  /** Called once when the day has been replayed (or cannot be): the wall goes back to live. */
  onEnd: () => void
  tickMs?: number
  /** How long an error stays on screen before going back to live. */
  errorHoldMs?: number
  /** How long the day's last figures stay on screen, marked as ended, before going back to live. */
  endHoldMs?: number
  /** The real clock (ms); the replay's runs `speed` times faster. */
  realNow?: () => number
  /** A 401: someone has to log in again. */
  onUnauthorized?: () => void
}

/** Events are fetched an hour of the day at a time (the route takes whole hours), one hour ahead. */
const CHUNK_MS = HOUR_MS
/** Figures are recomputed at most this often (real time): enough for numbers people read. */
const FIGURES_EVERY_MS = 500
/**
 * Overdue counts change when a deadline passes, with no event to mark it: the figures follow the
 * replay's clock at least every replayed minute (within FIGURES_EVERY_MS). Without this, between
 * events they waited up to 5 s of real time: five hours of the day at 3,600×.
 */
const FIGURES_REPLAY_STEP_MS = 60_000

/**
 * Replays a past day through the same stores the live wall reads, on one clock: the day's events
 * are fetched from `GET /api/v1/events` hour by hour, fed to the live store in time order as the
 * replay's clock passes them, and the figures are computed from what has been replayed so far
 * (the definitions of `shared/metrics.ts`, at the replay's instant): overdue counts the requests
 * still open from earlier days too (`GET /api/v1/open-requests` at the start of the day), and
 * coverage the replayed pings in the scene's cells. A few seconds after the end of the day, or
 * after an error, `onEnd` returns the wall to live.
 */
export function usePlayback(options: PlaybackOptions) {
  const live = useLiveStore()
  const metrics = useMetricsStore()
  const geography = useGeographyStore()
  const { unit, timeZone, policy } = options
  const realNow = options.realNow ?? (() => performance.now())

  const dayStart = startOfLocalDate(options.date, timeZone)
  // Today (or a day not over yet) replays up to now, then the wall is live again.
  const dayEnd = Math.min(startOfLocalDate(addDays(options.date, 1), timeZone), Date.now())

  const now = ref(dayStart)
  const status = ref<PlaybackStatus>('loading')
  const error = ref<string | null>(null)
  const progress = ref(0)
  /** Some hour had more events than the route answers at once: its tail is missing. */
  const truncated = ref(false)

  live.reset()
  live.resetHeat(unit)
  live.setConnection('live')
  metrics.reset(unit)

  const controller = new AbortController()
  const queue = new DueQueue<LiveEvent>()
  const facts = new PlaybackFacts(dayStart)
  const clock = dayEnd > dayStart ? new PlaybackClock(dayStart, dayEnd, options.speed, options.startAt) : null
  if (clock) now.value = clock.now
  let loadedUntil = dayStart
  let loading = false
  /** The requests open at the start of the day are known (or the server cannot say). */
  let seeded = false
  let lastReal = realNow()
  let lastFigures = -Infinity
  /** The replay's instant of the figures on screen. */
  let figuresAt = -Infinity
  let dirty = true
  let finished = false
  let timer: ReturnType<typeof setInterval> | undefined
  let errorTimer: ReturnType<typeof setTimeout> | undefined
  let endTimer: ReturnType<typeof setTimeout> | undefined

  function finish(): void {
    if (finished) return
    finished = true
    clearInterval(timer)
    options.onEnd()
  }

  function end(t: number): void {
    publishFigures(t)
    status.value = 'ended'
    clearInterval(timer)
    endTimer = setTimeout(finish, options.endHoldMs ?? 5_000)
  }

  function fail(message: string): void {
    status.value = 'error'
    error.value = message
    clearInterval(timer)
    errorTimer = setTimeout(finish, options.errorHoldMs ?? 10_000)
  }

  /** The loaded events reach past the clock (or to the end of the day). */
  function caughtUp(): boolean {
    return loadedUntil >= dayEnd || clock === null || loadedUntil > clock.now
  }

  async function loadNext(): Promise<void> {
    if (loading || loadedUntil >= dayEnd || status.value === 'error') return
    loading = true
    try {
      // One hour ahead of the clock; a replay resuming later in the day catches up at once.
      do {
        const from = loadedUntil
        const to = from + CHUNK_MS
        const reply = await loadEvents(unit, from, to, { fetchImpl: options.fetchImpl, signal: controller.signal })
        queue.push(reply.events)
        if (reply.truncated) truncated.value = true
        loadedUntil = Math.min(to, dayEnd)
      } while (!caughtUp())
    } catch (e) {
      if (controller.signal.aborted) return
      if (isUnauthorized(e)) options.onUnauthorized?.()
      fail(e instanceof Error ? e.message : String(e))
    } finally {
      loading = false
    }
  }

  async function loadSeed(): Promise<void> {
    try {
      const reply = await fetchOpenRequests(unit, dayStart, options.fetchImpl, controller.signal)
      if (reply) {
        facts.seed(reply.requests)
        live.seedOpenRequests(reply.requests.map(openRequestOf))
      }
      seeded = true
    } catch (e) {
      if (controller.signal.aborted) return
      if (isUnauthorized(e)) options.onUnauthorized?.()
      fail(e instanceof Error ? e.message : String(e))
    }
  }

  /** The scene's grids with their polygons (patrol cells); none until the geography has loaded. */
  function grids(): PlaybackGrid[] {
    return geography.unitsUnder(unit, 'grid').flatMap((g) => {
      const geometry = geography.feature(g.id)?.geometry
      return geometry ? [{ id: g.id, population: g.population ?? null, geometry }] : []
    })
  }

  function publishFigures(t: number): void {
    const population = geography.unit(unit)?.population ?? null
    const sceneGrids = grids()
    metrics.setFigures(unit, facts.figures(t, { population, workersOnline: workersOnline(live.workers, t), policy, grids: sceneGrids }), t)
    metrics.setGrids(unit, facts.gridFigures(t, sceneGrids, policy))
    metrics.setDay(unit, facts.hourlyResponse(t, policy))
  }

  function tick(): void {
    if (!clock || status.value === 'error') return
    const real = realNow()
    const elapsed = real - lastReal
    lastReal = real
    if (status.value === 'loading') {
      // Not before the open requests are known and the events reach past the clock.
      if (!seeded || !caughtUp()) return void loadNext()
      status.value = 'playing'
    }
    const t = clock.advance(elapsed, loadedUntil)
    const due = queue.takeDue(t)
    if (due.length > 0) {
      live.replayEvents(due, t)
      facts.add(due)
      dirty = true
    }
    now.value = t
    progress.value = clock.progress
    const stale = dirty || t - figuresAt >= FIGURES_REPLAY_STEP_MS || real - lastFigures > 5_000
    if (stale && real - lastFigures >= FIGURES_EVERY_MS) {
      publishFigures(t)
      lastFigures = real
      figuresAt = t
      dirty = false
    }
    if (loadedUntil - t < CHUNK_MS / 2) void loadNext()
    if (clock.ended && queue.size === 0) end(t)
  }

  if (!clock) {
    fail(`nothing to replay on ${options.date}`)
  } else {
    void geography.load()
    void loadSeed()
    void loadNext()
    // The dashed lines: the seven days before the replayed one.
    void Promise.all([
      fetchSeries(unit, 'responseP50', { from: addDays(options.date, -7), to: options.date }, options.fetchImpl, controller.signal),
      fetchSeries(unit, 'responseP90', { from: addDays(options.date, -7), to: options.date }, options.fetchImpl, controller.signal),
    ])
      .then(([p50, p90]) => metrics.setBaseline(unit, { p50: hourOfDayMedian(p50.map((p) => p.value)), p90: hourOfDayMedian(p90.map((p) => p.value)) }))
      .catch(() => {})
    timer = setInterval(tick, options.tickMs ?? 200)
  }

  onScopeDispose(() => {
    finished = true
    controller.abort()
    clearInterval(timer)
    clearTimeout(errorTimer)
    clearTimeout(endTimer)
  })

  return { now, status, error, progress, truncated, dayStart, dayEnd }
}

/** A request open at the replay's start as the live store holds it: its stage then, and since when. */
function openRequestOf(r: OpenRequestsReply['requests'][number]): OpenRequest {
  const last = r.stages[r.stages.length - 1]
  return {
    requestId: r.id,
    gridId: r.gridId,
    source: r.source,
    category: r.category,
    priority: r.priority,
    lon: r.lon,
    lat: r.lat,
    receivedAt: r.receivedAt,
    stage: last ? last.stage : 'received',
    stageAt: last ? last.at : r.receivedAt,
  }
}
