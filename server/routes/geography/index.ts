import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Geography } from '../../../shared/schemas/geography'
import { homeUnit } from '../../auth/scope'
import { GeographySchema, HealthSchema } from '../../../shared/schemas/geography'
import { ErrorReplySchema } from '../../../shared/schemas/common'

const geography: FastifyPluginAsyncTypebox = async (app) => {
  // The tree never changes while the process runs: each scope's part is serialised once.
  const bodies = new Map<string, string>()
  const bodyFor = (unitId: string): string => {
    let body = bodies.get(unitId)
    if (body === undefined) {
      const all = app.geography.featureCollection() satisfies Geography
      // The scope's root is the root of what this user sees: its parent stays unnamed.
      const features = all.features
        .filter((f) => app.geography.isWithin(f.id, unitId))
        .map((f) => (f.id === unitId ? { ...f, properties: { ...f.properties, parentId: null } } : f))
      body = JSON.stringify({ type: 'FeatureCollection', features })
      bodies.set(unitId, body)
    }
    return body
  }

  // The reply is GeographySchema (shared/schemas/geography.ts), sent pre-serialised: the units of
  // the user's scope only (a leader of a street gets that street and what lies below it).
  app.get(
    '/api/v1/geography',
    { onRequest: app.requireUser, schema: { produces: ['application/geo+json'], response: { 200: GeographySchema, '4xx': ErrorReplySchema } } },
    async (request, reply) => {
      return (
        reply
          .header('content-type', 'application/geo+json; charset=utf-8')
          .header('cache-control', 'private, max-age=300')
          // A JSON string goes out as it is: the schema above documents it, the serializer never sees it.
          .send(bodyFor(homeUnit(app.geography, request.user!)) as unknown as Geography)
      )
    },
  )

  app.get('/api/v1/health', { schema: { response: { 200: HealthSchema, '4xx': ErrorReplySchema } } }, async () => {
    return { status: 'ok' as const, seq: await app.store.lastSeq() }
  })
}

export default geography
