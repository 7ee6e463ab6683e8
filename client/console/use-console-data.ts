import { onScopeDispose, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { useLeaderLive } from '../composables/use-leader-live'
import { isUnauthorized } from '../http'
import { throttle } from '../lib/throttle'
import type { LiveSocket } from '../socket'
import { useConsoleStore } from '../stores/console'
import type { ConsoleApi } from './api'

/** At most one refetch of the queues this often: a burst of batches costs one. */
export const REFRESH_MS = 250
/** A refetch now and then even without events (a list the stream does not cover, a missed batch). */
export const POLL_MS = 30_000

/**
 * Keeps the console's queues in step with its scope: fetched on start and after every live batch
 * that is more than patrol pings (another officer's step, a new request or alert, an alarm), so
 * what anyone does shows in every open console within a second. The stream is the same subscribe
 * routine as the leader page's (`useLeaderLive`): the console needs to know that something
 * changed, and the REST lists carry what the stream must not (reporters, assignees).
 */
export function useConsoleData(unit: MaybeRefOrGetter<string | null>, api: ConsoleApi, options: { onUnauthorized: () => void; socket?: LiveSocket }) {
  const store = useConsoleStore()
  let abort: AbortController | null = null

  async function load(): Promise<void> {
    const target = toValue(unit)
    if (!target) return
    store.setUnit(target)
    abort?.abort()
    const controller = (abort = new AbortController())
    const signal = controller.signal
    const [open, resolved, alerts, alarms, workers] = await Promise.allSettled([
      api.openRequests(target, signal),
      api.resolvedRequests(target, signal),
      api.alerts(target, true, signal),
      api.alarms(target, signal),
      api.workers(target, signal),
    ])
    if (signal.aborted) return
    if ([open, resolved, alerts, alarms, workers].some((r) => r.status === 'rejected' && isUnauthorized(r.reason))) {
      options.onUnauthorized()
      return
    }
    store.setLists(target, {
      ...(open.status === 'fulfilled' ? { open: open.value.items } : {}),
      ...(resolved.status === 'fulfilled' ? { resolved: resolved.value.items } : {}),
      ...(alerts.status === 'fulfilled' ? { alerts: alerts.value.items } : {}),
      ...(alarms.status === 'fulfilled' ? { alarms: alarms.value.items } : {}),
      ...(workers.status === 'fulfilled' ? { workers: workers.value.items } : {}),
    })
  }

  const throttled = throttle(() => void load(), REFRESH_MS)
  const refresh = (): void => throttled.request()

  const { state } = useLeaderLive(unit, {
    onMetrics: () => {},
    onEvents: (batch) => {
      if (batch.events.some((e) => e.type !== 'patrol.reported')) refresh()
    },
    onUnauthorized: options.onUnauthorized,
  }, options.socket ? { socket: options.socket } : {})

  // A (re)subscribe may have missed what happened while it was down: fetch again once live.
  watch(state, (s) => {
    if (s === 'live') refresh()
  })
  watch(() => toValue(unit), () => void load(), { immediate: true })
  const poll = setInterval(refresh, POLL_MS)

  onScopeDispose(() => {
    throttled.cancel()
    clearInterval(poll)
    abort?.abort()
  })

  return { state, refresh, load }
}
