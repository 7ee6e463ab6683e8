import { onScopeDispose, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { MetricsUpdate } from '../../shared/events'
import { HOUR_MS, addDays, localDate } from '../../shared/time'
import { fetchMetrics, fetchSeries } from '../api'
import { isUnauthorized, type FetchLike } from '../http'
import { hourOfDayMedian } from '../charts/response-times'
import { isSessionRefused, type LiveSocket } from '../socket'
import { HEAT_WINDOW_MS, useLiveStore } from '../stores/live'
import { useMetricsStore } from '../stores/metrics'
import { loadEvents, loadGridFigures } from '../wall/load'
import { useLiveStream } from './use-live-stream'

export const GRIDS_EVERY_MS = 60_000
export const SERIES_EVERY_MS = 5 * 60_000

export interface WallLiveOptions {
  socket?: LiveSocket
  fetchImpl?: FetchLike
  timeZone: () => string
  /** The session is gone (a 401, or the socket refused): someone has to log in again. */
  onUnauthorized?: () => void
}

/**
 * Everything the wall shows live for one scene: the stream (snapshot, batches, resync), today's
 * figures (a GET, then `metrics:updated` pushes), the grids' figures, the hourly response times,
 * and the last 24 h of requests for the heatmap. A scene change drops the old scene's numbers
 * before anything of the new one arrives; replies for a scene no longer shown are ignored.
 */
export function useWallLive(unit: MaybeRefOrGetter<string>, options: WallLiveOptions) {
  const live = useLiveStore()
  const metrics = useMetricsStore()
  const fetchImpl = options.fetchImpl
  const { socket, error } = useLiveStream(unit, { socket: options.socket, store: live })
  if (typeof window !== 'undefined') window.__outpostSocket = socket

  const onMetrics = (update: MetricsUpdate): void => {
    if (update.unit !== toValue(unit)) return
    metrics.setFigures(update.unit, update.figures, Date.parse(update.now))
    // A quiet scene (a grid at night) has no events for minutes, but the figures still arrive:
    // the stream is alive, and what is on screen is current.
    live.lastEventAt = Date.now()
    if (live.connection === 'stale') live.setConnection('live')
  }
  socket.on('metrics:updated', onMetrics)
  // The server refuses a socket without a valid session, and socket.io does not retry that.
  const onConnectError = (err: Error): void => {
    if (isSessionRefused(err)) options.onUnauthorized?.()
  }
  socket.on('connect_error', onConnectError)

  let controller = new AbortController()
  const current = () => toValue(unit)

  async function loadFigures(u: string, signal: AbortSignal): Promise<void> {
    const reply = await fetchMetrics(u, {}, fetchImpl, signal)
    metrics.setFigures(u, reply.figures, Date.parse(reply.now))
  }

  async function loadGrids(u: string, signal: AbortSignal): Promise<void> {
    metrics.setGrids(u, await loadGridFigures(u, { fetchImpl, signal }))
  }

  async function loadResponse(u: string, signal: AbortSignal): Promise<void> {
    const today = localDate(Date.now(), options.timeZone())
    const window7 = { from: addDays(today, -7), to: today }
    const [p50, p90, b50, b90] = await Promise.all([
      fetchSeries(u, 'responseP50', {}, fetchImpl, signal),
      fetchSeries(u, 'responseP90', {}, fetchImpl, signal),
      fetchSeries(u, 'responseP50', window7, fetchImpl, signal),
      fetchSeries(u, 'responseP90', window7, fetchImpl, signal),
    ])
    metrics.setDay(u, { p50: p50.map((p) => p.value), p90: p90.map((p) => p.value) })
    metrics.setBaseline(u, { p50: hourOfDayMedian(b50.map((p) => p.value)), p90: hourOfDayMedian(b90.map((p) => p.value)) })
  }

  async function loadHeat(u: string, signal: AbortSignal): Promise<void> {
    // The route takes whole hours: from the hour 24 h back to the end of the current one.
    const to = Math.floor(Date.now() / HOUR_MS) * HOUR_MS + HOUR_MS
    const { events } = await loadEvents(u, to - HOUR_MS - HEAT_WINDOW_MS, to, { types: ['request.received'], fetchImpl, signal })
    const points = events.flatMap((e) => (e.type === 'request.received' ? [{ id: e.requestId, lon: e.lon, lat: e.lat, at: e.at }] : []))
    live.mergeHeat(u, points)
  }

  /** Runs loaders for the scene on screen, each on its own: one failing leaves the others shown. */
  function run(u: string, ...loaders: ((u: string, signal: AbortSignal) => Promise<void>)[]): void {
    const signal = controller.signal
    for (const load of loaders) {
      load(u, signal).catch((e: unknown) => {
        if (isUnauthorized(e)) options.onUnauthorized?.()
        // Otherwise kept: the last figures stay on screen; the next interval or push tries again.
      })
    }
  }

  const stopWatch = watch(
    () => toValue(unit),
    (u) => {
      controller.abort()
      controller = new AbortController()
      metrics.reset(u)
      live.resetHeat(u)
      run(u, loadFigures, loadGrids, loadResponse, loadHeat)
    },
    { immediate: true },
  )

  const gridsTimer = setInterval(() => run(current(), loadGrids), GRIDS_EVERY_MS)
  const seriesTimer = setInterval(() => run(current(), loadResponse), SERIES_EVERY_MS)
  // After a reconnect the figures may be minutes old: ask now rather than wait for the next push.
  const onConnect = (): void => run(current(), loadFigures, loadGrids)
  socket.io.on('reconnect', onConnect)

  onScopeDispose(() => {
    stopWatch()
    controller.abort()
    clearInterval(gridsTimer)
    clearInterval(seriesTimer)
    socket.off('metrics:updated', onMetrics)
    socket.off('connect_error', onConnectError)
    socket.io.off('reconnect', onConnect)
    if (typeof window !== 'undefined' && window.__outpostSocket === socket) delete window.__outpostSocket
  })

  return { socket, error }
}
