import Type, { type Static } from 'typebox'
import { PATROL_KINDS } from '../domain'
import { EntityIdSchema, LocationSchema, TimestampSchema } from './common'

export const MAX_PINGS_PER_BATCH = 1000

/** One report from a grid worker's app (网格员巡查). */
export const PatrolPingSchema = Type.Object(
  {
    workerId: EntityIdSchema,
    kind: Type.Enum(PATROL_KINDS),
    location: LocationSchema,
    at: Type.Optional(TimestampSchema),
  },
  { additionalProperties: false },
)
export type PatrolPing = Static<typeof PatrolPingSchema>

/** POST /api/v1/patrols — pings in bulk, all or nothing. */
export const PatrolBatchSchema = Type.Object(
  { pings: Type.Array(PatrolPingSchema, { minItems: 1, maxItems: MAX_PINGS_PER_BATCH }) },
  {
    additionalProperties: false,
    examples: [
      {
        pings: [
          { workerId: 'w-64010600100101', kind: 'ping', location: { lon: 106.2265, lat: 38.4867 }, at: '2026-11-28T10:00:00+08:00' },
          { workerId: 'w-64010600100101', kind: 'visit', location: { lon: 106.2268, lat: 38.4869 } },
        ],
      },
    ],
  },
)
export type PatrolBatch = Static<typeof PatrolBatchSchema>

export const PatrolReplySchema = Type.Object({ accepted: Type.Integer(), seq: Type.Integer() })
export type PatrolReply = Static<typeof PatrolReplySchema>
