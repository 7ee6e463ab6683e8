import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema } from '../../../shared/schemas/common'
import { MetricsQuerySchema } from '../../../shared/schemas/metrics'
import {
  ActivityTotalsReplySchema,
  ReportListQuerySchema,
  ReportListReplySchema,
  ReportParamsSchema,
  ReportReplySchema,
} from '../../../shared/schemas/reports'
import type { ReportData } from '../../../shared/report'
import type { Static } from 'typebox'
import Type from 'typebox'
import { reportCsv } from '../../../client/report/csv'
import { HttpError } from '../../errors'
import { assertScope } from '../../auth/scope'
import { scopedUnit } from '../scoped-unit'

const reports: FastifyPluginAsyncTypebox = async (app) => {
  // The kept reports of the unit's subtree (the user's own unit by default), newest first.
  app.get(
    '/api/v1/reports',
    { onRequest: app.requireUser, schema: { querystring: ReportListQuerySchema, response: { 200: ReportListReplySchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const list = await app.reports.list((u) => app.geography.isWithin(u, unit), request.query.limit ?? 100)
      return {
        reports: list.map((r) => ({ ...r, name: app.geography.get(r.unit)?.name ?? r.unit, generatedAt: new Date(r.generatedAt).toISOString() })),
      }
    },
  )

  /** A kept report the user may read: 404 when none, 403 outside the user's scope. */
  const kept = async (user: Parameters<typeof assertScope>[1], id: string) => {
    const entry = await app.reports.get(id)
    if (!entry) throw new HttpError(404, `no kept report ${id}`, { field: 'params/id', rule: 'exists' })
    assertScope(app.geography, user, entry.unit, 'params/id')
    return entry
  }

  app.get(
    '/api/v1/reports/:id',
    { onRequest: app.requireUser, schema: { params: ReportParamsSchema, response: { 200: ReportReplySchema, '4xx': ErrorReplySchema } } },
    async (request, reply) => {
      const entry = await kept(request.user!, request.params.id)
      // Sent as kept: the schema above documents it, the serializer never sees it.
      return reply.header('content-type', 'application/json; charset=utf-8').send(entry.json as unknown as Static<typeof ReportReplySchema>)
    },
  )

  app.get(
    '/api/v1/reports/:id.csv',
    { onRequest: app.requireUser, schema: { params: ReportParamsSchema, response: { 200: Type.String({ description: 'text/csv' }), '4xx': ErrorReplySchema } } },
    async (request, reply) => {
      const entry = await kept(request.user!, request.params.id)
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="report-${entry.id}.csv"`)
        .send(reportCsv(JSON.parse(entry.json) as ReportData))
    },
  )

  // The report page's activities: held in the unit's subtree in the window, by kind (at most one row a kind).
  app.get(
    '/api/v1/activities/totals',
    { onRequest: app.requireUser, schema: { querystring: MetricsQuerySchema, response: { 200: ActivityTotalsReplySchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const window = app.metrics.window(request.query)
      const totals = await app.store.activityTotals(app.geography.ref(unit)!, window.from, window.to)
      return { unit, from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString(), totals }
    },
  )
}

export default reports
