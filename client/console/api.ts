// The duty console's REST calls: the reads of its queues and directory, and the writes an officer
// makes with the session cookie (the browser adds Origin; the server refuses a cookie write
// without it). A write answers `{ ok, status, body }` rather than throwing, so that a 409 (someone
// else acted first) or a 400 naming a field reaches the screen as what it is.
import type { Geography } from '../../shared/schemas/geography'
import type { AlarmAckReply, AlarmList } from '../../shared/schemas/alarms'
import type { AlertReview, AlertReviewReply } from '../../shared/schemas/alerts'
import type { ConfigReply } from '../../shared/schemas/config'
import type { Department, DirectoryReply, Expert, NewRotaEntry, OnDutyReply, RotaEntry } from '../../shared/schemas/directory'
import type { CreateRequest, CreateRequestReply, RequestDetail, Transition, TransitionReply, Urge, UrgeReply } from '../../shared/schemas/requests'
import type { AlertList, RequestList, WorkerList } from '../../shared/schemas/views'
import { getJson, globalFetch, messageOf, type FetchLike } from '../http'

export type RequestItem = RequestList['items'][number]
/** An alert in the queue; `snapshotUrl` where the server passes it on. */
export type AlertItem = AlertList['items'][number]
export type AlarmItem = AlarmList['items'][number]
export type WorkerItem = WorkerList['items'][number]
export type OnDutyEntry = OnDutyReply['entries'][number]
export type { ConfigReply, Department, DirectoryReply, Expert, NewRotaEntry, OnDutyReply, RequestDetail, RotaEntry }

/** How many items a queue fetches at most. */
export const QUEUE_LIMIT = 500

/** The error body the API answers (shared/schemas/common.ts ErrorReply), with a 409's `stage`/`seq`. */
export interface ErrorBody {
  statusCode?: number
  message?: string
  field?: string
  rule?: string
  stage?: string
  seq?: number
}

export type WriteResult<T> = { ok: true; status: number; body: T } | { ok: false; status: number; error: ErrorBody }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

function errorOf(status: number, body: unknown): ErrorBody {
  if (!isObject(body)) return { statusCode: status }
  const out: ErrorBody = { statusCode: status }
  const message = messageOf(body)
  if (message !== undefined) out.message = message
  if (typeof body.field === 'string') out.field = body.field
  if (typeof body.rule === 'string') out.rule = body.rule
  if (typeof body.stage === 'string') out.stage = body.stage
  if (typeof body.seq === 'number') out.seq = body.seq
  return out
}

export function createConsoleApi(fetchImpl: FetchLike = globalFetch) {
  const get = <T>(path: string, query: Record<string, string | number | boolean | undefined> = {}, signal?: AbortSignal) =>
    getJson<T>(path, query, { fetchImpl, signal })

  async function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<WriteResult<T>> {
    let res: Response
    try {
      const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } }
      if (body !== undefined) {
        init.headers = { accept: 'application/json', 'content-type': 'application/json' }
        init.body = JSON.stringify(body)
      }
      res = await fetchImpl(path, init)
    } catch {
      return { ok: false, status: 0, error: {} }
    }
    const parsed: unknown = await res.json().catch(() => undefined)
    return res.ok ? { ok: true, status: res.status, body: parsed as T } : { ok: false, status: res.status, error: errorOf(res.status, parsed) }
  }
  const post = <T>(path: string, body: unknown = {}) => send<T>('POST', path, body)
  const id = (s: string) => encodeURIComponent(s)

  return {
    geography: (signal?: AbortSignal) => get<Geography>('/api/v1/geography', {}, signal),
    config: (signal?: AbortSignal) => get<ConfigReply>('/api/v1/config', {}, signal),
    openRequests: (unit: string, signal?: AbortSignal) => get<RequestList>('/api/v1/requests', { unit, open: true, limit: QUEUE_LIMIT }, signal),
    resolvedRequests: (unit: string, signal?: AbortSignal) => get<RequestList>('/api/v1/requests', { unit, stage: 'resolved', limit: QUEUE_LIMIT }, signal),
    request: (requestId: string, signal?: AbortSignal) => get<RequestDetail>(`/api/v1/requests/${id(requestId)}`, {}, signal),
    alerts: (unit: string, open = true, signal?: AbortSignal) => get<{ items: AlertItem[] }>('/api/v1/alerts', { unit, open, limit: QUEUE_LIMIT }, signal),
    alarms: (unit: string, signal?: AbortSignal) => get<AlarmList>('/api/v1/alarms', { unit, open: true, limit: 200 }, signal),
    workers: (unit: string, signal?: AbortSignal) => get<WorkerList>('/api/v1/workers', { unit }, signal),
    directory: (signal?: AbortSignal) => get<DirectoryReply>('/api/v1/directory', {}, signal),
    onDuty: (unit: string, signal?: AbortSignal) => get<OnDutyReply>('/api/v1/directory/on-duty', { unit }, signal),

    createRequest: (body: CreateRequest) => post<CreateRequestReply>('/api/v1/requests', body),
    transition: (requestId: string, body: Transition) => post<TransitionReply>(`/api/v1/requests/${id(requestId)}/transitions`, body),
    urge: (requestId: string, body: Urge = {}) => post<UrgeReply>(`/api/v1/requests/${id(requestId)}/urge`, body),
    reviewAlert: (alertId: string, body: AlertReview) => post<AlertReviewReply>(`/api/v1/alerts/${id(alertId)}/review`, body),
    ackAlarm: (alarmId: string) => post<AlarmAckReply>(`/api/v1/alarms/${id(alarmId)}/ack`),

    addDepartment: (body: Department) => post<Department>('/api/v1/directory/departments', body),
    removeDepartment: (departmentId: string) => send<unknown>('DELETE', `/api/v1/directory/departments/${id(departmentId)}`),
    addRota: (body: NewRotaEntry) => post<RotaEntry>('/api/v1/directory/rota', body),
    removeRota: (rotaId: string) => send<unknown>('DELETE', `/api/v1/directory/rota/${id(rotaId)}`),
    addExpert: (body: Expert) => post<Expert>('/api/v1/directory/experts', body),
    removeExpert: (expertId: string) => send<unknown>('DELETE', `/api/v1/directory/experts/${id(expertId)}`),
  }
}

export type ConsoleApi = ReturnType<typeof createConsoleApi>
