import { onScopeDispose, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { isAbort, isUnauthorized } from '../http'
import { createLeaderApi, type LeaderApi } from './api'
import { TREND_METRICS, type TrendSeries } from './charts'

export interface TrendTarget {
  unit: string
  /** The window as the API takes it: local dates, `to` excluded. */
  from: string
  to: string
}

/** One day: by hour; longer: by day. */
export const bucketOf = (days: number): 'hour' | 'day' => (days <= 1 ? 'hour' : 'day')

/**
 * The trend series of a unit and window (`GET /api/v1/metrics/series`, one call a metric), fetched
 * on each change of unit or window; `refresh` refetches them (throttled by the caller). A reply for
 * a superseded target is dropped.
 */
export function useTrendSeries(target: MaybeRefOrGetter<(TrendTarget & { days: number }) | null>, options: { api?: LeaderApi; onUnauthorized: () => void }) {
  const api = options.api ?? createLeaderApi()
  const series = shallowRef<TrendSeries | null>(null)
  const bucket = shallowRef<'hour' | 'day'>('day')
  const failed = shallowRef(false)
  let abort: AbortController | null = null

  async function load(keep = false): Promise<void> {
    const t = toValue(target)
    abort?.abort()
    if (!t) return
    const controller = (abort = new AbortController())
    const b = bucketOf(t.days)
    if (!keep) series.value = null
    failed.value = false
    try {
      const replies = await Promise.all(TREND_METRICS.map((m) => api.series(t.unit, m, b, { from: t.from, to: t.to }, controller.signal)))
      if (controller.signal.aborted) return
      bucket.value = b
      series.value = Object.fromEntries(TREND_METRICS.map((m, i) => [m, replies[i]!])) as unknown as TrendSeries
    } catch (error) {
      if (isAbort(error)) return
      if (isUnauthorized(error)) options.onUnauthorized()
      else failed.value = true
    }
  }

  watch(
    () => {
      const t = toValue(target)
      return t ? `${t.unit}|${t.from}|${t.to}` : ''
    },
    () => void load(),
    { immediate: true },
  )
  onScopeDispose(() => abort?.abort())

  return { series, bucket, failed, refresh: () => load(true) }
}
