// The figures push: today's figures for every unit somebody watches on `/live`, every few seconds,
// as `metrics:updated` to the unit's room, so numbers move without polling. A unit nobody watches
// costs nothing. One room per turn of the event loop, so that an alert arriving meanwhile is not
// held behind them all.
import type { FastifyInstance } from 'fastify'
import type { Namespace } from 'socket.io'
import { unitOfRoom } from '../../shared/rooms'
import { broadcastFrame, type QueueCap } from '../realtime/frame-broadcast'

/** How often each watched unit gets `metrics:updated` unless told otherwise (ms). */
export const DEFAULT_FIGURES_INTERVAL_MS = 5000

/** Starts the push; returns the function that stops it. */
export function pushFigures(app: FastifyInstance, live: Namespace, queueCap: QueueCap, intervalMs = DEFAULT_FIGURES_INTERVAL_MS): () => void {
  let pushing: NodeJS.Immediate | undefined
  const timer = setInterval(() => {
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
        broadcastFrame(live, room, 'metrics:updated', { unit: unitId, from, to, now: new Date(now).toISOString(), figures }, { queueCap })
        break
      }
      if (rooms.length > 0) pushing = setImmediate(pushNext)
    }
    pushNext()
  }, intervalMs)
  timer.unref()
  return () => {
    clearInterval(timer)
    if (pushing) clearImmediate(pushing)
  }
}
