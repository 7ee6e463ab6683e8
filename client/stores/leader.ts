import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { MetricsUpdate } from '../../shared/events'
import type { AlertItem, MetricsReply, OverdueItem, RequestListItem, WorkerItem } from '../leader/api'

export type LeaderProblem = 'outOfScope' | 'failed' | null

export interface LeaderView {
  unit: string
  /** The window as the API takes it (local dates, `to` excluded). */
  from: string
  to: string
}

const sameView = (a: LeaderView | null, b: LeaderView) => a !== null && a.unit === b.unit && a.from === b.from && a.to === b.to

/**
 * What the leader page shows for one unit and window: its figures and children, its overdue list
 * and, for a grid, its open requests, workers and alerts. A reply for another unit or window (a
 * slow fetch after a drill) is dropped, so the page never shows the wrong place's numbers.
 */
export const useLeaderStore = defineStore('leader', () => {
  const view = shallowRef<LeaderView | null>(null)
  const metrics = shallowRef<MetricsReply | null>(null)
  /** The server's `now` of the figures shown (epoch ms): an older update never replaces a newer one. */
  const asOf = ref<number | null>(null)
  const overdue = shallowRef<readonly OverdueItem[] | null>(null)
  const requests = shallowRef<readonly RequestListItem[] | null>(null)
  const workers = shallowRef<readonly WorkerItem[] | null>(null)
  const alerts = shallowRef<readonly AlertItem[] | null>(null)
  const problem = ref<LeaderProblem>(null)

  /** Switches to a unit and window; lists are kept when only the window changes (they do not depend on it). */
  function show(next: LeaderView): void {
    if (sameView(view.value, next)) return
    const unitChanged = view.value?.unit !== next.unit
    view.value = { ...next }
    metrics.value = null
    asOf.value = null
    problem.value = null
    if (unitChanged) {
      overdue.value = null
      requests.value = null
      workers.value = null
      alerts.value = null
    }
  }

  function setMetrics(forView: LeaderView, reply: MetricsReply): boolean {
    if (!sameView(view.value, forView)) return false
    const at = Date.parse(reply.now)
    if (asOf.value !== null && Number.isFinite(at) && at < asOf.value) return false
    metrics.value = reply
    asOf.value = Number.isFinite(at) ? at : asOf.value
    problem.value = null
    return true
  }

  /**
   * Today's figures pushed by the server for the subscribed unit. Taken only when the page shows
   * that unit over today (`isToday`), and only if newer than what is shown; the children keep their
   * figures until the next fetch.
   */
  function applyLive(update: MetricsUpdate, isToday: boolean): boolean {
    const current = metrics.value
    if (!isToday || !current || view.value?.unit !== update.unit || current.unit !== update.unit) return false
    const at = Date.parse(update.now)
    if (asOf.value !== null && Number.isFinite(at) && at < asOf.value) return false
    metrics.value = { ...current, figures: update.figures, now: update.now }
    if (Number.isFinite(at)) asOf.value = at
    return true
  }

  function setOverdue(forUnit: string, items: readonly OverdueItem[]): void {
    if (view.value?.unit === forUnit) overdue.value = items
  }

  function setGridLists(forUnit: string, lists: { requests?: readonly RequestListItem[]; workers?: readonly WorkerItem[]; alerts?: readonly AlertItem[] }): void {
    if (view.value?.unit !== forUnit) return
    if (lists.requests) requests.value = lists.requests
    if (lists.workers) workers.value = lists.workers
    if (lists.alerts) alerts.value = lists.alerts
  }

  function setProblem(forUnit: string, next: LeaderProblem): void {
    if (view.value?.unit === forUnit) problem.value = next
  }

  function reset(): void {
    view.value = null
    metrics.value = null
    asOf.value = null
    overdue.value = null
    requests.value = null
    workers.value = null
    alerts.value = null
    problem.value = null
  }

  return { view, metrics, asOf, overdue, requests, workers, alerts, problem, show, setMetrics, applyLive, setOverdue, setGridLists, setProblem, reset }
})

export type LeaderStore = ReturnType<typeof useLeaderStore>
