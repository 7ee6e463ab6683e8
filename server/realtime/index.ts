// Socket.IO on Fastify's own HTTP server: the `/live` namespace (a session's sockets, one scope
// each: `scope:subscribe`) and the `/public` namespace (kiosks: `stats:watch`). One file per event.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Server, type Namespace } from 'socket.io'
import {
  LIVE_NAMESPACE,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from '../../shared/events'
import type { LiveOptions } from '../live/index'
import type { QueueCap } from './frame-broadcast'
import { encodeWithoutBinaryScan } from './json-encoder'
import { DEFAULT_SUBSCRIBE_BURST, DEFAULT_SUBSCRIBE_REFILL_MS, registerSubscribe, type SubscribeBounds } from './scope-subscribe'
import { watchSessions } from './session-watch'
import { openPublicNamespace } from './public'

export type LiveNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

/**
 * What a socket may leave unread before it is dropped. A district wall at 5,000 events/s receives
 * about 0.75 MB/s; one that keeps up leaves nothing here (the kernel's socket buffers take its
 * pauses), and walls in Chromium on a starved two-core machine that fell seconds behind and caught
 * up left at most 3.5 MB (test/bench/diagnostics/live-queue.ts). This is twice that and more,
 * ~11 s of that stream unread.
 */
export const DEFAULT_MAX_QUEUED_BYTES = 8 * 2 ** 20
/**
 * 10,000 events are 1.6–2.3 MB of JSON (pings ~160 bytes, requests ~230): the count binds first,
 * and this stops replays of events near their fields' limits (~400 bytes), half the queue cap.
 */
export const DEFAULT_REPLAY_BYTES = 4 * 2 ** 20

/** The sockets' bounds here, and the live bus's and figures push's (server/live) with them. */
export interface RealtimeOptions extends LiveOptions {
  /** Largest gap a resubscribe replays event by event; past it the client gets a snapshot. */
  replayLimit?: number
  /** Largest replay in bytes of JSON; past it, too, a snapshot. Well under `maxQueuedBytes`. */
  replayBytes?: number
  /** Subscribes a socket may make in a row (a subscribe, a resync, scene changes). */
  subscribeBurst?: number
  /** Milliseconds for one more subscribe to come back to a socket's budget. */
  subscribeRefillMs?: number
  /** Bytes a socket may leave unread (TCP and Engine.IO buffers) before it is dropped. */
  maxQueuedBytes?: number
}

export interface RealtimePluginOptions extends RealtimeOptions {
  /** The `/public` namespace's push interval and queue cap. */
  kiosks: { pushIntervalMs: number; maxQueuedBytes?: number }
}

declare module 'fastify' {
  interface FastifyInstance {
    io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>
    liveStats: LiveStats
    /** The `/live` namespace and its queue cap, for server/live's bus and figures push. */
    liveSockets: { namespace: LiveNamespace; queueCap: QueueCap }
  }
}

/** Counters of the socket bounds since start. */
export interface LiveStats {
  /** Sockets dropped for leaving more than `maxQueuedBytes` unread. */
  slowSocketsDropped: number
  /** Subscribes refused: one already running, or past the socket's budget. */
  subscribesRefused: number
}

async function realtime(app: FastifyInstance, options: RealtimePluginOptions) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(app.server, {
    serveClient: false,
    // Batches are small JSON arrays sent to many sockets: deflating each copy costs more CPU than it saves.
    perMessageDeflate: false,
    cors: { origin: false },
  })
  encodeWithoutBinaryScan(io.encoder, ['events:batched', 'metrics:updated'])
  const live: LiveNamespace = io.of(LIVE_NAMESPACE)
  const stats: LiveStats = { slowSocketsDropped: 0, subscribesRefused: 0 }
  const queueCap: QueueCap = {
    maxBytes: options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
    dropped(socket, queued) {
      stats.slowSocketsDropped++
      app.log.warn({ socket: socket.id, user: (socket.data as SocketData).user?.username, queuedBytes: queued }, 'live: dropped a socket that stopped reading')
    },
  }
  const bounds: SubscribeBounds = {
    replayLimit: options.replayLimit ?? 10_000,
    replayBytes: options.replayBytes ?? DEFAULT_REPLAY_BYTES,
    burst: options.subscribeBurst ?? DEFAULT_SUBSCRIBE_BURST,
    refillMs: options.subscribeRefillMs ?? DEFAULT_SUBSCRIBE_REFILL_MS,
    queueCap,
    refused: () => void stats.subscribesRefused++,
  }
  live.use(app.refuseForeignOrigin)
  // The same session as the REST routes: no valid cookie, no connection.
  live.use((socket, next) => {
    app.sessionOf(socket.request.headers.cookie).then(
      (session) => {
        if (!session) {
          next(new Error('unauthorized: log in first'))
          return
        }
        socket.data.user = { username: session.user.username, role: session.user.role, unit: session.user.unit }
        socket.data.sessionToken = session.token
        next()
      },
      (error: Error) => {
        app.log.error({ err: error }, 'socket handshake: the session check failed')
        next(new Error('the session could not be checked: try again'))
      },
    )
  })

  live.on('connection', (socket) => {
    registerSubscribe(app, socket, bounds)
  })
  watchSessions(app, live)
  openPublicNamespace(app, io as unknown as Server, { ...options.kiosks, dropped: () => void stats.slowSocketsDropped++ })

  app.decorate('io', io)
  app.decorate('liveStats', stats)
  app.decorate('liveSockets', { namespace: live, queueCap })

  app.addHook('preClose', async () => {
    io.local.disconnectSockets(true)
  })
  app.addHook('onClose', async () => {
    await new Promise<void>((resolve) => {
      io.close(() => resolve())
    })
  })
}

export default fp(realtime, { name: 'realtime', dependencies: ['context', 'auth', 'origin', 'public'] })
