// The report page's data: a kept report as the archive holds it (`/report?id=`), or a live one
// (`/report?unit=&period=&date=`) put together from the same routes the leader view reads —
// GET /api/v1/metrics for the period and the one before, the requests open at the period's end
// (GET /api/v1/open-requests), the hotspots and the activities of the period.
import type { MetricsReply } from '../../shared/metrics'
import { REPORT_PERIODS, assembleReport, overdueAt, periodSpan, previousSpan, type ReportData, type ReportHotspot, type ReportPeriod } from '../../shared/report'
import type { ConfigReply } from '../../shared/schemas/config'
import type { ActivityTotalsReply } from '../../shared/schemas/reports'
import type { OpenRequestsReply } from '../../shared/schemas/views'
import { isCalendarDate, localDate } from '../../shared/time'
import { getJson, HttpError, type FetchLike } from '../http'

export interface ReportQuery {
  id?: string
  unit?: string
  period: ReportPeriod
  date?: string
}

/** The page's query, checked; a message naming the field when it is wrong. */
export function parseReportQuery(query: Record<string, unknown>): ReportQuery | { error: string } {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined)
  const id = str(query.id)
  if (id !== undefined) return /^[0-9]{6,14}-(day|week)-[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(id) ? { id, period: id.includes('-week-') ? 'week' : 'day' } : { error: 'id' }
  const period = str(query.period) ?? 'day'
  if (!(REPORT_PERIODS as readonly string[]).includes(period)) return { error: 'period=day|week' }
  const date = str(query.date)
  if (date !== undefined && !isCalendarDate(date)) return { error: 'date=YYYY-MM-DD' }
  const unit = str(query.unit)
  if (unit !== undefined && !/^[0-9]{6,14}$/.test(unit)) return { error: 'unit' }
  return { period: period as ReportPeriod, ...(unit ? { unit } : {}), ...(date ? { date } : {}) }
}

export interface LoadOptions {
  fetchImpl?: FetchLike
  signal?: AbortSignal
}

export function loadKeptReport(id: string, options: LoadOptions = {}): Promise<ReportData> {
  return getJson<ReportData>(`/api/v1/reports/${encodeURIComponent(id)}`, {}, options)
}

/** null where the server answers 404 (a route it does not have). */
async function optional<T>(load: Promise<T>): Promise<T | null> {
  try {
    return await load
  } catch (error) {
    if (error instanceof HttpError && error.status !== 401 && error.status !== 403) return null
    throw error
  }
}

export async function loadLiveReport(unit: string, period: ReportPeriod, date: string | undefined, config: ConfigReply, options: LoadOptions = {}): Promise<ReportData> {
  const tz = config.timeZone
  const day = date ?? localDate(Date.now(), tz)
  const span = periodSpan(period, day, tz)
  const prev = previousSpan(span, tz)
  const window = { from: span.start, to: span.end }
  const [current, previous, hotspots, activities] = await Promise.all([
    getJson<MetricsReply>('/api/v1/metrics', { unit, ...window }, options),
    getJson<MetricsReply>('/api/v1/metrics', { unit, from: prev.start, to: prev.end }, options),
    optional(getJson<{ hotspots: ReportHotspot[] }>('/api/v1/hotspots', { unit, ...window }, options)),
    optional(getJson<ActivityTotalsReply>('/api/v1/activities/totals', { unit, ...window }, options)),
  ])
  // The overdue list at the period's end, or now for the period still running.
  const asOf = Math.min(Date.parse(current.now), span.to)
  const open = await getJson<OpenRequestsReply>('/api/v1/open-requests', { unit, at: new Date(asOf).toISOString() }, options)
  return assembleReport({
    unit,
    name: current.name,
    center: config.center?.name ?? '',
    span,
    timeZone: tz,
    asOf: Date.parse(current.now),
    figures: current.figures,
    previous: previous.figures,
    children: current.children,
    overdue: overdueAt(open.requests, asOf, config.policy),
    hotspots: hotspots?.hotspots ?? null,
    activities: activities?.totals ?? null,
  })
}
