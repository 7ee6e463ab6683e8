import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref, type Ref } from 'vue'
import type { Ack, EventBatch, MetricsUpdate, SubscribeReply } from '../../shared/events'
import { useLeaderLive } from '../../client/composables/use-leader-live'
import type { LiveSocket } from '../../client/socket'
import { figures } from '../fixtures/leader-fixtures'
import { FakeLiveSocket } from '../fixtures/fake-live-socket'

class FakeSocket extends FakeLiveSocket {
  /** The leader tests' name for `open`. */
  serverConnects(): void {
    this.open()
  }
}

const ok: Ack<SubscribeReply> = { ok: true, data: { seq: 1, snapshot: { requests: [], alerts: [], workers: [], alarms: [] } } }
const update = (unit: string): MetricsUpdate => ({ unit, from: '', to: '', now: new Date().toISOString(), figures: figures({ requests: 7 }) })
const batch: EventBatch = { seq: 2, events: [] }

describe('useLeaderLive', () => {
  const scopes: ReturnType<typeof effectScope>[] = []
  afterEach(() => scopes.splice(0).forEach((s) => s.stop()))

  function start(unit: Ref<string | null>, socket: FakeSocket) {
    const onMetrics = vi.fn()
    const onEvents = vi.fn()
    const scope = effectScope()
    scopes.push(scope)
    const live = scope.run(() => useLeaderLive(unit, { onMetrics, onEvents }, { socket: socket as unknown as LiveSocket }))!
    return { live, onMetrics, onEvents, scope }
  }

  it('subscribes on connect and again on each drill, passing on only the current unit', async () => {
    const socket = new FakeSocket()
    const unit = ref<string | null>('640106001')
    const { live, onMetrics, onEvents } = start(unit, socket)
    expect(socket.connectCalls).toBe(1)
    socket.serverConnects()
    expect(socket.subscribes.map((s) => s.request)).toEqual([{ unit: '640106001' }])
    socket.subscribes[0]!.ack(null, ok)
    expect(live.state.value).toBe('live')

    socket.fire('metrics:updated', update('640106001'))
    socket.fire('events:batched', batch)
    expect(onMetrics).toHaveBeenCalledTimes(1)
    expect(onEvents).toHaveBeenCalledTimes(1)

    unit.value = '640106001001'
    await nextTick()
    expect(socket.subscribes.map((s) => s.request.unit)).toEqual(['640106001', '640106001001'])
    // before the new ack, and for the old unit: nothing passes
    socket.fire('metrics:updated', update('640106001001'))
    socket.fire('metrics:updated', update('640106001'))
    expect(onMetrics).toHaveBeenCalledTimes(1)
    // a late ack of the old subscription changes nothing
    socket.subscribes[0]!.ack(null, ok)
    socket.subscribes[1]!.ack(null, ok)
    socket.fire('metrics:updated', update('640106001001'))
    expect(onMetrics).toHaveBeenCalledTimes(2)
    expect(onMetrics.mock.calls[1]![0].unit).toBe('640106001001')
  })

  it('removes only its own handlers, and does not disconnect a socket it was given', () => {
    const socket = new FakeSocket()
    const other = vi.fn()
    socket.on('metrics:updated', other)
    const { scope } = start(ref('640106001'), socket)
    expect(socket.count('metrics:updated')).toBe(2)
    scope.stop()
    expect(socket.count('metrics:updated')).toBe(1)
    expect(socket.count('events:batched')).toBe(0)
    expect(socket.count('connect')).toBe(0)
    expect(socket.disconnectCalls).toBe(0)
  })

  it('says offline on disconnect and resubscribes on reconnect', () => {
    const socket = new FakeSocket()
    const { live } = start(ref('640106001'), socket)
    socket.serverConnects()
    socket.subscribes[0]!.ack(null, ok)
    socket.connected = false
    socket.fire('disconnect')
    expect(live.state.value).toBe('offline')
    socket.serverConnects()
    expect(socket.subscribes).toHaveLength(2)
  })

  it('sends one subscribe at a time: a drill while one runs waits for its answer, then asks for the latest unit', async () => {
    const socket = new FakeSocket()
    const unit = ref<string | null>('640106001')
    const { live } = start(unit, socket)
    socket.serverConnects()
    unit.value = '640106001001'
    await nextTick()
    unit.value = '640106001002'
    await nextTick()
    expect(socket.subscribes).toHaveLength(1)
    socket.subscribes[0]!.ack(null, ok)
    expect(socket.subscribes.map((s) => s.request.unit)).toEqual(['640106001', '640106001002'])
    expect(live.state.value).not.toBe('live')
    socket.subscribes[1]!.ack(null, ok)
    expect(live.state.value).toBe('live')
  })

  it('connects again when the server closed the socket, and goes to the login page when the handshake is refused', () => {
    const socket = new FakeSocket()
    const onUnauthorized = vi.fn()
    const scope = effectScope()
    scopes.push(scope)
    scope.run(() =>
      useLeaderLive(ref('640106001'), { onMetrics: vi.fn(), onEvents: vi.fn(), onUnauthorized }, { socket: socket as unknown as LiveSocket }),
    )
    socket.serverConnects()
    const connects = socket.connectCalls
    socket.drop('io server disconnect')
    expect(socket.connectCalls).toBe(connects + 1)
    socket.fire('connect_error', new Error('unauthorized: log in first'))
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
    socket.fire('connect_error', new Error('xhr poll error'))
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })
})
