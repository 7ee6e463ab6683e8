import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import type { MetricsUpdate } from '../../shared/events'
import { computeFigures, DEFAULT_POLICY, type Figures } from '../../shared/metrics'
import { useWallLive } from '../../client/composables/use-wall-live'
import type { LiveSocket } from '../../client/socket'
import { useGeographyStore } from '../../client/stores/geography'
import { useLiveStore } from '../../client/stores/live'
import { useMetricsStore } from '../../client/stores/metrics'

type Handler = (...args: unknown[]) => void

/** Enough of a socket for the wall: handlers, the manager's events, connect. */
class FakeSocket {
  connected = false
  private readonly handlers = new Map<string, Set<Handler>>()
  private readonly managerHandlers = new Map<string, Set<Handler>>()
  readonly io = {
    on: (event: string, fn: Handler) => this.add(this.managerHandlers, event, fn),
    off: (event: string, fn: Handler) => this.managerHandlers.get(event)?.delete(fn),
  }
  on(event: string, fn: Handler): this {
    this.add(this.handlers, event, fn)
    return this
  }
  off(event: string, fn: Handler): this {
    this.handlers.get(event)?.delete(fn)
    return this
  }
  timeout(): this {
    return this
  }
  emit(): this {
    return this
  }
  connect(): this {
    return this
  }
  disconnect(): this {
    return this
  }
  fire(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.handlers.get(event) ?? [])]) fn(...args)
  }
  count(event: string): number {
    return this.handlers.get(event)?.size ?? 0
  }
  private add(map: Map<string, Set<Handler>>, event: string, fn: Handler): void {
    if (!map.has(event)) map.set(event, new Set())
    map.get(event)!.add(fn)
  }
}

function figures(requests: number): Figures {
  return { ...computeFigures({ requests: [], open: [], alerts: [], cells: 0, visitedCells: 0, workersOnline: 0, population: null, now: 0, policy: DEFAULT_POLICY }), requests }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('useWallLive', () => {
  let socket: FakeSocket
  let calls: string[]

  beforeEach(() => {
    setActivePinia(createPinia())
    socket = new FakeSocket()
    calls = []
    useGeographyStore().setGeography({ type: 'FeatureCollection', features: [] })
  })

  function start(unit: ReturnType<typeof ref<string>>, fetchImpl: (url: string) => Promise<Response>, onUnauthorized?: () => void) {
    const scope = effectScope()
    scope.run(() =>
      useWallLive(() => unit.value!, {
        socket: socket as unknown as LiveSocket,
        fetchImpl: async (url: string) => {
          calls.push(url)
          return fetchImpl(url)
        },
        timeZone: () => 'Asia/Shanghai',
        onUnauthorized,
      }),
    )
    return scope
  }

  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0))
  }

  it('loads the scene\'s figures, then takes pushes for that scene only', async () => {
    const unit = ref('640106')
    const scope = start(unit, async (url) => (url.startsWith('/api/v1/metrics?') ? json({ unit: '640106', now: new Date(1_000).toISOString(), figures: figures(3), children: [] }) : json([], 200)))
    await settle()
    const metrics = useMetricsStore()
    expect(metrics.unit).toBe('640106')
    expect(metrics.figures?.requests).toBe(3)
    expect(calls.some((c) => c.startsWith('/api/v1/metrics/series?unit=640106&metric=responseP50'))).toBe(true)

    const push = (u: string, n: number, at: number): MetricsUpdate => ({ unit: u, from: '', to: '', now: new Date(at).toISOString(), figures: figures(n) })
    socket.fire('metrics:updated', push('640106001', 99, 2_000))
    expect(metrics.figures?.requests).toBe(3)
    socket.fire('metrics:updated', push('640106', 7, 3_000))
    expect(metrics.figures?.requests).toBe(7)
    // A push says the stream is alive, even in a scene without events.
    expect(useLiveStore().lastEventAt).not.toBeNull()

    // A new scene: the old numbers go at once.
    unit.value = '640106002'
    await nextTick()
    expect(metrics.unit).toBe('640106002')
    expect(metrics.figures).toBeNull()
    scope.stop()
    expect(socket.count('metrics:updated')).toBe(0)
    expect(socket.count('connect_error')).toBe(0)
  })

  it('sends the wall to log in on a 401 or a socket refused for want of a session', async () => {
    let unauthorized = 0
    const scope = start(ref('640106'), async () => json({ message: 'log in first' }, 401), () => unauthorized++)
    await settle()
    expect(unauthorized).toBeGreaterThan(0)
    const before = unauthorized
    socket.fire('connect_error', new Error('unauthorized: log in first'))
    expect(unauthorized).toBe(before + 1)
    socket.fire('connect_error', new Error('xhr poll error'))
    expect(unauthorized).toBe(before + 1)
    scope.stop()
  })
})
