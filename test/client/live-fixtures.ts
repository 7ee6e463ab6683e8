// Small builders for live events and snapshots; each test says only what matters to it.
import type {
  AlertRaisedEvent,
  AlertReviewedEvent,
  LiveSnapshot,
  OpenAlert,
  OpenRequest,
  PatrolReportedEvent,
  RequestReceivedEvent,
  RequestTransitionedEvent,
  WorkerPosition,
} from '../../shared/events'

export const GRID = '64010600100101'
export const T0 = Date.UTC(2026, 10, 29, 2, 0, 0)

export function received(seq: number, requestId: string, over: Partial<RequestReceivedEvent> = {}): RequestReceivedEvent {
  return {
    type: 'request.received',
    seq,
    at: T0 + seq * 1000,
    gridId: GRID,
    requestId,
    source: 'hotline',
    category: 'noise',
    priority: 'general',
    lon: 106.2,
    lat: 38.47,
    ...over,
  }
}

export function transitioned(seq: number, requestId: string, stage: RequestTransitionedEvent['stage']): RequestTransitionedEvent {
  return { type: 'request.transitioned', seq, at: T0 + seq * 1000, gridId: GRID, requestId, stage }
}

export function raised(seq: number, alertId: string, over: Partial<AlertRaisedEvent> = {}): AlertRaisedEvent {
  return {
    type: 'alert.raised',
    seq,
    at: T0 + seq * 1000,
    gridId: GRID,
    alertId,
    cameraId: 'cam-1',
    kind: 'smoke_fire',
    confidence: 0.91,
    lon: 106.21,
    lat: 38.48,
    ...over,
  }
}

export function reviewed(seq: number, alertId: string): AlertReviewedEvent {
  return { type: 'alert.reviewed', seq, at: T0 + seq * 1000, gridId: GRID, alertId, verdict: 'false_positive' }
}

export function patrol(seq: number, workerId: string, lon: number, lat = 38.47): PatrolReportedEvent {
  return { type: 'patrol.reported', seq, at: T0 + seq * 1000, gridId: GRID, workerId, kind: 'ping', lon, lat }
}

export function openRequest(requestId: string, over: Partial<OpenRequest> = {}): OpenRequest {
  return {
    requestId,
    gridId: GRID,
    source: 'app',
    category: 'environment',
    priority: 'urgent',
    lon: 106.19,
    lat: 38.46,
    receivedAt: T0,
    stage: 'dispatched',
    stageAt: T0 + 60_000,
    ...over,
  }
}

export function openAlert(alertId: string, over: Partial<OpenAlert> = {}): OpenAlert {
  return { alertId, gridId: GRID, cameraId: 'cam-2', kind: 'ebike_in_elevator', confidence: 0.8, lon: 106.22, lat: 38.49, at: T0, ...over }
}

export function worker(workerId: string, over: Partial<WorkerPosition> = {}): WorkerPosition {
  return { workerId, gridId: GRID, kind: 'ping', lon: 106.23, lat: 38.45, at: T0, ...over }
}

export function snapshot(over: Partial<LiveSnapshot> = {}): LiveSnapshot {
  return { requests: [], alerts: [], workers: [], ...over }
}
