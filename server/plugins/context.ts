// What every route and the realtime layer share: the store, the unit tree and the clock.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Geography } from '../geo/geography'
import type { Store } from '../store/types'

export interface Basemap {
  /** A MapLibre style URL drawn under the project's layers. */
  style: string
  crs: 'wgs84' | 'gcj02'
}

export interface ContextOptions {
  store: Store
  geography: Geography
  now: () => number
  basemap?: Basemap
}

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
    geography: Geography
    now: () => number
    basemap: Basemap | undefined
  }
}

async function context(app: FastifyInstance, options: ContextOptions) {
  app.decorate('store', options.store)
  app.decorate('geography', options.geography)
  app.decorate('now', options.now)
  app.decorate('basemap', options.basemap)
}

export default fp(context, { name: 'context' })
