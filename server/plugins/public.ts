// The public side: cached aggregate figures for kiosks and the public stats route. Their socket
// namespace, `/public`, is in server/realtime/public.ts.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { PublicStatsService } from '../public/service'

export interface PublicOptions {
  /** Counts under this, at community level, are shown as "<threshold>". */
  threshold: number
  /** How often kiosks get `stats:updated` (ms): the cache is kept a little younger than this. */
  pushIntervalMs: number
}

declare module 'fastify' {
  interface FastifyInstance {
    publicStats: PublicStatsService
  }
}

async function publicSide(app: FastifyInstance, options: PublicOptions) {
  const service = new PublicStatsService({
    store: app.store,
    geography: app.geography,
    rollups: app.metrics.rollups,
    now: app.now,
    threshold: options.threshold,
    // A little under the push interval, so each push carries fresh figures.
    maxAgeMs: Math.min(10_000, options.pushIntervalMs * 0.9),
    contacts: () => app.directory.contacts(),
  })
  app.decorate('publicStats', service)
}

export default fp(publicSide, { name: 'public', dependencies: ['context', 'metrics', 'directory'] })
