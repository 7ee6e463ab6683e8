import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import Type from 'typebox'
import { ErrorReplySchema, IdParamsSchema } from '../../../shared/schemas/common'
import {
  CreateRequestReplySchema,
  CreateRequestSchema,
  RequestDetailSchema,
  StaleStageReplySchema,
  TransitionReplySchema,
  TransitionSchema,
  UrgeReplySchema,
  UrgeSchema,
} from '../../../shared/schemas/requests'
import { createFingerprint, fingerprint, newId, place, timeOf } from '../../ingest/normalize'
import { unwrap } from '../../ingest/outcome'
import { assertTargetExists, assertWriteScope, auditWrite, targetName } from '../../ingest/writer'
import { HttpError } from '../../errors'
import { canSee } from '../../auth/scope'
import { actorOf } from '../../plugins/auth'
import { scopedUnit } from '../scoped-unit'
import { RequestListQuerySchema, RequestListSchema } from '../../../shared/schemas/views'
import { DAY_MS } from '../../../shared/time'

/** A transition's 409: a stale `expectedStage` (with the current stage and seq), or a conflict or lifecycle error. */
const TransitionConflictSchema = Type.Union([StaleStageReplySchema, ErrorReplySchema])

const requests: FastifyPluginAsyncTypebox = async (app) => {
  /** The request a session acts on: 404 when unknown, 403 outside the user's scope. Keys skip the read. */
  const scopedRequest = async (request: FastifyRequest, id: string) => {
    if (!request.user) return undefined
    const detail = await app.store.getRequest(id)
    if (!detail) throw new HttpError(404, `request ${id} not found`, { field: 'params/id', rule: 'exists' })
    assertWriteScope(app, request, detail.gridId, 'params/id', `request ${id}`)
    return detail
  }

  app.post(
    '/api/v1/requests',
    {
      onRequest: app.requireWriter,
      schema: {
        body: CreateRequestSchema,
        response: { 201: CreateRequestReplySchema, 200: CreateRequestReplySchema, '4xx': ErrorReplySchema },
      },
    },
    async (request, reply) => {
      const body = request.body
      const now = app.now()
      const placed = place(app.geography, body.location, 'body/location')
      assertWriteScope(app, request, placed.path.gridId, 'body/location', `grid ${placed.path.gridId}`)
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
        actor: actorOf(request),
      })
      const created = unwrap(outcome)
      if (outcome.ok && !outcome.replayed) await auditWrite(app, request, 'request.create', `request:${created.id}`, created.gridId)
      return reply.code(201).send(created)
    },
  )

  app.post(
    '/api/v1/requests/:id/transitions',
    {
      onRequest: app.requireWriter,
      schema: {
        params: IdParamsSchema,
        body: TransitionSchema,
        response: { 201: TransitionReplySchema, 409: TransitionConflictSchema, '4xx': ErrorReplySchema },
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
      const at = timeOf(body.at, app.now(), 'body/at')
      const target = await scopedRequest(request, request.params.id)
      if (body.assignee) await assertTargetExists(app, body.assignee)
      const outcome = await app.store.transitionRequest({
        requestId: request.params.id,
        // A retry of the last step (the same fingerprint) answers as the first time. A person's
        // step carries who took it: two officers sending the same dispatch are two steps, and the
        // second finds the request moved on (409), instead of reading as the first one's retry.
        fingerprint: fingerprint(request.user ? { ...body, by: request.user.username } : body),
        stage: body.stage,
        at,
        ...(body.assignee !== undefined ? { assignee: body.assignee } : {}),
        ...(body.note !== undefined ? { note: body.note } : {}),
        ...(body.review !== undefined ? { review: body.review } : {}),
        ...(body.expectedStage !== undefined ? { expectedStage: body.expectedStage } : {}),
        actor: actorOf(request),
      })
      const done = unwrap(outcome)
      if (target && outcome.ok && !outcome.replayed) await auditWrite(app, request, 'request.transition', `request:${done.id}`, target.gridId)
      return reply.code(201).send(done)
    },
  )

  app.post(
    '/api/v1/requests/:id/urge',
    {
      onRequest: app.requireWriter,
      schema: { params: IdParamsSchema, body: UrgeSchema, response: { 201: UrgeReplySchema, '4xx': ErrorReplySchema } },
    },
    async (request, reply) => {
      const body = request.body
      const at = timeOf(body.at, app.now(), 'body/at')
      const target = await scopedRequest(request, request.params.id)
      const outcome = await app.store.urgeRequest({
        requestId: request.params.id,
        at,
        actor: actorOf(request),
        ...(body.note !== undefined ? { note: body.note } : {}),
      })
      if (!outcome.ok && outcome.code === 'invalid_transition') {
        // Only an open request can be urged; the body names no stage to blame.
        throw new HttpError(409, outcome.message, { field: 'params/id', rule: 'lifecycle' })
      }
      const urged = unwrap(outcome)
      if (target) await auditWrite(app, request, 'request.urge', `request:${urged.id}`, target.gridId)
      return reply.code(201).send(urged)
    },
  )

  app.get(
    '/api/v1/requests/:id',
    { onRequest: app.requireUser, schema: { params: IdParamsSchema, response: { 200: RequestDetailSchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const user = request.user!
      // Contact details in clear only for the center; a leader sees 张* / 138****1234.
      const reveal = user.role === 'center'
      const detail = await app.store.getRequest(request.params.id, { reveal })
      // Outside the scope reads as unknown: a 403 would tell a leader which ids exist elsewhere.
      if (!detail || !canSee(app.geography, user, detail.gridId)) {
        throw new HttpError(404, `request ${request.params.id} not found`, { field: 'params/id', rule: 'exists' })
      }
      // Who read personal data in clear is in the audit trail.
      if (reveal) await auditWrite(app, request, 'request.read', `request:${detail.id}`, detail.gridId)
      for (const step of detail.stages) {
        if (step.assignee === undefined || typeof step.assignee === 'string' || step.assigneeName !== undefined) continue
        const name = targetName(app, step.assignee)
        if (name !== undefined) step.assigneeName = name
      }
      return detail
    },
  )

  app.get(
    '/api/v1/requests',
    { onRequest: app.requireUser, schema: { querystring: RequestListQuerySchema, response: { 200: RequestListSchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const stage = request.query.stage
      const openOnly = request.query.open ?? stage === undefined
      // With a stage, whenever received (the follow-up queue); else open ones, or the last 7 days.
      const from = openOnly || stage !== undefined ? 0 : app.now() - 7 * DAY_MS
      return {
        items: await app.store.listRequests(app.geography.ref(unit)!, {
          openOnly,
          from,
          limit: request.query.limit ?? 500,
          ...(stage !== undefined ? { stage } : {}),
        }),
      }
    },
  )
}

export default requests
