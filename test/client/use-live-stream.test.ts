import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { useLiveStream } from '../../client/composables/use-live-stream'
import type { LiveSocket } from '../../client/socket'
import { useLiveStore } from '../../client/stores/live'
import { openRequest, received, snapshot, transitioned } from '../fixtures/live-fixtures'
import { FakeLiveSocket } from '../fixtures/fake-live-socket'

class FakeSocket extends FakeLiveSocket {}

const owned = vi.hoisted(() => ({ socket: null as unknown }))
vi.mock('../../client/socket', async (actual) => ({ ...(await actual<object>()), createLiveSocket: () => owned.socket }))

const asSocket = (s: FakeSocket) => s as unknown as LiveSocket

describe('useLiveStream', () => {
  let socket: FakeSocket

  beforeEach(() => {
    setActivePinia(createPinia())
    socket = new FakeSocket()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  function start(unit: string | ReturnType<typeof ref<string>> = '640106', options = {}) {
    const scope = effectScope()
    const result = scope.run(() => useLiveStream(unit as string, { socket: asSocket(socket), ...options }))!
    return { scope, ...result }
  }

  it('subscribes on connect without sinceSeq and applies the snapshot', () => {
    const { store } = start()
    expect(socket.connectCalls).toBe(1)
    expect(store.connection).toBe('connecting')
    expect(socket.subscribes).toHaveLength(0)

    socket.open()
    expect(socket.lastSubscribe().request).toEqual({ unit: '640106' })
    socket.lastSubscribe().ack(null, { ok: true, data: { seq: 20, snapshot: snapshot({ requests: [openRequest('r1')] }) } })
    expect(store.seq).toBe(20)
    expect(store.openRequests.has('r1')).toBe(true)
    expect(store.connection).toBe('live')

    socket.batch({ seq: 22, events: [received(21, 'r2'), transitioned(22, 'r1', 'resolved')] })
    expect([...store.openRequests.keys()]).toEqual(['r2'])
    expect(store.seq).toBe(22)
  })

  it('on reconnect resyncs from the last seq, ignoring duplicates, or takes a fresh snapshot', () => {
    const { store } = start()
    socket.open()
    socket.lastSubscribe().ack(null, { ok: true, data: { seq: 10, snapshot: snapshot() } })
    socket.batch({ seq: 11, events: [received(11, 'r1')] })

    socket.drop()
    expect(store.connection).toBe('offline')
    socket.open()
    expect(socket.lastSubscribe().request).toEqual({ unit: '640106', sinceSeq: 11 })
    socket.lastSubscribe().ack(null, { ok: true, data: { seq: 30, events: [received(11, 'r1'), transitioned(12, 'r1', 'dispatched'), received(25, 'r2')] } })
    expect(store.openRequests.get('r1')?.stage).toBe('dispatched')
    expect(store.openRequests.has('r2')).toBe(true)
    expect(store.seq).toBe(30)
    expect(store.recent.map((e) => e.seq)).toEqual([25, 12, 11])
    expect(store.connection).toBe('live')

    socket.drop()
    socket.open()
    expect(socket.lastSubscribe().request).toEqual({ unit: '640106', sinceSeq: 30 })
    socket.lastSubscribe().ack(null, { ok: true, data: { seq: 900, snapshot: snapshot({ requests: [openRequest('r9')] }) } })
    expect([...store.openRequests.keys()]).toEqual(['r9'])
    expect(store.seq).toBe(900)
  })

  it('holds batches that arrive before the subscribe reply and applies the newer ones after it', () => {
    const { store } = start()
    socket.open()
    socket.batch({ seq: 5, events: [received(5, 'old')] })
    socket.batch({ seq: 12, events: [received(12, 'new')] })
    expect(store.openRequests.size).toBe(0)

    socket.lastSubscribe().ack(null, { ok: true, data: { seq: 10, snapshot: snapshot({ requests: [openRequest('snap')] }) } })
    expect([...store.openRequests.keys()].sort()).toEqual(['new', 'snap'])
    expect(store.seq).toBe(12)
  })

  it('ignores a reply that belongs to a connection already lost', () => {
    const { store } = start()
    socket.open()
    const stale = socket.lastSubscribe()
    socket.drop()
    socket.open()
    stale.ack(null, { ok: true, data: { seq: 50, snapshot: snapshot({ requests: [openRequest('lost')] }) } })
    expect(store.seq).toBe(0)
    expect(store.openRequests.size).toBe(0)
    socket.lastSubscribe().ack(null, { ok: true, data: { seq: 51, snapshot: snapshot() } })
    expect(store.seq).toBe(51)
  })

  it('marks the stream stale after 30 s of silence and live again on the next batch', () => {
    vi.useFakeTimers()
    const { store } = start()
    socket.open()
    socket.lastSubscribe().ack(null, { ok: true, data: { seq: 1, snapshot: snapshot() } })
    vi.advanceTimersByTime(29_000)
    expect(store.connection).toBe('live')
    vi.advanceTimersByTime(2_500)
    expect(store.connection).toBe('stale')
    socket.batch({ seq: 2, events: [received(2, 'r1')] })
    expect(store.connection).toBe('live')
  })

  it('retries the subscribe after a refused or timed-out reply', () => {
    vi.useFakeTimers()
    const { store, error } = start()
    socket.open()
    socket.lastSubscribe().ack(null, { ok: false, error: 'unknown unit' })
    expect(error.value).toBe('unknown unit')
    expect(store.seq).toBe(0)
    vi.advanceTimersByTime(2_000)
    expect(socket.subscribes).toHaveLength(2)
    socket.lastSubscribe().ack(new Error('operation has timed out'), undefined as never)
    vi.advanceTimersByTime(2_000)
    expect(socket.subscribes).toHaveLength(3)
    socket.lastSubscribe().ack(null, { ok: true, data: { seq: 3, snapshot: snapshot() } })
    expect(error.value).toBeNull()
    expect(store.connection).toBe('live')
  })

  it('starts again from a snapshot when the unit changes', () => {
    const unit = ref('640106')
    start(unit)
    socket.open()
    socket.lastSubscribe().ack(null, { ok: true, data: { seq: 10, snapshot: snapshot() } })
    unit.value = '640106001'
    return Promise.resolve().then(() => {
      expect(socket.lastSubscribe().request).toEqual({ unit: '640106001' })
    })
  })

  it('sends one subscribe at a time: a unit change while one runs waits for its answer, then asks for the latest unit', () => {
    const unit = ref('640106')
    const { store } = start(unit)
    socket.open()
    expect(socket.subscribes).toHaveLength(1)
    unit.value = '640106001'
    return Promise.resolve()
      .then(() => {
        unit.value = '640106002'
      })
      .then(() => {
        // the server refuses a second subscribe while the first runs: none is sent yet
        expect(socket.subscribes).toHaveLength(1)
        socket.subscribes[0]!.ack(null, { ok: true, data: { seq: 10, snapshot: snapshot() } })
        expect(socket.subscribes).toHaveLength(2)
        expect(socket.lastSubscribe().request).toEqual({ unit: '640106002' })
        // the answer for the unit no longer shown is not applied
        expect(store.seq).toBe(0)
        socket.lastSubscribe().ack(null, { ok: true, data: { seq: 12, snapshot: snapshot() } })
        expect(store.seq).toBe(12)
        expect(store.connection).toBe('live')
      })
  })

  it('connects again when the server closed the socket (socket.io does not), but not after an ordinary drop', () => {
    start()
    socket.open()
    const connects = socket.connectCalls
    socket.drop('transport close')
    expect(socket.connectCalls).toBe(connects)
    socket.open()
    socket.drop('io server disconnect')
    expect(socket.connectCalls).toBe(connects + 1)
  })

  it('subscribes at once on a socket that is already connected', () => {
    socket.connected = true
    start()
    expect(socket.connectCalls).toBe(0)
    expect(socket.subscribes).toHaveLength(1)
  })

  it('on dispose removes only its own handlers and leaves a borrowed socket connected', () => {
    const other = () => {}
    socket.on('events:batched', other)
    socket.on('connect', other)
    const { scope } = start()
    expect(socket.count('events:batched')).toBe(2)
    scope.stop()
    expect(socket.count('events:batched')).toBe(1)
    expect(socket.count('connect')).toBe(1)
    expect(socket.count('disconnect')).toBe(0)
    expect(socket.disconnectCalls).toBe(0)

    // Nothing reaches the store any more.
    const store = useLiveStore()
    socket.open()
    expect(socket.subscribes).toHaveLength(0)
    socket.batch({ seq: 1, events: [received(1, 'r1')] })
    expect(store.seq).toBe(0)
  })

  it('creates, connects and on dispose disconnects its own socket when given none', () => {
    owned.socket = socket
    const scope = effectScope()
    scope.run(() => useLiveStream('640106'))
    expect(socket.connectCalls).toBe(1)
    scope.stop()
    expect(socket.disconnectCalls).toBe(1)
    expect(socket.count('connect')).toBe(0)
  })
})
