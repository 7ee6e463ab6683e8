// A report's data on the server (what the page shows, in the same shape), for the archive and the
// `npm run report` CSV.
//
// THE FIGURES OF A CLOSED PERIOD (README "Reports" says the same): the period's events as the log
// holds them when the report is generated, counted by the rollups with `now` = the period's end, so
// every deadline, on-time and online figure is judged at the end of the period and not at the hour
// the generator ran; the overdue list and the overdue counts are the requests open at the period's
// end as they stood then, read from the log (openRequestsAt), so a request resolved since still
// shows as overdue then. The same log gives the same JSON, byte for byte. A kept report is never
// rewritten: an event logged after it was kept (a review the next week) shows in the live figures,
// not in the kept report.
import type { FastifyInstance } from 'fastify'
import { assembleReport, overdueAt, previousSpan, type PeriodSpan, type ReportData } from '../../shared/report'
import { openRequestsAt } from '../metrics/open-at'
import { DEFAULT_HOTSPOT_CONFIG, HotspotService, type HotspotConfig } from '../metrics/hotspots'

export async function buildReportData(
  app: FastifyInstance,
  unitId: string,
  span: PeriodSpan,
  options: { asOf?: number; hotspots?: HotspotConfig } = {},
): Promise<ReportData> {
  const now = app.now()
  const asOf = options.asOf ?? Math.min(now, span.to)
  const rollups = app.metrics.rollups
  const unit = app.geography.get(unitId)!
  const ref = app.geography.ref(unitId)!
  const prev = previousSpan(span, rollups.timeZone)
  const current = app.metrics.metrics(unitId, { from: span.from, to: span.to }, () => undefined, asOf)
  const previous = rollups.figures(unitId, prev.from, prev.to, Math.min(asOf, prev.to))
  const open = await openRequestsAt(app.store, ref, asOf, Math.max(now, asOf))
  const overdue = overdueAt(open, asOf, rollups.policy)
  const figures = {
    ...current.figures,
    overdue: { response: overdue.filter((o) => o.late.includes('response')).length, resolution: overdue.filter((o) => o.late.includes('resolution')).length },
  }
  const activities = await app.store.activityTotals(ref, span.from, span.to)
  // The page asks GET /api/v1/hotspots for the period; the same service answers here, up to `asOf`.
  const hotspotService = new HotspotService(rollups, app.geography, () => asOf, options.hotspots ?? DEFAULT_HOTSPOT_CONFIG)
  const hotspots = (await hotspotService.reply(unitId, hotspotService.window({ from: span.start, to: span.end }))).hotspots
  return assembleReport({
    unit: unitId,
    name: unit.name,
    center: app.geography.district.name,
    span,
    timeZone: rollups.timeZone,
    asOf,
    figures,
    previous,
    children: current.children,
    overdue,
    hotspots,
    activities,
  })
}
