import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema } from '../../../shared/schemas/common'
import { ListQuerySchema, WorkerListSchema } from '../../../shared/schemas/views'
import { scopedUnit } from '../scoped-unit'

const workers: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/workers',
    { onRequest: app.requireUser, schema: { querystring: ListQuerySchema, response: { 200: WorkerListSchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const { snapshot } = await app.store.snapshot(app.geography.ref(unit)!)
      return { items: snapshot.workers.slice(0, request.query.limit ?? 5000) }
    },
  )
}

export default workers
