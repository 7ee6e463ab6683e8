// The live events as schemas: `GET /api/v1/events` (playback) replies with the same events the
// `/live` stream carries (`LiveEvent` of shared/events.ts; a type test holds the two together).
import Type, { type Static, type TProperties } from 'typebox'
import { ALARM_REASONS, ALERT_KINDS, CATEGORIES, PATROL_KINDS, PRIORITIES, SATISFACTIONS, SOURCES, TARGET_KINDS, TRANSITION_STAGES, VERDICTS } from '../domain'

/** Every live event carries its global `seq` and the grid it happened in; `at` is epoch ms. */
function event<T extends string, P extends TProperties>(type: T, properties: P) {
  return Type.Object({ type: Type.Literal(type), seq: Type.Integer(), at: Type.Number(), gridId: Type.String(), ...properties })
}

export const RequestReceivedEventSchema = event('request.received', {
  requestId: Type.String(),
  source: Type.Enum(SOURCES),
  category: Type.Enum(CATEGORIES),
  priority: Type.Enum(PRIORITIES),
  lon: Type.Number(),
  lat: Type.Number(),
})

export const RequestTransitionedEventSchema = event('request.transitioned', {
  requestId: Type.String(),
  stage: Type.Enum(TRANSITION_STAGES),
  // A typed target; a free-text name in events written before targets were typed.
  assignee: Type.Optional(Type.Union([Type.Object({ kind: Type.Enum(TARGET_KINDS), id: Type.String() }), Type.String()])),
  resolved: Type.Optional(Type.Boolean()),
  satisfaction: Type.Optional(Type.Enum(SATISFACTIONS)),
})

export const RequestUrgedEventSchema = event('request.urged', {
  requestId: Type.String(),
  by: Type.String(),
})

export const AlertRaisedEventSchema = event('alert.raised', {
  alertId: Type.String(),
  cameraId: Type.String(),
  kind: Type.Enum(ALERT_KINDS),
  confidence: Type.Number(),
  lon: Type.Number(),
  lat: Type.Number(),
})

export const AlertReviewedEventSchema = event('alert.reviewed', {
  alertId: Type.String(),
  verdict: Type.Enum(VERDICTS),
  requestId: Type.Optional(Type.String()),
})

export const PatrolReportedEventSchema = event('patrol.reported', {
  workerId: Type.String(),
  kind: Type.Enum(PATROL_KINDS),
  lon: Type.Number(),
  lat: Type.Number(),
})

export const AlarmRaisedEventSchema = event('alarm.raised', {
  alarmId: Type.String(),
  reason: Type.Enum(ALARM_REASONS),
  subjectId: Type.String(),
  lon: Type.Number(),
  lat: Type.Number(),
})

export const AlarmAckedEventSchema = event('alarm.acked', {
  alarmId: Type.String(),
  by: Type.String(),
})

/** Personal data (reporter, description, notes) never travels on the stream, nor in playback. */
export const LiveEventSchema = Type.Union([
  RequestReceivedEventSchema,
  RequestTransitionedEventSchema,
  RequestUrgedEventSchema,
  AlertRaisedEventSchema,
  AlertReviewedEventSchema,
  PatrolReportedEventSchema,
  AlarmRaisedEventSchema,
  AlarmAckedEventSchema,
])
export type LiveEventReply = Static<typeof LiveEventSchema>

/** GET /api/v1/events — a unit's events in [from, to), in seq order; `truncated` past 50,000. */
export const EventsReplySchema = Type.Object(
  { events: Type.Array(LiveEventSchema), truncated: Type.Boolean() },
  {
    examples: [
      {
        events: [
          { type: 'request.received', seq: 41, at: 1764292500000, gridId: '64010600100101', requestId: 'hotline-20261128-0001', source: 'hotline', category: 'noise', priority: 'general', lon: 106.2265, lat: 38.4867 },
          { type: 'request.transitioned', seq: 42, at: 1764292800000, gridId: '64010600100101', requestId: 'hotline-20261128-0001', stage: 'dispatched', assignee: { kind: 'worker', id: 'w-64010600100101' } },
        ],
        truncated: false,
      },
    ],
  },
)
export type EventsReply = Static<typeof EventsReplySchema>
