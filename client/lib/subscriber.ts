// The one subscribe routine of the `/live` socket's users (the wall's stream, the leader page):
// one `scope:subscribe` at a time (the server refuses a second while one runs), an ack timeout,
// a retry after a failure, and replies from a lost connection ignored.
import type { Ack, SubscribeReply, SubscribeRequest } from '../../shared/events'
import type { LiveSocket } from '../socket'

export const ACK_TIMEOUT_MS = 10_000

export interface SubscriberOptions {
  socket: Pick<LiveSocket, 'timeout'>
  /** What to ask for now; null when there is nothing to subscribe to (no unit, no connection). */
  request: () => SubscribeRequest | null
  /** The subscribe is sent (batches that arrive meanwhile belong after its reply). */
  onSend?: (request: SubscribeRequest) => void
  onReply: (request: SubscribeRequest, data: SubscribeReply) => void
  /** No answer in time (`refusal` undefined) or the server's refusal; a retry follows in `retryMs`. */
  onFailure: (refusal?: string) => void
  retryMs: number
  ackTimeoutMs?: number
}

export interface Subscriber {
  /** Subscribe now, or once the subscribe in flight has answered (then for what `request` says then). */
  subscribe(): void
  /** The connection is lost: forget what is in flight and any retry. */
  reset(): void
  dispose(): void
}

export function createSubscriber(options: SubscriberOptions): Subscriber {
  let attempt = 0
  let inFlight = false
  /** Asked again while one was in flight: subscribe once more when it answers. */
  let again = false
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let disposed = false

  function subscribe(): void {
    clearTimeout(retryTimer)
    const request = options.request()
    if (request === null) return
    if (inFlight) {
      again = true
      return
    }
    const thisAttempt = ++attempt
    inFlight = true
    options.onSend?.(request)
    options.socket.timeout(options.ackTimeoutMs ?? ACK_TIMEOUT_MS).emit('scope:subscribe', request, (err: Error | null, reply: Ack<SubscribeReply>) => {
      if (disposed || thisAttempt !== attempt) return // belongs to a connection already lost
      inFlight = false
      if (again) {
        again = false
        subscribe()
        return
      }
      if (err || !reply.ok) {
        options.onFailure(err ? undefined : reply.ok ? undefined : reply.error)
        retryTimer = setTimeout(() => {
          if (!disposed) subscribe()
        }, options.retryMs)
        return
      }
      options.onReply(request, reply.data)
    })
  }

  return {
    subscribe,
    reset() {
      attempt++ // a reply still in flight belongs to the old connection
      inFlight = false
      again = false
      clearTimeout(retryTimer)
    },
    dispose() {
      disposed = true
      clearTimeout(retryTimer)
    },
  }
}
