// The unit tree in memory: parent chains, subtree tests and point → grid assignment.
import Flatbush from 'flatbush'
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { geometryBbox, polygonsOf, type GeoUnit, type LonLat, type PolygonCoords, type UnitGeometry, type UnitLevel, type UnitPath } from '../../shared/domain'
import type { Geography as GeographyCollection } from '../../shared/schemas/geography'

export interface UnitRef {
  id: string
  level: UnitLevel
}

export class Geography {
  readonly units: readonly GeoUnit[]
  readonly district: GeoUnit
  private readonly byId = new Map<string, GeoUnit>()
  private readonly childrenOf = new Map<string, GeoUnit[]>()
  private readonly paths = new Map<string, UnitPath>()
  private readonly grids: GeoUnit[]
  private readonly index: Flatbush
  /**
   * Each grid's polygons, flattened and bucketed for the point test (same order as `grids`), built
   * when a point first falls in the grid's box: a large district starts as fast as before.
   */
  private readonly shapes: (RingIndex[] | undefined)[]
  private readonly gridPaths: UnitPath[]

  constructor(units: readonly GeoUnit[]) {
    this.units = units
    for (const unit of units) {
      if (this.byId.has(unit.id)) throw new Error(`duplicate unit id ${unit.id}`)
      this.byId.set(unit.id, unit)
    }
    const districts = units.filter((u) => u.level === 'district')
    if (districts.length !== 1) throw new Error(`expected one district, found ${districts.length}`)
    this.district = districts[0]!
    for (const unit of units) {
      if (unit.parentId === null) continue
      if (!this.byId.has(unit.parentId)) throw new Error(`unit ${unit.id} names unknown parent ${unit.parentId}`)
      const siblings = this.childrenOf.get(unit.parentId) ?? []
      siblings.push(unit)
      this.childrenOf.set(unit.parentId, siblings)
    }
    this.grids = units.filter((u) => u.level === 'grid')
    for (const grid of this.grids) {
      const community = this.parentOf(grid, 'community')
      const street = this.parentOf(community, 'street')
      const district = this.parentOf(street, 'district')
      this.paths.set(grid.id, { districtId: district.id, streetId: street.id, communityId: community.id, gridId: grid.id })
    }
    this.index = new Flatbush(Math.max(1, this.grids.length))
    for (const grid of this.grids) {
      const [minX, minY, maxX, maxY] = bbox(grid)
      this.index.add(minX, minY, maxX, maxY)
    }
    if (this.grids.length === 0) this.index.add(0, 0, 0, 0)
    this.index.finish()
    this.gridPaths = this.grids.map((grid) => this.paths.get(grid.id)!)
    this.shapes = new Array<RingIndex[] | undefined>(this.grids.length)
  }

  get(id: string): GeoUnit | undefined {
    return this.byId.get(id)
  }

  ref(id: string): UnitRef | undefined {
    const unit = this.byId.get(id)
    return unit ? { id: unit.id, level: unit.level } : undefined
  }

  children(id: string): readonly GeoUnit[] {
    return this.childrenOf.get(id) ?? []
  }

  /** The grid's chain up to the district. */
  pathOf(gridId: string): UnitPath | undefined {
    return this.paths.get(gridId)
  }

  /** Whether `unitId` is `ancestorId` or lies below it. */
  isWithin(unitId: string, ancestorId: string): boolean {
    for (let unit = this.byId.get(unitId); unit; unit = unit.parentId ? this.byId.get(unit.parentId) : undefined) {
      if (unit.id === ancestorId) return true
    }
    return false
  }

  /** The grid containing a WGS84 point; a point on a shared edge goes to the lowest grid id. */
  locate(point: LonLat): UnitPath | undefined {
    if (this.grids.length === 0) return undefined
    const hits = this.index.search(point.lon, point.lat, point.lon, point.lat)
    let found = -1
    for (const i of hits) {
      if (found >= 0 && this.grids[found]!.id < this.grids[i]!.id) continue
      const shapes = (this.shapes[i] ??= polygonsOf(this.grids[i]!.geometry).map((polygon) => new RingIndex(polygon)))
      if (covers(shapes, point.lon, point.lat)) found = i
    }
    return found >= 0 ? this.gridPaths[found] : undefined
  }

  featureCollection(): GeographyCollection {
    return { type: 'FeatureCollection', features: this.units.map(unitFeature) }
  }

  private parentOf(unit: GeoUnit, level: UnitLevel): GeoUnit {
    const parent = unit.parentId ? this.byId.get(unit.parentId) : undefined
    if (!parent || parent.level !== level) throw new Error(`unit ${unit.id} must have a ${level} parent`)
    return parent
  }
}

/** A unit as the geography route and the geography file write it: members in a fixed order. */
export function unitFeature(u: GeoUnit): GeographyCollection['features'][number] {
  return {
    type: 'Feature',
    id: u.id,
    properties: {
      id: u.id,
      level: u.level,
      parentId: u.parentId,
      name: u.name,
      ...(u.population !== undefined ? { population: u.population } : {}),
      ...(u.households !== undefined ? { households: u.households } : {}),
    },
    geometry: (u.geometry.type === 'Polygon'
      ? { type: 'Polygon', coordinates: u.geometry.coordinates }
      : { type: 'MultiPolygon', coordinates: u.geometry.coordinates }) satisfies UnitGeometry,
  }
}

export function bbox(unit: GeoUnit): [number, number, number, number] {
  return geometryBbox(unit.geometry)
}

function covers(shapes: readonly RingIndex[], x: number, y: number): boolean {
  for (const shape of shapes) if (shape.covers(x, y)) return true
  return false
}

/**
 * One polygon (outer ring and holes) for "is this point inside or on the boundary", answering
 * exactly what turf's booleanPointInPolygon answers (point-in-polygon-hao: a crossing count over
 * every ring, with a point on any ring counted in) at a fraction of its cost on long rings. The
 * vertices sit in one Float64Array, and the edges are bucketed by horizontal strips of the polygon's
 * height, so a point looks only at the edges whose latitude span holds it (hao skips the others
 * too: it counts an edge only when the point's latitude lies between its ends). The side of an
 * edge comes from the same differences hao takes; where the product of two of them is too near
 * zero for doubles to be sure of its sign, the polygon is asked of turf itself.
 */
export class RingIndex {
  private readonly polygon: PolygonCoords
  /** x0, y0, x1, y1, … of every ring, one after another. */
  private readonly xy: Float64Array
  /**
   * Strips: the edges of strip s, each as the index in `xy` of its first vertex's x (the edge ends
   * at the next vertex), are stripEdges[stripStart[s] … stripStart[s + 1]].
   */
  private readonly stripStart: Int32Array
  private readonly stripEdges: Int32Array
  private readonly minY: number
  private readonly maxY: number
  private scale = 0
  private strips = 1

  constructor(polygon: PolygonCoords) {
    this.polygon = polygon
    let points = 0
    let edgeCount = 0
    for (const ring of polygon) {
      points += ring.length
      edgeCount += Math.max(0, ring.length - 1)
    }
    const xy = new Float64Array(points * 2)
    const edges = new Int32Array(edgeCount)
    let p = 0
    let e = 0
    let minY = Infinity
    let maxY = -Infinity
    for (const ring of polygon) {
      for (let k = 0; k < ring.length; k++) {
        const [x, y] = ring[k]!
        if (k + 1 < ring.length) edges[e++] = p
        xy[p++] = x
        xy[p++] = y
        if (y < minY) minY = y
        if (y > maxY) maxY = y
      }
    }
    this.xy = xy
    this.minY = minY
    this.maxY = maxY
    // About two edges a strip on a ring that winds evenly, one strip for a rectangle; fewer strips
    // where long edges would sit in too many of them (a comb's teeth), so memory stays linear.
    let strips = Math.max(1, Math.min(2048, Math.floor(edgeCount / 2)))
    const first = new Int32Array(edgeCount)
    const last = new Int32Array(edgeCount)
    let counts: Int32Array
    for (;;) {
      this.strips = strips
      this.scale = maxY > minY ? strips / (maxY - minY) : 0
      counts = new Int32Array(strips + 1)
      let total = 0
      for (let k = 0; k < edgeCount; k++) {
        const a = this.strip(xy[edges[k]! + 1]!)
        const b = this.strip(xy[edges[k]! + 3]!)
        first[k] = a < b ? a : b
        last[k] = a < b ? b : a
        for (let s = first[k]!; s <= last[k]!; s++) counts[s + 1]!++
        total += last[k]! - first[k]! + 1
      }
      if (strips === 1 || total <= 8 * edgeCount) break
      strips = Math.max(1, Math.floor(strips / 4))
    }
    for (let s = 0; s < strips; s++) counts[s + 1]! += counts[s]!
    this.stripStart = counts
    this.stripEdges = new Int32Array(counts[strips]!)
    const fill = counts.slice(0, strips)
    for (let k = 0; k < edgeCount; k++) {
      for (let s = first[k]!; s <= last[k]!; s++) this.stripEdges[fill[s]!++] = edges[k]!
    }
  }

  /** Whether the point lies inside the polygon or on one of its rings. */
  covers(x: number, y: number): boolean {
    if (!(y >= this.minY && y <= this.maxY)) return false
    const xy = this.xy
    const stripEdges = this.stripEdges
    const strip = this.strip(y)
    let crossings = 0
    for (let n = this.stripStart[strip]!, end = this.stripStart[strip + 1]!; n < end; n++) {
      const i = stripEdges[n]!
      // The differences hao takes, in the same order: their rounding is part of its answer.
      const u1 = xy[i]! - x
      const v1 = xy[i + 1]! - y
      const u2 = xy[i + 2]! - x
      const v2 = xy[i + 3]! - y
      if (v1 === 0 && v2 === 0) {
        if ((u2 <= 0 && u1 >= 0) || (u1 <= 0 && u2 >= 0)) return true
      } else if ((v2 >= 0 && v1 <= 0) || (v2 <= 0 && v1 >= 0)) {
        // hao's orient2d(u1, u2, v1, v2, 0, 0): the sign of u2·v1 − u1·v2, exactly.
        const left = u2 * v1
        const right = u1 * v2
        const det = left - right
        if (!(Math.abs(det) > SIGN_BOUND * (Math.abs(left) + Math.abs(right)) + TINY)) return booleanPointInPolygon([x, y], { type: 'Polygon', coordinates: this.polygon })
        if ((det > 0 && v2 > 0 && v1 <= 0) || (det < 0 && v2 <= 0 && v1 > 0)) crossings++
      }
    }
    return crossings % 2 === 1
  }

  /** Monotonic in y: a point between an edge's ends falls in a strip between theirs. */
  private strip(y: number): number {
    const s = Math.floor((y - this.minY) * this.scale)
    return s < 0 ? 0 : s >= this.strips ? this.strips - 1 : s
  }

}

/**
 * Beyond this share of |u2·v1| + |u1·v2|, the rounded u2·v1 − u1·v2 has the sign of the exact one
 * (Shewchuk's ccwerrboundA, (3 + 16ε)ε, rounded up generously); nearer zero, turf decides.
 */
const SIGN_BOUND = 1e-15
/** Products this small may have lost bits below the smallest normal double: turf decides those too. */
const TINY = 1e-280
