// `scope:subscribe`: join the unit's room, then answer from the store. Joining first means no
// event can fall between the answer and the first batch; a batch may repeat events the answer
// already holds, which the client drops by seq.
//
// Each answer is a store read and up to a few megabytes sent, so a socket gets one subscribe at a
// time and a small budget of them (a token bucket: a burst, then one more every so often), and a
// socket whose earlier answers and batches still wait unread past the queue cap is dropped before
// any more work is done for it. A replay is bounded by events and by bytes; past either, the
// client gets a snapshot, which is the cheaper answer to a large gap anyway.
import type { FastifyInstance } from 'fastify'
import type { Socket } from 'socket.io'
import {
  type Ack,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
  type SubscribeReply,
} from '../../shared/events'
import { unitRoom } from '../../shared/rooms'
import { SubscribeRequestSchema } from '../../shared/schemas/live'
import { createAjv, describeValidationError } from '../validate'
import { canSee } from '../auth/scope'
import { dropIfOverCap, type QueueCap } from './frame-broadcast'
import { tokenBucket } from './token-bucket'

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

const validate = createAjv(false).compile(SubscribeRequestSchema)

/**
 * A page's subscribe, its resync after a reconnect and a few scene changes in a row. A socket's
 * reconnect is a new socket with a full budget.
 */
export const DEFAULT_SUBSCRIBE_BURST = 5
/**
 * One more every 2 s (five per 10 s): a wall's rotation (at least 10 s a scene) never waits, and the
 * clients' retry 2 s after a refusal finds one back.
 */
export const DEFAULT_SUBSCRIBE_REFILL_MS = 2_000

export interface SubscribeBounds {
  /** Largest gap replayed event by event. */
  replayLimit: number
  /** Largest replay in bytes of JSON. */
  replayBytes: number
  /** Subscribes a socket may make in a row. */
  burst: number
  /** Milliseconds for one more to come back to its budget. */
  refillMs: number
  queueCap: QueueCap
  /** Called for each subscribe refused by the bounds. */
  refused(): void
}

export function registerSubscribe(app: FastifyInstance, socket: LiveSocket, bounds: SubscribeBounds): void {
  let running = false
  const takeToken = tokenBucket(bounds.burst, bounds.refillMs)

  socket.on('scope:subscribe', async (request, ack) => {
    const reply = (answer: Ack<SubscribeReply>) => {
      if (typeof ack === 'function') ack(answer)
    }
    if (dropIfOverCap(socket, bounds.queueCap)) return
    if (running) {
      bounds.refused()
      reply({ ok: false, error: 'one subscribe at a time: the last one has not been answered yet' })
      return
    }
    const wait = takeToken()
    if (wait > 0) {
      bounds.refused()
      reply({ ok: false, error: `too many subscribes: retry in ${wait} s` })
      return
    }
    running = true
    try {
      if (!validate(request)) {
        reply({ ok: false, error: describeValidationError('scope:subscribe', validate.errors![0]!).message })
        return
      }
      const unit = app.geography.ref(request.unit)
      if (!unit) {
        reply({ ok: false, error: `unknown unit ${request.unit}` })
        return
      }
      // The session may have ended since the handshake (logout, new password, expiry).
      const session = socket.data.sessionToken ? await app.auth.session(socket.data.sessionToken, app.now(), app.sessionTtlMs) : undefined
      if (!session) {
        reply({ ok: false, error: 'session expired: log in again' })
        socket.disconnect(true)
        return
      }
      if (!canSee(app.geography, session.user, unit.id)) {
        reply({ ok: false, error: `unit ${unit.id} is outside your scope` })
        return
      }
      if (socket.data.unit && socket.data.unit !== unit.id) await socket.leave(unitRoom(socket.data.unit))
      socket.data.unit = unit.id
      await socket.join(unitRoom(unit.id))
      if (request.sinceSeq !== undefined) {
        const replay = await app.store.eventsAfter(unit, request.sinceSeq, bounds.replayLimit, bounds.replayBytes)
        if (replay) {
          reply({ ok: true, data: replay })
          return
        }
      }
      reply({ ok: true, data: await app.store.snapshot(unit) })
    } catch (error) {
      app.log.error({ err: error }, 'scope:subscribe failed')
      reply({ ok: false, error: 'subscription failed' })
    } finally {
      running = false
    }
  })
}
