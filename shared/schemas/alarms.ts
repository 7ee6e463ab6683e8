// Alarms: urgent requests, camera alerts and newly overdue requests stay pinned on the wall until
// a person acknowledges them on the console.
import Type, { type Static } from 'typebox'
import { ALARM_REASONS } from '../domain'
import { UnitIdSchema } from './common'
import { ActorSchema } from './requests'

export const AlarmListQuerySchema = Type.Object(
  {
    unit: Type.Optional(UnitIdSchema),
    /** Only the ones not yet acknowledged (default true). */
    open: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
)

export const AlarmSchema = Type.Object({
  id: Type.String(),
  reason: Type.Enum(ALARM_REASONS),
  subjectId: Type.String(),
  gridId: Type.String(),
  lon: Type.Number(),
  lat: Type.Number(),
  raisedAt: Type.String(),
  seq: Type.Integer(),
  ack: Type.Optional(Type.Object({ at: Type.String(), actor: ActorSchema, seq: Type.Integer() })),
})
export type Alarm = Static<typeof AlarmSchema>

/** GET /api/v1/alarms — newest first. */
export const AlarmListSchema = Type.Object({ items: Type.Array(AlarmSchema) })
export type AlarmList = Static<typeof AlarmListSchema>

/** POST /api/v1/alarms/:id/ack — a second acknowledgement is a 409 naming who acknowledged first. */
export const AlarmAckReplySchema = Type.Object({ id: Type.String(), seq: Type.Integer() })
export type AlarmAckReply = Static<typeof AlarmAckReplySchema>
