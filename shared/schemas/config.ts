import Type, { type Static, type TSchema } from 'typebox'
import { PRIORITIES, SATISFACTIONS } from '../domain'

const CrsSchema = Type.Enum(['wgs84', 'gcj02'])

/** An object with one property per key, all of one schema (a `Record<K, …>` with every key present). */
function keyed<K extends string, S extends TSchema>(keys: readonly K[], schema: S) {
  return Type.Object(Object.fromEntries(keys.map((k) => [k, schema])) as Record<K, S>)
}

/** The deadlines and review weights in force (OUTPOST_POLICY over the defaults): `Policy` of shared/metrics.ts. */
export const PolicySchema = Type.Object({
  deadlines: keyed(PRIORITIES, Type.Object({ responseSec: Type.Integer(), resolutionSec: Type.Integer() })),
  satisfactionWeights: keyed(SATISFACTIONS, Type.Number()),
})
export type PolicyReply = Static<typeof PolicySchema>

/** The base map as a page sees it: this server's PMTiles path, or a style URL; null without one. */
export const PublicBasemapSchema = Type.Union([
  Type.Object({ pmtiles: Type.String(), crs: CrsSchema }),
  Type.Object({ style: Type.String(), crs: CrsSchema }),
  Type.Null(),
])

/** GET /api/v1/config — what the pages need to know of the server's configuration. */
export const ConfigReplySchema = Type.Object(
  {
    timeZone: Type.String(),
    policy: PolicySchema,
    basemap: PublicBasemapSchema,
    /** The center's own name (its district's), for report headers. */
    center: Type.Optional(Type.Object({ id: Type.String(), name: Type.String() })),
  },
  {
    examples: [
      {
        timeZone: 'Asia/Shanghai',
        policy: {
          deadlines: {
            urgent: { responseSec: 1800, resolutionSec: 7200 },
            utilities: { responseSec: 7200, resolutionSec: 86400 },
            general: { responseSec: 7200, resolutionSec: 604800 },
            complex: { responseSec: 7200, resolutionSec: 1296000 },
          },
          satisfactionWeights: { satisfied: 1, basically_satisfied: 0.8, dissatisfied: 0 },
        },
        basemap: { pmtiles: '/basemap/base.pmtiles', crs: 'gcj02' },
      },
    ],
  },
)
export type ConfigReply = Static<typeof ConfigReplySchema>
