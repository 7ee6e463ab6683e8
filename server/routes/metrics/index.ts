import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema } from '../../../shared/schemas/common'
import { ListQuerySchema, OverdueReplySchema } from '../../../shared/schemas/views'
import { scopedUnit } from '../scoped-unit'
import { BASEMAP_PMTILES_PATH } from '../basemap/index'
import type { Basemap } from '../../basemap/basemap'
import { ConfigReplySchema, type ConfigReply } from '../../../shared/schemas/config'
import { GridMetricsReplySchema, MetricsQuerySchema, MetricsReplySchema, SeriesQuerySchema, SeriesReplySchema } from '../../../shared/schemas/metrics'

const metrics: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/metrics',
    { onRequest: app.requireUser, schema: { querystring: MetricsQuerySchema, response: { 200: MetricsReplySchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      // Department names from the directory (app.directory); an id it does not know goes unnamed.
      const directory = app.hasDecorator('directory') ? app.directory : undefined
      return app.metrics.metrics(unit, app.metrics.window(request.query), (id) => directory?.department(id)?.name)
    },
  )

  app.get(
    '/api/v1/metrics/series',
    { onRequest: app.requireUser, schema: { querystring: SeriesQuerySchema, response: { 200: SeriesReplySchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const bucket = request.query.bucket ?? 'hour'
      return app.metrics.series(unit, request.query.metric, bucket, app.metrics.seriesWindow(request.query, bucket))
    },
  )

  // What the wall colours grids by, for every grid under a unit, in one call.
  app.get(
    '/api/v1/metrics/grids',
    { onRequest: app.requireUser, schema: { querystring: MetricsQuerySchema, response: { 200: GridMetricsReplySchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const window = app.metrics.window(request.query)
      const now = app.now()
      const grids = app.geography.units
        .filter((u) => u.level === 'grid' && app.geography.isWithin(u.id, unit))
        .map((grid) => {
          const f = app.metrics.rollups.figures(grid.id, window.from, window.to, now)
          return { unit: grid.id, requests: f.requests, perThousand: f.perThousand, onTimeResponse: f.onTimeResponse, overdue: f.overdue, coverage: f.patrol.coverage }
        })
      return { unit, from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString(), now: new Date(now).toISOString(), grids }
    },
  )

  // What the pages need to know of the server's configuration.
  app.get(
    '/api/v1/config',
    { onRequest: app.requireUser, schema: { response: { 200: ConfigReplySchema, '4xx': ErrorReplySchema } } },
    async () => ({
      timeZone: app.metrics.rollups.timeZone,
      policy: app.metrics.rollups.policy,
      basemap: publicBasemap(app.basemap),
      center: { id: app.geography.district.id, name: app.geography.district.name },
    }),
  )

  app.get(
    '/api/v1/overdue',
    { onRequest: app.requireUser, schema: { querystring: ListQuerySchema, response: { 200: OverdueReplySchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const now = app.now()
      const items = app.metrics.rollups.overdueRequests(unit, now).slice(0, request.query.limit ?? 500)
      return { now: new Date(now).toISOString(), items }
    },
  )
}

/** The base map as a page sees it: a local file's path on disk stays on the server. */
function publicBasemap(basemap: Basemap | undefined): ConfigReply['basemap'] {
  if (!basemap) return null
  if ('pmtiles' in basemap) return { pmtiles: BASEMAP_PMTILES_PATH, crs: basemap.crs }
  return { style: basemap.style, crs: basemap.crs }
}

export default metrics
