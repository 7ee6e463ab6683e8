// Alarms (urgent requests, camera alerts, newly overdue requests) stay pinned on the wall until a
// person acknowledges one: the list for the console, and the acknowledgement.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { ErrorReplySchema } from '../../../shared/schemas/common'
import { AlarmAckReplySchema, AlarmListQuerySchema, AlarmListSchema } from '../../../shared/schemas/alarms'
import { unwrap } from '../../ingest/outcome'
import { assertWriteScope, auditWrite } from '../../ingest/writer'
import { HttpError } from '../../errors'
import { actorOf } from '../../plugins/auth'
import { scopedUnit } from '../scoped-unit'

/**
 * `alarmIdOf(reason, subject)`: `urgent:`, `alert:` or `overdue:` and the subject's id (at most 64
 * characters, EntityIdSchema), so longer than an entity id may be.
 */
const AlarmParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 72, pattern: '^(urgent|alert|overdue):[A-Za-z0-9][A-Za-z0-9._:-]*$' }) },
  { additionalProperties: false },
)

const alarms: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/alarms',
    { onRequest: app.requireUser, schema: { querystring: AlarmListQuerySchema, response: { 200: AlarmListSchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      return {
        items: await app.store.listAlarms(app.geography.ref(unit)!, { openOnly: request.query.open ?? true, limit: request.query.limit ?? 500 }),
      }
    },
  )

  app.post(
    '/api/v1/alarms/:id/ack',
    { onRequest: app.requireWriter, schema: { params: AlarmParamsSchema, response: { 201: AlarmAckReplySchema, '4xx': ErrorReplySchema } } },
    async (request, reply) => {
      const id = request.params.id
      const alarm = await app.store.getAlarm(id)
      if (!alarm) throw new HttpError(404, `alarm ${id} not found`, { field: 'params/id', rule: 'exists' })
      assertWriteScope(app, request, alarm.gridId, 'params/id', `alarm ${id}`)
      if (alarm.ack) {
        const by = alarm.ack.actor.kind === 'user' ? alarm.ack.actor.name : `the ingest key of ${alarm.ack.actor.source}`
        throw new HttpError(409, `alarm ${id} was acknowledged by ${by} at ${alarm.ack.at}`, { field: 'params/id', rule: 'acknowledged' })
      }
      const outcome = await app.store.ackAlarm({ alarmId: id, at: app.now(), actor: actorOf(request) })
      if (!outcome.ok && outcome.code === 'conflict') {
        // Acknowledged between the read and the write: the store's message names who was first.
        throw new HttpError(409, outcome.message, { field: 'params/id', rule: 'acknowledged' })
      }
      const acked = unwrap(outcome)
      await auditWrite(app, request, 'alarm.ack', `alarm:${id}`, alarm.gridId)
      return reply.code(201).send(acked)
    },
  )
}

export default alarms
