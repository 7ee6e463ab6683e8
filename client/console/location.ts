// Where a request taken at the desk happened: a point picked on the map, or a community from the
// address list, which stands for the point in its middle.
import { geometryBbox, polygonsOf, type UnitGeometry } from '../../shared/domain'

export interface Point {
  lon: number
  lat: number
}

function inRing(ring: readonly [number, number][], p: Point): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!
    const [xj, yj] = ring[j]!
    if (yi > p.lat !== yj > p.lat && p.lon < ((xj - xi) * (p.lat - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

export function inGeometry(geometry: UnitGeometry, p: Point): boolean {
  return polygonsOf(geometry).some((polygon) => inRing(polygon[0] ?? [], p) && !polygon.slice(1).some((hole) => inRing(hole, p)))
}

/**
 * The middle of a unit: its bounding box's centre when that lies inside it, else the point of a
 * 16×16 lattice over the box nearest the centre that does (a concave or ring-shaped community).
 */
export function centreOf(geometry: UnitGeometry): Point {
  const [west, south, east, north] = geometryBbox(geometry)
  const centre = { lon: (west + east) / 2, lat: (south + north) / 2 }
  if (inGeometry(geometry, centre)) return centre
  const steps = 16
  let best = centre
  let bestDistance = Infinity
  for (let i = 1; i < steps; i++) {
    for (let j = 1; j < steps; j++) {
      const p = { lon: west + ((east - west) * i) / steps, lat: south + ((north - south) * j) / steps }
      const d = (i - steps / 2) ** 2 + (j - steps / 2) ** 2
      if (d < bestDistance && inGeometry(geometry, p)) {
        best = p
        bestDistance = d
      }
    }
  }
  return best
}

/** The unit of `level` containing the point, among the given features (the scope's). */
export function unitAt<F extends { geometry: UnitGeometry; properties: { id: string; level: string } }>(features: readonly F[], level: string, p: Point): F | undefined {
  return features.find((f) => f.properties.level === level && inGeometry(f.geometry, p))
}
