// The public side: cached aggregate figures, and the `/public` namespace that pushes them to
// kiosks. Nothing here reads or forwards an event.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Namespace } from 'socket.io'
import {
  PUBLIC_NAMESPACE,
  type PublicClientToServerEvents,
  type PublicServerToClientEvents,
} from '../../shared/public'
import { publicRoom, unitOfPublicRoom } from '../../shared/rooms'
import { createAjv, describeValidationError } from '../validate'
import { PublicStatsService } from '../public/service'
import { PublicStatsQuerySchema } from '../../shared/schemas/activities'
import { publicUnit } from '../routes/public/index'
import { broadcastFrame, dropIfOverCap, type QueueCap } from '../realtime/frame-broadcast'
import { tokenBucket } from '../realtime/token-bucket'

export interface PublicOptions {
  /** Counts under this, at community level, are shown as "<threshold>". */
  threshold: number
  /** How often kiosks get `stats:updated` (ms). */
  pushIntervalMs?: number
  /** Bytes a kiosk socket may leave unread before it is dropped. */
  maxQueuedBytes?: number
}

/**
 * `/public` needs no login, so whoever can reach the server can open its sockets. A kiosk watches
 * one unit at start and again after a reconnect or a failed watch: a burst of 3, then one every
 * 5 s. One answer or push is a few kilobytes; a socket leaving 1 MiB unread has stopped reading.
 */
const WATCH_BURST = 3
const WATCH_REFILL_MS = 5_000
const KIOSK_MAX_QUEUED_BYTES = 2 ** 20

declare module 'fastify' {
  interface FastifyInstance {
    publicStats: PublicStatsService
  }
}

const validateWatch = createAjv(false).compile(PublicStatsQuerySchema)

async function publicSide(app: FastifyInstance, options: PublicOptions) {
  const interval = options.pushIntervalMs ?? 15_000
  const service = new PublicStatsService({
    store: app.store,
    geography: app.geography,
    rollups: app.metrics.rollups,
    now: app.now,
    threshold: options.threshold,
    // A little under the push interval, so each push carries fresh figures.
    maxAgeMs: Math.min(10_000, interval * 0.9),
  })
  app.decorate('publicStats', service)
  if (!app.hasDecorator('io')) return

  const kiosks = app.io.of(PUBLIC_NAMESPACE) as unknown as Namespace<PublicClientToServerEvents, PublicServerToClientEvents>
  const queueCap: QueueCap = {
    maxBytes: options.maxQueuedBytes ?? KIOSK_MAX_QUEUED_BYTES,
    dropped: (socket, queued) => {
      app.liveStats.slowSocketsDropped++
      app.log.warn({ socket: socket.id, queuedBytes: queued }, 'public: dropped a socket that stopped reading')
    },
  }
  kiosks.on('connection', (socket) => {
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
        answer({ ok: true, data: (await service.get(unitId)).stats })
      } catch (error) {
        answer({ ok: false, error: error instanceof Error ? error.message : 'failed' })
      }
    })
  })

  const timer = setInterval(async () => {
    for (const [room, sockets] of kiosks.adapter.rooms) {
      const unitId = unitOfPublicRoom(room)
      if (unitId === undefined || sockets.size === 0) continue
      const entry = await service.get(unitId)
      broadcastFrame(kiosks as unknown as Namespace, room, 'stats:updated', entry.stats, { queueCap })
    }
  }, interval)
  timer.unref()
  app.addHook('preClose', async () => clearInterval(timer))
}

export default fp(publicSide, { name: 'public', dependencies: ['context', 'metrics'] })
