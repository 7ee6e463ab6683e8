import Type, { type Static } from 'typebox'
import { CATEGORIES, PRIORITIES, SATISFACTIONS, SOURCES, STAGES, TARGET_KINDS, TRANSITION_STAGES } from '../domain'
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

/** Whom a request is dispatched to: a grid worker, a department, an expert, by directory id. */
export const DispatchTargetSchema = Type.Object(
  { kind: Type.Enum(TARGET_KINDS), id: EntityIdSchema },
  { additionalProperties: false, examples: [{ kind: 'department', id: 'zj-jf' }] },
)

/** Who did a step: a logged-in user, or the source system of an ingest key. */
export const ActorSchema = Type.Union([
  Type.Object({ kind: Type.Literal('user'), name: Type.String() }),
  Type.Object({ kind: Type.Literal('key'), source: Type.String() }),
])

/** POST /api/v1/requests/:id/transitions — one step of the lifecycle. */
export const TransitionSchema = Type.Object(
  {
    stage: Type.Enum(TRANSITION_STAGES),
    at: Type.Optional(TimestampSchema),
    /**
     * The stage the caller believes the request is at (the console always sends it): when the
     * request has moved on, the answer is a 409 with the current `stage` and `seq`, nothing stored.
     */
    expectedStage: Type.Optional(Type.Enum(STAGES)),
    assignee: Type.Optional(DispatchTargetSchema),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    review: Type.Optional(ReviewSchema),
  },
  {
    additionalProperties: false,
    examples: [
      { stage: 'dispatched', at: '2026-11-28T09:20:00+08:00', assignee: { kind: 'worker', id: 'w-64010600100101' } },
      { stage: 'dispatched', expectedStage: 'received', assignee: { kind: 'department', id: 'zj-jf' } },
      { stage: 'accepted' },
      { stage: 'resolved', note: '已协调施工方调整作业时间' },
      { stage: 'reviewed', review: { resolved: true, satisfaction: 'basically_satisfied' } },
    ],
  },
)
export type Transition = Static<typeof TransitionSchema>

export const TransitionReplySchema = Type.Object({ id: Type.String(), seq: Type.Integer(), stage: Type.Enum(TRANSITION_STAGES) })
export type TransitionReply = Static<typeof TransitionReplySchema>

/**
 * A 409 for a transition whose `expectedStage` is no longer the request's stage: the error, and
 * where the request is now.
 */
export const StaleStageReplySchema = Type.Object({
  statusCode: Type.Literal(409),
  error: Type.String(),
  message: Type.String(),
  field: Type.String(),
  rule: Type.String(),
  stage: Type.Enum(STAGES),
  seq: Type.Integer(),
})
export type StaleStageReply = Static<typeof StaleStageReplySchema>

/** POST /api/v1/requests/:id/urge — 督办: press on an open request; the stage does not change. */
export const UrgeSchema = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000 })), at: Type.Optional(TimestampSchema) },
  { additionalProperties: false, examples: [{ note: '已超时，请今日内办结' }] },
)
export type Urge = Static<typeof UrgeSchema>
export const UrgeReplySchema = Type.Object({ id: Type.String(), seq: Type.Integer() })
export type UrgeReply = Static<typeof UrgeReplySchema>

export const StageRecordSchema = Type.Object({
  seq: Type.Integer(),
  stage: Type.Enum(STAGES),
  at: Type.String(),
  /** Who did the step; absent on events written before actors were recorded. */
  actor: Type.Optional(ActorSchema),
  /** A typed target, or the free text of an older event. */
  assignee: Type.Optional(Type.Union([Type.Object({ kind: Type.Enum(TARGET_KINDS), id: Type.String() }), Type.String()])),
  /** The target's name from the directory, when it names one that is there. */
  assigneeName: Type.Optional(Type.String()),
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
  /** Each 督办 on it, oldest first. */
  urges: Type.Array(Type.Object({ seq: Type.Integer(), at: Type.String(), actor: Type.Optional(ActorSchema), note: Type.Optional(Type.String()) })),
  /** The last stage's seq: what a console sends back as it acts. */
  seq: Type.Integer(),
})
export type RequestDetail = Static<typeof RequestDetailSchema>
