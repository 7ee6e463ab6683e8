// What every route and the realtime layer share: the store, the unit tree and the clock.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Camera } from '../geo/cameras'
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
  /** The registered cameras (OUTPOST_CAMERAS); none by default. */
  cameras?: readonly Camera[]
}

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
    geography: Geography
    now: () => number
    basemap: Basemap | undefined
    /** Registered cameras by id: an alert from one may leave out its location. */
    cameras: ReadonlyMap<string, Camera>
  }
}

async function context(app: FastifyInstance, options: ContextOptions) {
  app.decorate('store', options.store)
  app.decorate('geography', options.geography)
  app.decorate('now', options.now)
  app.decorate<Basemap | undefined>('basemap', options.basemap)
  app.decorate<ReadonlyMap<string, Camera>>('cameras', new Map((options.cameras ?? []).map((c) => [c.id, c])))
}

export default fp(context, { name: 'context' })
