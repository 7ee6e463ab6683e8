// The audit trail: read by the center role only; the client records a CSV export here.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema, NoContentSchema } from '../../../shared/schemas/common'
import { AuditQuerySchema, AuditReplySchema, ExportRecordSchema } from '../../../shared/schemas/audit'
import { HttpError } from '../../errors'
import { assertScope } from '../../auth/scope'
import { assertCenter, subtreeOf } from '../../directory/scope'

/** The window when `from` is not given: the last 30 days before `to`. */
export const AUDIT_DEFAULT_WINDOW_MS = 30 * 24 * 3600 * 1000
export const AUDIT_DEFAULT_LIMIT = 1000

function instant(text: string, field: string): number {
  const ms = Date.parse(text)
  if (!Number.isFinite(ms)) throw new HttpError(400, `${field} must be an ISO 8601 time`, { field, rule: 'format' })
  return ms
}

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/audit',
    { onRequest: app.requireUser, schema: { querystring: AuditQuerySchema, response: { 200: AuditReplySchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      assertCenter(request.user!)
      const { user, unit, limit } = request.query
      if (unit !== undefined) assertScope(app.geography, request.user!, unit)
      // `to` is inclusive to the ms; the trail asks for [from, to + 1).
      const to = request.query.to === undefined ? app.now() : instant(request.query.to, 'query/to')
      const from = request.query.from === undefined ? to - AUDIT_DEFAULT_WINDOW_MS : instant(request.query.from, 'query/from')
      if (from > to) throw new HttpError(400, 'from must not be later than to', { field: 'query/from', rule: 'before_to' })
      return {
        entries: await app.audit.entries({
          ...(user !== undefined ? { user } : {}),
          ...(unit !== undefined ? { units: subtreeOf(app.geography, unit) } : {}),
          from,
          to: to + 1,
          limit: limit ?? AUDIT_DEFAULT_LIMIT,
        }),
      }
    },
  )

  app.post(
    '/api/v1/audit/exports',
    { onRequest: app.requireUser, schema: { body: ExportRecordSchema, response: { 204: NoContentSchema, '4xx': ErrorReplySchema } } },
    async (request, reply) => {
      assertScope(app.geography, request.user!, request.body.unit, 'body/unit')
      await app.audit.record({
        at: app.now(),
        actor: { kind: 'user', name: request.user!.username },
        action: 'export.csv',
        target: `export:${request.body.what}`,
        unit: request.body.unit,
      })
      return reply.code(204).send()
    },
  )
}

export default auditRoutes
