// Socket.IO on Fastify's own HTTP server: the `/live` namespace with one scope per socket.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Server, type Namespace } from 'socket.io'
import {
  LIVE_NAMESPACE,
  unitOfRoom,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from '../../shared/events'
import { DEFAULT_TICK_MS, LiveBus } from '../live/bus'
import { broadcastFrame } from './frame-broadcast'
import { encodeWithoutBinaryScan } from './json-encoder'
import { registerSubscribe } from './scope-subscribe'
import { watchSessions } from './session-watch'

export type LiveNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

export interface RealtimeOptions {
  /** Hold of a live batch under load (ms); see server/live/bus.ts. */
  tickMs?: number
  /** Hold of a live batch while the stream is light (ms). */
  quietTickMs?: number
  /** Largest gap a resubscribe replays event by event; past it the client gets a snapshot. */
  replayLimit?: number
  /** How often each watched unit gets `metrics:updated` (ms). */
  metricsIntervalMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>
    liveBus: LiveBus
  }
}

async function realtime(app: FastifyInstance, options: RealtimeOptions) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(app.server, {
    serveClient: false,
    // Batches are small JSON arrays sent to many sockets: deflating each copy costs more CPU than it saves.
    perMessageDeflate: false,
    cors: { origin: false },
  })
  encodeWithoutBinaryScan(io.encoder, ['events:batched', 'metrics:updated'])
  const live: LiveNamespace = io.of(LIVE_NAMESPACE)
  const bus = new LiveBus({
    geography: app.geography,
    tickMs: options.tickMs ?? DEFAULT_TICK_MS,
    ...(options.quietTickMs !== undefined ? { quietTickMs: options.quietTickMs } : {}),
    sink: (room, batch, json) => broadcastFrame(live, room, 'events:batched', batch, json),
    isWatched: (room) => (live.adapter.rooms.get(room)?.size ?? 0) > 0,
  })
  const unsubscribe = app.store.onCommit((events) => bus.publish(events))

  live.use(app.refuseForeignOrigin)
  // The same session as the REST routes: no valid cookie, no connection.
  live.use((socket, next) => {
    const session = app.sessionOf(socket.request.headers.cookie)
    if (!session) {
      next(new Error('unauthorized: log in first'))
      return
    }
    socket.data.user = { username: session.user.username, role: session.user.role, unit: session.user.unit }
    socket.data.sessionToken = session.token
    next()
  })

  live.on('connection', (socket) => {
    registerSubscribe(app, socket, { replayLimit: options.replayLimit ?? 10_000 })
  })
  watchSessions(app, live)

  // Today's figures for every unit somebody watches; a unit nobody watches costs nothing. One room
  // per turn of the event loop, so that an alert arriving meanwhile is not held behind them all.
  let pushing: NodeJS.Immediate | undefined
  const metricsTimer = setInterval(() => {
    if (pushing) return
    const now = app.now()
    const window = app.metrics.window({})
    const [from, to] = [new Date(window.from).toISOString(), new Date(window.to).toISOString()]
    const rooms = [...live.adapter.rooms.keys()]
    const pushNext = () => {
      pushing = undefined
      while (rooms.length > 0) {
        const room = rooms.shift()!
        const unitId = unitOfRoom(room)
        if (!unitId || !live.adapter.rooms.get(room)?.size || !app.geography.get(unitId)) continue
        const figures = app.metrics.rollups.figures(unitId, window.from, window.to, now)
        broadcastFrame(live, room, 'metrics:updated', { unit: unitId, from, to, now: new Date(now).toISOString(), figures })
        break
      }
      if (rooms.length > 0) pushing = setImmediate(pushNext)
    }
    pushNext()
  }, options.metricsIntervalMs ?? 5000)
  metricsTimer.unref()

  app.decorate('io', io)
  app.decorate('liveBus', bus)

  app.addHook('preClose', async () => {
    clearInterval(metricsTimer)
    if (pushing) clearImmediate(pushing)
    unsubscribe()
    bus.close()
    io.local.disconnectSockets(true)
  })
  app.addHook('onClose', async () => {
    await new Promise<void>((resolve) => {
      io.close(() => resolve())
    })
  })
}

export default fp(realtime, { name: 'realtime', dependencies: ['context', 'metrics', 'auth', 'origin'] })
