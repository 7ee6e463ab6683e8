// The REST calls of the leader pages and the replies they expect. The session is an httpOnly
// cookie, sent on every same-origin call; a 401 means "log in again", a 403 "not in your scope".
import type { AlertKind, Category, PatrolKind, Priority, Source, Stage, Verdict } from '../../shared/domain'
import type { ChildFigures, MetricsReply } from '../../shared/metrics'
import type { Geography } from '../../shared/schemas/geography'
import type { RequestDetail } from '../../shared/schemas/requests'

import { getJson, globalFetch, type FetchLike, type Query } from '../http'

export type { ChildFigures, MetricsReply }

export type Lateness = 'response' | 'resolution'

export interface OverdueItem {
  id: string
  gridId: string
  priority: Priority
  category: Category
  stage: Stage
  receivedAt: string
  ageSec: number
  late: Lateness[]
}

export interface OverdueReply {
  now: string
  items: OverdueItem[]
}

export interface Reporter {
  name?: string
  phone?: string
}

export interface RequestListItem {
  id: string
  gridId: string
  source: Source
  category: Category
  priority: Priority
  stage: Stage
  stageAt: string
  receivedAt: string
  reporter?: Reporter
}

export interface WorkerItem {
  workerId: string
  gridId: string
  kind: PatrolKind
  lon: number
  lat: number
  at: string | number
}

export interface AlertItem {
  alertId: string
  gridId: string
  cameraId: string
  kind: AlertKind
  confidence: number
  lon: number
  lat: number
  at: string | number
  verdict?: Verdict | null
  requestId?: string | null
}

export type { RequestDetail }

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
      get<{ items: RequestListItem[] }>('/api/v1/requests', { unit, open: true, limit: GRID_REQUESTS_LIMIT }, signal),
    request: (id: string, signal?: AbortSignal) => get<RequestDetail>(`/api/v1/requests/${encodeURIComponent(id)}`, {}, signal),
    workers: (unit: string, signal?: AbortSignal) => get<{ items: WorkerItem[] }>('/api/v1/workers', { unit }, signal),
    alerts: (unit: string, signal?: AbortSignal) => get<{ items: AlertItem[] }>('/api/v1/alerts', { unit, open: true }, signal),
  }
}

export type LeaderApi = ReturnType<typeof createLeaderApi>

/** Epoch ms of a time the API gives as ISO text or as a number. */
export function toMs(at: string | number): number {
  return typeof at === 'number' ? at : Date.parse(at)
}
