import type { FeatureCollection, Point } from 'geojson'
import type { HeatPoint } from '../../lib/live-types'
import type { GeoJSONSourceSpecification } from '../spec'
import { identity, type LonLatTransform } from '../transform'

/** Requests of the last 24 hours, as weightless points for the heatmap layer. */
export function buildHeatData(points: readonly HeatPoint[], project: LonLatTransform = identity): FeatureCollection<Point, { id: string }> {
  return {
    type: 'FeatureCollection',
    features: points.map((p) => ({ type: 'Feature', id: p.id, geometry: { type: 'Point', coordinates: project(p.lon, p.lat) }, properties: { id: p.id } })),
  }
}

export function buildHeatSource(): GeoJSONSourceSpecification {
  return { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'id' }
}
