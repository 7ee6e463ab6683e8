// `stats:watch`: a kiosk joins one street's or community's public room and gets its figures now;
// the pushes that follow come from the namespace's timer (./public.ts).
//
// `/public` needs no login, so whoever can reach the server can open its sockets: a kiosk watches
// one unit at start and again after a reconnect or a failed watch, so a socket gets a burst of 3
// watches, then one every 5 s, and one that has left too much unread is dropped first.
import type { FastifyInstance } from 'fastify'
import type { Socket } from 'socket.io'
import type { PublicClientToServerEvents, PublicServerToClientEvents } from '../../shared/public'
import { publicRoom, unitOfPublicRoom } from '../../shared/rooms'
import { PublicStatsQuerySchema } from '../../shared/schemas/activities'
import { createAjv, describeValidationError } from '../validate'
import { publicUnit } from '../public/units'
import { dropIfOverCap, type QueueCap } from './frame-broadcast'
import { tokenBucket } from './token-bucket'

export type KioskSocket = Socket<PublicClientToServerEvents, PublicServerToClientEvents>

const WATCH_BURST = 3
const WATCH_REFILL_MS = 5_000

const validateWatch = createAjv(false).compile(PublicStatsQuerySchema)

export function registerStatsWatch(app: FastifyInstance, socket: KioskSocket, queueCap: QueueCap): void {
  const takeToken = tokenBucket(WATCH_BURST, WATCH_REFILL_MS)
  socket.on('stats:watch', async (request, ack) => {
    const answer = typeof ack === 'function' ? ack : () => {}
    if (dropIfOverCap(socket, queueCap)) return
    const wait = takeToken()
    if (wait > 0) {
      answer({ ok: false, error: `too many watches: retry in ${wait} s` })
      return
    }
    try {
      if (!validateWatch(request)) {
        answer({ ok: false, error: describeValidationError('stats:watch', validateWatch.errors![0]!).message })
        return
      }
      const unitId = publicUnit(app.geography, request.unit, 'unit')
      for (const room of socket.rooms) if (unitOfPublicRoom(room) !== undefined) await socket.leave(room)
      await socket.join(publicRoom(unitId))
      answer({ ok: true, data: (await app.publicStats.get(unitId)).stats })
    } catch (error) {
      answer({ ok: false, error: error instanceof Error ? error.message : 'failed' })
    }
  })
}
