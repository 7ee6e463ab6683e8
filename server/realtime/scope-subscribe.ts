// `scope:subscribe`: join the unit's room, then answer from the store. Joining first means no
// event can fall between the answer and the first batch; a batch may repeat events the answer
// already holds, which the client drops by seq.
import type { FastifyInstance } from 'fastify'
import type { Socket } from 'socket.io'
import {
  unitRoom,
  type Ack,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
  type SubscribeReply,
} from '../../shared/events'
import { SubscribeRequestSchema } from '../../shared/schemas/live'
import { createAjv, describeValidationError } from '../plugins/validation'
import { canSee } from '../auth/scope'

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

const validate = createAjv(false).compile(SubscribeRequestSchema)

export function registerSubscribe(app: FastifyInstance, socket: LiveSocket, options: { replayLimit: number }): void {
  socket.on('scope:subscribe', async (request, ack) => {
    const reply = (answer: Ack<SubscribeReply>) => {
      if (typeof ack === 'function') ack(answer)
    }
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
      const session = socket.data.sessionToken ? app.auth.session(socket.data.sessionToken, app.now(), app.sessionTtlMs) : undefined
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
        const replay = await app.store.eventsAfter(unit, request.sinceSeq, options.replayLimit)
        if (replay) {
          reply({ ok: true, data: replay })
          return
        }
      }
      reply({ ok: true, data: await app.store.snapshot(unit) })
    } catch (error) {
      app.log.error({ err: error }, 'scope:subscribe failed')
      reply({ ok: false, error: 'subscription failed' })
    }
  })
}
