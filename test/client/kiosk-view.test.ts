import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { PublicStats } from '../../shared/public'
import KioskView from '../../client/views/KioskView.vue'
import { createAppI18n } from '../../client/i18n'
import { FakePublicSocket } from '../fixtures/fake-public-socket'

const UNIT = '640106001'

function stats(updatedAt: string, handled = 1180): PublicStats {
  return {
    unit: UNIT,
    name: '满城北街街道',
    level: 'street',
    updatedAt,
    threshold: 5,
    month: { received: 1234, handled },
    year: { received: 5210, handled: 4988 },
    rates: { onTimeResponse: 0.9347, resolution: 0.88, satisfaction: null },
    medianResponseSec: 2520,
    topCategories: [{ category: 'noise', handled: 12 }],
    comparison: {
      level: 'community',
      units: [
        { unit: `${UNIT}001`, name: '阅海社区', handled: 210, onTimeResponse: 0.95, satisfaction: 0.9 },
        { unit: `${UNIT}002`, name: '宁安社区', handled: '<5', onTimeResponse: null, satisfaction: null },
      ],
    },
    activities: [{ kind: 'free_haircut', activities: 3, participants: 61 }],
  }
}


class FakeSocket extends FakePublicSocket {}

const sockets = vi.hoisted(() => ({ created: [] as unknown[], next: null as unknown }))
vi.mock('../../client/kiosk/socket', () => ({
  createPublicSocket: (url?: string) => {
    sockets.created.push(url ?? '/public')
    return sockets.next
  },
}))

const settle = async () => {
  for (let i = 0; i < 6; i++) await Promise.resolve()
  await nextTick()
}

describe('KioskView', () => {
  let socket: FakeSocket
  let fetchMock: ReturnType<typeof vi.fn<(url: string, init?: RequestInit) => Promise<Response>>>
  let answer: () => Response
  let wrapper: VueWrapper | undefined

  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(Date.parse('2025-03-10T06:00:30Z'))
    socket = new FakeSocket()
    sockets.next = socket
    sockets.created = []
    answer = () => new Response(JSON.stringify(stats('2025-03-10T06:00:00Z')), { status: 200, headers: { 'content-type': 'application/json' } })
    fetchMock = vi.fn(async () => answer())
    vi.stubGlobal('fetch', fetchMock)
  })

  afterEach(() => {
    wrapper?.unmount()
    wrapper = undefined
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })

  async function open(path: string, locale: 'zh-CN' | 'en' = 'zh-CN') {
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/kiosk', component: KioskView }] })
    await router.push(path)
    await router.isReady()
    wrapper = mount(KioskView, { global: { plugins: [router, createAppI18n(locale)] } })
    await settle()
    return wrapper
  }

  const card = (w: VueWrapper) => w.get('[data-testid="kiosk-card"]').attributes('data-card')
  const value = (w: VueWrapper, key: string) => w.get(`[data-testid="kiosk-value"][data-key="${key}"]`).text()

  it('asks to be configured when the address names no unit, and reaches for nothing', async () => {
    const w = await open('/kiosk')
    expect(w.get('[data-testid="kiosk-config"]').text()).toContain('?unit=')
    expect(sockets.created).toEqual([])
    expect(fetchMock).not.toHaveBeenCalled()
    expect((await open('/kiosk?unit=%3Cscript%3E')).get('[data-testid="kiosk-config"]').text()).toContain('单位编号无效')
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('shows the first card from the public REST route, in a polite live region', async () => {
    const w = await open(`/kiosk?unit=${UNIT}`)
    expect(fetchMock.mock.calls[0]![0]).toBe(`/api/v1/public/stats?unit=${UNIT}`)
    expect(sockets.created).toEqual(['/public'])
    const region = w.get('[data-testid="kiosk-cards"]')
    expect(region.attributes('aria-live')).toBe('polite')
    expect(region.attributes('aria-atomic')).toBe('true')
    expect(card(w)).toBe('volume')
    expect(value(w, 'month.handled')).toBe('1,180')
    expect(w.get('h1').text()).toBe('满城北街街道 · 便民服务公示')
    expect(w.get('[data-testid="kiosk-updated"]').text()).toBe('数据更新于 14:00')
    expect(w.get('[data-testid="kiosk-progress"]').text()).toBe('1 / 5')
    expect(document.documentElement.lang).toBe('zh-CN')
  })

  it('turns to the next card every ?every= seconds, in order, and round again', async () => {
    const w = await open(`/kiosk?unit=${UNIT}&every=5`)
    const seen = [card(w)]
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(5000)
      seen.push(card(w))
    }
    expect(seen).toEqual(['volume', 'rates', 'categories', 'comparison', 'activities', 'volume'])
    await vi.advanceTimersByTimeAsync(4999)
    expect(card(w)).toBe('volume')
    await vi.advanceTimersByTimeAsync(1)
    expect(card(w)).toBe('rates')
    expect(value(w, 'rates.satisfaction')).toBe('—')
    expect(w.get('[data-testid="kiosk-progress"]').text()).toBe('2 / 5')
  })

  it('goes live on the socket, keeps the numbers through a drop, and refetches on reconnect', async () => {
    const w = await open(`/kiosk?unit=${UNIT}`)
    socket.open()
    expect(socket.watches[0]!.request).toEqual({ unit: UNIT })
    socket.watches[0]!.ack(null, { ok: true, data: stats('2025-03-10T06:00:30Z', 1181) })
    await settle()
    expect(w.get('[data-testid="kiosk"]').attributes('data-state')).toBe('live')
    expect(value(w, 'month.handled')).toBe('1,181')

    socket.push(stats('2025-03-10T06:00:45Z', 1182))
    await settle()
    expect(value(w, 'month.handled')).toBe('1,182')

    socket.drop()
    await settle()
    expect(w.get('[data-testid="kiosk"]').attributes('data-state')).toBe('offline')
    expect(w.get('[data-testid="kiosk-connection"]').text()).toBe('连接中断，正在重连')
    expect(value(w, 'month.handled')).toBe('1,182')
    expect(w.get('[data-testid="kiosk-updated"]').text()).toBe('数据更新于 14:00')

    answer = () => new Response(JSON.stringify(stats('2025-03-10T06:05:00Z', 1190)), { status: 200 })
    socket.open()
    await settle()
    expect(fetchMock).toHaveBeenCalledTimes(2)
    expect(value(w, 'month.handled')).toBe('1,190')
    expect(w.get('[data-testid="kiosk-updated"]').text()).toBe('数据更新于 14:05')
  })

  it('stops saying "live" when the pushes stop', async () => {
    const w = await open(`/kiosk?unit=${UNIT}`)
    socket.open()
    socket.watches[0]!.ack(null, { ok: true, data: stats('2025-03-10T06:00:30Z') })
    await settle()
    expect(w.get('[data-testid="kiosk-connection"]').attributes('data-state')).toBe('live')
    // The REST poll still answers with the same, old figures.
    answer = () => new Response(JSON.stringify(stats('2025-03-10T06:00:30Z')), { status: 200 })
    await vi.advanceTimersByTimeAsync(120_000)
    expect(w.get('[data-testid="kiosk-connection"]').attributes('data-state')).toBe('live')
    answer = () => new Response('', { status: 503 })
    await vi.advanceTimersByTimeAsync(120_000)
    expect(w.get('[data-testid="kiosk-connection"]').attributes('data-state')).toBe('stale')
    expect(w.get('[data-testid="kiosk-connection"]').text()).toBe('暂未收到新数据')
    // The figures on screen stay, with their own time.
    expect(w.get('[data-testid="kiosk-updated"]').attributes('data-updated-at')).toBe('2025-03-10T06:00:30Z')
    expect(w.find('[data-testid="kiosk-card"]').exists()).toBe(true)
  })

  it('says when the unit is unknown', async () => {
    answer = () => new Response(JSON.stringify({ statusCode: 404, message: 'unknown unit' }), { status: 404 })
    const w = await open('/kiosk?unit=999999')
    expect(w.get('[data-testid="kiosk-problem"]').text()).toContain('找不到单位 999999')
  })

  it('speaks English with ?lang=en', async () => {
    const w = await open(`/kiosk?unit=${UNIT}&lang=en`, 'en')
    expect(document.documentElement.lang).toBe('en')
    expect(w.get('h1').text()).toBe('满城北街街道 · Services for residents')
    expect(w.get('[data-testid="kiosk-card"] h2').text()).toBe('Requests from residents')
  })

  it('lets go of its socket and timers when it leaves', async () => {
    const w = await open(`/kiosk?unit=${UNIT}`)
    socket.open()
    expect(socket.count()).toBeGreaterThan(0)
    w.unmount()
    wrapper = undefined
    expect(socket.count()).toBe(0)
    expect(socket.disconnectCalls).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
  })
})
