// Where the simulator may put things in a grid: real grids are concave polygons, with holes and
// several parts, not the sample's rectangles. A point is drawn in the bounding box and kept when it
// lies inside, clear of every edge; a walk goes only where its straight line stays inside too.
import { geometryBbox, polygonsOf, type LonLat, type PolygonCoords, type UnitGeometry } from '../../shared/domain'

export type Rng = () => number

export interface Rect {
  minLon: number
  minLat: number
  maxLon: number
  maxLat: number
}

/** Points stay this far (degrees, ~1 m) inside a grid so that no edge rule can move them next door. */
export const INSET = 1e-5
/** Draws in the bounding box before falling back to the interior point. */
const MAX_TRIES = 64
/** Scan lines tried for the interior point. */
const SCAN_LINES = 16

export class GridArea {
  /** The bounding box, inset by the margin: every draw lands in it. */
  readonly rect: Rect
  /** How far a point must stay from every edge (INSET, less for a grid narrower than 4 INSET). */
  readonly margin: number
  /** An axis-aligned rectangle: every point of `rect` is inside, every walk in it clear. */
  readonly isRect: boolean
  private readonly polygons: readonly PolygonCoords[]
  /** Whether the ingest API would place a point in this grid; checked on top of the geometry. */
  private readonly placesHere: (point: LonLat) => boolean
  private interiorPoint: LonLat | undefined

  constructor(geometry: UnitGeometry, placesHere: (point: LonLat) => boolean = () => true) {
    const [minLon, minLat, maxLon, maxLat] = geometryBbox(geometry)
    this.margin = Math.min(INSET, (maxLon - minLon) / 4, (maxLat - minLat) / 4)
    this.rect = { minLon: minLon + this.margin, minLat: minLat + this.margin, maxLon: maxLon - this.margin, maxLat: maxLat - this.margin }
    this.polygons = polygonsOf(geometry)
    this.isRect = isBoxRing(this.polygons, minLon, minLat, maxLon, maxLat)
    this.placesHere = placesHere
  }

  /** Inside the grid, at least `margin` from every edge, and placed here by the ingest API. */
  contains(point: LonLat): boolean {
    const { rect } = this
    if (point.lon < rect.minLon || point.lon > rect.maxLon || point.lat < rect.minLat || point.lat > rect.maxLat) return false
    if (this.isRect) return true
    const { inside, distance } = this.probe(point.lon, point.lat)
    return inside && distance >= this.margin && this.placesHere(point)
  }

  /** Whether the straight line from `a` to `b` (both inside) keeps `margin` from every edge. */
  clearPath(a: LonLat, b: LonLat): boolean {
    if (this.isRect) return true
    const margin2 = this.margin * this.margin
    for (const polygon of this.polygons) {
      for (const ring of polygon) {
        for (let i = 1; i < ring.length; i++) {
          const p = ring[i - 1]!
          const q = ring[i]!
          if (segmentDistance2(a.lon, a.lat, b.lon, b.lat, p[0], p[1], q[0], q[1]) < margin2) return false
        }
      }
    }
    return true
  }

  /** A point drawn evenly over the grid; after MAX_TRIES misses (a sliver of its box), the interior point. */
  randomPoint(rand: Rng): LonLat {
    const { rect } = this
    for (let i = 0; i < MAX_TRIES; i++) {
      const point = { lon: rect.minLon + rand() * (rect.maxLon - rect.minLon), lat: rect.minLat + rand() * (rect.maxLat - rect.minLat) }
      if (this.contains(point)) return point
    }
    return this.interior()
  }

  /**
   * A point well inside: on horizontal lines across the box, the middle of each stretch that lies
   * inside, keeping the one farthest from any edge. Never the centroid, which a concave grid may not hold.
   */
  interior(): LonLat {
    if (this.interiorPoint) return this.interiorPoint
    const [minLon, minLat, maxLon, maxLat] = [this.rect.minLon - this.margin, this.rect.minLat - this.margin, this.rect.maxLon + this.margin, this.rect.maxLat + this.margin]
    let best: LonLat = { lon: (minLon + maxLon) / 2, lat: (minLat + maxLat) / 2 }
    let bestScore = -1
    const consider = (point: LonLat) => {
      const { inside, distance } = this.probe(point.lon, point.lat)
      if (!inside) return
      // Placed elsewhere by the ingest API (an overlap with a neighbour): only if nothing better.
      const score = this.placesHere(point) ? distance : distance / 1e6
      if (score > bestScore) {
        bestScore = score
        best = point
      }
    }
    for (let j = 0; j < SCAN_LINES; j++) {
      const lat = minLat + ((j + 0.5) / SCAN_LINES) * (maxLat - minLat)
      const xs: number[] = []
      for (const polygon of this.polygons) {
        for (const ring of polygon) {
          for (let i = 1; i < ring.length; i++) {
            const [x1, y1] = ring[i - 1]!
            const [x2, y2] = ring[i]!
            if (y1 > lat !== y2 > lat) xs.push(x1 + ((lat - y1) * (x2 - x1)) / (y2 - y1))
          }
        }
      }
      xs.sort((a, b) => a - b)
      for (let k = 0; k + 1 < xs.length; k += 2) consider({ lon: (xs[k]! + xs[k + 1]!) / 2, lat })
    }
    this.interiorPoint = best
    return best
  }

  /** Even-odd inside test and the distance to the nearest edge, in one pass over the rings. */
  private probe(x: number, y: number): { inside: boolean; distance: number } {
    let inside = false
    let d2 = Infinity
    for (const polygon of this.polygons) {
      for (const ring of polygon) {
        for (let i = 1; i < ring.length; i++) {
          const [x1, y1] = ring[i - 1]!
          const [x2, y2] = ring[i]!
          if (y1 > y !== y2 > y && x < x1 + ((y - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside
          const e = pointSegmentDistance2(x, y, x1, y1, x2, y2)
          if (e < d2) d2 = e
        }
      }
    }
    return { inside, distance: Math.sqrt(d2) }
  }
}

/** One polygon, one closed ring of four corners: the box itself (the sample's grids). */
function isBoxRing(polygons: readonly PolygonCoords[], minLon: number, minLat: number, maxLon: number, maxLat: number): boolean {
  if (polygons.length !== 1 || polygons[0]!.length !== 1) return false
  const ring = polygons[0]![0]!
  if (ring.length !== 5) return false
  return ring.every(([x, y]) => (x === minLon || x === maxLon) && (y === minLat || y === maxLat)) && new Set(ring.slice(0, 4).map(([x, y]) => `${x},${y}`)).size === 4
}

function pointSegmentDistance2(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1
  const dy = y2 - y1
  const len2 = dx * dx + dy * dy
  let t = len2 > 0 ? ((px - x1) * dx + (py - y1) * dy) / len2 : 0
  t = t < 0 ? 0 : t > 1 ? 1 : t
  const ex = x1 + t * dx - px
  const ey = y1 + t * dy - py
  return ex * ex + ey * ey
}

function cross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
}

/** Squared distance between segments ab and cd: zero when they cross. */
function segmentDistance2(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): number {
  const d1 = cross(cx, cy, dx, dy, ax, ay)
  const d2 = cross(cx, cy, dx, dy, bx, by)
  const d3 = cross(ax, ay, bx, by, cx, cy)
  const d4 = cross(ax, ay, bx, by, dx, dy)
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return 0
  return Math.min(
    pointSegmentDistance2(ax, ay, cx, cy, dx, dy),
    pointSegmentDistance2(bx, by, cx, cy, dx, dy),
    pointSegmentDistance2(cx, cy, ax, ay, bx, by),
    pointSegmentDistance2(dx, dy, ax, ay, bx, by),
  )
}
