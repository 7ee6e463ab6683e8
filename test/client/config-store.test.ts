import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_TIME_ZONE } from '../../shared/domain'
import { DEFAULT_POLICY } from '../../shared/metrics'
import { apiWindow } from '../../client/leader/params'
import { FALLBACK_CONFIG, useConfigStore } from '../../client/stores/config'

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('useConfigStore', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('reads the server’s settings once, and its zone is the one days are counted in', async () => {
    const fetchStub = vi.fn(async () => json({ timeZone: 'Europe/London', policy: DEFAULT_POLICY, basemap: null }))
    const store = useConfigStore()
    expect(store.config).toBeNull()
    expect(store.timeZone).toBe(DEFAULT_TIME_ZONE)
    await Promise.all([store.load(fetchStub), store.load(fetchStub)])
    await store.load(fetchStub)
    expect(fetchStub).toHaveBeenCalledTimes(1)
    expect(store.timeZone).toBe('Europe/London')
    // 2026-12-04 23:30 in London is already the 5th in Shanghai: "today" is the server zone's.
    const now = Date.parse('2026-12-04T23:30:00Z')
    expect(apiWindow({ window: 'today', from: null, to: null }, now, store.timeZone)).toEqual({ from: '2026-12-04', to: '2026-12-05' })
    expect(apiWindow({ window: 'today', from: null, to: null }, now, DEFAULT_TIME_ZONE)).toEqual({ from: '2026-12-05', to: '2026-12-06' })
  })

  it('falls back to the center’s default zone and deadlines when the settings cannot be read', async () => {
    const store = useConfigStore()
    await store.load(vi.fn(async () => json({ error: 'down' }, 503)))
    expect(store.config).toEqual(FALLBACK_CONFIG)
    expect(store.timeZone).toBe(DEFAULT_TIME_ZONE)
  })
})
