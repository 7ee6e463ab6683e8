import type { Feature, FeatureCollection, LineString, Point } from 'geojson'
import type { AlertKind, Category, Priority, Stage } from '../../../shared/domain'
import type { OpenAlert, OpenRequest } from '../../../shared/events'
import { ONLINE_WINDOW_MS } from '../../../shared/metrics'
import type { WorkerTrack } from '../../lib/live-types'
import type { GeoJSONSourceSpecification } from '../spec'
import { identity, type LonLatTransform } from '../transform'

export type EventFeatureKind = 'request' | 'alert' | 'worker' | 'trail'

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

export interface TrailFeatureProperties extends BaseProperties {
  kind: 'trail'
}

export type EventFeatureProperties = RequestFeatureProperties | AlertFeatureProperties | WorkerFeatureProperties
export type EventFeature = Feature<Point, EventFeatureProperties>
export type PointCollection<P> = FeatureCollection<Point, P>

export function eventFeatureId(kind: EventFeatureKind, id: string): string {
  return `${kind}:${id}`
}

function point<P extends BaseProperties>(lon: number, lat: number, properties: P, project: LonLatTransform): Feature<Point, P> {
  return { type: 'Feature', id: properties.fid, geometry: { type: 'Point', coordinates: project(lon, lat) }, properties }
}

// Pure builders: the same state gives the same collection with the same ids, so MapLibre diffs
// cheaply and a feature keeps its identity (and any state) from one update to the next.

export function buildRequestsData(requests: ReadonlyMap<string, OpenRequest>, project: LonLatTransform = identity): PointCollection<RequestFeatureProperties> {
  const features: Feature<Point, RequestFeatureProperties>[] = []
  for (const r of requests.values()) {
    features.push(
      point(
        r.lon,
        r.lat,
        { fid: eventFeatureId('request', r.requestId), kind: 'request', id: r.requestId, gridId: r.gridId, priority: r.priority, category: r.category, stage: r.stage },
        project,
      ),
    )
  }
  return { type: 'FeatureCollection', features }
}

export function buildAlertsData(alerts: ReadonlyMap<string, OpenAlert>, project: LonLatTransform = identity): PointCollection<AlertFeatureProperties> {
  const features: Feature<Point, AlertFeatureProperties>[] = []
  for (const a of alerts.values()) {
    features.push(
      point(a.lon, a.lat, { fid: eventFeatureId('alert', a.alertId), kind: 'alert', id: a.alertId, gridId: a.gridId, alertKind: a.kind, confidence: a.confidence }, project),
    )
  }
  return { type: 'FeatureCollection', features }
}

export function buildWorkersData(workers: ReadonlyMap<string, WorkerTrack>, now: number, project: LonLatTransform = identity): PointCollection<WorkerFeatureProperties> {
  const features: Feature<Point, WorkerFeatureProperties>[] = []
  for (const w of workers.values()) {
    features.push(
      point(w.lon, w.lat, { fid: eventFeatureId('worker', w.workerId), kind: 'worker', id: w.workerId, gridId: w.gridId, online: now - w.at <= ONLINE_WINDOW_MS }, project),
    )
  }
  return { type: 'FeatureCollection', features }
}

/** A trail shows the last few minutes of a walk… */
export const TRAIL_MAX_AGE_MS = 10 * 60_000
/** …and starts over after a jump (about 500 m between two pings: a GPS fix, not a walk)… */
export const TRAIL_MAX_STEP_DEG = 0.005
/**
 * …or after a silence (a phone without signal, a stalled stream): the walk between two pings
 * minutes apart is not known, and a straight line across the map would say it was.
 */
export const TRAIL_MAX_GAP_MS = 3 * 60_000

/** A short line behind each online worker: where the last few pings of the current walk were. */
export function buildTrailsData(workers: ReadonlyMap<string, WorkerTrack>, now: number, project: LonLatTransform = identity): FeatureCollection<LineString, TrailFeatureProperties> {
  const features: Feature<LineString, TrailFeatureProperties>[] = []
  for (const w of workers.values()) {
    if (w.trail.length < 2 || now - w.at > ONLINE_WINDOW_MS) continue
    let start = w.trail.length - 1
    while (start > 0) {
      const a = w.trail[start - 1]!
      const b = w.trail[start]!
      if (now - a.at > TRAIL_MAX_AGE_MS || b.at - a.at > TRAIL_MAX_GAP_MS || Math.abs(a.lon - b.lon) > TRAIL_MAX_STEP_DEG || Math.abs(a.lat - b.lat) > TRAIL_MAX_STEP_DEG) break
      start--
    }
    if (start === w.trail.length - 1) continue
    const fid = eventFeatureId('trail', w.workerId)
    features.push({
      type: 'Feature',
      id: fid,
      geometry: { type: 'LineString', coordinates: w.trail.slice(start).map((p) => project(p.lon, p.lat)) },
      properties: { fid, kind: 'trail', id: w.workerId, gridId: w.gridId },
    })
  }
  return { type: 'FeatureCollection', features }
}

const empty = () => ({ type: 'FeatureCollection' as const, features: [] })

/** Point and line sources start empty; live data arrives through `setData`. */
export function buildPointSource(): GeoJSONSourceSpecification {
  return { type: 'geojson', data: empty(), promoteId: 'fid' }
}

/**
 * Open requests cluster, with their count, through a street scene: hundreds of dots overlapped
 * into one blob read from across the room. Measured on the sample district's 1920×1080 wall (the
 * same at 3840×2160: the stage is scaled and the zoom is per stage pixel): the district scene sits
 * at zoom 9.5, a street at about 13.2, a community at 14.7. MapLibre asks a GeoJSON source for
 * tiles at the whole zoom, so a community scene (tiles of zoom 14) shows each request as its own
 * dot, coloured by priority, and every scene above it clusters. A cluster sums its urgent
 * requests (`urgent`), drawn red.
 */
export const REQUEST_CLUSTER_MAX_ZOOM = 13
export const REQUEST_CLUSTER_RADIUS = 48

export function buildRequestsSource(): GeoJSONSourceSpecification {
  return {
    type: 'geojson',
    data: empty(),
    promoteId: 'fid',
    cluster: true,
    clusterRadius: REQUEST_CLUSTER_RADIUS,
    clusterMaxZoom: REQUEST_CLUSTER_MAX_ZOOM,
    clusterProperties: { urgent: ['+', ['case', ['==', ['get', 'priority'], 'urgent'], 1, 0]] },
  }
}
