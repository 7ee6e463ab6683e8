// What every route and the realtime layer share: the store, the unit tree and the clock.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Geography } from '../geo/geography'
import type { Store } from '../store/types'

/** An optional base map under the project's layers, in `crs` (the project's data is shifted into it). */
export type Basemap =
  /** A MapLibre style URL (this server's `/…`, or a tile server on the LAN). */
  | { style: string; crs: 'wgs84' | 'gcj02' }
  /** A local PMTiles v3 file, served by this server at `BASEMAP_PMTILES_PATH`. */
  | { pmtiles: string; crs: 'wgs84' | 'gcj02' }

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
  app.decorate<Basemap | undefined>('basemap', options.basemap)
}

export default fp(context, { name: 'context' })
