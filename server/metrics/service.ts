// Windows, units and children for the metrics API and the live figures, over the rollups.
import { RANKED_RATES, rankBy, type Figures, type MetricsReply, type RankedRate, type SeriesPoint } from '../../shared/metrics'
import type { SeriesMetric } from '../../shared/schemas/metrics'
import { DAY_MS, FIRST_DATE, HOUR_MS, LAST_DATE, addDays, inDateRange, isCalendarDate, localDate, startOfLocalDate, todayWindow } from '../../shared/time'
import type { Geography } from '../geo/geography'
import { HttpError } from '../errors'
import type { Rollups } from './rollups'

export interface Window {
  from: number
  to: number
}

/** The longest window a query may ask for; hourly series are shorter still. */
const MAX_WINDOW_MS = 400 * DAY_MS
const MAX_HOURLY_MS = 31 * DAY_MS

export class MetricsService {
  constructor(
    readonly rollups: Rollups,
    private readonly geography: Geography,
    private readonly now: () => number,
  ) {}

  /** A query's window: dates are local midnights, times must be on the hour; default today. */
  window(query: { from?: string; to?: string }, maxMs = MAX_WINDOW_MS): Window {
    const tz = this.rollups.timeZone
    const today = todayWindow(this.now(), tz)
    const from = query.from === undefined ? today.from : this.bound(query.from, 'query/from')
    const to =
      query.to === undefined
        ? query.from === undefined
          ? today.to
          : startOfLocalDate(addDays(localDate(from, tz), 1), tz)
        : this.bound(query.to, 'query/to')
    if (to <= from) throw new HttpError(400, 'query/to must be after query/from', { field: 'query/to', rule: 'after-from' })
    if (to - from > maxMs) {
      throw new HttpError(400, `query/to: the window may span at most ${Math.round(maxMs / DAY_MS)} days`, { field: 'query/to', rule: 'max-window' })
    }
    return { from, to }
  }

  private bound(value: string, field: string): number {
    // Date.parse and Date.UTC would roll 2026-02-30 on to 2 March.
    const real = isCalendarDate(value.slice(0, 10))
    const ms = !real ? NaN : value.length === 10 ? startOfLocalDate(value, this.rollups.timeZone) : Date.parse(value)
    if (!Number.isFinite(ms)) throw new HttpError(400, `${field} is not a valid date or time`, { field, rule: 'format' })
    this.inRange(ms, field)
    if (ms % HOUR_MS !== 0) throw new HttpError(400, `${field} must fall on a whole hour`, { field, rule: 'whole-hour' })
    return ms
  }

  /** A moment a query names, checked to lie from FIRST_DATE to LAST_DATE in the center's zone. */
  inRange(ms: number, field: string): number {
    if (!inDateRange(ms, this.rollups.timeZone)) {
      throw new HttpError(400, `${field} must lie from ${FIRST_DATE} to ${LAST_DATE}`, { field, rule: 'range' })
    }
    return ms
  }

  unit(id: string | undefined): string {
    const unitId = id ?? this.geography.district.id
    if (!this.geography.get(unitId)) throw new HttpError(404, `unknown unit ${unitId}`, { field: 'query/unit', rule: 'exists' })
    return unitId
  }

  /** A unit's figures, its children's, and its departments' (named when `departmentName` knows the id). */
  /** `now` decides deadlines, overdue and online: the present by default, a period's end for a kept report. */
  metrics(unitId: string, window: Window, departmentName: (id: string) => string | undefined = () => undefined, now = this.now()): MetricsReply {
    const unit = this.geography.get(unitId)!
    const children = this.geography.children(unitId).map((child) => ({
      unit: child.id,
      name: child.name,
      figures: this.rollups.figures(child.id, window.from, window.to, now),
    }))
    const departments = this.rollups.departmentFigures(unitId, window.from, window.to, now).map(({ departmentId, figures }) => {
      const name = departmentName(departmentId)
      return { departmentId, ...(name !== undefined ? { name } : {}), figures }
    })
    const rankings = Object.fromEntries(RANKED_RATES.map((r) => [r, rankBy(children, r)])) as Record<RankedRate, string[]>
    return {
      unit: unitId,
      name: unit.name,
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
      now: new Date(now).toISOString(),
      figures: this.rollups.figures(unitId, window.from, window.to, now),
      children,
      departments,
      rankings,
    }
  }

  series(unitId: string, metric: SeriesMetric, bucket: 'hour' | 'day', window: Window): SeriesPoint[] {
    const now = this.now()
    const out: SeriesPoint[] = []
    for (const [start, end] of this.buckets(bucket, window)) {
      const f = this.rollups.figures(unitId, start, end, now)
      out.push({ t: new Date(start).toISOString(), ...seriesValue(f, metric) })
    }
    return out
  }

  seriesWindow(query: { from?: string; to?: string }, bucket: 'hour' | 'day'): Window {
    return this.window(query, bucket === 'hour' ? MAX_HOURLY_MS : MAX_WINDOW_MS)
  }

  private buckets(bucket: 'hour' | 'day', window: Window): [number, number][] {
    const out: [number, number][] = []
    if (bucket === 'hour') {
      for (let t = window.from; t < window.to; t += HOUR_MS) out.push([t, t + HOUR_MS])
      return out
    }
    const tz = this.rollups.timeZone
    let start = window.from
    while (start < window.to) {
      const end = Math.min(window.to, startOfLocalDate(addDays(localDate(start, tz), 1), tz))
      out.push([start, end])
      start = end
    }
    return out
  }
}

export function seriesValue(f: Figures, metric: SeriesMetric): { value: number | null; n: number } {
  switch (metric) {
    case 'requests':
      return { value: f.requests, n: f.requests }
    case 'perThousand':
      return { value: f.perThousand, n: f.requests }
    case 'onTimeResponse':
    case 'resolution':
    case 'satisfaction':
    case 'proactive':
      return { value: f[metric].value, n: f[metric].n }
    case 'responseP50':
      return { value: f.responseTime.p50, n: f.responseTime.n }
    case 'responseP90':
      return { value: f.responseTime.p90, n: f.responseTime.n }
    case 'resolutionP50':
      return { value: f.resolutionTime.p50, n: f.resolutionTime.n }
    case 'resolutionP90':
      return { value: f.resolutionTime.p90, n: f.resolutionTime.n }
    case 'alerts':
      return { value: f.camera.alerts, n: f.camera.alerts }
    case 'cameraPrecision':
      return { value: f.camera.precision.value, n: f.camera.precision.n }
    case 'coverage':
      return { value: f.patrol.coverage.value, n: f.patrol.coverage.n }
  }
}
