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
  private edgeIndex: EdgeIndex | undefined
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
    const { inside, distance } = this.edges().probe(point.lon, point.lat, this.margin)
    return inside && distance >= this.margin && this.placesHere(point)
  }

  /** Whether the straight line from `a` to `b` (both inside) keeps `margin` from every edge. */
  clearPath(a: LonLat, b: LonLat): boolean {
    if (this.isRect) return true
    return this.edges().clear(a.lon, a.lat, b.lon, b.lat, this.margin)
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
    const edges = this.edges()
    const [minLon, minLat, maxLon, maxLat] = [this.rect.minLon - this.margin, this.rect.minLat - this.margin, this.rect.maxLon + this.margin, this.rect.maxLat + this.margin]
    let best: LonLat = { lon: (minLon + maxLon) / 2, lat: (minLat + maxLat) / 2 }
    let bestScore = -1
    const consider = (point: LonLat) => {
      const { inside, distance } = edges.probe(point.lon, point.lat)
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
      const xs = edges.crossings(lat)
      for (let k = 0; k + 1 < xs.length; k += 2) consider({ lon: (xs[k]! + xs[k + 1]!) / 2, lat })
    }
    this.interiorPoint = best
    return best
  }

  /** Built on first use: the sample's rectangles never need it. */
  private edges(): EdgeIndex {
    this.edgeIndex ??= new EdgeIndex(this.polygons)
    return this.edgeIndex
  }
}

/**
 * A grid's edges in latitude strips, so that a test near a point reads the few edges of its strips
 * instead of all of a ring's hundreds. Vertices in flat arrays; edge k runs from vertex k to k + 1.
 */
class EdgeIndex {
  private readonly xs: Float64Array
  private readonly ys: Float64Array
  private readonly south: number
  private readonly stripHeight: number
  private readonly stripCount: number
  /** Edges of strip s: `stripEdges[stripStart[s] .. stripStart[s + 1])`. */
  private readonly stripStart: Uint32Array
  private readonly stripEdges: Uint32Array

  constructor(polygons: readonly PolygonCoords[]) {
    let vertices = 0
    for (const polygon of polygons) for (const ring of polygon) vertices += ring.length
    this.xs = new Float64Array(vertices)
    this.ys = new Float64Array(vertices)
    const starts: number[] = []
    let v = 0
    let south = Infinity
    let north = -Infinity
    for (const polygon of polygons) {
      for (const ring of polygon) {
        for (let i = 0; i < ring.length; i++, v++) {
          this.xs[v] = ring[i]![0]
          this.ys[v] = ring[i]![1]
          if (i > 0) starts.push(v - 1)
          south = Math.min(south, ring[i]![1])
          north = Math.max(north, ring[i]![1])
        }
      }
    }
    this.south = south
    this.stripCount = Math.max(1, Math.min(256, Math.round(Math.sqrt(starts.length))))
    this.stripHeight = (north - south) / this.stripCount || 1
    const lists: number[][] = Array.from({ length: this.stripCount }, () => [])
    for (const k of starts) {
      const a = this.strip(Math.min(this.ys[k]!, this.ys[k + 1]!))
      const b = this.strip(Math.max(this.ys[k]!, this.ys[k + 1]!))
      for (let s = a; s <= b; s++) lists[s]!.push(k)
    }
    this.stripStart = new Uint32Array(this.stripCount + 1)
    for (let s = 0; s < this.stripCount; s++) this.stripStart[s + 1] = this.stripStart[s]! + lists[s]!.length
    this.stripEdges = new Uint32Array(lists.flat())
  }

  private strip(y: number): number {
    return Math.min(this.stripCount - 1, Math.max(0, Math.floor((y - this.south) / this.stripHeight)))
  }

  /**
   * Even-odd inside test and the distance to the nearest edge, measured up to `within` (farther
   * edges are not read; the answer is then `within`).
   */
  probe(x: number, y: number, within = Infinity): { inside: boolean; distance: number } {
    const { xs, ys, stripEdges, stripStart } = this
    // Inside: the edges that span y all lie in y's strip.
    let inside = false
    const own = this.strip(y)
    for (let i = stripStart[own]!; i < stripStart[own + 1]!; i++) {
      const k = stripEdges[i]!
      const y1 = ys[k]!
      const y2 = ys[k + 1]!
      if (y1 > y !== y2 > y && x < xs[k]! + ((y - y1) * (xs[k + 1]! - xs[k]!)) / (y2 - y1)) inside = !inside
    }
    let d2 = within * within
    const from = Number.isFinite(within) ? this.strip(y - within) : 0
    const to = Number.isFinite(within) ? this.strip(y + within) : this.stripCount - 1
    for (let i = stripStart[from]!; i < stripStart[to + 1]!; i++) {
      const k = stripEdges[i]!
      const e = pointSegmentDistance2(x, y, xs[k]!, ys[k]!, xs[k + 1]!, ys[k + 1]!)
      if (e < d2) d2 = e
    }
    return { inside, distance: Math.sqrt(d2) }
  }

  /** Whether segment ab keeps `margin` from every edge. */
  clear(ax: number, ay: number, bx: number, by: number, margin: number): boolean {
    const { xs, ys, stripEdges, stripStart } = this
    const margin2 = margin * margin
    // The path's box, widened by the margin: an edge outside it cannot come that close.
    const minX = Math.min(ax, bx) - margin
    const maxX = Math.max(ax, bx) + margin
    const minY = Math.min(ay, by) - margin
    const maxY = Math.max(ay, by) + margin
    for (let i = stripStart[this.strip(minY)]!; i < stripStart[this.strip(maxY) + 1]!; i++) {
      const k = stripEdges[i]!
      const px = xs[k]!
      const py = ys[k]!
      const qx = xs[k + 1]!
      const qy = ys[k + 1]!
      if ((px < minX && qx < minX) || (px > maxX && qx > maxX) || (py < minY && qy < minY) || (py > maxY && qy > maxY)) continue
      if (segmentDistance2(ax, ay, bx, by, px, py, qx, qy) < margin2) return false
    }
    return true
  }

  /** Where the line of latitude `y` crosses the edges, west to east. */
  crossings(y: number): number[] {
    const { xs, ys, stripEdges, stripStart } = this
    const own = this.strip(y)
    const out: number[] = []
    for (let i = stripStart[own]!; i < stripStart[own + 1]!; i++) {
      const k = stripEdges[i]!
      const y1 = ys[k]!
      const y2 = ys[k + 1]!
      if (y1 > y !== y2 > y) out.push(xs[k]! + ((y - y1) * (xs[k + 1]! - xs[k]!)) / (y2 - y1))
    }
    return out.sort((a, b) => a - b)
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
