// Keeps the report of every street and of the district for each local day and ISO week that has
// closed: run on a timer by the reports plugin, and once at start to catch up what was missed while
// the server was down (bounded: the last CATCH_UP_DAYS days and CATCH_UP_WEEKS weeks).
import type { FastifyInstance } from 'fastify'
import { periodSpan, type PeriodSpan, type ReportPeriod } from '../../shared/report'
import { addDays, localDate } from '../../shared/time'
import { reportId, type ReportArchive } from './archive'
import { buildReportData } from './build'
import type { HotspotConfig } from '../metrics/hotspots'

export const CATCH_UP_DAYS = 7
export const CATCH_UP_WEEKS = 4
/** A period is reported this long after it closed: events of its last minutes may still be on their way in. */
export const CLOSE_GRACE_MS = 15 * 60_000

/** The units that get reports kept: the district and its streets (towns). */
export function reportUnits(app: FastifyInstance): string[] {
  return [app.geography.district.id, ...app.geography.units.filter((u) => u.level === 'street').map((u) => u.id)]
}

/** The closed periods to keep at `now`, newest first: days and weeks that ended at least CLOSE_GRACE_MS ago. */
export function closedPeriods(now: number, timeZone: string, bounds: { days?: number; weeks?: number } = {}): PeriodSpan[] {
  const out: PeriodSpan[] = []
  const today = localDate(now - CLOSE_GRACE_MS, timeZone)
  for (let i = 1; i <= (bounds.days ?? CATCH_UP_DAYS); i++) out.push(periodSpan('day', addDays(today, -i), timeZone))
  const thisWeek = periodSpan('week', today, timeZone)
  for (let i = 1; i <= (bounds.weeks ?? CATCH_UP_WEEKS); i++) out.push(periodSpan('week', addDays(thisWeek.start, -7 * i), timeZone))
  return out
}

/** Builds one report as of its period's end and keeps it unless kept already; answers whether it was new. */
export async function keepReport(app: FastifyInstance, archive: ReportArchive, unit: string, span: PeriodSpan, hotspots?: HotspotConfig): Promise<boolean> {
  const id = reportId(unit, span.period, span.start)
  if (await archive.has(id)) return false
  const data = await buildReportData(app, unit, span, { asOf: span.to, ...(hotspots ? { hotspots } : {}) })
  return archive.put({ id, unit, period: span.period as ReportPeriod, label: span.label, start: span.start, generatedAt: app.now() }, JSON.stringify(data))
}

/** Every closed period's missing reports, for every street and the district. */
export async function generateClosedReports(
  app: FastifyInstance,
  archive: ReportArchive,
  bounds: { days?: number; weeks?: number } = {},
  hotspots?: HotspotConfig,
  /** Asked before each report: true stops the run (the server is closing). */
  stop: () => boolean = () => false,
): Promise<{ kept: number }> {
  let kept = 0
  for (const span of closedPeriods(app.now(), app.metrics.rollups.timeZone, bounds)) {
    for (const unit of reportUnits(app)) {
      if (stop()) return { kept }
      if (await keepReport(app, archive, unit, span, hotspots)) kept++
    }
  }
  return { kept }
}
