import { defineStore } from 'pinia'
import { computed, shallowRef } from 'vue'
import { DEFAULT_TIME_ZONE } from '../../shared/domain'
import { DEFAULT_POLICY } from '../../shared/metrics'
import type { ConfigReply } from '../../shared/schemas/config'
import { fetchConfig } from '../api'
import type { FetchLike } from '../http'

/** What a page assumes when the server's settings cannot be read: the center's default zone and deadlines, no base map. */
export const FALLBACK_CONFIG: ConfigReply = { timeZone: DEFAULT_TIME_ZONE, policy: DEFAULT_POLICY, basemap: null }

/**
 * The server's settings (its time zone, deadlines, base map), read once per page: every view counts
 * "today" and draws its times in the server's zone, not the browser's and not a built-in one.
 */
export const useConfigStore = defineStore('config', () => {
  const config = shallowRef<ConfigReply | null>(null)
  let pending: Promise<void> | null = null

  /** Reads the settings unless read or being read; unreachable, the fallback. */
  function load(fetchImpl?: FetchLike): Promise<void> {
    pending ??= fetchConfig(fetchImpl, AbortSignal.timeout(5_000))
      .then((c) => void (config.value = c))
      .catch(() => void (config.value = FALLBACK_CONFIG))
    return pending
  }

  const timeZone = computed(() => config.value?.timeZone ?? DEFAULT_TIME_ZONE)
  return { config, timeZone, load }
})
