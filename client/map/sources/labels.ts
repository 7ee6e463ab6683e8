import type { Feature, FeatureCollection, Point } from 'geojson'
import { geometryBbox, polygonsOf, type UnitGeometry } from '../../../shared/domain'
import type { Geography } from '../../../shared/schemas/geography'
import { IMAGE_PREFIX } from '../layer-ids'
import type { GeoJSONSourceSpecification } from '../spec'

export type LabelLevel = 'street' | 'community'

export interface LabelProperties {
  id: string
  level: LabelLevel
  name: string
  /** The canvas-drawn image of the name (MapLibre has no glyphs offline). */
  image: string
}

type Ring = readonly (readonly number[])[]

/** Ray casting: whether a point lies inside a closed ring. */
export function insideRing(x: number, y: number, ring: Ring): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number]
    const [xj, yj] = ring[j] as [number, number]
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

function distanceToSegment(x: number, y: number, [ax, ay]: readonly number[], [bx, by]: readonly number[]): number {
  const dx = bx! - ax!
  const dy = by! - ay!
  const len2 = dx * dx + dy * dy
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax!) * dx + (y - ay!) * dy) / len2))
  return Math.hypot(x - (ax! + t * dx), y - (ay! + t * dy))
}

function edgeDistance(x: number, y: number, ring: Ring): number {
  let d = Infinity
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) d = Math.min(d, distanceToSegment(x, y, ring[j]!, ring[i]!))
  return d
}

/**
 * Where a unit's name goes: well inside its polygon. The centre of the bounding box when that is
 * comfortably inside (rectangles, most shapes); otherwise the sampled point farthest from the
 * edges (an L-shaped town around the city, whose box centre lies in another unit).
 */
export function labelPoint(ring: Ring, samples = 24): [number, number] {
  let west = Infinity
  let south = Infinity
  let east = -Infinity
  let north = -Infinity
  for (const [x, y] of ring) {
    west = Math.min(west, x!)
    east = Math.max(east, x!)
    south = Math.min(south, y!)
    north = Math.max(north, y!)
  }
  const cx = (west + east) / 2
  const cy = (south + north) / 2
  const size = Math.min(east - west, north - south)
  if (insideRing(cx, cy, ring) && edgeDistance(cx, cy, ring) >= size * 0.25) return [cx, cy]
  let best: [number, number] = [cx, cy]
  let bestD = insideRing(cx, cy, ring) ? edgeDistance(cx, cy, ring) : -Infinity
  for (let i = 0; i <= samples; i++) {
    for (let j = 0; j <= samples; j++) {
      const x = west + ((east - west) * i) / samples
      const y = south + ((north - south) * j) / samples
      if (!insideRing(x, y, ring)) continue
      const d = edgeDistance(x, y, ring)
      if (d > bestD) {
        bestD = d
        best = [x, y]
      }
    }
  }
  return best
}

export function labelImageId(level: LabelLevel, name: string): string {
  return `${IMAGE_PREFIX.label}${level}:${name}`
}

/** One point per street and community, at its label point, naming the image of its name. */
export function buildLabelsData(geography: Geography): FeatureCollection<Point, LabelProperties> {
  const features: Feature<Point, LabelProperties>[] = []
  for (const f of geography.features) {
    const { id, level, name } = f.properties
    if (level !== 'street' && level !== 'community') continue
    const ring = largestOuterRing(f.geometry)
    if (!ring || ring.length < 3) continue
    features.push({ type: 'Feature', id, geometry: { type: 'Point', coordinates: labelPoint(ring) }, properties: { id, level, name, image: labelImageId(level, name) } })
  }
  return { type: 'FeatureCollection', features }
}

/** A MultiPolygon's name goes on its largest part (by the outer ring's box). */
function largestOuterRing(geometry: UnitGeometry): [number, number][] | undefined {
  let best: [number, number][] | undefined
  let bestArea = -1
  for (const polygon of polygonsOf(geometry)) {
    const ring = polygon[0]
    if (!ring) continue
    const [w, s, e, n] = geometryBbox({ type: 'Polygon', coordinates: [ring] })
    if ((e - w) * (n - s) > bestArea) {
      bestArea = (e - w) * (n - s)
      best = ring
    }
  }
  return best
}

export function buildLabelsSource(geography: Geography): GeoJSONSourceSpecification {
  return { type: 'geojson', data: buildLabelsData(geography), promoteId: 'id' }
}
