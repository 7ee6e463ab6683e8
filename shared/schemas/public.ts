// The kiosk's reply as a schema, for the API reference: `PublicStats` of shared/public.ts is the type
// both sides use (a count may be a `"<N>"` or `"*"` string there, which a schema only approximates).
import Type from 'typebox'
import { WITHHELD } from '../public'

/** A count, `"<N>"` where a small one is suppressed, or `"*"` where one is withheld. */
const CountSchema = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^<[0-9]+$' }), Type.Literal(WITHHELD)])
const RateSchema = Type.Union([Type.Number(), Type.Null()])
const ActivitySchema = Type.Object({ kind: Type.String(), activities: CountSchema, participants: CountSchema })
const PeriodSchema = Type.Object({ from: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }), to: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }) })
const VolumeSchema = Type.Object({ received: CountSchema, handled: CountSchema })

/** GET /api/v1/public/stats?unit= — no login; aggregates of a street, community or the district. */
export const PublicStatsSchema = Type.Object(
  {
    unit: Type.String(),
    name: Type.String(),
    level: Type.Enum(['district', 'street', 'community']),
    updatedAt: Type.String(),
    threshold: Type.Integer(),
    month: VolumeSchema,
    year: VolumeSchema,
    rates: Type.Object({ onTimeResponse: RateSchema, resolution: RateSchema, satisfaction: RateSchema }),
    medianResponseSec: RateSchema,
    topCategories: Type.Array(Type.Object({ category: Type.String(), handled: CountSchema })),
    comparison: Type.Object({
      level: Type.Enum(['street', 'community']),
      units: Type.Array(
        Type.Object({ unit: Type.String(), name: Type.String(), handled: CountSchema, onTimeResponse: RateSchema, satisfaction: RateSchema }),
      ),
    }),
    activities: Type.Array(ActivitySchema),
    activitiesArea: Type.Optional(Type.Object({ unit: Type.String(), name: Type.String(), items: Type.Array(ActivitySchema) })),
    period: Type.Optional(
      Type.Object({ month: PeriodSchema, year: PeriodSchema, yearFromFirstData: Type.Boolean() }),
    ),
    report: Type.Optional(
      Type.Object({
        hotline: Type.String(),
        phone: Type.Union([Type.String(), Type.Null()]),
        hours: Type.Union([Type.String(), Type.Null()]),
        qrSvg: Type.Union([Type.String(), Type.Null()]),
        from: Type.Union([Type.Object({ unit: Type.String(), name: Type.String() }), Type.Null()]),
      }),
    ),
  },
  {
    examples: [
      {
        unit: '640106001001',
        name: '北京路社区',
        level: 'community',
        updatedAt: '2026-11-28T10:00:00.000Z',
        threshold: 5,
        month: { received: 42, handled: 37 },
        year: { received: 511, handled: 498 },
        rates: { onTimeResponse: 0.95, resolution: 0.88, satisfaction: 0.91 },
        medianResponseSec: 840,
        topCategories: [{ category: 'noise', handled: 12 }, { category: 'environment', handled: '<5' }],
        comparison: { level: 'community', units: [{ unit: '640106001001', name: '北京路社区', handled: 37, onTimeResponse: 0.95, satisfaction: 0.91 }] },
        activities: [{ kind: 'senior_class', activities: 3, participants: 61 }],
        activitiesArea: { unit: '640106001', name: '满城北街街道', items: [{ kind: 'senior_class', activities: 9, participants: 187 }] },
        period: { month: { from: '2026-11-01', to: '2026-11-28' }, year: { from: '2026-01-01', to: '2026-11-28' }, yearFromFirstData: false },
        report: { hotline: '12345', phone: '0951-5012345', hours: '工作日 8:30–17:30', qrSvg: null, from: { unit: '640106001', name: '满城北街街道' } },
      },
    ],
  },
)
