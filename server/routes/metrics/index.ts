import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema } from '../../../shared/schemas/common'
import { MetricsQuerySchema, MetricsReplySchema, SeriesQuerySchema, SeriesReplySchema } from '../../../shared/schemas/metrics'

const metrics: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/metrics',
    { schema: { querystring: MetricsQuerySchema, response: { 200: MetricsReplySchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = app.metrics.unit(request.query.unit)
      return app.metrics.metrics(unit, app.metrics.window(request.query))
    },
  )

  app.get(
    '/api/v1/metrics/series',
    { schema: { querystring: SeriesQuerySchema, response: { 200: SeriesReplySchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = app.metrics.unit(request.query.unit)
      const bucket = request.query.bucket ?? 'hour'
      return app.metrics.series(unit, request.query.metric, bucket, app.metrics.seriesWindow(request.query, bucket))
    },
  )
}

export default metrics
