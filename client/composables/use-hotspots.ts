// Recurring hotspots of a unit (GET /api/v1/hotspots, the server's default window: the last 30
// days up to now), fetched at once and again every minute: they change slowly, and a wall runs for
// weeks. A failed fetch keeps what was shown; the next tick tries again.
import { onScopeDispose, shallowRef, watch, type ShallowRef } from 'vue'
import type { HotspotItem, HotspotsReply } from '../../shared/schemas/hotspots'
import { getJson, type FetchLike } from '../http'

export const HOTSPOTS_PATH = '/api/v1/hotspots'
export const HOTSPOT_REFRESH_MS = 60_000

export function useHotspots(unit: () => string | undefined, options: { intervalMs?: number; fetchImpl?: FetchLike } = {}): ShallowRef<readonly HotspotItem[]> {
  const hotspots = shallowRef<readonly HotspotItem[]>([])
  let controller: AbortController | undefined
  let asked: string | undefined

  async function load(): Promise<void> {
    const id = unit()
    if (!id) return
    controller?.abort()
    const mine = (controller = new AbortController())
    if (id !== asked) hotspots.value = []
    asked = id
    try {
      const reply = await getJson<HotspotsReply>(HOTSPOTS_PATH, { unit: id }, { fetchImpl: options.fetchImpl, signal: mine.signal })
      if (controller === mine) hotspots.value = reply.hotspots
    } catch {
      // Kept as it was: the next tick tries again.
    }
  }

  watch(unit, () => void load(), { immediate: true })
  const timer = setInterval(() => void load(), options.intervalMs ?? HOTSPOT_REFRESH_MS)
  onScopeDispose(() => {
    clearInterval(timer)
    controller?.abort()
  })
  return hotspots
}
