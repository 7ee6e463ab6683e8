// The live contract: what travels on the Socket.IO namespace `/live`, typed once for both sides.
import type { Figures } from './metrics'
import type { AlertKind, Category, PatrolKind, Priority, Satisfaction, Source, Stage, TransitionStage, Verdict } from './domain'

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
  assignee?: string
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

/** Personal data (reporter, description, notes) never travels on the stream. */
export type LiveEvent =
  | RequestReceivedEvent
  | RequestTransitionedEvent
  | AlertRaisedEvent
  | AlertReviewedEvent
  | PatrolReportedEvent

export type LiveEventType = LiveEvent['type']

export const EVENT_TYPES: readonly LiveEventType[] = ['request.received', 'request.transitioned', 'alert.raised', 'alert.reviewed', 'patrol.reported']

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

/** State of a scope at one seq: open requests, unreviewed alerts, last worker positions. */
export interface LiveSnapshot {
  requests: OpenRequest[]
  alerts: OpenAlert[]
  workers: WorkerPosition[]
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
