import { onScopeDispose, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { isAbort, isUnauthorized } from '../http'
import { throttle } from '../lib/throttle'
import { createLeaderApi, type LeaderApi, type RequestListItem } from './api'

/** A burst of live batches refetches the map's dots at most this often. */
export const OPEN_REQUESTS_EVERY_MS = 10_000

/**
 * The open requests of a unit, for the dots on its map: fetched on each change of unit, refetched
 * (throttled) on `refresh`. A reply for another unit is dropped.
 */
export function useOpenRequests(unit: MaybeRefOrGetter<string | null>, options: { api?: LeaderApi; onUnauthorized: () => void; everyMs?: number }) {
  const api = options.api ?? createLeaderApi()
  const items = shallowRef<readonly RequestListItem[] | null>(null)
  let abort: AbortController | null = null

  async function load(): Promise<void> {
    const u = toValue(unit)
    abort?.abort()
    if (!u) return
    const controller = (abort = new AbortController())
    try {
      const reply = await api.openRequests(u, controller.signal)
      if (!controller.signal.aborted) items.value = reply.items
    } catch (error) {
      if (isAbort(error)) return
      if (isUnauthorized(error)) options.onUnauthorized()
      // Otherwise the dots stay as they were: the figures and lists say what failed.
    }
  }

  const again = throttle(() => void load(), options.everyMs ?? OPEN_REQUESTS_EVERY_MS)
  watch(
    () => toValue(unit),
    () => {
      items.value = null
      void load()
    },
    { immediate: true },
  )
  onScopeDispose(() => {
    abort?.abort()
    again.cancel()
  })

  return { items, refresh: () => again.request() }
}
