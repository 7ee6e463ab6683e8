import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ALERT_RAISES, type Category, type Priority } from '../../../shared/domain'
import { ErrorReplySchema, IdParamsSchema } from '../../../shared/schemas/common'
import {
  AlertReviewReplySchema,
  AlertReviewSchema,
  CreateAlertReplySchema,
  CreateAlertSchema,
} from '../../../shared/schemas/alerts'
import { createFingerprint, newId, placeAlert, timeOf } from '../../ingest/normalize'
import { unwrap } from '../../ingest/outcome'
import { assertWriteScope, auditWrite } from '../../ingest/writer'
import { actorOf } from '../../plugins/auth'
import { HttpError } from '../../errors'
import { scopedUnit } from '../scoped-unit'
import { AlertListQuerySchema, AlertListSchema } from '../../../shared/schemas/views'
import { DAY_MS } from '../../../shared/time'

const alerts: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/alerts',
    { onRequest: app.requireUser, schema: { querystring: AlertListQuerySchema, response: { 200: AlertListSchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const openOnly = request.query.open ?? true
      const now = app.now()
      // Open alerts whenever raised; reviewed ones from the last 24 hours.
      const from = openOnly ? 0 : now - DAY_MS
      return { items: await app.store.listAlerts(app.geography.ref(unit)!, { from, to: now + 1, openOnly, limit: request.query.limit ?? 500 }) }
    },
  )

  app.post(
    '/api/v1/alerts',
    { onRequest: app.requireWriter, schema: { body: CreateAlertSchema, response: { 201: CreateAlertReplySchema, '4xx': ErrorReplySchema } } },
    async (request, reply) => {
      const body = request.body
      // Without a location, a registered camera's place stands in (OUTPOST_CAMERAS).
      const placed = placeAlert(app.geography, app.cameras, body)
      assertWriteScope(app, request, placed.path.gridId, body.location ? 'body/location' : 'body/cameraId', `grid ${placed.path.gridId}`)
      const outcome = await app.store.createAlert({
        id: body.id ?? newId('alert'),
        fingerprint: createFingerprint(body),
        cameraId: body.cameraId,
        kind: body.kind,
        confidence: body.confidence,
        ...placed,
        at: timeOf(body.at, app.now(), 'body/at'),
        ...(body.snapshotUrl !== undefined ? { snapshotUrl: body.snapshotUrl } : {}),
        actor: actorOf(request),
      })
      return reply.code(201).send(unwrap(outcome))
    },
  )

  app.post(
    '/api/v1/alerts/:id/review',
    {
      onRequest: app.requireWriter,
      schema: {
        params: IdParamsSchema,
        body: AlertReviewSchema,
        response: { 201: AlertReviewReplySchema, '4xx': ErrorReplySchema },
      },
    },
    async (request, reply) => {
      const body = request.body
      if (body.raiseRequest && body.verdict !== 'confirmed') {
        throw new HttpError(400, 'body/raiseRequest is only allowed with verdict confirmed', {
          field: 'body/raiseRequest',
          rule: 'verdict',
        })
      }
      const alertId = request.params.id
      const at = timeOf(body.at, app.now(), 'body/at')
      let raise: { requestId: string; category: Category; priority: Priority } | undefined
      // A person's review, or one that raises a request, reads the alert first; the store checks it
      // exists otherwise.
      const alert = request.user || body.raiseRequest ? await app.store.getAlert(alertId) : undefined
      if ((request.user || body.raiseRequest) && !alert) throw new HttpError(404, `alert ${alertId} not found`, { field: 'params/id', rule: 'exists' })
      if (alert) assertWriteScope(app, request, alert.gridId, 'params/id', `alert ${alertId}`)
      // The kind decides category and priority.
      if (body.raiseRequest) raise = { requestId: `req-from-${alertId}`, ...ALERT_RAISES[alert!.kind] }
      const outcome = await app.store.reviewAlert({
        alertId,
        verdict: body.verdict,
        at,
        ...(raise ? { raise } : {}),
        actor: actorOf(request),
      })
      const reviewed = unwrap(outcome)
      if (request.user && outcome.ok && outcome.replayed) {
        // The same verdict again is a retry only when it is this person's: a second officer who
        // confirms what another confirmed first is told so, as one with the other verdict is.
        const by = (await app.store.getAlert(alertId))?.reviewedBy
        if (!(by?.kind === 'user' && by.name === request.user.username)) {
          const who = by === undefined ? 'someone else' : by.kind === 'user' ? by.name : `the ingest key of ${by.source}`
          throw new HttpError(409, `alert ${alertId} was already reviewed as ${reviewed.verdict} by ${who}`, { field: 'body', rule: 'conflict' })
        }
      }
      if (alert && outcome.ok && !outcome.replayed) await auditWrite(app, request, 'alert.review', `alert:${alertId}`, alert.gridId)
      return reply.code(201).send(reviewed)
    },
  )
}

export default alerts
