import Type, { type Static } from 'typebox'
import { CATEGORIES, PRIORITIES, SATISFACTIONS, SOURCES, STAGES, TRANSITION_STAGES } from '../domain'
import { EntityIdSchema, LocationSchema, PointSchema, TimestampSchema } from './common'

export const ReporterSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 20, pattern: '^[0-9+() -]+$' })),
  },
  { additionalProperties: false },
)
export type Reporter = Static<typeof ReporterSchema>

/** POST /api/v1/requests — 诉求工单 received (受理). */
export const CreateRequestSchema = Type.Object(
  {
    id: Type.Optional(EntityIdSchema),
    source: Type.Enum(SOURCES),
    category: Type.Enum(CATEGORIES),
    priority: Type.Enum(PRIORITIES),
    location: LocationSchema,
    receivedAt: Type.Optional(TimestampSchema),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    reporter: Type.Optional(ReporterSchema),
  },
  {
    additionalProperties: false,
    examples: [
      {
        id: 'hotline-20261128-0001',
        source: 'hotline',
        category: 'noise',
        priority: 'general',
        location: { lon: 106.2265, lat: 38.4867 },
        receivedAt: '2026-11-28T09:15:00+08:00',
        description: '楼上夜间装修噪音扰民',
        reporter: { name: '张三', phone: '13812345678' },
      },
      { source: 'grid_chat', category: 'environment', priority: 'general', location: { lon: 106.2309, lat: 38.4872, crs: 'gcj02' } },
    ],
  },
)
export type CreateRequest = Static<typeof CreateRequestSchema>

export const CreateRequestReplySchema = Type.Object({ id: Type.String(), seq: Type.Integer(), gridId: Type.String() })
export type CreateRequestReply = Static<typeof CreateRequestReplySchema>

export const ReviewSchema = Type.Object(
  { resolved: Type.Boolean(), satisfaction: Type.Enum(SATISFACTIONS) },
  { additionalProperties: false },
)
export type Review = Static<typeof ReviewSchema>

/** POST /api/v1/requests/:id/transitions — one step of the lifecycle. */
export const TransitionSchema = Type.Object(
  {
    stage: Type.Enum(TRANSITION_STAGES),
    at: Type.Optional(TimestampSchema),
    assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    review: Type.Optional(ReviewSchema),
  },
  {
    additionalProperties: false,
    examples: [
      { stage: 'dispatched', at: '2026-11-28T09:20:00+08:00', assignee: 'w-64010600100101' },
      { stage: 'accepted' },
      { stage: 'resolved', note: '已协调施工方调整作业时间' },
      { stage: 'reviewed', review: { resolved: true, satisfaction: 'basically_satisfied' } },
    ],
  },
)
export type Transition = Static<typeof TransitionSchema>

export const TransitionReplySchema = Type.Object({ id: Type.String(), seq: Type.Integer(), stage: Type.Enum(TRANSITION_STAGES) })
export type TransitionReply = Static<typeof TransitionReplySchema>

export const StageRecordSchema = Type.Object({
  seq: Type.Integer(),
  stage: Type.Enum(STAGES),
  at: Type.String(),
  assignee: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  review: Type.Optional(ReviewSchema),
})
export type StageRecord = Static<typeof StageRecordSchema>

/** GET /api/v1/requests/:id — the request with its whole timeline; the reporter is masked. */
export const RequestDetailSchema = Type.Object({
  id: Type.String(),
  source: Type.Enum(SOURCES),
  category: Type.Enum(CATEGORIES),
  priority: Type.Enum(PRIORITIES),
  location: PointSchema,
  gridId: Type.String(),
  communityId: Type.String(),
  streetId: Type.String(),
  receivedAt: Type.String(),
  stage: Type.Enum(STAGES),
  description: Type.Optional(Type.String()),
  reporter: Type.Optional(Type.Object({ name: Type.Optional(Type.String()), phone: Type.Optional(Type.String()) })),
  stages: Type.Array(StageRecordSchema),
})
export type RequestDetail = Static<typeof RequestDetailSchema>
