import type { Feature, FeatureCollection, Point } from 'geojson'
import type { AlertKind, Category, Priority, Stage } from '../../../shared/domain'
import type { OpenAlert, OpenRequest, WorkerPosition } from '../../../shared/events'
import { WORKER_ONLINE_MS } from '../../stores/live'
import type { GeoJSONSourceSpecification } from '../spec'

export type EventFeatureKind = 'request' | 'alert' | 'worker'

interface BaseProperties {
  /** `${kind}:${id}`: unique across kinds, promoted to the feature id. */
  fid: string
  kind: EventFeatureKind
  id: string
  gridId: string
}

export interface RequestFeatureProperties extends BaseProperties {
  kind: 'request'
  priority: Priority
  category: Category
  stage: Stage
}

export interface AlertFeatureProperties extends BaseProperties {
  kind: 'alert'
  alertKind: AlertKind
  confidence: number
}

export interface WorkerFeatureProperties extends BaseProperties {
  kind: 'worker'
  online: boolean
}

export type EventFeatureProperties = RequestFeatureProperties | AlertFeatureProperties | WorkerFeatureProperties
export type EventFeature = Feature<Point, EventFeatureProperties>
export type EventFeatureCollection = FeatureCollection<Point, EventFeatureProperties>

/** What the builder reads: the live store's collections (or anything shaped like them). */
export interface EventsState {
  openRequests: ReadonlyMap<string, OpenRequest>
  alerts: ReadonlyMap<string, OpenAlert>
  workers: ReadonlyMap<string, WorkerPosition>
}

export function eventFeatureId(kind: EventFeatureKind, id: string): string {
  return `${kind}:${id}`
}

function point<P extends EventFeatureProperties>(lon: number, lat: number, properties: P): Feature<Point, P> {
  return { type: 'Feature', id: properties.fid, geometry: { type: 'Point', coordinates: [lon, lat] }, properties }
}

/**
 * The live points of the map: open requests, unreviewed camera alerts, worker positions. Pure:
 * the same state gives the same collection, with the same ids, so MapLibre diffs cheaply.
 * Workers first and alerts last, so that in source order too the rare, urgent things come last.
 */
export function buildEventsData(state: EventsState, now: number): EventFeatureCollection {
  const features: EventFeature[] = []
  for (const w of state.workers.values()) {
    features.push(
      point(w.lon, w.lat, { fid: eventFeatureId('worker', w.workerId), kind: 'worker', id: w.workerId, gridId: w.gridId, online: now - w.at <= WORKER_ONLINE_MS }),
    )
  }
  for (const r of state.openRequests.values()) {
    features.push(
      point(r.lon, r.lat, {
        fid: eventFeatureId('request', r.requestId),
        kind: 'request',
        id: r.requestId,
        gridId: r.gridId,
        priority: r.priority,
        category: r.category,
        stage: r.stage,
      }),
    )
  }
  for (const a of state.alerts.values()) {
    features.push(
      point(a.lon, a.lat, {
        fid: eventFeatureId('alert', a.alertId),
        kind: 'alert',
        id: a.alertId,
        gridId: a.gridId,
        alertKind: a.kind,
        confidence: a.confidence,
      }),
    )
  }
  return { type: 'FeatureCollection', features }
}

/** The source starts empty; live data arrives through `setData`. */
export function buildEventsSource(): GeoJSONSourceSpecification {
  return { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'fid' }
}
