// The store's contract. One implementation per engine (SQLite now); one contract test suite
// (test/server/store/store-contract.ts) runs against every engine.
import type {
  Actor,
  AlarmReason,
  AlertKind,
  DispatchTarget,
  Category,
  PatrolKind,
  Priority,
  Source,
  Stage,
  TransitionStage,
  UnitLevel,
  UnitPath,
  Verdict,
} from '../../shared/domain'
import type { LiveEvent, LiveSnapshot, OpenAlert } from '../../shared/events'
import type { Alarm, AlarmAckReply } from '../../shared/schemas/alarms'
import type { CreateRequestReply, RequestDetail, Reporter, Review, TransitionReply, UrgeReply } from '../../shared/schemas/requests'
import type { AlertReviewReply } from '../../shared/schemas/alerts'
import type { AlertFacts, RequestFacts } from '../../shared/metrics'
import type { UnitRef } from '../geo/geography'

/** A request ready to store: WGS84, assigned to a grid, times in epoch ms. */
export interface NewRequest {
  id: string
  /**
   * Hash of the caller's body: the same id with another body is a conflict. Empty when the server
   * made the id (`createFingerprint`): such an id is new, and the store does not look it up.
   */
  fingerprint: string
  source: Source
  category: Category
  priority: Priority
  lon: number
  lat: number
  path: UnitPath
  receivedAt: number
  description?: string
  reporter?: Reporter
  /** Who took it in; recorded on its event (absent only for history written before actors). */
  actor?: Actor
}

export interface NewTransition {
  requestId: string
  fingerprint: string
  stage: TransitionStage
  at: number
  assignee?: DispatchTarget
  note?: string
  review?: Review
  /** When set and the request is no longer at this stage: a `stale` failure, nothing stored. */
  expectedStage?: Stage
  actor?: Actor
}

/** 督办 on an open request: an event of its own; the stage does not change. */
export interface NewUrge {
  requestId: string
  at: number
  actor: Actor
  note?: string
}

/** An alarm the overdue sweep raises (urgent requests and alerts raise theirs inside the store). */
export interface NewAlarm {
  /** `alarmIdOf(reason, subjectId)`: raising the same alarm again is a replay, nothing stored. */
  id: string
  reason: AlarmReason
  subjectId: string
  lon: number
  lat: number
  path: UnitPath
  at: number
}

export interface NewAlarmAck {
  alarmId: string
  at: number
  actor: Actor
}

export interface NewAlert {
  id: string
  fingerprint: string
  cameraId: string
  kind: AlertKind
  confidence: number
  lon: number
  lat: number
  path: UnitPath
  at: number
  snapshotUrl?: string
  actor?: Actor
}

export interface NewAlertReview {
  alertId: string
  verdict: Verdict
  at: number
  /** For a confirmed alert: raise a service request (source camera) at the alert's place. */
  raise?: { requestId: string; category: Category; priority: Priority }
  actor?: Actor
}

export interface NewPing {
  workerId: string
  kind: PatrolKind
  lon: number
  lat: number
  path: UnitPath
  at: number
}

export type StoreFailure =
  | { ok: false; code: 'not_found'; message: string }
  | { ok: false; code: 'conflict'; message: string }
  | { ok: false; code: 'invalid_transition'; message: string; current: Stage; allowed: readonly TransitionStage[] }
  /** `expectedStage` was not the request's stage: where it is now. */
  | { ok: false; code: 'stale'; message: string; current: Stage; seq: number }

export type Outcome<T> = { ok: true; value: T; replayed: boolean } | StoreFailure

// What the write routes answer, as the shared schemas define it (the store makes these replies).
export type CreatedReply = CreateRequestReply
export type TransitionedReply = TransitionReply
export type ReviewedReply = AlertReviewReply

export interface RequestSummary {
  id: string
  gridId: string
  source: Source
  category: Category
  priority: Priority
  stage: Stage
  stageAt: number
  receivedAt: number
  reporter?: { name?: string; phone?: string }
  lon: number
  lat: number
  assignee?: DispatchTarget | string
  urges: number
}

/** A service activity (便民服务活动) held in a street or community. */
export interface NewActivity {
  id: string
  fingerprint: string
  team: string
  kind: string
  /** The street or community, with the units above it. */
  unitId: string
  districtId: string
  streetId: string | null
  communityId: string | null
  at: number
  participants: number
}

export interface PatrolFact {
  workerId: string
  gridId: string
  lon: number
  lat: number
  at: number
}

export interface AlertState extends OpenAlert {
  verdict: Verdict | null
  requestId: string | null
  /** Who reviewed it, where the review recorded its actor. */
  reviewedBy?: Actor
  /** The camera's snapshot (the console shows it), where the alert came with one. */
  snapshotUrl?: string
}

export type HistoryOp =
  | { op: 'request'; request: NewRequest }
  | { op: 'transition'; transition: NewTransition }
  | { op: 'alert'; alert: NewAlert }
  | { op: 'review'; review: NewAlertReview }
  | { op: 'pings'; pings: NewPing[] }
  | { op: 'activity'; activity: NewActivity }

export interface EventsAfter {
  seq: number
  events: LiveEvent[]
}

/** A unit as the store's geography record keeps it (no shape: the record's hash covers that). */
export interface RecordedUnit {
  id: string
  level: UnitLevel
  parentId: string | null
  name: string
}

/** The geography the store was last started with (see geography-guard.ts). */
export interface GeographyRecord {
  /** Content hash of the units (ids, levels, parents, names, shapes, population, households). */
  hash: string
  /** When it was recorded, epoch ms. */
  recordedAt: number
  units: RecordedUnit[]
}

/**
 * The rollups' state as of a seq (server/metrics): a start reads the latest one and then only the
 * log after it, instead of replaying the whole log.
 */
export interface RollupCheckpoint {
  /** The last seq the state includes. */
  seq: number
  /**
   * What the state was built for: the rollups' format version and the geography's hash. A start
   * uses only a checkpoint whose `basis` equals its own; any other is ignored (and replaced).
   */
  basis: string
  /** When it was written, epoch ms. */
  savedAt: number
  /** The serialised state. */
  data: Buffer
}

/** A request's facts and its place (WGS84). */
export type PlacedRequestFacts = RequestFacts & { lon: number; lat: number }

export interface Store {
  readonly engine: string
  /** The highest committed seq (0 for an empty store). */
  lastSeq(): Promise<number>
  createRequest(request: NewRequest): Promise<Outcome<CreatedReply>>
  transitionRequest(transition: NewTransition): Promise<Outcome<TransitionedReply>>
  createAlert(alert: NewAlert): Promise<Outcome<CreatedReply>>
  reviewAlert(review: NewAlertReview): Promise<Outcome<ReviewedReply>>
  /** All pings in one transaction; they get consecutive seqs. */
  appendPings(pings: NewPing[]): Promise<{ accepted: number; seq: number }>
  /** Stores an activity; the same id and body again is a retry, another body a conflict. */
  recordActivity(activity: NewActivity): Promise<Outcome<{ id: string }>>
  /** Activities and participants by kind, in [from, to), in the unit's subtree. */
  activityTotals(unit: UnitRef, from: number, to: number): Promise<{ kind: string; activities: number; participants: number }[]>
  /** Bulk path for the simulator's backfill: one transaction, no live publication. */
  importHistory(ops: HistoryOp[]): Promise<{ applied: number; rejected: number; seq: number }>

  /** The request and its timeline; the reporter masked unless `reveal` (the center role only). */
  getRequest(id: string, options?: { reveal?: boolean }): Promise<RequestDetail | undefined>
  /**
   * Requests of the subtree received since `from` (only open ones with `openOnly`; only those now
   * at `stage` with it, whenever received: `from` and `openOnly` then do not apply), oldest first,
   * reporter masked.
   */
  listRequests(unit: UnitRef, options: { openOnly: boolean; from: number; limit: number; stage?: Stage }): Promise<RequestSummary[]>
  /** 督办: not_found for an unknown request, invalid_transition for a closed one. */
  urgeRequest(urge: NewUrge): Promise<Outcome<UrgeReply>>
  /** Raises an alarm (the overdue sweep); the same id again is a replay. */
  raiseAlarm(alarm: NewAlarm): Promise<Outcome<{ id: string; seq: number }>>
  /** not_found for an unknown alarm; conflict (naming who) when already acknowledged. */
  ackAlarm(ack: NewAlarmAck): Promise<Outcome<AlarmAckReply>>
  /** Alarms of the subtree, newest first; only unacknowledged ones with `openOnly`. */
  listAlarms(unit: UnitRef, options: { openOnly: boolean; limit: number }): Promise<Alarm[]>
  getAlarm(id: string): Promise<Alarm | undefined>
  /** A grid worker the store has seen report (a dispatch target must be one). */
  hasWorker(workerId: string): Promise<boolean>
  /** Alerts of the subtree raised in [from, to), newest first; only unreviewed ones with `openOnly`. */
  listAlerts(unit: UnitRef, options: { from: number; to: number; openOnly: boolean; limit: number }): Promise<AlertState[]>
  getAlert(id: string): Promise<AlertState | undefined>
  /** Requests received in [from, to) in the unit's subtree, with their stages: no personal data. */
  requestsReceived(unit: UnitRef, from: number, to: number): Promise<RequestFacts[]>
  /** Requests of the subtree not yet resolved, whenever received, and where they are (WGS84). */
  openRequests(unit: UnitRef): Promise<PlacedRequestFacts[]>
  /** Alerts raised in [from, to) in the subtree. */
  alertsRaised(unit: UnitRef, from: number, to: number): Promise<AlertFacts[]>
  /** Patrol reports made in [from, to) in the subtree. */
  patrolsBetween(unit: UnitRef, from: number, to: number): Promise<PatrolFact[]>
  /** The whole log after a seq, in seq order, at most `limit` events (rebuilding rollups). */
  readLog(afterSeq: number, limit: number): Promise<LiveEvent[]>
  snapshot(unit: UnitRef): Promise<{ seq: number; snapshot: LiveSnapshot }>
  /** Events of the subtree after `sinceSeq`, in seq order; undefined when more than `limit` or their JSON more than `maxBytes`. */
  eventsAfter(unit: UnitRef, sinceSeq: number, limit: number, maxBytes?: number): Promise<EventsAfter | undefined>
  /** The time of the earliest event (of any unit) at or after `from`; undefined when there is none. */
  firstEventAt(from: number): Promise<number | undefined>
  /** Events of the subtree whose time lies in [from, to), in seq order (playback). */
  eventsBetween(unit: UnitRef, from: number, to: number, limit: number, types?: readonly LiveEvent['type'][]): Promise<LiveEvent[]>
  /** The geography recorded by the last start; undefined for a new store or one written before stores kept it. */
  geographyRecord(): Promise<GeographyRecord | undefined>
  /** Replaces the record, in one transaction, durable when it resolves; publishes nothing. */
  recordGeography(record: GeographyRecord): Promise<void>
  /**
   * How many events name each unit at the given level (as their grid, community, street or
   * district), in the order asked. Along the unit indexes: at most one pass over the log, when
   * reading many grids through their communities would read more.
   */
  eventCountsByUnit(units: readonly UnitRef[]): Promise<number[]>
  /** Every unit some event names, with the level it names it at (for a store with no record yet). */
  unitsInLog(): Promise<UnitRef[]>
  /** The latest rollup checkpoint written for `basis`; undefined when there is none. */
  loadCheckpoint(basis: string): Promise<RollupCheckpoint | undefined>
  /**
   * Keeps the checkpoint, durable when it resolves, in place of any kept before; one whose seq is
   * not above the kept one's of the same basis changes nothing (several processes may write them).
   * Publishes nothing.
   */
  saveCheckpoint(checkpoint: RollupCheckpoint): Promise<void>
  /** Called synchronously after each commit with the committed events in seq order. */
  onCommit(listener: (events: LiveEvent[]) => void): () => void
  close(): Promise<void>
}
