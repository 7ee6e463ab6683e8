import type { ComposeOption } from 'echarts/core'
import type { LineSeriesOption } from 'echarts/charts'
import type { GridComponentOption, LegendComponentOption } from 'echarts/components'
import { CHART_AXIS, CHART_FONT, CHART_FONT_SIZE, CHART_TEXT } from './theme'

export type ResponseTimesOption = ComposeOption<LineSeriesOption | GridComponentOption | LegendComponentOption>

export interface Hourly {
  p50: readonly (number | null)[]
  p90: readonly (number | null)[]
}

export interface ResponseTimesInput {
  /** Today's (or the replayed day's) P50 and P90 by hour, in seconds. */
  day: Hourly | null
  /** The same hours over the last 7 days, in seconds. */
  baseline: Hourly | null
  labels: { p50: string; p90: string; baselineP50: string; baselineP90: string }
}

export const RESPONSE_COLOURS = { p50: '#38bdf8', p90: '#fbbf24' } as const

/**
 * The typical value of each hour of the day over several days: the median of that hour's values
 * (days without a value skipped). `values` are consecutive hourly buckets starting at midnight.
 */
export function hourOfDayMedian(values: readonly (number | null)[], hoursPerDay = 24): (number | null)[] {
  const out: (number | null)[] = []
  for (let h = 0; h < hoursPerDay; h++) {
    const xs: number[] = []
    for (let i = h; i < values.length; i += hoursPerDay) {
      const v = values[i]
      if (v !== null && v !== undefined) xs.push(v)
    }
    xs.sort((a, b) => a - b)
    out.push(xs.length === 0 ? null : xs.length % 2 === 1 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2)
  }
  return out
}

const toMinutes = (values: readonly (number | null)[] | undefined, hours: number): (number | null)[] =>
  Array.from({ length: hours }, (_, i) => {
    const v = values?.[i]
    return v === null || v === undefined ? null : Math.round((v / 60) * 10) / 10
  })

/**
 * Response time (received → accepted) P50 and P90 by hour, today as solid lines against the last
 * seven days as dashed ones, in minutes. No animation: the series is redrawn as figures stream in.
 */
export function buildResponseTimesOption(input: ResponseTimesInput, hours = 24): ResponseTimesOption {
  const { labels } = input
  const line = (name: string, data: (number | null)[], colour: string, dashed: boolean): LineSeriesOption => ({
    name,
    type: 'line',
    data,
    showSymbol: !dashed,
    symbolSize: 6,
    connectNulls: false,
    smooth: false,
    lineStyle: { width: dashed ? 2 : 3.5, type: dashed ? 'dashed' : 'solid', color: colour, opacity: dashed ? 0.6 : 1 },
    itemStyle: { color: colour },
    emphasis: { disabled: true },
    z: dashed ? 1 : 2,
  })
  return {
    animation: false,
    textStyle: { fontFamily: CHART_FONT, fontSize: CHART_FONT_SIZE, color: CHART_TEXT },
    grid: { left: 44, right: 12, top: 40, bottom: 28 },
    legend: {
      top: 0,
      left: 0,
      itemWidth: 20,
      itemHeight: 10,
      itemGap: 12,
      textStyle: { color: CHART_TEXT, fontSize: CHART_FONT_SIZE - 2 },
      data: [labels.p50, labels.p90, labels.baselineP50, labels.baselineP90],
    },
    xAxis: {
      type: 'category',
      data: Array.from({ length: hours }, (_, h) => String(h).padStart(2, '0')),
      boundaryGap: false,
      axisLine: { lineStyle: { color: CHART_AXIS } },
      axisTick: { show: false },
      axisLabel: { color: CHART_TEXT, fontSize: CHART_FONT_SIZE - 2, interval: 3 },
    },
    yAxis: {
      type: 'value',
      min: 0,
      splitNumber: 3,
      splitLine: { lineStyle: { color: CHART_AXIS, opacity: 0.6 } },
      axisLabel: { color: CHART_TEXT, fontSize: CHART_FONT_SIZE - 2 },
    },
    series: [
      line(labels.p50, toMinutes(input.day?.p50, hours), RESPONSE_COLOURS.p50, false),
      line(labels.p90, toMinutes(input.day?.p90, hours), RESPONSE_COLOURS.p90, false),
      line(labels.baselineP50, toMinutes(input.baseline?.p50, hours), RESPONSE_COLOURS.p50, true),
      line(labels.baselineP90, toMinutes(input.baseline?.p90, hours), RESPONSE_COLOURS.p90, true),
    ],
  }
}
