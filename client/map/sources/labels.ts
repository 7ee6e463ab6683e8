import type { Feature, FeatureCollection, Point } from 'geojson'
import { geometryBbox, polygonsOf, type UnitGeometry } from '../../../shared/domain'
import type { Geography } from '../../../shared/schemas/geography'
import { labelSize, labelText, type LabelLevel } from '../label-text'
import { IMAGE_PREFIX } from '../layer-ids'
import type { GeoJSONSourceSpecification } from '../spec'

export type { LabelLevel } from '../label-text'

export interface LabelProperties {
  id: string
  /** The unit's parent (the leader map names only the children of the unit on screen). */
  parentId: string | null
  /** The street and community the unit lies in (itself at its own level): a scene names what is in it. */
  street: string | null
  community: string | null
  level: LabelLevel
  /** The unit's name. */
  name: string
  /** What the map says: the name without its parent's name in front (`labelText`). */
  text: string
  /** The canvas-drawn image of the text (MapLibre has no glyphs offline). */
  image: string
  /**
   * The zoom from which the name fits inside its unit with room around it (`zoomToFit`): a
   * community's or grid's name shows only once its unit is that large on screen (see
   * `labelFilter`). 0 for streets, named at every zoom (collisions still leave out one that
   * would overlap another).
   */
  minzoom: number
  /** Placement order (`symbol-sort-key`, lowest first): the most populous unit keeps its name. */
  rank: number
}

type Ring = readonly (readonly number[])[]

/** Ray casting: whether a point lies inside a closed ring. */
export function insideRing(x: number, y: number, ring: Ring): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const pi = ring[i]!
    const pj = ring[j]!
    const xi = pi[0]!
    const yi = pi[1]!
    const xj = pj[0]!
    const yj = pj[1]!
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/** Distance from a point to the nearest edge of a ring (indexed loops: rings of thousands of points). */
function edgeDistance(x: number, y: number, ring: Ring): number {
  let best = Infinity
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j]!
    const b = ring[i]!
    const ax = a[0]!
    const ay = a[1]!
    const dx = b[0]! - ax
    const dy = b[1]! - ay
    const len2 = dx * dx + dy * dy
    let t = len2 === 0 ? 0 : ((x - ax) * dx + (y - ay) * dy) / len2
    t = t < 0 ? 0 : t > 1 ? 1 : t
    const ex = x - (ax + t * dx)
    const ey = y - (ay + t * dy)
    const d2 = ex * ex + ey * ey
    if (d2 < best) best = d2
  }
  return Math.sqrt(best)
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
  for (let k = 0; k < ring.length; k++) {
    const x = ring[k]![0]!
    const y = ring[k]![1]!
    if (x < west) west = x
    if (x > east) east = x
    if (y < south) south = y
    if (y > north) north = y
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

/** MapLibre's world is 512 CSS px wide at zoom 0. */
const WORLD_PX = 512

/** Web Mercator y of a latitude, as a share of the world square (0 at its north edge). */
function mercatorY(lat: number): number {
  const sin = Math.sin((Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180)
  return 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)
}

/** The zoom from which a box of `width`×`height` CSS px fits in `[west, south, east, north]`. */
export function zoomToFit([west, south, east, north]: readonly number[], width: number, height: number): number {
  const dx = Math.max((east! - west!) / 360, 1e-12)
  const dy = Math.max(mercatorY(south!) - mercatorY(north!), 1e-12)
  return Math.max(Math.log2(width / (WORLD_PX * dx)), Math.log2(height / (WORLD_PX * dy)))
}

/**
 * How much larger than its name a unit must be on screen for the name to show: a community's
 * name once the community is half as wide again as its name and more than twice as tall (a
 * street scene; at the district's the street names speak), a grid's once the grid holds it with
 * a margin. Streets are always named.
 */
export const LABEL_ROOM: Record<LabelLevel, { width: number; height: number } | null> = {
  street: null,
  community: { width: 1.5, height: 2.5 },
  grid: { width: 1.3, height: 2 },
}

/**
 * One point per street, community and grid, at its label point, naming the image of its name,
 * with the zoom from which the name fits in its unit (`minzoom`) and its placement order (`rank`).
 */
export function buildLabelsData(geography: Geography): FeatureCollection<Point, LabelProperties> {
  const features: Feature<Point, LabelProperties>[] = []
  const units = new Map(geography.features.map((f) => [f.properties.id, f.properties]))
  const ancestor = (id: string, level: 'street' | 'community'): string | null => {
    for (let u = units.get(id), depth = 0; u && depth < 4; u = u.parentId === null ? undefined : units.get(u.parentId), depth++) {
      if (u.level === level) return u.id
    }
    return null
  }
  for (const f of geography.features) {
    const { id, level, name, parentId, population } = f.properties
    if (level === 'district') continue
    const ring = largestOuterRing(f.geometry)
    if (!ring || ring.length < 3) continue
    const text = labelText(name, parentId === null ? null : units.get(parentId)?.name)
    const room = LABEL_ROOM[level]
    let minzoom = 0
    if (room) {
      const size = labelSize(text, level)
      minzoom = Math.max(0, Math.ceil(zoomToFit(geometryBbox({ type: 'Polygon', coordinates: [ring] }), size.width * room.width, size.height * room.height) * 100) / 100)
    }
    features.push({
      type: 'Feature',
      id,
      geometry: { type: 'Point', coordinates: labelPoint(ring) },
      properties: {
        id,
        parentId,
        street: ancestor(id, 'street'),
        community: ancestor(id, 'community'),
        level,
        name,
        text,
        image: labelImageId(level, text),
        minzoom,
        rank: -(population ?? 0),
      },
    })
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
