// The figures: rollups of the store's log, fed by server/live (which replays the log into them at
// start and then hands them every commit).
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Policy } from '../../shared/metrics'
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
  app.decorate('metrics', new MetricsService(rollups, app.geography, app.now))
}

export default fp(metrics, { name: 'metrics', dependencies: ['context'] })
