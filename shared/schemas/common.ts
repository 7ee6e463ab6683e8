import Type, { type Static } from 'typebox'
import { CRS_NAMES } from '../domain'

/** Caller-supplied ids: they make retries idempotent, so keep them printable and bounded. */
export const EntityIdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' })

/** Statistical codes: 6 (district), 9 (street), 12 (community) or 14 (grid) digits. */
export const UnitIdSchema = Type.String({ minLength: 6, maxLength: 14, pattern: '^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{14})$' })

/** ISO 8601 with a zone, as Open311 has it: 2026-11-29T10:00:00+08:00. */
export const TimestampSchema = Type.String({ format: 'date-time', maxLength: 40 })

export const LocationSchema = Type.Object(
  {
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    crs: Type.Optional(Type.Enum(CRS_NAMES)),
  },
  { additionalProperties: false },
)
export type Location = Static<typeof LocationSchema>

export const PointSchema = Type.Object({ lon: Type.Number(), lat: Type.Number() })
export type Point = Static<typeof PointSchema>

/**
 * Every error the API answers: `field` names what was wrong (`body/location/lon`, `query/unit`,
 * `header/cookie`, `url`) and `rule` what it broke (`maximum`, `scope`, `authenticated`), so a
 * client can act on any error without parsing the message.
 */
export const ErrorReplySchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  field: Type.String(),
  rule: Type.String(),
  allowed: Type.Optional(Type.Array(Type.String())),
})
export type ErrorReply = Static<typeof ErrorReplySchema>

export const IdParamsSchema = Type.Object({ id: EntityIdSchema }, { additionalProperties: false })
export type IdParams = Static<typeof IdParamsSchema>

/** An empty reply (204, 304): no body at all (`send()`), documented as no content. */
export const NoContentSchema = Type.Unsafe<undefined>({ type: 'null', description: 'No content' })
