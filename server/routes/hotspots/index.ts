// 重复热点: GET /api/v1/hotspots — recurring places in a unit (shared/hotspots.ts has the definition).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema } from '../../../shared/schemas/common'
import { HotspotsQuerySchema, HotspotsReplySchema } from '../../../shared/schemas/hotspots'
import { DEFAULT_HOTSPOT_CONFIG, HotspotService, type HotspotConfig } from '../../metrics/hotspots'
import { scopedUnit } from '../scoped-unit'

export interface HotspotRouteOptions {
  /** OUTPOST_HOTSPOT_RADIUS_M, _MIN_COUNT, _WINDOW_DAYS. */
  config?: HotspotConfig
}

const hotspots: FastifyPluginAsyncTypebox<HotspotRouteOptions> = async (app, options) => {
  const service = new HotspotService(app.metrics.rollups, app.geography, app.now, options.config ?? DEFAULT_HOTSPOT_CONFIG)
  app.get(
    '/api/v1/hotspots',
    {
      onRequest: app.requireUser,
      schema: {
        description:
          'Recurring hotspots: requests and confirmed camera alerts of one category recurring within a radius in the window (the largest 500; `total` counts all). Leaders: their own unit and below.',
        querystring: HotspotsQuerySchema,
        response: { 200: HotspotsReplySchema, '4xx': ErrorReplySchema, 503: ErrorReplySchema },
      },
    },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      return await service.reply(unit, service.window(request.query))
    },
  )
}

export default hotspots
