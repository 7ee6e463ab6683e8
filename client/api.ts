// The REST calls the wall makes, and the replies it expects. Every read needs the session cookie
// (sent by the browser on same-origin calls); a 401 means "log in again". The same process serves
// the client and these routes, so every route is there:
//
//   GET /api/v1/events?…&types=request.received  (the `types` filter: heatmap history)
//   GET /api/v1/metrics/grids?unit=&from=&to=     → GridMetricsReply   (map colours)
//   GET /api/v1/config                            → ConfigReply        (zone, deadlines, base map)
//   GET /api/v1/open-requests?unit=&at=           → OpenRequestsReply  (playback: overdue from earlier days)
import type { LiveEventType } from '../shared/events'
import type { MetricsReply, SeriesPoint } from '../shared/metrics'
import type { ConfigReply } from '../shared/schemas/config'
import type { EventsReply } from '../shared/schemas/events'
import type { GridMetricsReply, SeriesMetric } from '../shared/schemas/metrics'
import type { OpenRequestsReply } from '../shared/schemas/views'
import type { OnDutyReply } from '../shared/schemas/directory'
import { getJson, isNotFound, type FetchLike } from './http'

export const API = {
  metrics: '/api/v1/metrics',
  series: '/api/v1/metrics/series',
  grids: '/api/v1/metrics/grids',
  events: '/api/v1/events',
  config: '/api/v1/config',
  openRequests: '/api/v1/open-requests',
} as const

export type { EventsReply, GridMetricsReply, MetricsReply, OpenRequestsReply, SeriesPoint }

/** A PMTiles archive on this server or a MapLibre style URL, with the coordinate system of its tiles. */
export type BasemapConfig = NonNullable<ConfigReply['basemap']>

export function fetchMetrics(unit: string, window: { from?: string; to?: string } = {}, fetchImpl?: FetchLike, signal?: AbortSignal) {
  return getJson<MetricsReply>(API.metrics, { unit, ...window }, { fetchImpl, signal })
}

export function fetchSeries(unit: string, metric: SeriesMetric, window: { from?: string; to?: string }, fetchImpl?: FetchLike, signal?: AbortSignal) {
  return getJson<SeriesPoint[]>(API.series, { unit, metric, bucket: 'hour', ...window }, { fetchImpl, signal })
}

/**
 * Events of the unit's subtree with `at` in [from, to), in seq order. `from` and `to` fall on whole
 * hours (the route's rule), at most two days apart; `types` narrows them (a server without the
 * filter answers 400).
 */
export function fetchEvents(unit: string, from: number, to: number, types: readonly LiveEventType[] | undefined, fetchImpl?: FetchLike, signal?: AbortSignal) {
  return getJson<EventsReply>(
    API.events,
    { unit, from: new Date(from).toISOString(), to: new Date(to).toISOString(), types: types?.join(',') },
    { fetchImpl, signal },
  )
}

/**
 * The unit's requests open at `at` (a replay's first instant), or null from an older server
 * without the route: the replay then counts only the day's own requests towards overdue.
 */
export async function fetchOpenRequests(unit: string, at: number, fetchImpl?: FetchLike, signal?: AbortSignal): Promise<OpenRequestsReply | null> {
  try {
    return await getJson<OpenRequestsReply>(API.openRequests, { unit, at: new Date(at).toISOString() }, { fetchImpl, signal })
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
}

/** The server's configuration for the wall. */
export function fetchConfig(fetchImpl?: FetchLike, signal?: AbortSignal): Promise<ConfigReply> {
  return getJson<ConfigReply>(API.config, {}, { fetchImpl, signal })
}

/**
 * The departments sitting today at the unit's street (`GET /api/v1/directory/on-duty`), or null
 * from a server without the directory: the wall then leaves the panel out.
 */
export async function fetchOnDuty(unit: string, fetchImpl?: FetchLike, signal?: AbortSignal): Promise<OnDutyReply | null> {
  try {
    return await getJson<OnDutyReply>('/api/v1/directory/on-duty', { unit }, { fetchImpl, signal })
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
}
