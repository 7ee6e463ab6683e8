// What every route and the realtime layer share: the store, the unit tree and the clock.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Geography } from '../geo/geography'
import type { Store } from '../store/types'

export interface ContextOptions {
  store: Store
  geography: Geography
  now: () => number
}

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
    geography: Geography
    now: () => number
  }
}

async function context(app: FastifyInstance, options: ContextOptions) {
  app.decorate('store', options.store)
  app.decorate('geography', options.geography)
  app.decorate('now', options.now)
}

export default fp(context, { name: 'context' })
