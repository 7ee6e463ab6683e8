// What every route and the realtime layer share: the store, the unit tree and the clock.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Camera } from '../geo/cameras'
import type { Basemap } from '../basemap/basemap'
import type { Geography } from '../geo/geography'
import type { Store } from '../store/types'

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
