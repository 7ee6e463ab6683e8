import { describe, expect, it } from 'vitest'
import { buildCategoriesOption, topCategories } from '../../client/charts/categories'
import { buildResponseTimesOption, hourOfDayMedian, RESPONSE_COLOURS } from '../../client/charts/response-times'
import { emptyByCategory } from '../../shared/metrics'

const labels = { p50: '今日P50', p90: '今日P90', baselineP50: '7日P50', baselineP90: '7日P90' }

describe('response-time chart', () => {
  it('draws today solid and the last seven days dashed, P50 and P90 each, in minutes, without animation', () => {
    const day = { p50: [600, null, 90], p90: [1200, null, 180] }
    const baseline = { p50: [300, 300, 300], p90: [900, 900, 900] }
    const option = buildResponseTimesOption({ day, baseline, labels }, 3)
    expect(option.animation).toBe(false)
    const series = option.series as { name: string; type: string; data: (number | null)[]; lineStyle: { type: string; color: string } }[]
    expect(series.map((s) => s.name)).toEqual(['今日P50', '今日P90', '7日P50', '7日P90'])
    expect(series.every((s) => s.type === 'line')).toBe(true)
    expect(series[0]!.data).toEqual([10, null, 1.5])
    expect(series[1]!.data).toEqual([20, null, 3])
    expect(series[2]!.data).toEqual([5, 5, 5])
    expect(series.map((s) => s.lineStyle.type)).toEqual(['solid', 'solid', 'dashed', 'dashed'])
    expect(series.map((s) => s.lineStyle.color)).toEqual([RESPONSE_COLOURS.p50, RESPONSE_COLOURS.p90, RESPONSE_COLOURS.p50, RESPONSE_COLOURS.p90])
    expect((option.xAxis as { data: string[] }).data).toEqual(['00', '01', '02'])
  })

  it('has 24 empty hours before any data arrives', () => {
    const option = buildResponseTimesOption({ day: null, baseline: null, labels })
    const series = option.series as { data: (number | null)[] }[]
    for (const s of series) expect(s.data).toEqual(Array(24).fill(null))
  })

  it('takes the median of each hour of the day over several days, skipping days without a value', () => {
    const twoDays = [10, 20, null, 40, /* day 2 */ 30, null, null, 40]
    expect(hourOfDayMedian(twoDays, 4)).toEqual([20, 20, null, 40])
    expect(hourOfDayMedian([1, 5, 3], 1)).toEqual([3])
    expect(hourOfDayMedian([], 24)).toEqual(Array(24).fill(null))
  })
})

describe('categories chart', () => {
  it('keeps categories with requests, most first, ties in the domain order', () => {
    const by = { ...emptyByCategory(), noise: 5, property: 9, dispute: 5, other: 1 }
    expect(topCategories(by, 3)).toEqual([
      ['property', 9],
      ['dispute', 5],
      ['noise', 5],
    ])
    expect(topCategories(null, 3)).toEqual([])
    expect(topCategories(emptyByCategory(), 3)).toEqual([])
  })

  it('draws horizontal bars with the largest on top, labelled, without animation', () => {
    const option = buildCategoriesOption(
      [
        ['property', 9],
        ['noise', 5],
      ],
      (c) => `#${c}`,
    )
    expect(option.animation).toBe(false)
    expect((option.yAxis as { type: string; data: string[] }).data).toEqual(['#noise', '#property'])
    const [bar] = option.series as { type: string; data: number[]; label: { show: boolean } }[]
    expect(bar!.type).toBe('bar')
    expect(bar!.data).toEqual([5, 9])
    expect(bar!.label.show).toBe(true)
  })
})
