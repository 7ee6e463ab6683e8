import Type, { type Static } from 'typebox'
import { ALERT_KINDS, CATEGORIES, PRIORITIES } from '../domain'
import { RANKED_RATES } from '../metrics'
import { UnitIdSchema } from './common'

const Seconds = Type.Integer({ minimum: 1, maximum: 366 * 86400 })

/** OUTPOST_POLICY: a JSON file overriding any of the default deadlines and review weights. */
export const PolicyFileSchema = Type.Object(
  {
    deadlines: Type.Optional(
      Type.Object(
        Object.fromEntries(
          PRIORITIES.map((p) => [
            p,
            Type.Optional(
              Type.Object({ responseSec: Type.Optional(Seconds), resolutionSec: Type.Optional(Seconds) }, { additionalProperties: false }),
            ),
          ]),
        ),
        { additionalProperties: false },
      ),
    ),
    satisfactionWeights: Type.Optional(
      Type.Object(
        {
          satisfied: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          basically_satisfied: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          dissatisfied: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, examples: [{ deadlines: { urgent: { responseSec: 900 } }, satisfactionWeights: { basically_satisfied: 0.6 } }] },
)
export type PolicyFile = Static<typeof PolicyFileSchema>

/** A date (YYYY-MM-DD, a whole day in the center's zone) or an ISO time on a whole hour. */
const WindowBound = Type.String({ maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:00(:00(\\.0+)?)?(Z|[+-]\\d{2}:?\\d{2}))?$' })

export const MetricsQuerySchema = Type.Object(
  { unit: Type.Optional(UnitIdSchema), from: Type.Optional(WindowBound), to: Type.Optional(WindowBound) },
  { additionalProperties: false },
)
export type MetricsQuery = Static<typeof MetricsQuerySchema>

export const SERIES_METRICS = [
  'requests',
  'perThousand',
  'onTimeResponse',
  'resolution',
  'satisfaction',
  'proactive',
  'responseP50',
  'responseP90',
  'resolutionP50',
  'resolutionP90',
  'alerts',
  'cameraPrecision',
  'coverage',
] as const
export type SeriesMetric = (typeof SERIES_METRICS)[number]

export const SeriesQuerySchema = Type.Object(
  {
    unit: Type.Optional(UnitIdSchema),
    metric: Type.Enum(SERIES_METRICS),
    bucket: Type.Optional(Type.Enum(['hour', 'day'])),
    from: Type.Optional(WindowBound),
    to: Type.Optional(WindowBound),
  },
  { additionalProperties: false },
)
export type SeriesQuery = Static<typeof SeriesQuerySchema>

const Nullable = (schema: ReturnType<typeof Type.Number>) => Type.Union([schema, Type.Null()])
const TimeStatSchema = Type.Object({ p50: Nullable(Type.Number()), p90: Nullable(Type.Number()), n: Type.Integer() })
const RateSchema = Type.Object({ value: Nullable(Type.Number()), k: Type.Number(), n: Type.Integer(), lower: Nullable(Type.Number()) })
const KindSchema = Type.Object({ alerts: Type.Integer(), reviewed: Type.Integer(), confirmed: Type.Integer(), precision: Nullable(Type.Number()) })

export const FiguresSchema = Type.Object({
  requests: Type.Integer(),
  perThousand: Nullable(Type.Number()),
  responseTime: TimeStatSchema,
  resolutionTime: TimeStatSchema,
  segments: Type.Object({ dispatch: TimeStatSchema, accept: TimeStatSchema, travel: TimeStatSchema, work: TimeStatSchema }),
  onTimeResponse: RateSchema,
  resolution: RateSchema,
  satisfaction: RateSchema,
  proactive: RateSchema,
  overdue: Type.Object({ response: Type.Integer(), resolution: Type.Integer() }),
  byCategory: Type.Object(Object.fromEntries(CATEGORIES.map((c) => [c, Type.Integer()]))),
  handledByCategory: Type.Object(Object.fromEntries(CATEGORIES.map((c) => [c, Type.Integer()]))),
  camera: Type.Object({
    alerts: Type.Integer(),
    reviewed: Type.Integer(),
    precision: RateSchema,
    reviewTime: TimeStatSchema,
    byKind: Type.Object(Object.fromEntries(ALERT_KINDS.map((k) => [k, KindSchema]))),
  }),
  patrol: Type.Object({ coverage: RateSchema, workersOnline: Type.Integer() }),
})

/** A department's figures (see DepartmentFigures in shared/metrics.ts). */
export const DepartmentFiguresSchema = Type.Object({
  requests: Type.Integer(),
  responseTime: TimeStatSchema,
  resolutionTime: TimeStatSchema,
  overdue: Type.Object({ response: Type.Integer(), resolution: Type.Integer() }),
  urged: Type.Integer(),
})

export const MetricsReplySchema = Type.Object({
  unit: Type.String(),
  name: Type.String(),
  from: Type.String(),
  to: Type.String(),
  now: Type.String(),
  figures: FiguresSchema,
  children: Type.Array(Type.Object({ unit: Type.String(), name: Type.String(), figures: FiguresSchema })),
  /**
   * By department: the requests of the window in the unit's subtree whose latest dispatch named a
   * department target (not a worker, an expert or older free text), most requests first; only
   * departments with a request of the window or an overdue one. `name` from the directory.
   */
  departments: Type.Array(
    Type.Object({ departmentId: Type.String(), name: Type.Optional(Type.String()), figures: DepartmentFiguresSchema }),
  ),
  /** Child unit ids, best first, for each rate (Wilson lower bound, then n). */
  rankings: Type.Object(Object.fromEntries(RANKED_RATES.map((r) => [r, Type.Array(Type.String())]))),
})
export type MetricsReply = Static<typeof MetricsReplySchema>

export const GridMetricsReplySchema = Type.Object({
  unit: Type.String(),
  from: Type.String(),
  to: Type.String(),
  now: Type.String(),
  grids: Type.Array(
    Type.Object({
      unit: Type.String(),
      requests: Type.Integer(),
      perThousand: Nullable(Type.Number()),
      onTimeResponse: RateSchema,
      overdue: Type.Object({ response: Type.Integer(), resolution: Type.Integer() }),
      coverage: RateSchema,
    }),
  ),
})
export type GridMetricsReply = Static<typeof GridMetricsReplySchema>

export const SeriesReplySchema = Type.Array(Type.Object({ t: Type.String(), value: Type.Union([Type.Number(), Type.Null()]), n: Type.Number() }))
export type SeriesReply = Static<typeof SeriesReplySchema>
