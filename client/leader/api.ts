// The REST calls of the leader pages and the replies they expect. The session is an httpOnly
// cookie, sent on every same-origin call; a 401 means "log in again", a 403 "not in your scope".
import type { ChildFigures, MetricsReply } from '../../shared/metrics'
import type { ConfigReply } from '../../shared/schemas/config'
import type { Geography } from '../../shared/schemas/geography'
import type { SeriesMetric, SeriesReply } from '../../shared/schemas/metrics'
import type { RequestDetail } from '../../shared/schemas/requests'
import type { AlertList, OverdueReply, RequestList, WorkerList } from '../../shared/schemas/views'

import { getJson, globalFetch, type FetchLike, type Query } from '../http'

export type { ChildFigures, MetricsReply, OverdueReply }

// The replies are the server's own schemas (shared/schemas/views.ts); only names for their items here.
export type OverdueItem = OverdueReply['items'][number]
export type Lateness = OverdueItem['late'][number]
export type RequestListItem = RequestList['items'][number]
export type Reporter = NonNullable<RequestListItem['reporter']>
export type WorkerItem = WorkerList['items'][number]
export type AlertItem = AlertList['items'][number]

export type { ConfigReply, RequestDetail, SeriesMetric, SeriesReply }

/** How many open requests the map of a street or the district shows at most. */
export const MAP_REQUESTS_LIMIT = 3000

/** How many open requests a grid's page lists. */
export const GRID_REQUESTS_LIMIT = 200

export function createLeaderApi(fetchImpl: FetchLike = globalFetch) {
  const get = <T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> => getJson<T>(path, query, { fetchImpl, signal })

  return {
    geography: (signal?: AbortSignal) => get<Geography>('/api/v1/geography', {}, signal),
    metrics: (unit: string, window: { from: string; to: string }, signal?: AbortSignal) =>
      get<MetricsReply>('/api/v1/metrics', { unit, ...window }, signal),
    overdue: (unit: string, signal?: AbortSignal) => get<OverdueReply>('/api/v1/overdue', { unit }, signal),
    requests: (unit: string, signal?: AbortSignal) =>
      get<RequestList>('/api/v1/requests', { unit, open: true, limit: GRID_REQUESTS_LIMIT }, signal),
    /** The open requests of a unit for its map (a grid's page has them already). */
    openRequests: (unit: string, signal?: AbortSignal) => get<RequestList>('/api/v1/requests', { unit, open: true, limit: MAP_REQUESTS_LIMIT }, signal),
    series: (unit: string, metric: SeriesMetric, bucket: 'hour' | 'day', window: { from: string; to: string }, signal?: AbortSignal) =>
      get<SeriesReply>('/api/v1/metrics/series', { unit, metric, bucket, ...window }, signal),
    config: (signal?: AbortSignal) => get<ConfigReply>('/api/v1/config', {}, signal),
    request: (id: string, signal?: AbortSignal) => get<RequestDetail>(`/api/v1/requests/${encodeURIComponent(id)}`, {}, signal),
    workers: (unit: string, signal?: AbortSignal) => get<WorkerList>('/api/v1/workers', { unit }, signal),
    alerts: (unit: string, signal?: AbortSignal) => get<AlertList>('/api/v1/alerts', { unit, open: true }, signal),
  }
}

export type LeaderApi = ReturnType<typeof createLeaderApi>
