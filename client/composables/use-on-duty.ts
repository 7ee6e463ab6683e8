import { onScopeDispose, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { OnDutyReply } from '../../shared/schemas/directory'
import { fetchOnDuty } from '../api'
import { isAbort, isUnauthorized, type FetchLike } from '../http'

/** How often the wall asks again: a slot starts or ends on the quarter hour at the finest. */
export const ON_DUTY_EVERY_MS = 3 * 60_000

/**
 * Today's departments on duty at the scene's street, asked again every few minutes and at once on
 * a scene change. `entries` is null until the first answer, and stays null where the server has no
 * directory; a failed refresh keeps what was shown.
 */
export function useOnDuty(
  unit: MaybeRefOrGetter<string>,
  options: { fetchImpl?: FetchLike; everyMs?: number; onUnauthorized?: () => void } = {},
) {
  const entries = shallowRef<OnDutyReply['entries'] | null>(null)
  let controller = new AbortController()

  function load(u: string): void {
    if (u === '') return
    const signal = controller.signal
    fetchOnDuty(u, options.fetchImpl, signal)
      .then((reply) => {
        if (!signal.aborted) entries.value = reply?.entries ?? null
      })
      .catch((error: unknown) => {
        if (isAbort(error)) return
        if (isUnauthorized(error)) options.onUnauthorized?.()
      })
  }

  const stop = watch(
    () => toValue(unit),
    (u) => {
      controller.abort()
      controller = new AbortController()
      entries.value = null
      load(u)
    },
    { immediate: true },
  )
  const timer = setInterval(() => load(toValue(unit)), options.everyMs ?? ON_DUTY_EVERY_MS)
  onScopeDispose(() => {
    stop()
    clearInterval(timer)
    controller.abort()
  })
  return { entries }
}
