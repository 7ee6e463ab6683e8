// The leader view's trend charts for the chosen window, as pure ECharts option builders: requests per
// day (or per hour over a single day), response time P50/P90, and the three rates. No animation.
// A rate over fewer than MIN_RATE_SAMPLE cases in a bucket is left out of the line (a gap), so that
// a day with two reviews does not draw a spike to 0% or 100%.
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts'
import type { GridComponentOption, LegendComponentOption } from 'echarts/components'
import type { ComposeOption } from 'echarts/core'
import { MIN_RATE_SAMPLE } from '../../shared/display'
import type { SeriesPoint } from '../../shared/metrics'
import { zoneOffset } from '../../shared/time'

export type LeaderChartOption = ComposeOption<LineSeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption>

export const TREND_METRICS = ['requests', 'responseP50', 'responseP90', 'onTimeResponse', 'resolution', 'satisfaction'] as const
export type TrendMetric = (typeof TREND_METRICS)[number]
export type TrendSeries = Readonly<Record<TrendMetric, readonly SeriesPoint[]>>

export const TREND_COLOURS = {
  requests: '#38bdf8',
  p50: '#38bdf8',
  p90: '#fbbf24',
  onTimeResponse: '#38bdf8',
  resolution: '#34d399',
  satisfaction: '#f472b6',
} as const

const TEXT = '#94a3b8'
const AXIS = '#334155'
const FONT_SIZE = 11

/** The bucket label: "11-28" for a day, "14" for an hour, in the center's zone. */
export function bucketLabel(t: string, bucket: 'hour' | 'day', timeZone: string): string {
  const ms = Date.parse(t)
  const local = new Date(ms + zoneOffset(ms, timeZone)).toISOString()
  return bucket === 'day' ? local.slice(5, 10) : local.slice(11, 13)
}

/** Minutes with one decimal, or null. */
const toMinutes = (v: number | null) => (v === null ? null : Math.round((v / 60) * 10) / 10)
/** Percent with one decimal, or null when the bucket's sample is too small to draw. */
export const ratePoint = (p: SeriesPoint) => (p.value === null || p.n < MIN_RATE_SAMPLE ? null : Math.round(p.value * 1000) / 10)

function base(labels: string[], legend: string[] | null): LeaderChartOption {
  return {
    animation: false,
    textStyle: { fontSize: FONT_SIZE, color: TEXT },
    grid: { left: 40, right: 8, top: legend ? 26 : 10, bottom: 22 },
    ...(legend ? { legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 8, itemGap: 10, textStyle: { color: TEXT, fontSize: FONT_SIZE }, data: legend } } : {}),
    xAxis: {
      type: 'category',
      data: labels,
      axisLine: { lineStyle: { color: AXIS } },
      axisTick: { show: false },
      axisLabel: { color: TEXT, fontSize: FONT_SIZE, hideOverlap: true },
    },
    yAxis: {
      type: 'value',
      min: 0,
      splitNumber: 3,
      splitLine: { lineStyle: { color: AXIS, opacity: 0.6 } },
      axisLabel: { color: TEXT, fontSize: FONT_SIZE },
    },
  }
}

const line = (name: string, data: (number | null)[], colour: string): LineSeriesOption => ({
  name,
  type: 'line',
  data,
  showSymbol: data.length <= 31,
  symbolSize: 4,
  connectNulls: false,
  lineStyle: { width: 2, color: colour },
  itemStyle: { color: colour },
  emphasis: { disabled: true },
})

export function buildRequestsChart(points: readonly SeriesPoint[], labels: string[], name: string): LeaderChartOption {
  return {
    ...base(labels, null),
    series: [{ name, type: 'bar', data: points.map((p) => p.value ?? 0), itemStyle: { color: TREND_COLOURS.requests }, barMaxWidth: 18, emphasis: { disabled: true } }],
  }
}

/** Response time P50 and P90 per bucket, in minutes (each percentile of its own bucket, never added). */
export function buildResponseChart(p50: readonly SeriesPoint[], p90: readonly SeriesPoint[], labels: string[], names: { p50: string; p90: string }): LeaderChartOption {
  return {
    ...base(labels, [names.p50, names.p90]),
    series: [line(names.p50, p50.map((p) => toMinutes(p.value)), TREND_COLOURS.p50), line(names.p90, p90.map((p) => toMinutes(p.value)), TREND_COLOURS.p90)],
  }
}

export function buildRatesChart(
  series: Pick<TrendSeries, 'onTimeResponse' | 'resolution' | 'satisfaction'>,
  labels: string[],
  names: Record<'onTimeResponse' | 'resolution' | 'satisfaction', string>,
): LeaderChartOption {
  const option = base(labels, [names.onTimeResponse, names.resolution, names.satisfaction])
  return {
    ...option,
    // Three names may take two lines of legend on a narrow chart (English): room for both.
    grid: { ...(option.grid as object), top: 40 },
    yAxis: { ...(option.yAxis as object), max: 100, axisLabel: { color: TEXT, fontSize: FONT_SIZE, formatter: '{value}%' } },
    series: (['onTimeResponse', 'resolution', 'satisfaction'] as const).map((k) => line(names[k], series[k].map(ratePoint), TREND_COLOURS[k])),
  }
}
