import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref, type Ref } from 'vue'
import { useLeaderData, type LeaderTarget } from '../../client/composables/use-leader-data'
import type { FetchLike } from '../../client/http'
import { createLeaderApi } from '../../client/leader/api'
import { useLeaderStore } from '../../client/stores/leader'
import { metricsReply } from '../fixtures/leader-fixtures'

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('useLeaderData', () => {
  const scopes: ReturnType<typeof effectScope>[] = []
  beforeEach(() => setActivePinia(createPinia()))
  afterEach(() => scopes.splice(0).forEach((s) => s.stop()))

  function start(target: Ref<LeaderTarget | null>, fetchImpl: FetchLike, onUnauthorized = vi.fn()) {
    const scope = effectScope()
    scopes.push(scope)
    const data = scope.run(() => useLeaderData(target, { api: createLeaderApi(fetchImpl), onUnauthorized, listsEveryMs: 50, metricsEveryMs: 50 }))!
    return { data, onUnauthorized }
  }

  function server(routes: Record<string, (url: URL) => Response>) {
    const calls: string[] = []
    const fetchImpl = vi.fn<FetchLike>(async (input, init) => {
      expect(init?.credentials).toBe('same-origin')
      const url = new URL(input, 'http://localhost')
      calls.push(url.pathname + url.search)
      const route = routes[url.pathname]
      return route ? route(url) : json({ message: 'not found' }, 404)
    })
    return { fetchImpl, calls }
  }

  it('loads figures and overdue for a unit, and a grid’s lists only for a grid', async () => {
    const { fetchImpl, calls } = server({
      '/api/v1/metrics': (u) => json(metricsReply(u.searchParams.get('unit')!, [])),
      '/api/v1/overdue': () => json({ now: '', items: [] }),
      '/api/v1/requests': () => json({ items: [] }),
      '/api/v1/workers': () => json({ items: [] }),
      '/api/v1/alerts': () => json({ items: [] }),
    })
    const target = ref<LeaderTarget | null>({ unit: '640106001', from: '2026-11-28', to: '2026-11-29', isGrid: false })
    start(target, fetchImpl)
    await flush()
    const store = useLeaderStore()
    expect(store.metrics?.unit).toBe('640106001')
    expect(store.overdue).toEqual([])
    expect(calls.sort()).toEqual(['/api/v1/metrics?unit=640106001&from=2026-11-28&to=2026-11-29', '/api/v1/overdue?unit=640106001'])

    calls.length = 0
    target.value = { unit: '64010600100101', from: '2026-11-28', to: '2026-11-29', isGrid: true }
    await nextTick()
    await flush()
    expect(calls.map((c) => c.split('?')[0]).sort()).toEqual(['/api/v1/alerts', '/api/v1/metrics', '/api/v1/overdue', '/api/v1/requests', '/api/v1/workers'])
    expect(calls).toContain('/api/v1/requests?unit=64010600100101&open=true&limit=200')
    expect(store.requests).toEqual([])
  })

  it('sends a 401 to the login and marks a 403 as out of scope', async () => {
    const { fetchImpl } = server({
      '/api/v1/metrics': (u) => (u.searchParams.get('unit') === '640106002' ? json({ message: 'forbidden' }, 403) : json({ message: 'no session' }, 401)),
      '/api/v1/overdue': () => json({ now: '', items: [] }),
    })
    const target = ref<LeaderTarget | null>({ unit: '640106001', from: '2026-11-28', to: '2026-11-29', isGrid: false })
    const { onUnauthorized } = start(target, fetchImpl)
    await flush()
    expect(onUnauthorized).toHaveBeenCalled()
    target.value = { unit: '640106002', from: '2026-11-28', to: '2026-11-29', isGrid: false }
    await nextTick()
    await flush()
    expect(useLeaderStore().problem).toBe('outOfScope')
  })

  it('refetches the lists at most once per interval for a burst of events', async () => {
    const { fetchImpl, calls } = server({
      '/api/v1/metrics': (u) => json(metricsReply(u.searchParams.get('unit')!, [])),
      '/api/v1/overdue': () => json({ now: '', items: [] }),
    })
    const { data } = start(ref<LeaderTarget | null>({ unit: '640106001', from: '2026-11-28', to: '2026-11-29', isGrid: false }), fetchImpl)
    await flush()
    calls.length = 0
    for (let i = 0; i < 20; i++) data.refreshLists()
    await flush()
    await new Promise((resolve) => setTimeout(resolve, 80))
    const overdue = calls.filter((c) => c.startsWith('/api/v1/overdue'))
    expect(overdue.length).toBeGreaterThanOrEqual(1)
    expect(overdue.length).toBeLessThanOrEqual(2)
  })
})
