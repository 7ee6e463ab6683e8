import Type, { type Static } from 'typebox'
import { REPORT_PERIODS } from '../report'
import { UnitIdSchema } from './common'

/** `<unit>-<day|week>-<first day>`: a kept report's id. */
export const ReportIdSchema = Type.String({ maxLength: 40, pattern: '^[0-9]{6,14}-(day|week)-[0-9]{4}-[0-9]{2}-[0-9]{2}$' })

export const ReportParamsSchema = Type.Object({ id: ReportIdSchema }, { additionalProperties: false })

export const ReportListQuerySchema = Type.Object(
  { unit: Type.Optional(UnitIdSchema), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
  { additionalProperties: false },
)
export type ReportListQuery = Static<typeof ReportListQuerySchema>

export const KeptReportSchema = Type.Object({
  id: Type.String(),
  unit: Type.String(),
  name: Type.String(),
  period: Type.Enum(REPORT_PERIODS),
  label: Type.String(),
  start: Type.String(),
  generatedAt: Type.String(),
})

/** The kept reports of the unit's subtree (streets and the district), newest first. */
export const ReportListReplySchema = Type.Object({ reports: Type.Array(KeptReportSchema) })
export type ReportListReply = Static<typeof ReportListReplySchema>

/** A kept report: `ReportData` of shared/report.ts, exactly as kept (sent as stored). */
export const ReportReplySchema = Type.Object(
  {
    unit: Type.String(),
    name: Type.String(),
    center: Type.String(),
    period: Type.Enum(REPORT_PERIODS),
    label: Type.String(),
    start: Type.String(),
    end: Type.String(),
    from: Type.String(),
    to: Type.String(),
    asOf: Type.String(),
  },
  { additionalProperties: true },
)

/** Activities held in the unit's subtree in [from, to), by kind. */
export const ActivityTotalsReplySchema = Type.Object({
  unit: Type.String(),
  from: Type.String(),
  to: Type.String(),
  totals: Type.Array(Type.Object({ kind: Type.String(), activities: Type.Integer(), participants: Type.Integer() })),
})
export type ActivityTotalsReply = Static<typeof ActivityTotalsReplySchema>
