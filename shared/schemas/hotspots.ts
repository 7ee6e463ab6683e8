import Type, { type Static } from 'typebox'
import { ALERT_KINDS, CATEGORIES } from '../domain'
import { HOTSPOT_REPLY_LIMIT } from '../hotspots'
import { UnitIdSchema } from './common'

/** A date (YYYY-MM-DD, local midnight in the center's zone) or an ISO time on a whole hour. */
const WindowBound = Type.String({ maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:00(:00(\\.0+)?)?(Z|[+-]\\d{2}:?\\d{2}))?$' })

/** `GET /api/v1/hotspots`: by default the leader's own unit and the last window (OUTPOST_HOTSPOT_WINDOW_DAYS) up to now. */
export const HotspotsQuerySchema = Type.Object(
  { unit: Type.Optional(UnitIdSchema), from: Type.Optional(WindowBound), to: Type.Optional(WindowBound) },
  { additionalProperties: false },
)
export type HotspotsQuery = Static<typeof HotspotsQuerySchema>

const IdList = Type.Array(Type.String())

/** One recurring hotspot (shared/hotspots.ts): ids, category, counts and places only — no personal data. */
export const HotspotSchema = Type.Object(
  {
    id: Type.String(),
    category: Type.Enum([...CATEGORIES, ...ALERT_KINDS]),
    count: Type.Integer({ minimum: 1 }),
    center: Type.Object({ lon: Type.Number(), lat: Type.Number() }, { additionalProperties: false }),
    radiusM: Type.Number(),
    first: Type.String({ format: 'date-time' }),
    last: Type.String({ format: 'date-time' }),
    requestIds: IdList,
    alertIds: IdList,
    gridIds: IdList,
  },
  { additionalProperties: false },
)
export type HotspotItem = Static<typeof HotspotSchema>

export const HotspotsReplySchema = Type.Object(
  {
    unit: Type.String(),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    radiusM: Type.Number(),
    minCount: Type.Integer(),
    /** How many hotspots the window holds; the reply lists the HOTSPOT_REPLY_LIMIT largest. */
    total: Type.Integer(),
    truncated: Type.Boolean(),
    hotspots: Type.Array(HotspotSchema, { maxItems: HOTSPOT_REPLY_LIMIT }),
  },
  { additionalProperties: false },
)
export type HotspotsReply = Static<typeof HotspotsReplySchema>
