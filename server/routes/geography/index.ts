import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Geography } from '../../../shared/schemas/geography'
import { HealthSchema } from '../../../shared/schemas/geography'

const geography: FastifyPluginAsyncTypebox = async (app) => {
  // The tree never changes while the process runs: serialise it once.
  const body: string = JSON.stringify(app.geography.featureCollection() satisfies Geography)

  // The reply is GeographySchema (shared/schemas/geography.ts), sent pre-serialised.
  app.get('/api/v1/geography', async (_request, reply) => {
    return reply.header('content-type', 'application/geo+json; charset=utf-8').header('cache-control', 'public, max-age=300').send(body)
  })

  app.get('/api/v1/health', { schema: { response: { 200: HealthSchema } } }, async () => {
    return { status: 'ok' as const, seq: await app.store.lastSeq() }
  })
}

export default geography
