import { onScopeDispose, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { isAbort, isForbidden, isUnauthorized } from '../http'
import { createLeaderApi, type LeaderApi } from '../leader/api'
import { throttle } from '../lib/throttle'
import { useLeaderStore, type LeaderStore, type LeaderView } from '../stores/leader'

/** A burst of live batches refetches the lists at most this often… */
export const LISTS_EVERY_MS = 5_000
/** …and the children's figures (a heavier query) at most this often. */
export const METRICS_EVERY_MS = 30_000

export interface LeaderTarget extends LeaderView {
  /** A grid's page also lists its open requests, workers and alerts. */
  isGrid: boolean
}

export interface LeaderDataOptions {
  api?: LeaderApi
  store?: LeaderStore
  /** A 401 on any call: the session is gone. */
  onUnauthorized: () => void
  listsEveryMs?: number
  metricsEveryMs?: number
}

/**
 * Loads what the leader page shows for its unit and window into the leader store: the figures on
 * each change of unit or window, the lists on each change of unit; `refreshLists` and
 * `refreshMetrics` refetch them, throttled, when live events arrive. A superseded fetch is aborted.
 */
export function useLeaderData(target: MaybeRefOrGetter<LeaderTarget | null>, options: LeaderDataOptions) {
  const api = options.api ?? createLeaderApi()
  const store = options.store ?? useLeaderStore()
  const loading = ref(false)
  let metricsAbort: AbortController | null = null
  let listsAbort: AbortController | null = null
  let disposed = false

  function fail(unit: string, error: unknown): void {
    if (disposed || isAbort(error)) return
    if (isUnauthorized(error)) options.onUnauthorized()
    else store.setProblem(unit, isForbidden(error) ? 'outOfScope' : 'failed')
  }

  async function loadMetrics(): Promise<void> {
    const t = toValue(target)
    if (!t) return
    metricsAbort?.abort()
    const controller = (metricsAbort = new AbortController())
    const view: LeaderView = { unit: t.unit, from: t.from, to: t.to }
    loading.value = true
    try {
      const reply = await api.metrics(t.unit, { from: t.from, to: t.to }, controller.signal)
      if (!controller.signal.aborted) store.setMetrics(view, reply)
    } catch (error) {
      fail(t.unit, error)
    } finally {
      if (metricsAbort === controller) loading.value = false
    }
  }

  async function loadLists(): Promise<void> {
    const t = toValue(target)
    if (!t) return
    listsAbort?.abort()
    const controller = (listsAbort = new AbortController())
    const { signal } = controller
    const unit = t.unit
    const whenCurrent =
      <T,>(take: (reply: T) => void) =>
      (reply: T): void => {
        if (!signal.aborted) take(reply)
      }
    const jobs: Promise<void>[] = [api.overdue(unit, signal).then(whenCurrent((r) => store.setOverdue(unit, r.items)))]
    if (t.isGrid) {
      jobs.push(
        api.requests(unit, signal).then(whenCurrent((r) => store.setGridLists(unit, { requests: r.items }))),
        api.workers(unit, signal).then(whenCurrent((r) => store.setGridLists(unit, { workers: r.items }))),
        api.alerts(unit, signal).then(whenCurrent((r) => store.setGridLists(unit, { alerts: r.items }))),
      )
    }
    const results = await Promise.allSettled(jobs)
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) fail(unit, failed.reason)
  }

  const lists = throttle(() => void loadLists(), options.listsEveryMs ?? LISTS_EVERY_MS)
  const figures = throttle(() => void loadMetrics(), options.metricsEveryMs ?? METRICS_EVERY_MS)

  watch(
    () => {
      const t = toValue(target)
      return t ? `${t.unit}|${t.from}|${t.to}` : ''
    },
    (key) => {
      const t = toValue(target)
      if (!key || !t) return
      store.show({ unit: t.unit, from: t.from, to: t.to })
      void loadMetrics()
    },
    { immediate: true },
  )

  watch(
    () => {
      const t = toValue(target)
      return t ? `${t.unit}|${t.isGrid}` : ''
    },
    (key) => {
      if (key) void loadLists()
    },
    { immediate: true },
  )

  onScopeDispose(() => {
    disposed = true
    metricsAbort?.abort()
    listsAbort?.abort()
    lists.cancel()
    figures.cancel()
  })

  return {
    loading,
    /** Refetch everything now (the retry button). */
    reload: () => Promise.all([loadMetrics(), loadLists()]).then(() => undefined),
    refreshLists: () => lists.request(),
    refreshMetrics: () => figures.request(),
  }
}
