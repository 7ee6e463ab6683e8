import { describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { createAppRouter, routes } from '../../client/router'

// Navigation resolves the lazy views; stand-ins keep MapLibre out of this test.
vi.mock('../../client/views/WallView.vue', () => ({ default: { render: () => null } }))
vi.mock('../../client/views/LeaderView.vue', () => ({ default: { render: () => null } }))
vi.mock('../../client/views/KioskView.vue', () => ({ default: { render: () => null } }))

describe('router', () => {
  it('sends / and unknown paths to the wall', async () => {
    const router = createAppRouter(createMemoryHistory(), { checkSession: async () => ({ status: 'unknown' as const }) })
    await router.push('/')
    expect(router.currentRoute.value.name).toBe('wall')
    await router.push('/nowhere/at/all')
    expect(router.currentRoute.value.path).toBe('/wall')
  })

  it('keeps the scene query on the wall', async () => {
    const router = createAppRouter(createMemoryHistory(), { checkSession: async () => ({ status: 'unknown' as const }) })
    await router.push('/wall?scene=640106001')
    expect(router.currentRoute.value.query.scene).toBe('640106001')
  })

  it('loads every view lazily, so the kiosk does not carry the map', () => {
    for (const name of ['wall', 'leader', 'kiosk']) {
      const route = routes.find((r) => r.name === name)
      expect(route, name).toBeDefined()
      expect(typeof route!.component).toBe('function')
    }
  })

  it('keeps the query when redirecting to the wall', async () => {
    const router = createAppRouter(createMemoryHistory(), { checkSession: async () => ({ status: 'unknown' as const }) })
    await router.push('/?lang=en&scene=640106002')
    expect(router.currentRoute.value.path).toBe('/wall')
    expect(router.currentRoute.value.query).toEqual({ lang: 'en', scene: '640106002' })
  })
})
