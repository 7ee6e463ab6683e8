// Where events go after a commit, in one place (README.md here has the whole path):
//
//   store commit ─ followLog ─┬─ rollups (the figures of every route, kiosk and push)
//                             └─ live bus ─ one batch per watched unit room ─ broadcastFrame ─ /live sockets
//   every few seconds ─ figures push ─ `metrics:updated` ─ /live sockets
//
// This plugin holds the only `store.onCommit` subscription. The sockets, their namespaces and the
// events clients send are in server/realtime/.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { DEFAULT_TICK_MS, LiveBus } from './bus'
import { followLog } from './follow-log'
import { pushFigures } from './figures'
import { broadcastFrame, type QueueCap } from '../realtime/frame-broadcast'
import type { LiveNamespace } from '../realtime/index'
import { CheckpointSaver, restoreCheckpoint, type CheckpointOptions } from '../metrics/checkpoint'

export interface LiveOptions {
  /** Hold of a live batch under load (ms); see ./bus.ts. */
  tickMs?: number
  /** Hold of a live batch while the stream is light (ms). */
  quietTickMs?: number
  /** How often each watched unit gets `metrics:updated` (ms). */
  metricsIntervalMs?: number
}

export interface LivePluginOptions {
  /** The bus and the figures push, to the `/live` sockets; false without sockets (inject-only tests). */
  sockets: LiveOptions | false
  /** Rollup checkpoints (server/metrics/checkpoint.ts): when to save one; false saves none and restores none. */
  checkpoints?: CheckpointOptions | false
}

/** How the rollups started: from which checkpoint's seq (0: none), and how many events of the log followed. */
export interface RollupStart {
  checkpointSeq: number
  replayedEvents: number
}

declare module 'fastify' {
  interface FastifyInstance {
    liveBus: LiveBus
    rollupStart: RollupStart
  }
}

/** The `/live` namespace and its queue cap, as server/realtime/index.ts decorates them. */
interface LiveSockets {
  namespace: LiveNamespace
  queueCap: QueueCap
}

async function live(app: FastifyInstance, options: LivePluginOptions) {
  const rollups = app.metrics.rollups
  let bus: LiveBus | undefined
  // Set once the sockets exist (onReady); until then nobody can be watching.
  let sockets: LiveSockets | undefined
  // Replayed events only build the rollups; commits go to the bus too, after them, so a pushed
  // figure never lags an event already sent.
  // From the latest checkpoint of the rollups' basis when there is one: the log after it only.
  const warn = (message: string) => app.log.warn(message)
  const start: RollupStart = { checkpointSeq: 0, replayedEvents: 0 }
  if (options.checkpoints !== false) start.checkpointSeq = (await restoreCheckpoint(rollups, app.geography, app.store, warn)).seq
  const saver = options.checkpoints === false ? undefined : new CheckpointSaver(rollups, app.geography, app.store, warn, options.checkpoints ?? {})
  const unfollow = await followLog(app.store, () => rollups.seq, (events, replayed) => {
    rollups.apply(events)
    if (replayed) start.replayedEvents += events.length
    // Not while the log is read at start: a save there would only delay the start.
    else saver?.applied()
    if (!replayed && sockets) bus?.publish(events)
  })
  // After a long replay, a save now spares the next start the same.
  saver?.applied()
  app.decorate('rollupStart', start)
  app.addHook('onClose', async () => {
    unfollow()
    // The store closes after the app (server/main.ts): the last state is saved while it is open.
    await saver?.close()
  })
  if (options.sockets === false) return

  const { tickMs, quietTickMs, metricsIntervalMs } = options.sockets
  const liveBus = new LiveBus({
    geography: app.geography,
    tickMs: tickMs ?? DEFAULT_TICK_MS,
    ...(quietTickMs !== undefined ? { quietTickMs } : {}),
    sink: (room, batch, json) => broadcastFrame(sockets!.namespace, room, 'events:batched', batch, { json, queueCap: sockets!.queueCap }),
    isWatched: (room) => (sockets!.namespace.adapter.rooms.get(room)?.size ?? 0) > 0,
  })
  bus = liveBus
  app.decorate('liveBus', liveBus)

  // The sockets come from server/realtime, registered after this plugin so that at close (preClose
  // hooks run in registration order) the last batches go out before the sockets are closed.
  let stopFigures = () => {}
  app.addHook('onReady', async () => {
    sockets = app.liveSockets
    stopFigures = pushFigures(app, sockets.namespace, sockets.queueCap, metricsIntervalMs)
  })
  app.addHook('preClose', async () => {
    stopFigures()
    bus = undefined
    liveBus.close()
  })
}

export default fp(live, { name: 'live', dependencies: ['context', 'metrics'] })
