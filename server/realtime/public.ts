// The `/public` namespace: kiosks, no login. Nothing here reads or forwards an event: a kiosk
// watches one street or community (`stats:watch`) and gets its cached aggregate figures
// (server/public/service.ts) every push interval.
import type { FastifyInstance } from 'fastify'
import type { Namespace, Server } from 'socket.io'
import { PUBLIC_NAMESPACE, type PublicClientToServerEvents, type PublicServerToClientEvents } from '../../shared/public'
import { unitOfPublicRoom } from '../../shared/rooms'
import { broadcastFrame, type QueueCap } from './frame-broadcast'
import { registerStatsWatch } from './stats-watch'

/** How often kiosks get `stats:updated` unless told otherwise (ms). */
export const DEFAULT_PUBLIC_PUSH_MS = 15_000
/** One answer or push is a few kilobytes; a socket leaving 1 MiB unread has stopped reading. */
export const KIOSK_MAX_QUEUED_BYTES = 2 ** 20

export interface PublicNamespaceOptions {
  /** How often kiosks get `stats:updated` (ms). */
  pushIntervalMs: number
  /** Bytes a kiosk socket may leave unread before it is dropped. */
  maxQueuedBytes?: number
  /** Called after a kiosk socket was dropped for leaving too much unread. */
  dropped(): void
}

export function openPublicNamespace(app: FastifyInstance, io: Server, options: PublicNamespaceOptions): void {
  const kiosks = io.of(PUBLIC_NAMESPACE) as unknown as Namespace<PublicClientToServerEvents, PublicServerToClientEvents>
  const queueCap: QueueCap = {
    maxBytes: options.maxQueuedBytes ?? KIOSK_MAX_QUEUED_BYTES,
    dropped: (socket, queued) => {
      options.dropped()
      app.log.warn({ socket: socket.id, queuedBytes: queued }, 'public: dropped a socket that stopped reading')
    },
  }
  kiosks.on('connection', (socket) => registerStatsWatch(app, socket, queueCap))

  const timer = setInterval(async () => {
    for (const [room, sockets] of kiosks.adapter.rooms) {
      const unitId = unitOfPublicRoom(room)
      if (unitId === undefined || sockets.size === 0) continue
      const entry = await app.publicStats.get(unitId)
      broadcastFrame(kiosks as unknown as Namespace, room, 'stats:updated', entry.stats, { queueCap })
    }
  }, options.pushIntervalMs)
  timer.unref()
  app.addHook('preClose', async () => clearInterval(timer))
}
