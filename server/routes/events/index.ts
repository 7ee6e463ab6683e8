import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema } from '../../../shared/schemas/common'
import { EventsReplySchema } from '../../../shared/schemas/events'
import { EventsQuerySchema, OpenRequestsQuerySchema, OpenRequestsReplySchema } from '../../../shared/schemas/views'
import { DAY_MS } from '../../../shared/time'
import type { LiveEventType } from '../../../shared/events'
import { HttpError } from '../../errors'
import { scopedUnit } from '../scoped-unit'
import { openRequestsAt } from '../../metrics/open-at'

/** Enough for a busy day of a district; a longer history is asked for day by day. */
const LIMIT = 50_000

const events: FastifyPluginAsyncTypebox = async (app) => {
  // Playback: the events of a unit in [from, to), in seq order, as the live stream carried them.
  app.get(
    '/api/v1/events',
    {
      onRequest: app.requireUser,
      schema: { querystring: EventsQuerySchema, response: { 200: EventsReplySchema, '4xx': ErrorReplySchema } },
      // Up to 50,000 events of five shapes: the schema documents them, plain JSON.stringify writes
      // them (a union would make the serializer validate every event against each shape in turn).
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const { from, to } = app.metrics.window(request.query)
      if (to - from > 2 * DAY_MS) throw new HttpError(400, 'query/to: at most two days at a time', { field: 'query/to', rule: 'max-window' })
      const types = request.query.types?.split(',') as LiveEventType[] | undefined
      const list = await app.store.eventsBetween(app.geography.ref(unit)!, from, to, LIMIT + 1, types)
      return { events: list.slice(0, LIMIT), truncated: list.length > LIMIT }
    },
  )

  // Playback's starting state: the requests open at the replay's first instant, received on earlier
  // days and still counting towards overdue (the day's own events follow from /api/v1/events).
  app.get(
    '/api/v1/open-requests',
    { onRequest: app.requireUser, schema: { querystring: OpenRequestsQuerySchema, response: { 200: OpenRequestsReplySchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const at = app.metrics.inRange(Date.parse(request.query.at), 'query/at')
      const now = app.now()
      if (at > now) throw new HttpError(400, 'query/at must not be in the future', { field: 'query/at', rule: 'not-future' })
      const requests = await openRequestsAt(app.store, app.geography.ref(unit)!, at, now)
      return { unit, at: new Date(at).toISOString(), requests }
    },
  )
}

export default events
