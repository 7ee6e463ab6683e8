import Type, { type Static } from 'typebox'
import { ACTIVITY_KINDS } from '../public'
import { EntityIdSchema, TimestampSchema, UnitIdSchema } from './common'

/** POST /api/v1/activities — a volunteer team's service activity (银龄学堂, 爱心义剪, 免费体检…). */
export const CreateActivitySchema = Type.Object(
  {
    id: Type.Optional(EntityIdSchema),
    team: Type.String({ minLength: 1, maxLength: 64 }),
    kind: Type.Enum(ACTIVITY_KINDS),
    /** The street or community where it was held. */
    unit: UnitIdSchema,
    at: TimestampSchema,
    participants: Type.Integer({ minimum: 0, maximum: 100_000 }),
  },
  {
    additionalProperties: false,
    examples: [{ id: 'act-20261128-01', team: '银龄志愿服务队', kind: 'senior_class', unit: '640106001001', at: '2026-11-28T09:30:00+08:00', participants: 24 }],
  },
)
export type CreateActivity = Static<typeof CreateActivitySchema>

export const PublicStatsQuerySchema = Type.Object({ unit: UnitIdSchema }, { additionalProperties: false })

export const ActivityReplySchema = Type.Object({ id: Type.String() })
export type ActivityReply = Static<typeof ActivityReplySchema>
