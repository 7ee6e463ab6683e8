// Read routes behind the leader and wall views.
import Type, { type Static } from 'typebox'
import { ALERT_KINDS, CATEGORIES, PATROL_KINDS, PRIORITIES, SATISFACTIONS, SOURCES, STAGES, TARGET_KINDS, TRANSITION_STAGES, VERDICTS } from '../domain'
import { TimestampSchema, UnitIdSchema } from './common'
import { EVENT_TYPES } from '../events'

export const ListQuerySchema = Type.Object(
  { unit: Type.Optional(UnitIdSchema), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) },
  { additionalProperties: false },
)

/**
 * Requests: the open ones (default), or with `open=false` every request of the last 7 days; with
 * `stage`, only those now at that stage (`stage=resolved`: the console's follow-up queue), whenever
 * received.
 */
export const RequestListQuerySchema = Type.Object(
  {
    unit: Type.Optional(UnitIdSchema),
    open: Type.Optional(Type.Boolean()),
    stage: Type.Optional(Type.Enum(STAGES)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  },
  { additionalProperties: false },
)

export const AlertListQuerySchema = Type.Object(
  {
    unit: Type.Optional(UnitIdSchema),
    open: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  },
  { additionalProperties: false },
)

const Masked = Type.Object({ name: Type.Optional(Type.String()), phone: Type.Optional(Type.String()) })

export const RequestListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      gridId: Type.String(),
      source: Type.Enum(SOURCES),
      category: Type.Enum(CATEGORIES),
      priority: Type.Enum(PRIORITIES),
      stage: Type.Enum(STAGES),
      stageAt: Type.Number(),
      receivedAt: Type.Number(),
      reporter: Type.Optional(Masked),
      lon: Type.Optional(Type.Number()),
      lat: Type.Optional(Type.Number()),
      /** The current assignee: a typed target, or the free text of an older event. */
      assignee: Type.Optional(Type.Union([Type.Object({ kind: Type.Enum(TARGET_KINDS), id: Type.String() }), Type.String()])),
      /** How many times it was urged (督办). */
      urges: Type.Optional(Type.Integer()),
    }),
  ),
})
export type RequestList = Static<typeof RequestListSchema>

export const AlertListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      alertId: Type.String(),
      gridId: Type.String(),
      cameraId: Type.String(),
      kind: Type.Enum(ALERT_KINDS),
      confidence: Type.Number(),
      lon: Type.Number(),
      lat: Type.Number(),
      at: Type.Number(),
      verdict: Type.Union([Type.Enum(VERDICTS), Type.Null()]),
      requestId: Type.Union([Type.String(), Type.Null()]),
      /** The camera's snapshot, where the alert came with one (the console shows it). */
      snapshotUrl: Type.Optional(Type.String()),
    }),
  ),
})
export type AlertList = Static<typeof AlertListSchema>

export const WorkerListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      workerId: Type.String(),
      gridId: Type.String(),
      kind: Type.Enum(PATROL_KINDS),
      lon: Type.Number(),
      lat: Type.Number(),
      at: Type.Number(),
    }),
  ),
})
export type WorkerList = Static<typeof WorkerListSchema>

export const OverdueReplySchema = Type.Object({
  now: Type.String(),
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      gridId: Type.String(),
      priority: Type.Enum(PRIORITIES),
      category: Type.Enum(CATEGORIES),
      stage: Type.Enum(STAGES),
      receivedAt: Type.Number(),
      ageSec: Type.Number(),
      late: Type.Array(Type.Enum(['response', 'resolution'])),
    }),
  ),
})
export type OverdueReply = Static<typeof OverdueReplySchema>

export const EventsQuerySchema = Type.Object(
  {
    unit: Type.Optional(UnitIdSchema),
    from: Type.String({ maxLength: 40 }),
    to: Type.String({ maxLength: 40 }),
    /** Comma-separated event types, e.g. `request.received,alert.raised`; all types without it. */
    types: Type.Optional(Type.String({ maxLength: 200, pattern: `^(${EVENT_TYPES.join('|').replaceAll('.', '\\.')})(,(${EVENT_TYPES.join('|').replaceAll('.', '\\.')}))*$` })),
  },
  { additionalProperties: false },
)

/** `GET /api/v1/open-requests?unit=&at=`: what a replay of a day starts from. */
export const OpenRequestsQuerySchema = Type.Object(
  { unit: Type.Optional(UnitIdSchema), at: TimestampSchema },
  { additionalProperties: false },
)

/** A request as the figures see it (`RequestFacts` of shared/metrics.ts): no personal data. */
export const RequestFactsSchema = Type.Object({
  id: Type.String(),
  source: Type.Enum(SOURCES),
  category: Type.Enum(CATEGORIES),
  priority: Type.Enum(PRIORITIES),
  gridId: Type.String(),
  receivedAt: Type.Number(),
  stages: Type.Array(
    Type.Object({
      stage: Type.Enum(TRANSITION_STAGES),
      at: Type.Number(),
      resolved: Type.Optional(Type.Boolean()),
      satisfaction: Type.Optional(Type.Enum(SATISFACTIONS)),
    }),
  ),
})

/** The unit's requests received before `at` and not resolved at `at`, with their stages until then. */
export const OpenRequestsReplySchema = Type.Object({
  unit: Type.String(),
  at: Type.String(),
  /** Each with where it is (WGS84), for the replayed map. */
  requests: Type.Array(Type.Intersect([RequestFactsSchema, Type.Object({ lon: Type.Number(), lat: Type.Number() })])),
})
export type OpenRequestsReply = Static<typeof OpenRequestsReplySchema>
