import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema, NoContentSchema } from '../../../shared/schemas/common'
import { ActivityReplySchema, CreateActivitySchema, PublicStatsQuerySchema } from '../../../shared/schemas/activities'
import { createFingerprint, newId, timeOf } from '../../ingest/normalize'
import { unwrap } from '../../ingest/outcome'
import { HttpError } from '../../errors'
import { publicUnit } from '../../public/units'
import type { Static } from 'typebox'
import { PublicStatsSchema } from '../../../shared/schemas/public'

const publicRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // No login: aggregates only (server/public/stats.ts), the same for every kiosk, cached.
  app.get(
    '/api/v1/public/stats',
    // The reply is a PublicStats (shared/public.ts), sent pre-serialised from the cache.
    { schema: { querystring: PublicStatsQuerySchema, response: { 200: PublicStatsSchema, 304: NoContentSchema, '4xx': ErrorReplySchema } } },
    async (request, reply) => {
      const unitId = publicUnit(app.geography, request.query.unit, 'query/unit')
      const entry = await app.publicStats.get(unitId)
      reply.header('cache-control', 'public, max-age=10').header('etag', entry.etag)
      if (request.headers['if-none-match'] === entry.etag) return reply.code(304).send()
      // A JSON string goes out as it is: the schema above documents it, the serializer never sees it.
      return reply.header('content-type', 'application/json; charset=utf-8').send(entry.json as unknown as Static<typeof PublicStatsSchema>)
    },
  )

  app.post(
    '/api/v1/activities',
    {
      onRequest: app.requireIngestKey,
      schema: { body: CreateActivitySchema, response: { 201: ActivityReplySchema, '4xx': ErrorReplySchema } },
    },
    async (request, reply) => {
      const body = request.body
      const unit = app.geography.get(body.unit)
      if (!unit || (unit.level !== 'street' && unit.level !== 'community')) {
        throw new HttpError(422, `body/unit ${body.unit} is not a street or community of ${app.geography.district.name}`, {
          field: 'body/unit',
          rule: 'street-or-community',
        })
      }
      const outcome = await app.store.recordActivity({
        id: body.id ?? newId('act'),
        fingerprint: createFingerprint(body),
        team: body.team,
        kind: body.kind,
        unitId: unit.id,
        districtId: app.geography.district.id,
        streetId: unit.level === 'street' ? unit.id : unit.parentId,
        communityId: unit.level === 'community' ? unit.id : null,
        at: timeOf(body.at, app.now(), 'body/at'),
        participants: body.participants,
      })
      return reply.code(201).send(unwrap(outcome))
    },
  )
}

export default publicRoutes
