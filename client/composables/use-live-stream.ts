import { onScopeDispose, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { EventBatch, SubscribeReply, SubscribeRequest } from '../../shared/events'
import { createSubscriber } from '../lib/subscriber'
import { SERVER_CLOSED, createLiveSocket, type LiveSocket } from '../socket'
import { useLiveStore, type LiveStore } from '../stores/live'

export const STALE_AFTER_MS = 30_000
const RETRY_MS = 2_000

export interface LiveStreamOptions {
  /** A socket to use (not disconnected on dispose); without it the stream creates and owns one. */
  socket?: LiveSocket
  store?: LiveStore
  staleAfterMs?: number
  /** How often the stale check runs. */
  checkEveryMs?: number
}

/**
 * Keeps the live store in step with one scope: subscribes on connect (snapshot), resyncs on
 * reconnect from the last applied seq (missed events, or a fresh snapshot when the server finds the
 * gap too large), applies batches, and tracks the connection state. Removes only its own handlers
 * when its effect scope is disposed.
 */
export function useLiveStream(unit: MaybeRefOrGetter<string>, options: LiveStreamOptions = {}) {
  const store = options.store ?? useLiveStore()
  const ownsSocket = options.socket === undefined
  const socket = options.socket ?? createLiveSocket()
  const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS
  const error = ref<string | null>(null)

  /** The unit whose state the store holds; a resync is only valid for the same unit. */
  let syncedUnit: string | null = null
  /** Batches that arrive while a subscribe is in flight, applied after its reply. */
  let buffered: EventBatch[] | null = null
  let disposed = false

  // A change of unit while a subscribe runs waits for its answer, then subscribes for the latest unit.
  const subscriber = createSubscriber<SubscribeRequest, SubscribeReply>({
    send: (ms, request, ack) => socket.timeout(ms).emit('scope:subscribe', request, ack),
    retryMs: RETRY_MS,
    request: () => {
      if (!socket.connected) return null
      const target = toValue(unit)
      return syncedUnit === target ? { unit: target, sinceSeq: store.seq } : { unit: target }
    },
    onSend: () => {
      buffered = []
      if (store.connection !== 'live' && store.connection !== 'stale') store.setConnection('connecting')
    },
    onFailure: (refusal) => {
      buffered = null
      if (refusal !== undefined) error.value = refusal
    },
    onReply: (request, data) => {
      const held = buffered ?? []
      buffered = null
      error.value = null
      if ('snapshot' in data) store.applySnapshot(data.seq, data.snapshot)
      else store.applyEvents(data.events, data.seq)
      syncedUnit = request.unit
      for (const batch of held) store.applyEvents(batch.events, batch.seq)
      store.setConnection('live')
    },
  })
  const subscribe = (): void => subscriber.subscribe()

  const onConnect = (): void => subscribe()

  const onDisconnect = (reason?: string): void => {
    subscriber.reset()
    buffered = null
    store.setConnection('offline')
    // socket.io reconnects by itself except when the server closed the socket (its session ended):
    // connect again, and the handshake says whether the session is gone (connect_error) or not.
    if (reason === SERVER_CLOSED && !disposed) socket.connect()
  }

  const onConnectError = (): void => {
    if (!socket.connected) store.setConnection('offline')
  }

  const onBatch = (batch: EventBatch): void => {
    if (buffered) {
      buffered.push(batch)
      return
    }
    if (syncedUnit === null) return // from before any snapshot: the subscribe will cover it
    store.applyEvents(batch.events, batch.seq)
    if (store.connection === 'stale') store.setConnection('live')
  }

  const staleTimer = setInterval(() => {
    if (store.connection !== 'live') return
    const last = store.lastEventAt
    if (last !== null && Date.now() - last > staleAfterMs) store.setConnection('stale')
  }, options.checkEveryMs ?? 1_000)

  socket.on('connect', onConnect)
  socket.on('disconnect', onDisconnect)
  socket.on('connect_error', onConnectError)
  socket.on('events:batched', onBatch)

  // A different unit is a different scope: start again from a snapshot.
  const stopWatch = watch(
    () => toValue(unit),
    () => {
      if (socket.connected) subscribe()
    },
  )

  if (socket.connected) subscribe()
  else {
    store.setConnection('connecting')
    socket.connect()
  }

  onScopeDispose(() => {
    disposed = true
    stopWatch()
    clearInterval(staleTimer)
    subscriber.dispose()
    socket.off('connect', onConnect)
    socket.off('disconnect', onDisconnect)
    socket.off('connect_error', onConnectError)
    socket.off('events:batched', onBatch)
    if (ownsSocket) socket.disconnect()
  })

  return { socket, store, error }
}
