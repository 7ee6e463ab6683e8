import { onScopeDispose, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { EventBatch, MetricsUpdate, SubscribeReply, SubscribeRequest } from '../../shared/events'
import { createSubscriber } from '../lib/subscriber'
import { SERVER_CLOSED, createLiveSocket, isSessionRefused, type LiveSocket } from '../socket'

const RETRY_MS = 5_000

export type LeaderLiveState = 'connecting' | 'live' | 'offline'

export interface LeaderLiveHandlers {
  /** Today's figures of the subscribed unit (only that unit's updates are passed on). */
  onMetrics: (update: MetricsUpdate) => void
  /** Something happened in the unit: the page refetches its lists (throttled). */
  onEvents: (batch: EventBatch) => void
  /** The server refused the socket for want of a valid session: someone has to log in again. */
  onUnauthorized?: () => void
}

/**
 * The leader page's own socket, subscribed to the unit on screen: on connect and on every drill.
 * The page needs no event state, only to know that something changed and the pushed figures, so
 * the subscription's snapshot is ignored. Removes only its own handlers when its scope is disposed.
 */
export function useLeaderLive(unit: MaybeRefOrGetter<string | null>, handlers: LeaderLiveHandlers, options: { socket?: LiveSocket } = {}) {
  const ownsSocket = options.socket === undefined
  const socket = options.socket ?? createLiveSocket()
  const state = ref<LeaderLiveState>('connecting')
  let subscribed: string | null = null
  let disposed = false

  // One subscribe at a time (the server refuses a second while one runs): a drill meanwhile waits.
  const subscriber = createSubscriber<SubscribeRequest, SubscribeReply>({
    send: (ms, request, ack) => socket.timeout(ms).emit('scope:subscribe', request, ack),
    retryMs: RETRY_MS,
    request: () => {
      const target = toValue(unit)
      return target && socket.connected ? { unit: target } : null
    },
    onSend: () => {
      subscribed = null
    },
    onFailure: () => {
      state.value = 'offline'
    },
    onReply: (request) => {
      subscribed = request.unit
      state.value = 'live'
    },
  })
  const subscribe = (): void => subscriber.subscribe()

  const onConnect = (): void => subscribe()
  const onDisconnect = (reason?: string): void => {
    subscriber.reset()
    subscribed = null
    state.value = 'offline'
    // The server closed it (the session ended?): the next handshake says.
    if (reason === SERVER_CLOSED && !disposed) socket.connect()
  }
  const onConnectError = (err?: Error): void => {
    if (!socket.connected) state.value = 'offline'
    if (err && isSessionRefused(err)) handlers.onUnauthorized?.()
  }
  const onMetrics = (update: MetricsUpdate): void => {
    if (update.unit === toValue(unit) && subscribed === update.unit) handlers.onMetrics(update)
  }
  const onBatch = (batch: EventBatch): void => {
    if (subscribed !== null && subscribed === toValue(unit)) handlers.onEvents(batch)
  }

  socket.on('connect', onConnect)
  socket.on('disconnect', onDisconnect)
  socket.on('connect_error', onConnectError)
  socket.on('metrics:updated', onMetrics)
  socket.on('events:batched', onBatch)

  const stopWatch = watch(
    () => toValue(unit),
    () => subscribe(),
  )

  if (socket.connected) subscribe()
  else socket.connect()

  onScopeDispose(() => {
    disposed = true
    stopWatch()
    subscriber.dispose()
    socket.off('connect', onConnect)
    socket.off('disconnect', onDisconnect)
    socket.off('connect_error', onConnectError)
    socket.off('metrics:updated', onMetrics)
    socket.off('events:batched', onBatch)
    if (ownsSocket) socket.disconnect()
  })

  return { socket, state }
}
