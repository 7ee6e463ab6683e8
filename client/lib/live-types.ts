// The shapes the live store keeps and the map builders draw: here, so a builder needs no store.
import type { WorkerPosition } from '../../shared/events'

export interface TrailPoint {
  lon: number
  lat: number
  at: number
}

/** A worker's last position and the few before it, oldest first (the last point is the current one). */
export interface WorkerTrack extends WorkerPosition {
  trail: TrailPoint[]
}

/** A request received, as the heatmap needs it. */
export interface HeatPoint {
  id: string
  lon: number
  lat: number
  at: number
}

/** 督办 on an open request, as the wall marks it: how often, when last, by whom (staff). */
export interface UrgeMark {
  count: number
  lastAt: number
  by: string
}
