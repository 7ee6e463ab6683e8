// 日报 / 周报 — a unit's daily or weekly report, defined once: the period, what the page shows and
// what the archive keeps. The page (client/report/) assembles it from GET /api/v1/metrics and its
// neighbours; the archive (server/reports/) assembles the same shape on the server, as of the
// period's end. Nothing here imports Vue, Fastify or Node.
import { CATEGORIES, type Category, type Priority, type Stage } from './domain'
import { SEGMENTS, currentStage, isOpenStage, type Figures, type Policy, type RequestFacts, type Segment, type TimeStat } from './metrics'
import { addDays, isCalendarDate, startOfLocalDate } from './time'

export const REPORT_PERIODS = ['day', 'week'] as const
export type ReportPeriod = (typeof REPORT_PERIODS)[number]

/** The overdue list keeps the oldest this many; `overdueTotal` counts them all. */
export const REPORT_OVERDUE_LIMIT = 200
/** Hotspots listed on a page, the largest first. */
export const REPORT_HOTSPOT_LIMIT = 20

export interface PeriodSpan {
  period: ReportPeriod
  /** The first local day of the period (a Monday for a week). */
  start: string
  /** The local day after its last. */
  end: string
  /** '2026-12-01', or the ISO week '2026-W49'. */
  label: string
  from: number
  to: number
}

/** Weekday of a calendar date, 1 Monday … 7 Sunday (the calendar's, whatever the zone). */
export function isoWeekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const day = new Date(Date.UTC(2000, 0, 1))
  day.setUTCFullYear(y, m - 1, d)
  return ((day.getUTCDay() + 6) % 7) + 1
}

/** The ISO week of a date: 'YYYY-Www' (the week's Thursday names the year). */
export function isoWeekLabel(date: string): string {
  const monday = addDays(date, 1 - isoWeekday(date))
  const thursday = addDays(monday, 3)
  const year = thursday.slice(0, 4)
  let first = `${year}-01-04`
  first = addDays(first, 1 - isoWeekday(first))
  const week = Math.round((Date.UTC(+thursday.slice(0, 4), +thursday.slice(5, 7) - 1, +thursday.slice(8, 10)) - Date.UTC(+first.slice(0, 4), +first.slice(5, 7) - 1, +first.slice(8, 10))) / 604_800_000) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}

/** The local day, or the ISO week (Monday to Sunday), holding `date`, in the zone. */
export function periodSpan(period: ReportPeriod, date: string, timeZone: string): PeriodSpan {
  if (!isCalendarDate(date)) throw new RangeError(`${date} is not a calendar date`)
  const start = period === 'day' ? date : addDays(date, 1 - isoWeekday(date))
  const end = addDays(start, period === 'day' ? 1 : 7)
  return {
    period,
    start,
    end,
    label: period === 'day' ? start : isoWeekLabel(start),
    from: startOfLocalDate(start, timeZone),
    to: startOfLocalDate(end, timeZone),
  }
}

/** The period before: yesterday, last week. */
export function previousSpan(span: PeriodSpan, timeZone: string): PeriodSpan {
  return periodSpan(span.period, addDays(span.start, span.period === 'day' ? -1 : -7), timeZone)
}

/** A request past a deadline at a moment (the overdue list). */
export interface ReportOverdueItem {
  id: string
  gridId: string
  category: Category
  priority: Priority
  stage: Stage
  receivedAt: number
  late: ('response' | 'resolution')[]
}

/** Requests open at `at` (with their stages until then) that were past a deadline then, oldest first. */
export function overdueAt(open: readonly Omit<RequestFacts, 'source'>[], at: number, policy: Policy): ReportOverdueItem[] {
  const out: ReportOverdueItem[] = []
  for (const r of open) {
    const stages = r.stages.filter((s) => s.at < at)
    const stage = currentStage({ stages })
    if (r.receivedAt >= at || !isOpenStage(stage)) continue
    const d = policy.deadlines[r.priority]
    const late: ('response' | 'resolution')[] = []
    if (!stages.some((s) => s.stage === 'accepted') && at > r.receivedAt + d.responseSec * 1000) late.push('response')
    if (at > r.receivedAt + d.resolutionSec * 1000) late.push('resolution')
    if (late.length) out.push({ id: r.id, gridId: r.gridId, category: r.category, priority: r.priority, stage, receivedAt: r.receivedAt, late })
  }
  return out.sort((a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : 1))
}

/** The segment with the longest median, ties to the longer P90; null when no segment has a sample. */
export function slowestSegment(figures: Figures): ({ segment: Segment } & TimeStat) | null {
  let best: ({ segment: Segment } & TimeStat) | null = null
  for (const segment of SEGMENTS) {
    const s = figures.segments[segment]
    if (s.n === 0 || s.p50 === null) continue
    if (!best || s.p50 > best.p50! || (s.p50 === best.p50 && (s.p90 ?? 0) > (best.p90 ?? 0))) best = { segment, ...s }
  }
  return best
}

export interface ReportHotspot {
  id: string
  category: string
  count: number
  center: { lon: number; lat: number } | [number, number]
  radiusM: number
  first: number | string
  last: number | string
  gridIds: string[]
}

export interface ReportActivity {
  kind: string
  activities: number
  participants: number
}

/** Everything a report page shows; a kept report is this, as JSON. */
export interface ReportData {
  unit: string
  name: string
  /** The center's name: the district's. */
  center: string
  period: ReportPeriod
  label: string
  /** First day and the day after the last, local. */
  start: string
  end: string
  from: string
  to: string
  timeZone: string
  /** The moment the `now`-dependent figures (overdue, on-time response, workers online) are counted at. */
  asOf: string
  figures: Figures
  previous: Figures
  children: { unit: string; name: string; figures: Figures }[]
  slowest: ({ segment: Segment } & TimeStat) | null
  overdueTotal: number
  overdue: ReportOverdueItem[]
  /** null: the hotspot route was not there to ask. */
  hotspots: ReportHotspot[] | null
  /** null: not available. */
  activities: ReportActivity[] | null
}

export interface ReportInputs {
  unit: string
  name: string
  center: string
  span: PeriodSpan
  timeZone: string
  asOf: number
  figures: Figures
  previous: Figures
  children: { unit: string; name: string; figures: Figures }[]
  overdue: ReportOverdueItem[]
  hotspots: ReportHotspot[] | null
  activities: ReportActivity[] | null
}

export function assembleReport(input: ReportInputs): ReportData {
  return {
    unit: input.unit,
    name: input.name,
    center: input.center,
    period: input.span.period,
    label: input.span.label,
    start: input.span.start,
    end: input.span.end,
    from: new Date(input.span.from).toISOString(),
    to: new Date(input.span.to).toISOString(),
    timeZone: input.timeZone,
    asOf: new Date(input.asOf).toISOString(),
    figures: input.figures,
    previous: input.previous,
    children: input.children,
    slowest: slowestSegment(input.figures),
    overdueTotal: input.overdue.length,
    overdue: input.overdue.slice(0, REPORT_OVERDUE_LIMIT),
    hotspots: input.hotspots === null ? null : [...input.hotspots].sort((a, b) => b.count - a.count).slice(0, REPORT_HOTSPOT_LIMIT),
    activities: input.activities === null ? null : [...input.activities].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)),
  }
}

/** The headline figures a report compares with the previous period: name → value (null: no sample). */
export const REPORT_FIGURES = [
  'requests',
  'perThousand',
  'onTimeResponse',
  'resolution',
  'satisfaction',
  'proactive',
  'responseP50',
  'responseP90',
  'resolutionP50',
  'resolutionP90',
  'overdueResponse',
  'overdueResolution',
  'alerts',
  'cameraPrecision',
  'coverage',
  'workersOnline',
] as const
export type ReportFigure = (typeof REPORT_FIGURES)[number]

/** Rates are shares 0–1, times seconds, the rest counts. */
export const FIGURE_KIND: Record<ReportFigure, 'count' | 'rate' | 'seconds' | 'decimal'> = {
  requests: 'count',
  perThousand: 'decimal',
  onTimeResponse: 'rate',
  resolution: 'rate',
  satisfaction: 'rate',
  proactive: 'rate',
  responseP50: 'seconds',
  responseP90: 'seconds',
  resolutionP50: 'seconds',
  resolutionP90: 'seconds',
  overdueResponse: 'count',
  overdueResolution: 'count',
  alerts: 'count',
  cameraPrecision: 'rate',
  coverage: 'rate',
  workersOnline: 'count',
}

/** A figure's value and its sample size. */
export function figureValue(f: Figures, name: ReportFigure): { value: number | null; n: number } {
  switch (name) {
    case 'requests':
      return { value: f.requests, n: f.requests }
    case 'perThousand':
      return { value: f.perThousand, n: f.requests }
    case 'onTimeResponse':
    case 'resolution':
    case 'satisfaction':
    case 'proactive':
      return { value: f[name].value, n: f[name].n }
    case 'responseP50':
      return { value: f.responseTime.p50, n: f.responseTime.n }
    case 'responseP90':
      return { value: f.responseTime.p90, n: f.responseTime.n }
    case 'resolutionP50':
      return { value: f.resolutionTime.p50, n: f.resolutionTime.n }
    case 'resolutionP90':
      return { value: f.resolutionTime.p90, n: f.resolutionTime.n }
    case 'overdueResponse':
      return { value: f.overdue.response, n: f.overdue.response }
    case 'overdueResolution':
      return { value: f.overdue.resolution, n: f.overdue.resolution }
    case 'alerts':
      return { value: f.camera.alerts, n: f.camera.alerts }
    case 'cameraPrecision':
      return { value: f.camera.precision.value, n: f.camera.precision.n }
    case 'coverage':
      return { value: f.patrol.coverage.value, n: f.patrol.coverage.n }
    case 'workersOnline':
      return { value: f.patrol.workersOnline, n: f.patrol.workersOnline }
  }
}

/**
 * Figures counted at a moment (open requests past a deadline, workers online), not over the period:
 * the previous period's would be counted at the same moment, so they get no trend.
 */
export const MOMENT_FIGURES: ReadonlySet<ReportFigure> = new Set(['overdueResponse', 'overdueResolution', 'workersOnline'])

/** This period minus the last; null when either has no value, or for a figure of a moment. */
export function figureDelta(now: Figures, before: Figures, name: ReportFigure): number | null {
  if (MOMENT_FIGURES.has(name)) return null
  const a = figureValue(now, name).value
  const b = figureValue(before, name).value
  return a === null || b === null ? null : a - b
}

/** The categories with a request in the period, most first. */
export function categoryRows(f: Figures): { category: Category; count: number; handled: number }[] {
  return CATEGORIES.map((category) => ({ category, count: f.byCategory[category], handled: f.handledByCategory[category] }))
    .filter((r) => r.count > 0 || r.handled > 0)
    .sort((a, b) => b.count - a.count || (a.category < b.category ? -1 : 1))
}
