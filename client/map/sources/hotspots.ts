// Recurring hotspots (shared/hotspots.ts) as map features: one point a hotspot at its centre,
// carrying what the ring's size and the count image need.
import type { Feature, FeatureCollection, Point } from 'geojson'
import type { HotspotItem } from '../../../shared/schemas/hotspots'
import type { GeoJSONSourceSpecification } from '../spec'
import { identity, type LonLatTransform } from '../transform'

export interface HotspotFeatureProperties {
  id: string
  category: string
  count: number
  radiusM: number
  /** Ground metres a CSS pixel covers at zoom 0 at the hotspot's latitude (MapLibre's 512 px tiles). */
  metresPerPixelZ0: number
}

/** Earth's circumference at the equator over a 512 px world: metres a pixel covers at zoom 0. */
const EQUATOR_M_PER_PX_Z0 = 40_075_016.686 / 512

export function buildHotspotsSource(): GeoJSONSourceSpecification {
  return { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'id' }
}

export function buildHotspotsData(hotspots: readonly HotspotItem[], project: LonLatTransform = identity): FeatureCollection<Point, HotspotFeatureProperties> {
  const features: Feature<Point, HotspotFeatureProperties>[] = hotspots.map((h) => ({
    type: 'Feature',
    id: h.id,
    geometry: { type: 'Point', coordinates: project(h.center.lon, h.center.lat) },
    properties: {
      id: h.id,
      category: h.category,
      count: h.count,
      radiusM: h.radiusM,
      metresPerPixelZ0: EQUATOR_M_PER_PX_Z0 * Math.cos((h.center.lat * Math.PI) / 180),
    },
  }))
  return { type: 'FeatureCollection', features }
}
