import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema, IdParamsSchema } from '../../../shared/schemas/common'
import {
  CreateRequestReplySchema,
  CreateRequestSchema,
  RequestDetailSchema,
  TransitionReplySchema,
  TransitionSchema,
} from '../../../shared/schemas/requests'
import { createFingerprint, fingerprint, newId, place, timeOf } from '../../ingest/normalize'
import { unwrap } from '../../ingest/outcome'
import { HttpError } from '../../errors'
import { canSee } from '../../auth/scope'
import { scopedUnit } from '../scoped-unit'
import { RequestListQuerySchema, RequestListSchema } from '../../../shared/schemas/views'
import { DAY_MS } from '../../../shared/time'

const requests: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/v1/requests',
    {
      onRequest: app.requireIngestKey,
      schema: {
        body: CreateRequestSchema,
        response: { 201: CreateRequestReplySchema, 200: CreateRequestReplySchema, '4xx': ErrorReplySchema },
      },
    },
    async (request, reply) => {
      const body = request.body
      const now = app.now()
      const placed = place(app.geography, body.location, 'body/location')
      const outcome = await app.store.createRequest({
        id: body.id ?? newId('req'),
        fingerprint: createFingerprint(body),
        source: body.source,
        category: body.category,
        priority: body.priority,
        ...placed,
        receivedAt: timeOf(body.receivedAt, now, 'body/receivedAt'),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.reporter !== undefined ? { reporter: body.reporter } : {}),
      })
      return reply.code(201).send(unwrap(outcome))
    },
  )

  app.post(
    '/api/v1/requests/:id/transitions',
    {
      onRequest: app.requireIngestKey,
      schema: {
        params: IdParamsSchema,
        body: TransitionSchema,
        response: { 201: TransitionReplySchema, '4xx': ErrorReplySchema },
      },
    },
    async (request, reply) => {
      const body = request.body
      if (body.stage === 'reviewed' && !body.review) {
        throw new HttpError(400, 'body/review is required when stage is reviewed', { field: 'body/review', rule: 'required' })
      }
      if (body.stage !== 'reviewed' && body.review) {
        throw new HttpError(400, 'body/review is only allowed when stage is reviewed', { field: 'body/review', rule: 'stage' })
      }
      const outcome = await app.store.transitionRequest({
        requestId: request.params.id,
        fingerprint: fingerprint(body),
        stage: body.stage,
        at: timeOf(body.at, app.now(), 'body/at'),
        ...(body.assignee !== undefined ? { assignee: body.assignee } : {}),
        ...(body.note !== undefined ? { note: body.note } : {}),
        ...(body.review !== undefined ? { review: body.review } : {}),
      })
      return reply.code(201).send(unwrap(outcome))
    },
  )

  app.get(
    '/api/v1/requests/:id',
    { onRequest: app.requireUser, schema: { params: IdParamsSchema, response: { 200: RequestDetailSchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const user = request.user!
      // Contact details in clear only for the center; a leader sees 张* / 138****1234.
      const detail = await app.store.getRequest(request.params.id, { reveal: user.role === 'center' })
      // Outside the scope reads as unknown: a 403 would tell a leader which ids exist elsewhere.
      if (!detail || !canSee(app.geography, user, detail.gridId)) {
        throw new HttpError(404, `request ${request.params.id} not found`, { field: 'params/id', rule: 'exists' })
      }
      return detail
    },
  )

  app.get(
    '/api/v1/requests',
    { onRequest: app.requireUser, schema: { querystring: RequestListQuerySchema, response: { 200: RequestListSchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const openOnly = request.query.open ?? true
      const from = openOnly ? 0 : app.now() - 7 * DAY_MS
      return { items: await app.store.listRequests(app.geography.ref(unit)!, { openOnly, from, limit: request.query.limit ?? 500 }) }
    },
  )
}

export default requests
