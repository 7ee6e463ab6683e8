import type { ComposeOption } from 'echarts/core'
import type { BarSeriesOption } from 'echarts/charts'
import type { GridComponentOption } from 'echarts/components'
import type { Category } from '../../shared/domain'
import { CHART_AXIS, CHART_FONT, CHART_FONT_SIZE, CHART_TEXT } from './theme'

export type CategoriesOption = ComposeOption<BarSeriesOption | GridComponentOption>

/** The categories with requests, most first (ties in the domain's order), at most `limit`. */
export function topCategories(byCategory: Readonly<Record<Category, number>> | null | undefined, limit: number): [Category, number][] {
  if (!byCategory) return []
  return (Object.entries(byCategory) as [Category, number][])
    .map((entry, i) => ({ entry, i }))
    .filter(({ entry }) => entry[1] > 0)
    .sort((a, b) => b.entry[1] - a.entry[1] || a.i - b.i)
    .slice(0, limit)
    .map(({ entry }) => entry)
}

/** Today's requests by category: horizontal bars, largest on top, each with its count. */
export function buildCategoriesOption(rows: readonly [Category, number][], labelOf: (c: Category) => string): CategoriesOption {
  // ECharts draws a category axis bottom-up: reverse so the largest is at the top.
  const ordered = [...rows].reverse()
  return {
    animation: false,
    textStyle: { fontFamily: CHART_FONT, fontSize: CHART_FONT_SIZE, color: CHART_TEXT },
    grid: { left: 8, right: 48, top: 4, bottom: 4, containLabel: true },
    xAxis: { type: 'value', show: false, min: 0 },
    yAxis: {
      type: 'category',
      data: ordered.map(([c]) => labelOf(c)),
      axisLine: { lineStyle: { color: CHART_AXIS } },
      axisTick: { show: false },
      axisLabel: { color: CHART_TEXT, fontSize: CHART_FONT_SIZE },
    },
    series: [
      {
        type: 'bar',
        data: ordered.map(([, n]) => n),
        barMaxWidth: 18,
        itemStyle: { color: '#38bdf8', borderRadius: [0, 4, 4, 0] },
        label: { show: true, position: 'right', color: '#f1f5f9', fontSize: CHART_FONT_SIZE, fontWeight: 'bold' },
        emphasis: { disabled: true },
      },
    ],
  }
}
