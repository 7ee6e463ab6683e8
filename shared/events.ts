// The live contract: what travels on the Socket.IO namespace `/live`, typed once for both sides.
import type { Figures } from './metrics'
import type { AlarmReason, AlertKind, Category, DispatchTarget, PatrolKind, Priority, Satisfaction, Source, Stage, TransitionStage, Verdict } from './domain'

export const LIVE_NAMESPACE = '/live'

/** Every live event carries its global `seq` and the grid it happened in; `at` is epoch ms. */
interface LiveEventBase {
  seq: number
  at: number
  gridId: string
}

export interface RequestReceivedEvent extends LiveEventBase {
  type: 'request.received'
  requestId: string
  source: Source
  category: Category
  priority: Priority
  lon: number
  lat: number
}

export interface RequestTransitionedEvent extends LiveEventBase {
  type: 'request.transitioned'
  requestId: string
  stage: TransitionStage
  /** A typed target; a free-text name in events written before targets were typed. */
  assignee?: DispatchTarget | string
  resolved?: boolean
  satisfaction?: Satisfaction
}

export interface AlertRaisedEvent extends LiveEventBase {
  type: 'alert.raised'
  alertId: string
  cameraId: string
  kind: AlertKind
  confidence: number
  lon: number
  lat: number
}

export interface AlertReviewedEvent extends LiveEventBase {
  type: 'alert.reviewed'
  alertId: string
  verdict: Verdict
  requestId?: string
}

export interface PatrolReportedEvent extends LiveEventBase {
  type: 'patrol.reported'
  workerId: string
  kind: PatrolKind
  lon: number
  lat: number
}

/** 督办: someone pressed on an open request (usually an overdue one). The stage does not change. */
export interface RequestUrgedEvent extends LiveEventBase {
  type: 'request.urged'
  requestId: string
  /** Who urged: a username or an ingest key's source (staff, not residents: no personal data). */
  by: string
}

/**
 * An alarm: stays pinned on the wall until a person acknowledges it. Raised by the store in the
 * same transaction as an urgent request or a camera alert, and by the overdue sweep for a request
 * that has just passed a deadline. `alarmId` is `alarmIdOf(reason, subject)`.
 */
export interface AlarmRaisedEvent extends LiveEventBase {
  type: 'alarm.raised'
  alarmId: string
  reason: AlarmReason
  /** The request (urgent_request, overdue) or alert (camera_alert) it is about. */
  subjectId: string
  lon: number
  lat: number
}

export interface AlarmAckedEvent extends LiveEventBase {
  type: 'alarm.acked'
  alarmId: string
  /** Who acknowledged it: a username (or an ingest key's source). */
  by: string
}

/** Personal data (reporter, description, notes) never travels on the stream. */
export type LiveEvent =
  | RequestReceivedEvent
  | RequestTransitionedEvent
  | RequestUrgedEvent
  | AlertRaisedEvent
  | AlertReviewedEvent
  | PatrolReportedEvent
  | AlarmRaisedEvent
  | AlarmAckedEvent

export type LiveEventType = LiveEvent['type']

export const EVENT_TYPES: readonly LiveEventType[] = [
  'request.received',
  'request.transitioned',
  'request.urged',
  'alert.raised',
  'alert.reviewed',
  'patrol.reported',
  'alarm.raised',
  'alarm.acked',
]

/** Distributes Omit over the union, so each member keeps its own fields. */
export type WithoutSeq<E> = E extends LiveEvent ? Omit<E, 'seq'> : never
export type UnsequencedEvent = WithoutSeq<LiveEvent>

export interface OpenRequest {
  requestId: string
  gridId: string
  source: Source
  category: Category
  priority: Priority
  lon: number
  lat: number
  receivedAt: number
  stage: Stage
  stageAt: number
}

export interface OpenAlert {
  alertId: string
  gridId: string
  cameraId: string
  kind: AlertKind
  confidence: number
  lon: number
  lat: number
  at: number
}

export interface WorkerPosition {
  workerId: string
  gridId: string
  kind: PatrolKind
  lon: number
  lat: number
  at: number
}

/** An alarm not yet acknowledged. */
export interface OpenAlarm {
  alarmId: string
  reason: AlarmReason
  subjectId: string
  gridId: string
  lon: number
  lat: number
  /** When it was raised, epoch ms. */
  at: number
}

/** State of a scope at one seq: open requests, unreviewed alerts, last worker positions, open alarms. */
export interface LiveSnapshot {
  requests: OpenRequest[]
  alerts: OpenAlert[]
  workers: WorkerPosition[]
  alarms: OpenAlarm[]
}

export interface EventBatch {
  /** The highest seq in `events`. */
  seq: number
  events: LiveEvent[]
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: string }

export interface SubscribeRequest {
  unit: string
  sinceSeq?: number
}

/**
 * Without `sinceSeq`: a snapshot at `seq`. With it: every event of the scope after `sinceSeq`, or a
 * fresh snapshot when the gap is larger than the server replays.
 */
export type SubscribeReply = { seq: number; snapshot: LiveSnapshot } | { seq: number; events: LiveEvent[] }

/** Today's figures for the room's unit, every few seconds, so numbers move without polling. */
export interface MetricsUpdate {
  unit: string
  from: string
  to: string
  now: string
  figures: Figures
}

export interface ServerToClientEvents {
  'events:batched': (batch: EventBatch) => void
  'metrics:updated': (update: MetricsUpdate) => void
}

export interface ClientToServerEvents {
  'scope:subscribe': (request: SubscribeRequest, ack: (reply: Ack<SubscribeReply>) => void) => void
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InterServerEvents {}

/** Who is on the socket: set at the handshake from the session cookie. */
export interface SocketUser {
  username: string
  role: 'center' | 'leader'
  unit: string
}

export interface SocketData {
  unit?: string
  user?: SocketUser
  sessionToken?: string
}
