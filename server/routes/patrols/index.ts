import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema } from '../../../shared/schemas/common'
import { PatrolBatchSchema, PatrolReplySchema } from '../../../shared/schemas/patrols'
import { place, timeOf } from '../../ingest/normalize'
import type { NewPing } from '../../store/types'

const patrols: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/v1/patrols',
    {
      // 1,000 pings of ~150 bytes each, with room to spare.
      bodyLimit: 512 * 1024,
      onRequest: app.requireIngestKey,
      schema: { body: PatrolBatchSchema, response: { 202: PatrolReplySchema, '4xx': ErrorReplySchema } },
    },
    async (request, reply) => {
      const now = app.now()
      // All pings are placed before any is stored: one bad ping rejects the batch, nothing half-written.
      const pings: NewPing[] = request.body.pings.map((p, i) => ({
        workerId: p.workerId,
        kind: p.kind,
        ...place(app.geography, p.location, `body/pings/${i}/location`),
        at: timeOf(p.at, now, `body/pings/${i}/at`),
      }))
      const result = await app.store.appendPings(pings)
      return reply.code(202).send(result)
    },
  )
}

export default patrols
