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
    { onRequest: app.requireIngestKey, schema: { body: CreateAlertSchema, response: { 201: CreateAlertReplySchema, '4xx': ErrorReplySchema } } },
    async (request, reply) => {
      const body = request.body
      // Without a location, a registered camera's place stands in (OUTPOST_CAMERAS).
      const placed = placeAlert(app.geography, app.cameras, body)
      const outcome = await app.store.createAlert({
        id: body.id ?? newId('alert'),
        fingerprint: createFingerprint(body),
        cameraId: body.cameraId,
        kind: body.kind,
        confidence: body.confidence,
        ...placed,
        at: timeOf(body.at, app.now(), 'body/at'),
        ...(body.snapshotUrl !== undefined ? { snapshotUrl: body.snapshotUrl } : {}),
      })
      return reply.code(201).send(unwrap(outcome))
    },
  )

  app.post(
    '/api/v1/alerts/:id/review',
    {
      onRequest: app.requireIngestKey,
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
      let raise: { requestId: string; category: Category; priority: Priority } | undefined
      if (body.raiseRequest) {
        // The kind decides category and priority; the store checks the alert exists.
        const alert = await app.store.getAlert(alertId)
        if (!alert) throw new HttpError(404, `alert ${alertId} not found`, { field: 'params/id', rule: 'exists' })
        raise = { requestId: `req-from-${alertId}`, ...ALERT_RAISES[alert.kind] }
      }
      const outcome = await app.store.reviewAlert({
        alertId,
        verdict: body.verdict,
        at: timeOf(body.at, app.now(), 'body/at'),
        ...(raise ? { raise } : {}),
      })
      return reply.code(201).send(unwrap(outcome))
    },
  )
}

export default alerts
