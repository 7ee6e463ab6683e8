// The figures: rollups loaded from the store's log, then following its commits.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Policy } from '../../shared/metrics'
import { followStore } from '../metrics/load'
import { Rollups } from '../metrics/rollups'
import { MetricsService } from '../metrics/service'

export interface MetricsOptions {
  policy: Policy
  timeZone: string
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: MetricsService
  }
}

async function metrics(app: FastifyInstance, options: MetricsOptions) {
  const rollups = new Rollups({ geography: app.geography, policy: options.policy, timeZone: options.timeZone })
  const unfollow = await followStore(rollups, app.store)
  app.decorate('metrics', new MetricsService(rollups, app.geography, app.now))
  app.addHook('onClose', async () => unfollow())
}

export default fp(metrics, { name: 'metrics', dependencies: ['context'] })
