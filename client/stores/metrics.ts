import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { Figures } from '../../shared/metrics'
import type { GridFigures } from '../lib/grid-figures'

/** Response-time percentiles (seconds) for each hour of a day, hour 0 first. */
export interface HourlyResponse {
  p50: readonly (number | null)[]
  p90: readonly (number | null)[]
}

/**
 * The figures of the scene on screen: today's (or the replayed day's) figures, the grids' figures
 * that colour the map, and the hourly response times. Replies for another unit, or older than what
 * is held, are dropped: a scene change or a slow fetch never shows the wrong place's numbers.
 */
export const useMetricsStore = defineStore('metrics', () => {
  const unit = ref<string | null>(null)
  const figures = shallowRef<Figures | null>(null)
  /** The instant the figures were computed at (the server's `now`, or the replay's clock). */
  const asOf = ref<number | null>(null)
  const grids = shallowRef<ReadonlyMap<string, GridFigures>>(new Map())
  const day = shallowRef<HourlyResponse | null>(null)
  const baseline = shallowRef<HourlyResponse | null>(null)

  function reset(next: string | null): void {
    unit.value = next
    figures.value = null
    asOf.value = null
    grids.value = new Map()
    day.value = null
    baseline.value = null
  }

  /** Returns whether the figures were taken. */
  function setFigures(forUnit: string, next: Figures, at: number): boolean {
    if (forUnit !== unit.value) return false
    if (asOf.value !== null && at < asOf.value) return false
    figures.value = next
    asOf.value = at
    return true
  }

  function setGrids(forUnit: string, list: readonly GridFigures[]): void {
    if (forUnit !== unit.value) return
    grids.value = new Map(list.map((g) => [g.unit, g]))
  }

  function setDay(forUnit: string, hourly: HourlyResponse): void {
    if (forUnit === unit.value) day.value = hourly
  }

  function setBaseline(forUnit: string, hourly: HourlyResponse): void {
    if (forUnit === unit.value) baseline.value = hourly
  }

  return { unit, figures, asOf, grids, day, baseline, reset, setFigures, setGrids, setDay, setBaseline }
})

export type MetricsStore = ReturnType<typeof useMetricsStore>
