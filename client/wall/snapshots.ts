// Which open camera alerts came with a snapshot. The live stream does not say (it carries no
// references), the alert list does; the wall keeps only the answer, never the camera's URL: the
// image itself comes through the server, with the session (`snapshotPath`).
import { onScopeDispose, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { AlertList } from '../../shared/schemas/views'
import { fetchJson, globalFetch, type FetchLike } from '../http'

/** The wall's image URL for an alert's snapshot: the server fetches it from the camera. */
export function snapshotPath(alertId: string): string {
  return `/api/v1/alerts/${encodeURIComponent(alertId)}/snapshot`
}

/** Alert ids with a snapshot, from `GET /api/v1/alerts` (`snapshotUrl` present): only the ids. */
export function withSnapshot(list: AlertList): Set<string> {
  return new Set(list.items.filter((a) => typeof a.snapshotUrl === 'string' && a.snapshotUrl !== '').map((a) => a.alertId))
}

/**
 * The open alerts of the scene that have a snapshot: asked again when an alert the wall has not
 * asked about appears (at most once a `minIntervalMs`); an alert once known keeps its answer.
 * `unit` '' (a wall in playback, or waiting for its scene) asks nothing.
 */
export function useAlertSnapshots(
  unit: MaybeRefOrGetter<string>,
  alertIds: MaybeRefOrGetter<readonly string[]>,
  options: { fetchImpl?: FetchLike; minIntervalMs?: number } = {},
) {
  const ids = shallowRef<ReadonlySet<string>>(new Set())
  const asked = new Set<string>()
  let controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  let lastAt = -Infinity

  async function load(u: string): Promise<void> {
    const signal = controller.signal
    lastAt = Date.now()
    const wanted = [...toValue(alertIds)]
    try {
      const reply = await fetchJson('/api/v1/alerts', { unit: u, open: true, limit: 200 }, { fetchImpl: options.fetchImpl ?? globalFetch, signal })
      if (signal.aborted || !reply.ok) return
      // The open alerts asked about, and no others: bounded by the open alerts however long it runs.
      asked.clear()
      for (const id of wanted) asked.add(id)
      ids.value = withSnapshot(reply.body as AlertList)
    } catch {
      // No answer: no snapshots shown; the next new alert asks again.
    }
  }

  function schedule(): void {
    const u = toValue(unit)
    if (u === '' || timer !== undefined) return
    if (!toValue(alertIds).some((id) => !asked.has(id))) return
    const wait = Math.max(0, lastAt + (options.minIntervalMs ?? 5_000) - Date.now())
    timer = setTimeout(() => {
      timer = undefined
      void load(toValue(unit))
    }, wait)
  }

  const stopUnit = watch(
    () => toValue(unit),
    () => {
      controller.abort()
      controller = new AbortController()
      clearTimeout(timer)
      timer = undefined
      asked.clear()
      ids.value = new Set()
      schedule()
    },
  )
  const stopIds = watch(() => toValue(alertIds), schedule, { immediate: true })
  onScopeDispose(() => {
    stopUnit()
    stopIds()
    clearTimeout(timer)
    controller.abort()
  })
  return { ids }
}
