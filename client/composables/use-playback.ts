import { onScopeDispose, ref } from 'vue'
import type { LiveEvent } from '../../shared/events'
import type { Policy } from '../../shared/metrics'
import { HOUR_MS, addDays, startOfLocalDate } from '../../shared/time'
import { fetchSeries, isUnauthorized, type FetchLike } from '../api'
import { hourOfDayMedian } from '../charts/response-times'
import { useGeographyStore } from '../stores/geography'
import { useLiveStore, workersOnline } from '../stores/live'
import { useMetricsStore } from '../stores/metrics'
import { loadEvents } from '../wall/load'
import { DueQueue, PlaybackClock } from '../wall/playback-clock'
import { PlaybackFacts } from '../wall/playback-facts'

export type PlaybackStatus = 'loading' | 'playing' | 'ended' | 'error'

export interface PlaybackOptions {
  unit: string
  /** The local day replayed, YYYY-MM-DD. */
  date: string
  speed: number
  timeZone: string
  policy: Policy
  fetchImpl?: FetchLike
  /** Called once when the day has been replayed (or cannot be): the wall goes back to live. */
  onEnd: () => void
  tickMs?: number
  /** How long an error stays on screen before going back to live. */
  errorHoldMs?: number
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
 * Replays a past day through the same stores the live wall reads, on one clock: the day's events
 * are fetched from `GET /api/v1/events` hour by hour, fed to the live store in time order as the
 * replay's clock passes them, and the figures are computed from what has been replayed so far
 * (the definitions of `shared/metrics.ts`, at the replay's instant). At the end of the day, or a
 * few seconds after an error, `onEnd` returns the wall to live.
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
  const clock = dayEnd > dayStart ? new PlaybackClock(dayStart, dayEnd, options.speed) : null
  let loadedUntil = dayStart
  let loading = false
  let lastReal = realNow()
  let lastFigures = -Infinity
  let dirty = true
  let finished = false
  let timer: ReturnType<typeof setInterval> | undefined
  let errorTimer: ReturnType<typeof setTimeout> | undefined

  function finish(): void {
    if (finished) return
    finished = true
    clearInterval(timer)
    options.onEnd()
  }

  function fail(message: string): void {
    status.value = 'error'
    error.value = message
    clearInterval(timer)
    errorTimer = setTimeout(finish, options.errorHoldMs ?? 10_000)
  }

  async function loadNext(): Promise<void> {
    if (loading || loadedUntil >= dayEnd || status.value === 'error') return
    loading = true
    const from = loadedUntil
    const to = from + CHUNK_MS
    try {
      const reply = await loadEvents(unit, from, to, { fetchImpl: options.fetchImpl, signal: controller.signal })
      queue.push(reply.events)
      if (reply.truncated) truncated.value = true
      loadedUntil = Math.min(to, dayEnd)
    } catch (e) {
      if (controller.signal.aborted) return
      if (isUnauthorized(e)) options.onUnauthorized?.()
      fail(e instanceof Error ? e.message : String(e))
    } finally {
      loading = false
    }
  }

  function populations(): Map<string, number | null> {
    return new Map(geography.unitsUnder(unit, 'grid').map((g) => [g.id, g.population ?? null]))
  }

  function publishFigures(t: number): void {
    const population = geography.unit(unit)?.population ?? null
    metrics.setFigures(unit, facts.figures(t, { population, workersOnline: workersOnline(live.workers, t), policy }), t)
    metrics.setGrids(unit, facts.gridFigures(t, populations(), policy))
    metrics.setDay(unit, facts.hourlyResponse(t, policy))
  }

  function tick(): void {
    if (!clock || status.value === 'error') return
    const real = realNow()
    const elapsed = real - lastReal
    lastReal = real
    if (status.value === 'loading') {
      if (loadedUntil === dayStart) return void loadNext()
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
    if ((dirty || real - lastFigures > 5_000) && real - lastFigures >= FIGURES_EVERY_MS) {
      publishFigures(t)
      lastFigures = real
      dirty = false
    }
    if (loadedUntil - t < CHUNK_MS / 2) void loadNext()
    if (clock.ended && queue.size === 0) {
      publishFigures(t)
      status.value = 'ended'
      finish()
    }
  }

  if (!clock) {
    fail(`nothing to replay on ${options.date}`)
  } else {
    void geography.load()
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
  })

  return { now, status, error, progress, truncated, dayStart, dayEnd }
}
