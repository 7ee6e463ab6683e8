import type { PolygonCoords, UnitGeometry } from '../../shared/domain'
import { fromWgs84 } from '../../shared/geo'
import type { Geography } from '../../shared/schemas/geography'

/** Where a WGS84 point is drawn: itself, or shifted into the base map's coordinate system. */
export type LonLatTransform = (lon: number, lat: number) => [number, number]

export const identity: LonLatTransform = (lon, lat) => [lon, lat]

/**
 * Outpost stores WGS84. A GCJ-02 base map (most Chinese tile services) is offset by a few hundred
 * metres; drawing the project's data in GCJ-02 puts it back on the right streets.
 */
export function displayTransform(crs: 'wgs84' | 'gcj02' | undefined): LonLatTransform {
  if (crs !== 'gcj02') return identity
  return (lon, lat) => {
    const p = fromWgs84({ lon, lat }, 'gcj02')
    return [p.lon, p.lat]
  }
}

export function transformGeography(geography: Geography, project: LonLatTransform): Geography {
  if (project === identity) return geography
  return {
    ...geography,
    features: geography.features.map((f) => {
      const polygon = (rings: PolygonCoords): PolygonCoords => rings.map((ring) => ring.map(([lon, lat]) => project(lon, lat)))
      const geometry: UnitGeometry =
        f.geometry.type === 'Polygon'
          ? { type: 'Polygon', coordinates: polygon(f.geometry.coordinates) }
          : { type: 'MultiPolygon', coordinates: f.geometry.coordinates.map(polygon) }
      return { ...f, geometry }
    }),
  }
}
