// `npm run geo -- check`: every problem of a geography, named and measured. It runs at every start on
// the center's file, so the common case (children that tile their parent with shared edges) costs
// hashing each segment once, and polygon clipping is kept for the places where something is wrong.
//
// How a tiling is proved without clipping: orient every ring (outer counter-clockwise, holes
// clockwise) and add the children's boundaries minus the parent's as a chain of directed segments,
// a segment and its reverse cancelling (what is left is cut where a corner of another leftover lies
// on it, and cancelled again: a parent's side drawn whole and its children's drawn in pieces are the
// same line). The chain's winding number at a point is (children covering it) − (1 if the parent
// does). When the chain cancels to nothing, every point of the parent is covered exactly once and
// nothing lies outside it: no overlap, no gap, nothing outside, exactly. When it does not, every
// overlap, gap or outside part lies where that winding number is not zero, which is inside the
// bounding box of some connected piece of what is left of the chain; only the units and pairs
// meeting those boxes are clipped (polygon-clipping), each cropped to the box that matters first.
//
// Areas are on the sphere (Lambert's cylindrical equal-area), in m²; shares are of the child's area,
// of the smaller sibling's, or of the community's.
import Flatbush from 'flatbush'
import polygonClipping, { type MultiPolygon as ClipMultiPolygon } from 'polygon-clipping'
import { UNIT_LEVELS, type GeoUnit, type UnitLevel } from '../../shared/domain'

export interface GeoProblem {
  severity: 'error' | 'warning'
  code: string
  unitId: string | null
  message: string
}

/** A child may lie this share of its area outside its parent, siblings overlap this share of the smaller, a community's grids leave this share uncovered. */
export const CHECK_TOLERANCE = 0.01

/** The parent level each level needs. */
const PARENT_LEVEL: Readonly<Record<UnitLevel, UnitLevel | null>> = { district: null, street: 'district', community: 'street', grid: 'community' }
const CHILD_WORD: Readonly<Record<UnitLevel, string>> = { district: 'streets', street: 'communities', community: 'grids', grid: '' }

const EARTH_RADIUS = 6_371_008.8
const RAD = Math.PI / 180

/** Every problem of a geography, errors first, then by unit id. */
export function checkGeography(units: readonly GeoUnit[]): GeoProblem[] {
  const problems: GeoProblem[] = []
  const error = (code: string, unitId: string | null, message: string) => problems.push({ severity: 'error', code, unitId, message })
  const warning = (code: string, unitId: string | null, message: string) => problems.push({ severity: 'warning', code, unitId, message })

  // The tree ------------------------------------------------------------------------------------
  const byId = new Map<string, GeoUnit>()
  const sameId = new Map<string, GeoUnit[]>()
  for (const unit of units) {
    const first = byId.get(unit.id)
    if (!first) byId.set(unit.id, unit)
    else sameId.set(unit.id, [...(sameId.get(unit.id) ?? [first]), unit])
  }
  for (const [id, all] of sameId) {
    error('duplicate_id', id, `${all.length} units have the id ${id} (${all.map((u) => `${u.level} ${JSON.stringify(u.name)}`).join(', ')}); every id must be unique`)
  }
  const districts = units.filter((u) => u.level === 'district')
  if (districts.length === 0) error('district_count', null, 'no unit has level district; a geography holds exactly one district')
  if (districts.length > 1) error('district_count', null, `${districts.length} units have level district (${districts.map((d) => d.id).join(', ')}); a geography holds exactly one district`)

  // Units placed in the tree correctly: the ones whose geometry is compared with their parent's.
  const placed = new Set<GeoUnit>()
  for (const unit of units) {
    if (!(UNIT_LEVELS as readonly string[]).includes(unit.level)) {
      error('unknown_level', unit.id, `unit ${unit.id} has level ${JSON.stringify(unit.level)}; a level is one of ${UNIT_LEVELS.join(', ')}`)
      continue
    }
    const wanted = PARENT_LEVEL[unit.level]
    if (wanted === null) {
      if (unit.parentId !== null) error('level_order', unit.id, `district ${unit.id} has a parent (${unit.parentId}); the district is the root and has none`)
      continue
    }
    if (unit.parentId === null) {
      error('level_order', unit.id, `${unit.level} ${unit.id} has no parent; a ${unit.level}'s parent must be a ${wanted}`)
      continue
    }
    const parent = byId.get(unit.parentId)
    if (!parent) {
      error('unknown_parent', unit.id, `${unit.level} ${unit.id} names the parent ${unit.parentId}, which is not in the geography`)
      continue
    }
    if (parent.level !== wanted) {
      error('level_order', unit.id, `${unit.level} ${unit.id} has the parent ${parent.id}, a ${parent.level}; a ${unit.level}'s parent must be a ${wanted}`)
      continue
    }
    if (byId.get(unit.id) === unit) placed.add(unit)
  }

  // Counts -----------------------------------------------------------------------------------------
  for (const unit of units) {
    const counts: [string, unknown][] = [
      ['population', unit.population],
      ['households', unit.households],
    ]
    for (const [field, value] of counts) {
      if (value === undefined) continue
      if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value)) {
        error('invalid_population', unit.id, `${unit.level} ${unit.id} has ${field} ${JSON.stringify(value)}; a count is a whole number`)
      } else if (value < 0) {
        error('negative_population', unit.id, `${unit.level} ${unit.id} has ${field} ${value}; a count cannot be negative`)
      }
    }
    if (unit.population === undefined) warning('no_population', unit.id, `${unit.level} ${unit.id} has no population: its per-capita figures show n/a`)
    else if (unit.population === 0) warning('no_population', unit.id, `${unit.level} ${unit.id} has population 0: its per-capita figures show n/a`)
  }

  // Each unit's own shape --------------------------------------------------------------------------
  const shapes = new Map<GeoUnit, Shape>()
  for (const unit of units) {
    const shape = shapeOf(unit, error)
    if (shape && selfIntersections(shape, error)) shapes.set(unit, shape)
  }

  // Children against their parent and each other ------------------------------------------------------
  const childrenOf = new Map<GeoUnit, GeoUnit[]>()
  for (const unit of placed) {
    const parent = byId.get(unit.parentId!)!
    const list = childrenOf.get(parent) ?? []
    list.push(unit)
    childrenOf.set(parent, list)
  }
  for (const parent of units) {
    if (byId.get(parent.id) !== parent || parent.level === 'grid' || !(UNIT_LEVELS as readonly string[]).includes(parent.level)) continue
    const children = childrenOf.get(parent) ?? []
    if (children.length === 0) {
      if (parent.level === 'community') {
        const area = shapes.get(parent)?.area
        warning('grid_gap', parent.id, `community ${parent.id} has no grids: all of it${area !== undefined ? ` (${squareMetres(area)})` : ''} is uncovered, and events there are placed in no grid`)
      } else {
        warning('no_children', parent.id, `${parent.level} ${parent.id} has no ${CHILD_WORD[parent.level]}: events there are placed in no grid`)
      }
      continue
    }
    checkFamily(parent, children, shapes, error, warning)
  }

  const rank = (p: GeoProblem) => (p.severity === 'error' ? 0 : 1)
  return problems.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      compare(a.unitId ?? '', b.unitId ?? '') ||
      compare(a.code, b.code) ||
      compare(a.message, b.message),
  )
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

type Report = (code: string, unitId: string | null, message: string) => void

// Shapes ---------------------------------------------------------------------------------------------

interface Ring {
  /** x, y of each vertex, consecutive duplicates dropped, the first repeated at the end. */
  xy: Float64Array
  /** Segments (distinct vertices). */
  n: number
  part: number
  hole: boolean
  /** Whether the ring as given runs the way the chain wants it (outer counter-clockwise, holes clockwise). */
  forward: boolean
}

interface Shape {
  unit: GeoUnit
  rings: Ring[]
  parts: number
  /** [west, south, east, north] */
  bbox: [number, number, number, number]
  /** Square metres. */
  area: number
  clip?: ClipMultiPolygon
}

/** The unit's rings, or undefined (and an invalid_ring error for each bad ring) when any is unusable. */
function shapeOf(unit: GeoUnit, error: Report): Shape | undefined {
  const geometry = unit.geometry as unknown
  const what = `${unit.level} ${unit.id}`
  if (!isObject(geometry) || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') || !Array.isArray(geometry.coordinates)) {
    error('invalid_ring', unit.id, `${what} has no Polygon or MultiPolygon geometry`)
    return undefined
  }
  const polygons = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) as unknown[]
  const multi = geometry.type === 'MultiPolygon'
  if (polygons.length === 0) {
    error('invalid_ring', unit.id, `${what} has a MultiPolygon with no polygons`)
    return undefined
  }
  const rings: Ring[] = []
  let ok = true
  let area = 0
  const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]
  polygons.forEach((polygon, part) => {
    if (!Array.isArray(polygon) || polygon.length === 0) {
      error('invalid_ring', unit.id, `${what}: ${multi ? `part ${part + 1}` : 'the polygon'} has no rings`)
      ok = false
      return
    }
    polygon.forEach((raw: unknown, r: number) => {
      const name = ringName(multi, part, r)
      const ring = readRing(raw, r > 0, part)
      if (typeof ring === 'string') {
        error('invalid_ring', unit.id, `${what}: ${name} ${ring}`)
        ok = false
        return
      }
      const signed = ringArea(ring.xy)
      // A ring whose lobes cancel (a bow-tie) has no net area either; it is left to the self-intersection test.
      if (Math.abs(signed) < 0.01 && ringArea(ring.xy, true) < 0.01) {
        error('invalid_ring', unit.id, `${what}: ${name} encloses no area (${squareMetres(Math.abs(signed))}): its points lie on a line`)
        ok = false
        return
      }
      ring.forward = (signed > 0) !== ring.hole
      area += ring.hole ? -Math.abs(signed) : Math.abs(signed)
      if (!ring.hole) {
        for (let k = 0; k < ring.n; k++) {
          const x = ring.xy[2 * k]!
          const y = ring.xy[2 * k + 1]!
          if (x < bbox[0]) bbox[0] = x
          if (y < bbox[1]) bbox[1] = y
          if (x > bbox[2]) bbox[2] = x
          if (y > bbox[3]) bbox[3] = y
        }
      }
      rings.push(ring)
    })
  })
  if (!ok) return undefined
  return { unit, rings, parts: polygons.length, bbox, area }
}

function ringName(multi: boolean, part: number, r: number): string {
  const ring = r === 0 ? 'the outer ring' : `hole ${r}`
  return multi ? `part ${part + 1}'s ${r === 0 ? 'outer ring' : `hole ${r}`}` : ring
}

/** A ring's vertices, or what is wrong with it. */
function readRing(raw: unknown, hole: boolean, part: number): Ring | string {
  if (!Array.isArray(raw)) return 'is not a list of positions'
  if (raw.length < 4) return `has ${raw.length} position${raw.length === 1 ? '' : 's'}; a ring needs at least 4, the last repeating the first`
  const xy = new Float64Array(raw.length * 2)
  let n2 = 0
  for (let p = 0; p < raw.length; p++) {
    const position = raw[p] as unknown
    const x = Array.isArray(position) ? (position[0] as unknown) : undefined
    const y = Array.isArray(position) ? (position[1] as unknown) : undefined
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
      return `has position ${p} ${describePosition(position)}, not a pair of finite numbers`
    }
    if (x < -180 || x > 180 || y < -90 || y > 90) return `has position ${p} (${x}, ${y}), not a WGS84 longitude, latitude in degrees`
    // `+ 0` makes -0 into 0, so the two hash alike.
    if (n2 === 0 || xy[n2 - 2] !== x || xy[n2 - 1] !== y) {
      xy[n2++] = x + 0
      xy[n2++] = y + 0
    }
  }
  const last = raw[raw.length - 1] as [number, number]
  const first = raw[0] as [number, number]
  if (first[0] !== last[0] || first[1] !== last[1]) return `is not closed: it starts at (${first[0]}, ${first[1]}) and ends at (${last[0]}, ${last[1]})`
  const n = n2 / 2 - 1
  if (n < 3) return `has ${n} distinct point${n === 1 ? '' : 's'}; a ring needs at least 3 corners`
  return { xy: xy.slice(0, n2), n, part, hole, forward: true }
}

function describePosition(position: unknown): string {
  if (!Array.isArray(position)) return JSON.stringify(position) ?? String(position)
  return `(${position.map((v) => (typeof v === 'number' ? String(v) : JSON.stringify(v))).join(', ')})`
}

/**
 * Signed area in square metres on the sphere, positive when counter-clockwise: the shoelace in
 * (longitude, sin latitude), Lambert's cylindrical equal-area projection, taken from the first vertex
 * so that small rings keep their digits. `unsigned` sums the fan's triangles without their signs:
 * zero only when every point lies on one line.
 */
function ringArea(xy: Float64Array, unsigned = false): number {
  const x0 = xy[0]! * RAD
  const s0 = Math.sin(xy[1]! * RAD)
  let sum = 0
  let px = 0
  let ps = 0
  for (let k = 2; k < xy.length; k += 2) {
    const x = xy[k]! * RAD - x0
    const s = Math.sin(xy[k + 1]! * RAD) - s0
    const term = px * s - x * ps
    sum += unsigned ? Math.abs(term) : term
    px = x
    ps = s
  }
  return (sum / 2) * EARTH_RADIUS * EARTH_RADIUS
}

function multiPolygonArea(mp: ClipMultiPolygon): number {
  let area = 0
  for (const polygon of mp) {
    polygon.forEach((ring, r) => {
      const xy = Float64Array.from(ring.flat())
      const a = Math.abs(ringArea(xy))
      area += r === 0 ? a : -a
    })
  }
  return area
}

function clipGeometry(shape: Shape): ClipMultiPolygon {
  if (!shape.clip) {
    const parts: ClipMultiPolygon = Array.from({ length: shape.parts }, () => [])
    for (const ring of shape.rings) {
      const points: [number, number][] = []
      for (let k = 0; k <= ring.n; k++) points.push([ring.xy[2 * k]!, ring.xy[2 * k + 1]!])
      parts[ring.part]!.push(points)
    }
    shape.clip = parts.filter((p) => p.length > 0)
  }
  return shape.clip
}

// Self-intersections ------------------------------------------------------------------------------------

/** Consecutive segments of a ring indexed together. */
const CHUNK = 8
const NONE = 0
const CROSS = 1
const TOUCH = 2
const OVERLAP = 3
/** Where the last two segments met, for the message. */
const meetAt: [number, number] = [0, 0]

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
}

function between(px: number, py: number, ax: number, ay: number, bx: number, by: number): boolean {
  return (ax < bx ? ax <= px && px <= bx : bx <= px && px <= ax) && (ay < by ? ay <= py && py <= by : by <= py && py <= ay)
}

/** How segments ab and cd meet: NONE, CROSS (their insides cross), TOUCH (at one point, an end of one) or OVERLAP (along a stretch). */
function segmentsMeet(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): number {
  const o1 = orient(ax, ay, bx, by, cx, cy)
  const o2 = orient(ax, ay, bx, by, dx, dy)
  if ((o1 > 0 && o2 > 0) || (o1 < 0 && o2 < 0)) return NONE
  const o3 = orient(cx, cy, dx, dy, ax, ay)
  const o4 = orient(cx, cy, dx, dy, bx, by)
  if ((o3 > 0 && o4 > 0) || (o3 < 0 && o4 < 0)) return NONE
  if (o1 !== 0 && o2 !== 0 && o3 !== 0 && o4 !== 0) {
    const t = o3 / (o3 - o4)
    meetAt[0] = ax + t * (bx - ax)
    meetAt[1] = ay + t * (by - ay)
    return CROSS
  }
  if (o1 === 0 && o2 === 0) {
    const alongX = Math.abs(bx - ax) >= Math.abs(by - ay)
    const a0 = alongX ? Math.min(ax, bx) : Math.min(ay, by)
    const a1 = alongX ? Math.max(ax, bx) : Math.max(ay, by)
    const c0 = alongX ? Math.min(cx, dx) : Math.min(cy, dy)
    const c1 = alongX ? Math.max(cx, dx) : Math.max(cy, dy)
    const lo = Math.max(a0, c0)
    const hi = Math.min(a1, c1)
    if (lo > hi) return NONE
    // The start of the shared stretch, as a point on cd.
    const onC = alongX ? (cx === lo || cx === hi) : (cy === lo || cy === hi)
    meetAt[0] = onC ? cx : dx
    meetAt[1] = onC ? cy : dy
    return lo < hi ? OVERLAP : TOUCH
  }
  if (o1 === 0 && between(cx, cy, ax, ay, bx, by)) return touch(cx, cy)
  if (o2 === 0 && between(dx, dy, ax, ay, bx, by)) return touch(dx, dy)
  if (o3 === 0 && between(ax, ay, cx, cy, dx, dy)) return touch(ax, ay)
  if (o4 === 0 && between(bx, by, cx, cy, dx, dy)) return touch(bx, by)
  return NONE
}

function touch(x: number, y: number): number {
  meetAt[0] = x
  meetAt[1] = y
  return TOUCH
}

/** Buffers for selfIntersections, reused from unit to unit. */
const scratch = { seg: new Float64Array(0), box: new Float64Array(0), segRing: new Int32Array(0) }

/**
 * Reports rings that cross or touch themselves, holes crossing their outer ring or each other, parts
 * crossing each other, holes outside their outer ring and parts inside another part. True when the
 * shape is sound enough to measure areas with.
 */
function selfIntersections(shape: Shape, error: Report): boolean {
  const { rings, unit } = shape
  const multi = unit.geometry.type === 'MultiPolygon'
  const what = `${unit.level} ${unit.id}`
  // Segments in ring order, their boxes, and runs of CHUNK consecutive segments of one ring: the
  // flatbush holds the runs (a wiggly boundary's runs have tight boxes), and segments are compared
  // only within runs whose boxes meet.
  let total = 0
  for (const ring of rings) total += ring.n
  if (scratch.segRing.length < total) {
    const room = Math.max(total, scratch.segRing.length * 2)
    scratch.seg = new Float64Array(room * 4)
    scratch.box = new Float64Array(room * 4)
    scratch.segRing = new Int32Array(room)
  }
  const { seg, box, segRing } = scratch
  const ringFirst = new Int32Array(rings.length)
  const chunkStart: number[] = []
  let s = 0
  rings.forEach((ring, r) => {
    ringFirst[r] = s
    const xy = ring.xy
    for (let k = 0; k < ring.n; k++, s++) {
      if (k % CHUNK === 0) chunkStart.push(s)
      segRing[s] = r
      const ax = xy[2 * k]!
      const ay = xy[2 * k + 1]!
      const bx = xy[2 * k + 2]!
      const by = xy[2 * k + 3]!
      seg[s * 4] = ax
      seg[s * 4 + 1] = ay
      seg[s * 4 + 2] = bx
      seg[s * 4 + 3] = by
      box[s * 4] = ax < bx ? ax : bx
      box[s * 4 + 1] = ay < by ? ay : by
      box[s * 4 + 2] = ax < bx ? bx : ax
      box[s * 4 + 3] = ay < by ? by : ay
    }
  })
  chunkStart.push(total)
  const chunks = chunkStart.length - 1
  const chunkBox = new Float64Array(chunks * 4)
  const index = new Flatbush(chunks)
  for (let c = 0; c < chunks; c++) {
    let minX = Infinity
    let minY = Infinity
    let maxX = -Infinity
    let maxY = -Infinity
    for (let i = chunkStart[c]!; i < chunkStart[c + 1]!; i++) {
      if (box[i * 4]! < minX) minX = box[i * 4]!
      if (box[i * 4 + 1]! < minY) minY = box[i * 4 + 1]!
      if (box[i * 4 + 2]! > maxX) maxX = box[i * 4 + 2]!
      if (box[i * 4 + 3]! > maxY) maxY = box[i * 4 + 3]!
    }
    chunkBox.set([minX, minY, maxX, maxY], c * 4)
    index.add(minX, minY, maxX, maxY)
  }
  index.finish()

  /** Per ring pair ("r" for a ring with itself, "r:q" for two): how many places, and the first. */
  const found = new Map<string, { count: number; x: number; y: number; kind: number }>()
  const note = (key: string, kind: number) => {
    const seen = found.get(key)
    if (seen) seen.count++
    else found.set(key, { count: 1, x: meetAt[0], y: meetAt[1], kind })
  }
  for (let c = 0; c < chunks; c++) {
    const near = index.search(chunkBox[c * 4]!, chunkBox[c * 4 + 1]!, chunkBox[c * 4 + 2]!, chunkBox[c * 4 + 3]!)
    for (const d of near) {
      if (d < c) continue
      for (let i = chunkStart[c]!; i < chunkStart[c + 1]!; i++) {
        const minX = box[i * 4]!
        const minY = box[i * 4 + 1]!
        const maxX = box[i * 4 + 2]!
        const maxY = box[i * 4 + 3]!
        const ri = segRing[i]!
        for (let j = d === c ? i + 1 : chunkStart[d]!; j < chunkStart[d + 1]!; j++) {
          if (box[j * 4]! > maxX || box[j * 4 + 2]! < minX || box[j * 4 + 1]! > maxY || box[j * 4 + 3]! < minY) continue
          const rj = segRing[j]!
          if (ri === rj && (j === i + 1 || (i === ringFirst[ri] && j === ringFirst[ri]! + rings[ri]!.n - 1))) {
            // Neighbours on the ring meet at their shared corner; they overlap only when the ring turns straight back.
            // a → b → c along the ring
            const first = j === i + 1 ? i * 4 : j * 4
            const second = j === i + 1 ? j * 4 : i * 4
            const ax = seg[first]!
            const ay = seg[first + 1]!
            const bx = seg[second]!
            const by = seg[second + 1]!
            const cx = seg[second + 2]!
            const cy = seg[second + 3]!
            if (orient(ax, ay, bx, by, cx, cy) === 0 && (bx - ax) * (cx - bx) + (by - ay) * (cy - by) < 0) {
              meetAt[0] = bx
              meetAt[1] = by
              note(`${ri}`, OVERLAP)
            }
            continue
          }
          const kind = segmentsMeet(seg[i * 4]!, seg[i * 4 + 1]!, seg[i * 4 + 2]!, seg[i * 4 + 3]!, seg[j * 4]!, seg[j * 4 + 1]!, seg[j * 4 + 2]!, seg[j * 4 + 3]!)
          if (kind === NONE) continue
          if (ri === rj) note(`${ri}`, kind)
          else if (rings[ri]!.part === rings[rj]!.part ? kind === CROSS || kind === OVERLAP : kind === CROSS) {
            note(i < j ? `${ri}:${rj}` : `${rj}:${ri}`, kind)
          }
        }
      }
    }
  }

  const names = rings.map((ring, r) => ringName(multi, ring.part, r - ringFirstOfPart(rings, ring.part)))
  for (const [key, f] of found) {
    const at = `(${round7(f.x)}, ${round7(f.y)})`
    const more = f.count > 1 ? `, and at ${f.count - 1} more place${f.count > 2 ? 's' : ''}` : ''
    const [a, b] = key.split(':').map(Number) as [number, number | undefined]
    let message: string
    if (b === undefined) {
      const how = f.kind === OVERLAP ? 'doubles back on itself' : f.kind === CROSS ? 'crosses itself' : 'touches itself'
      message = `${what}: ${names[a]} ${how} at ${at}${more}`
    } else if (rings[a]!.part === rings[b]!.part) {
      message = `${what}: ${names[b]} ${f.kind === OVERLAP ? 'runs along' : 'crosses'} ${names[a]} at ${at}${more}`
    } else {
      message = `${what}: part ${rings[b]!.part + 1} crosses part ${rings[a]!.part + 1} at ${at}${more}`
    }
    error('self_intersection', unit.id, message)
  }
  if (found.size > 0) return false

  // Holes inside their outer ring, parts not inside one another.
  let sound = true
  rings.forEach((ring, r) => {
    if (!ring.hole) return
    const outer = ringFirstOfPart(rings, ring.part)
    if (firstSide(ring, [rings[outer]!]) < 0) {
      error('invalid_ring', unit.id, `${what}: ${names[r]} lies outside its outer ring`)
      sound = false
    }
  })
  if (shape.parts > 1) {
    const outers = rings.filter((ring) => !ring.hole)
    const boxes = new Map(outers.map((ring) => [ring, ringBox(ring)]))
    for (const a of outers) {
      for (const b of outers) {
        if (a === b || !boxInside(boxes.get(a)!, boxes.get(b)!)) continue
        const partRings = rings.filter((ring) => ring.part === b.part)
        if (firstSide(a, partRings) > 0) {
          error('self_intersection', unit.id, `${what}: part ${a.part + 1} lies inside part ${b.part + 1}`)
          sound = false
        }
      }
    }
  }
  return sound
}

function ringFirstOfPart(rings: readonly Ring[], part: number): number {
  return rings.findIndex((ring) => ring.part === part)
}

function ringBox(ring: Ring): [number, number, number, number] {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]
  for (let k = 0; k < ring.n; k++) {
    const x = ring.xy[2 * k]!
    const y = ring.xy[2 * k + 1]!
    if (x < box[0]) box[0] = x
    if (y < box[1]) box[1] = y
    if (x > box[2]) box[2] = x
    if (y > box[3]) box[3] = y
  }
  return box
}

function boxInside(inner: readonly number[], outer: readonly number[]): boolean {
  return inner[0]! >= outer[0]! && inner[1]! >= outer[1]! && inner[2]! <= outer[2]! && inner[3]! <= outer[3]!
}

/** 1 inside, -1 outside `rings` (even-odd), for the first vertex of `ring` not on them; 0 if all are on them. */
function firstSide(ring: Ring, rings: readonly Ring[]): number {
  for (let k = 0; k < ring.n; k++) {
    const side = pointSide(ring.xy[2 * k]!, ring.xy[2 * k + 1]!, rings)
    if (side !== 0) return side
  }
  return 0
}

function pointSide(px: number, py: number, rings: readonly Ring[]): number {
  let inside = false
  for (const ring of rings) {
    const xy = ring.xy
    for (let k = 0; k < ring.n; k++) {
      const ax = xy[2 * k]!
      const ay = xy[2 * k + 1]!
      const bx = xy[2 * k + 2]!
      const by = xy[2 * k + 3]!
      const o = orient(ax, ay, bx, by, px, py)
      if (o === 0 && between(px, py, ax, ay, bx, by)) return 0
      if (ay > py !== by > py && by > ay === o > 0) inside = !inside
    }
  }
  return inside ? 1 : -1
}

// Families: a parent and its children -------------------------------------------------------------------

function checkFamily(parent: GeoUnit, children: readonly GeoUnit[], shapes: Map<GeoUnit, Shape>, error: Report, warning: Report): void {
  const parentShape = shapes.get(parent)
  const kids = children.map((c) => shapes.get(c)).filter((s): s is Shape => s !== undefined)
  const allKids = kids.length === children.length
  if (kids.length === 0) return

  const residue = residualChain(parentShape, kids)
  if (residue.length === 0) return // an exact tiling: nothing outside, no overlap, no gap
  const suspect = suspectBoxes(residue)
  const inSuspect = (box: readonly number[]) => suspect.search(box[0]!, box[1]!, box[2]!, box[3]!).length > 0

  // Only what the residue reaches is clipped, and each shape first cropped to the box that matters,
  // so that polygon-clipping's sweep sees the few hundred segments near a shared edge, not a whole
  // street's boundary.
  const candidates = kids.filter((k) => inSuspect(k.bbox))
  if (parentShape) {
    for (const kid of candidates) {
      const area = boxesMeet(kid.bbox, parentShape.bbox)
        ? measure(() => multiPolygonArea(polygonClipping.difference(clipGeometry(kid), cropShape(parentShape, kid.bbox))), [kid, parentShape], error)
        : kid.area
      if (area !== undefined && area > CHECK_TOLERANCE * kid.area) {
        error('outside_parent', kid.unit.id, `${kid.unit.level} ${kid.unit.id} lies ${percent(area / kid.area)} (${squareMetres(area)}) outside its ${parent.level} ${parent.id}`)
      }
    }
  }

  if (candidates.length > 1) {
    const index = new Flatbush(candidates.length)
    for (const c of candidates) index.add(...c.bbox)
    index.finish()
    candidates.forEach((a, i) => {
      for (const j of index.search(...a.bbox)) {
        if (j <= i) continue
        const b = candidates[j]!
        const meet: Box = [Math.max(a.bbox[0], b.bbox[0]), Math.max(a.bbox[1], b.bbox[1]), Math.min(a.bbox[2], b.bbox[2]), Math.min(a.bbox[3], b.bbox[3])]
        if (!inSuspect(meet)) continue
        const area = measure(() => multiPolygonArea(polygonClipping.intersection(cropShape(a, meet), cropShape(b, meet))), [a, b], error)
        if (area === undefined) continue
        const smaller = Math.min(a.area, b.area)
        if (area > CHECK_TOLERANCE * smaller) {
          const [first, second] = a.unit.id <= b.unit.id ? [a, b] : [b, a]
          error(
            'sibling_overlap',
            first.unit.id,
            `${first.unit.level} ${first.unit.id} overlaps its sibling ${second.unit.id} by ${percent(area / smaller)} of the smaller (${squareMetres(area)})`,
          )
        }
      }
    })
  }

  if (parent.level === 'community' && parentShape && allKids) {
    // The community cut into about as many cells as it has grids; each cell's gap measured apart.
    const side = Math.max(1, Math.ceil(Math.sqrt(kids.length)))
    const [west, south, east, north] = parentShape.bbox
    let gap: number | undefined = 0
    for (let i = 0; i < side && gap !== undefined; i++) {
      for (let j = 0; j < side && gap !== undefined; j++) {
        const cell: Box = [
          i === 0 ? west : west + ((east - west) * i) / side,
          j === 0 ? south : south + ((north - south) * j) / side,
          i === side - 1 ? east : west + ((east - west) * (i + 1)) / side,
          j === side - 1 ? north : south + ((north - south) * (j + 1)) / side,
        ]
        if (!inSuspect(cell)) continue
        const here = kids.filter((k) => boxesMeet(k.bbox, cell))
        const area = measure(() => multiPolygonArea(polygonClipping.difference(cropShape(parentShape, cell), ...here.map((k) => cropShape(k, cell)))), [parentShape], error)
        gap = area === undefined ? undefined : gap + area
      }
    }
    if (gap !== undefined && gap > CHECK_TOLERANCE * parentShape.area) {
      warning('grid_gap', parent.id, `community ${parent.id}: its grids leave ${percent(gap / parentShape.area)} of it (${squareMetres(gap)}) uncovered; events there are placed in no grid`)
    }
  }
}

type Box = [west: number, south: number, east: number, north: number]

/**
 * The shape cut to a box (Sutherland–Hodgman, ring by ring). Where a ring leaves the box and comes
 * back, the cut ring runs along the box's side and back: edges of no area, which polygon-clipping
 * reads by the non-zero rule as nothing. A shape inside the box is returned whole.
 */
function cropShape(shape: Shape, box: Box): ClipMultiPolygon {
  const [west, south, east, north] = box
  if (shape.bbox[0] >= west && shape.bbox[1] >= south && shape.bbox[2] <= east && shape.bbox[3] <= north) return clipGeometry(shape)
  const parts: ClipMultiPolygon = []
  let part = -1
  let keep = false
  for (const ring of shape.rings) {
    if (ring.part !== part) {
      part = ring.part
      keep = false
    }
    if (!ring.hole) keep = false
    if (ring.hole && !keep) continue
    let points: number[] = Array.from(ring.xy.subarray(0, ring.n * 2))
    for (let side = 0; side < 4 && points.length >= 6; side++) points = cropToSide(points, side, box)
    if (points.length < 6) continue
    const cut: [number, number][] = []
    for (let k = 0; k < points.length; k += 2) cut.push([points[k]!, points[k + 1]!])
    cut.push([points[0]!, points[1]!])
    if (ring.hole) {
      parts[parts.length - 1]!.push(cut)
    } else {
      parts.push([cut])
      keep = true
    }
  }
  return parts
}

/** An open ring (x, y, x, y, …) cut to one side of the box: 0 west, 1 east, 2 south, 3 north. */
function cropToSide(points: readonly number[], side: number, box: Box): number[] {
  const axis = side < 2 ? 0 : 1
  const limit = box[side === 0 ? 0 : side === 1 ? 2 : side === 2 ? 1 : 3]
  const keepAbove = side === 0 || side === 2
  const inside = (v: number) => (keepAbove ? v >= limit : v <= limit)
  const out: number[] = []
  const count = points.length / 2
  for (let k = 0; k < count; k++) {
    const p = ((k + count - 1) % count) * 2
    const c = k * 2
    const prevIn = inside(points[p + axis]!)
    const curIn = inside(points[c + axis]!)
    if (prevIn !== curIn) {
      const t = (limit - points[p + axis]!) / (points[c + axis]! - points[p + axis]!)
      const other = 1 - axis
      const crossing = points[p + other]! + t * (points[c + other]! - points[p + other]!)
      if (axis === 0) out.push(limit, crossing)
      else out.push(crossing, limit)
    }
    if (curIn) out.push(points[c]!, points[c + 1]!)
  }
  return out
}

/** An area from polygon-clipping, or undefined (and a clipping_failed error) when it throws on the shapes. */
function measure(run: () => number, shapes: readonly Shape[], error: Report): number | undefined {
  try {
    return run()
  } catch (e) {
    const [first, ...rest] = shapes
    const others = rest.map((s) => ` against ${s.unit.level} ${s.unit.id}`).join('')
    error('clipping_failed', first!.unit.id, `${first!.unit.level} ${first!.unit.id}${others} could not be measured (${(e as Error).message}); look for near-duplicate points or hair-thin spikes in its rings`)
    return undefined
  }
}

function boxesMeet(a: readonly number[], b: readonly number[]): boolean {
  return a[0]! <= b[2]! && b[0]! <= a[2]! && a[1]! <= b[3]! && b[1]! <= a[3]!
}

/**
 * What is left of Σ children's boundaries − the parent's boundary, as segments [ax, ay, bx, by] with
 * their multiplicity, once every segment has met its reverse.
 */
function residualChain(parent: Shape | undefined, kids: readonly Shape[]): Residue[] {
  let total = 0
  for (const kid of kids) for (const ring of kid.rings) total += ring.n
  if (parent) for (const ring of parent.rings) total += ring.n
  const table = SegmentTable.shared.reset(total)
  for (const kid of kids) for (const ring of kid.rings) table.addRing(ring, 1)
  if (parent) for (const ring of parent.rings) table.addRing(ring, -1)
  const residue = table.residue()
  return residue.length === 0 ? residue : splitAtCorners(residue)
}

/** A segment left over, from its lower end to its upper one (x, then y), with its count. */
interface Residue {
  ax: number
  ay: number
  bx: number
  by: number
  count: number
}

/**
 * The residue with every segment cut where a corner of another lies on it, cancelled again. A
 * parent's side drawn as one segment and its children's as several (a T-junction, as in rectangles
 * cut from rectangles) are the same line: once cut at the same corners they cancel. Corners that
 * could cut a residual segment are ends of residual segments themselves (the pieces that did not
 * cancel it), so only the residue is searched.
 */
function splitAtCorners(residue: readonly Residue[]): Residue[] {
  const index = new Flatbush(residue.length)
  for (const r of residue) index.add(r.ax, Math.min(r.ay, r.by), r.bx, Math.max(r.ay, r.by))
  index.finish()
  const cuts = residue.map(() => [] as { t: number; x: number; y: number }[])
  for (const r of residue) {
    for (const [px, py] of [
      [r.ax, r.ay],
      [r.bx, r.by],
    ] as const) {
      for (const h of index.search(px, py, px, py)) {
        const s = residue[h]!
        if ((px === s.ax && py === s.ay) || (px === s.bx && py === s.by)) continue
        if (orient(s.ax, s.ay, s.bx, s.by, px, py) !== 0 || !between(px, py, s.ax, s.ay, s.bx, s.by)) continue
        cuts[h]!.push({ t: s.ax !== s.bx ? (px - s.ax) / (s.bx - s.ax) : (py - s.ay) / (s.by - s.ay), x: px, y: py })
      }
    }
  }
  if (cuts.every((c) => c.length === 0)) return [...residue]
  const table = new SegmentTable(residue.length * 2)
  residue.forEach((s, i) => {
    const points: [number, number][] = [[s.ax, s.ay]]
    // The corners themselves, not points recomputed from t: the pieces must meet the other side's ends exactly.
    for (const cut of cuts[i]!.sort((a, b) => a.t - b.t)) {
      const last = points[points.length - 1]!
      if (last[0] !== cut.x || last[1] !== cut.y) points.push([cut.x, cut.y])
    }
    points.push([s.bx, s.by])
    for (let k = 0; k + 1 < points.length; k++) table.addSegment(points[k]![0], points[k]![1], points[k + 1]![0], points[k + 1]![1], s.count)
  })
  return table.residue()
}

/** A flatbush of the bounding boxes of the residue's connected pieces. */
function suspectBoxes(residue: readonly Residue[]): Flatbush {
  const index = new Flatbush(residue.length)
  for (const r of residue) index.add(r.ax, Math.min(r.ay, r.by), r.bx, Math.max(r.ay, r.by))
  index.finish()
  // Pieces: segments whose boxes touch (the residue's loops share their ends) are joined.
  const piece = new Int32Array(residue.length).fill(-1)
  const boxes: [number, number, number, number][] = []
  for (let start = 0; start < residue.length; start++) {
    if (piece[start] !== -1) continue
    const id = boxes.length
    const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]
    boxes.push(box)
    piece[start] = id
    const stack = [start]
    while (stack.length > 0) {
      const s = stack.pop()!
      const r = residue[s]!
      const minX = r.ax
      const minY = Math.min(r.ay, r.by)
      const maxX = r.bx
      const maxY = Math.max(r.ay, r.by)
      if (minX < box[0]) box[0] = minX
      if (minY < box[1]) box[1] = minY
      if (maxX > box[2]) box[2] = maxX
      if (maxY > box[3]) box[3] = maxY
      for (const t of index.search(minX, minY, maxX, maxY)) {
        if (piece[t] === -1) {
          piece[t] = id
          stack.push(t)
        }
      }
    }
  }
  const result = new Flatbush(boxes.length)
  for (const box of boxes) result.add(...box)
  result.finish()
  return result
}

/**
 * Directed segments with a count, keyed by their two ends (open addressing on the bits of the four
 * numbers): a segment and its reverse are one key with opposite signs.
 */
class SegmentTable {
  private mask = 0
  private keys = new Float64Array(0)
  private counts = new Int32Array(0)
  private used = new Uint8Array(0)
  /** The slots in use, so that a reset clears only those. */
  private filled = new Int32Array(0)
  private size = 0
  private static readonly bits = new Uint32Array(new Float64Array(1).buffer)
  private static readonly float = new Float64Array(SegmentTable.bits.buffer)
  /** One table for every family, so that a district of thousands of them does not allocate thousands. */
  static readonly shared = new SegmentTable(0)

  constructor(expected: number) {
    this.reset(expected)
  }

  /** Empty, with room for `expected` segments. */
  reset(expected: number): this {
    let capacity = 16
    while (capacity < expected * 2) capacity *= 2
    if (capacity > this.used.length) {
      this.mask = capacity - 1
      this.keys = new Float64Array(capacity * 4)
      this.counts = new Int32Array(capacity)
      this.used = new Uint8Array(capacity)
      this.filled = new Int32Array(capacity)
    } else {
      for (let i = 0; i < this.size; i++) this.used[this.filled[i]!] = 0
    }
    this.size = 0
    return this
  }

  addRing(ring: Ring, sign: number): void {
    const xy = ring.xy
    const direction = ring.forward ? sign : -sign
    for (let k = 0; k < ring.n; k++) {
      const ax = xy[2 * k]!
      const ay = xy[2 * k + 1]!
      const bx = xy[2 * k + 2]!
      const by = xy[2 * k + 3]!
      if (ax < bx || (ax === bx && ay < by)) this.add(ax, ay, bx, by, direction)
      else this.add(bx, by, ax, ay, -direction)
    }
  }

  /** A segment already from its lower end to its upper one. */
  addSegment(ax: number, ay: number, bx: number, by: number, count: number): void {
    this.add(ax, ay, bx, by, count)
  }

  private add(ax: number, ay: number, bx: number, by: number, count: number): void {
    let slot = (SegmentTable.hash(ax, ay, bx, by) & this.mask) >>> 0
    const keys = this.keys
    while (this.used[slot]) {
      const k = slot * 4
      if (keys[k] === ax && keys[k + 1] === ay && keys[k + 2] === bx && keys[k + 3] === by) {
        this.counts[slot]! += count
        return
      }
      slot = (slot + 1) & this.mask
    }
    this.used[slot] = 1
    this.filled[this.size++] = slot
    keys[slot * 4] = ax
    keys[slot * 4 + 1] = ay
    keys[slot * 4 + 2] = bx
    keys[slot * 4 + 3] = by
    this.counts[slot] = count
  }

  /** The segments whose count is not zero. */
  residue(): Residue[] {
    const out: Residue[] = []
    const keys = this.keys
    // In the order the segments came, so that the residue (and what is clipped) does not depend on the table's size.
    for (let i = 0; i < this.size; i++) {
      const slot = this.filled[i]!
      const count = this.counts[slot]!
      if (count === 0) continue
      out.push({ ax: keys[slot * 4]!, ay: keys[slot * 4 + 1]!, bx: keys[slot * 4 + 2]!, by: keys[slot * 4 + 3]!, count })
    }
    return out
  }

  private static hash(ax: number, ay: number, bx: number, by: number): number {
    const bits = SegmentTable.bits
    const float = SegmentTable.float
    float[0] = ax
    let h = Math.imul(bits[0]! ^ 0x9e3779b9, 0x85ebca6b) + bits[1]!
    float[0] = ay
    h = Math.imul(h ^ (h >>> 16) ^ bits[0]!, 0xc2b2ae35) + bits[1]!
    float[0] = bx
    h = Math.imul(h ^ (h >>> 16) ^ bits[0]!, 0x85ebca6b) + bits[1]!
    float[0] = by
    h = Math.imul(h ^ (h >>> 16) ^ bits[0]!, 0xc2b2ae35) + bits[1]!
    // murmur3's finaliser: every input bit reaches the low bits the table uses.
    h ^= h >>> 16
    h = Math.imul(h, 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    h ^= h >>> 16
    return h
  }
}

// Words -------------------------------------------------------------------------------------------------

function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7
}

/** `18,300 m²`: whole square metres, or three significant digits under 10 m². */
export function squareMetres(area: number): string {
  if (area < 10) return `${Number(area.toPrecision(3))} m²`
  return `${String(Math.round(area)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} m²`
}

/** `2.4%`; two decimals where one would read as the 1% limit itself. */
export function percent(share: number): string {
  const p = share * 100
  const one = p.toFixed(1)
  return `${one === '1.0' || one === '0.0' ? p.toFixed(2) : one}%`
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
