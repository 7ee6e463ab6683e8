// The kept reports (server/reports/): `app.reports`, the archive, and the generator on a timer that
// keeps each closed day's and week's report for every street and the district, catching up at start
// on what closed while the server was down.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { SqliteReportArchive, type ReportArchive } from '../reports/archive'
import { generateClosedReports } from '../reports/generator'
import type { HotspotConfig } from '../metrics/hotspots'

export interface ReportsPluginOptions {
  /** reports.db in the data directory (main.ts); an in-memory one when absent. */
  archive?: ReportArchive
  /** How often to look for a closed period (ms); 0 neither looks at start nor on a timer. */
  intervalMs: number
  /** The hotspot settings the page's GET /api/v1/hotspots uses (OUTPOST_HOTSPOT_*). */
  hotspots?: HotspotConfig
}

export const DEFAULT_REPORTS_MS = 5 * 60_000

declare module 'fastify' {
  interface FastifyInstance {
    /** Kept daily and weekly reports. */
    reports: ReportArchive
  }
}

async function reports(app: FastifyInstance, options: ReportsPluginOptions) {
  const archive = options.archive ?? new SqliteReportArchive(':memory:')
  app.decorate('reports', archive)
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()
  let closing = false
  const run = () => {
    running = running
      .then(() => (closing ? { kept: 0 } : generateClosedReports(app, archive, {}, options.hotspots, () => closing)))
      .then(({ kept }) => kept > 0 && app.log.info(`reports: kept ${kept}`))
      .catch((error: unknown) => app.log.error(`reports: ${(error as Error).message}`))
  }
  if (options.intervalMs > 0) {
    // After the log has been read into the rollups (the live plugin does that at registration).
    app.addHook('onReady', async () => {
      run()
      timer = setInterval(run, options.intervalMs)
      timer.unref()
    })
  }
  app.addHook('preClose', async () => {
    closing = true
    clearInterval(timer)
    await running
  })
  app.addHook('onClose', async () => {
    if (!options.archive) await archive.close()
  })
}

export default fp(reports, { name: 'reports', dependencies: ['context', 'metrics'] })
