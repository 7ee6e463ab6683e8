// The one subscribe routine of the client's sockets (the wall's stream and the leader page on
// `/live` with `scope:subscribe`, the kiosk on `/public` with `stats:watch`): one subscribe at a
// time (the server refuses a second while one runs), an ack timeout, a retry after a failure, and
// replies from a lost connection ignored.
import type { Ack } from '../../shared/events'

export const ACK_TIMEOUT_MS = 10_000

export type AckFn<Data> = (err: Error | null, reply: Ack<Data>) => void

export interface SubscriberOptions<Request, Data> {
  /** Emits the subscribe with an ack timeout: `socket.timeout(ms).emit(event, request, ack)`. */
  send: (ackTimeoutMs: number, request: Request, ack: AckFn<Data>) => void
  /** What to ask for now; null when there is nothing to subscribe to (no unit, no connection). */
  request: () => Request | null
  /** The subscribe is sent (batches that arrive meanwhile belong after its reply). */
  onSend?: (request: Request) => void
  onReply: (request: Request, data: Data) => void
  /** No answer in time (`refusal` undefined) or the server's refusal. */
  onFailure: (refusal?: string) => void
  /** How long after a failure to subscribe again; without it, the caller decides when. */
  retryMs?: number
  ackTimeoutMs?: number
}

export interface Subscriber {
  /** Subscribe now, or once the subscribe in flight has answered (then for what `request` says then). */
  subscribe(): void
  /** The connection is lost: forget what is in flight and any retry. */
  reset(): void
  dispose(): void
}

export function createSubscriber<Request, Data>(options: SubscriberOptions<Request, Data>): Subscriber {
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
    options.send(options.ackTimeoutMs ?? ACK_TIMEOUT_MS, request, (err, reply) => {
      if (disposed || thisAttempt !== attempt) return // belongs to a connection already lost
      inFlight = false
      if (again) {
        again = false
        subscribe()
        return
      }
      if (err || !reply.ok) {
        options.onFailure(err ? undefined : reply.ok ? undefined : reply.error)
        if (options.retryMs !== undefined) {
          retryTimer = setTimeout(() => {
            if (!disposed) subscribe()
          }, options.retryMs)
        }
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
