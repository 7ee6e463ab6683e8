// A generated district for tests and benches: irregular shapes that tile exactly at every level.
//
// A lattice of jittered nodes; each lattice edge is a wiggly polyline drawn once from the seed and
// reused, reversed, by the cell on its other side. A grid is one lattice cell, a community a block of
// cells, a street a block of communities, the district the whole lattice; every unit's rings are the
// walk of its cells' boundary edges, so children tile their parents with bit-identical shared edges,
// no gap and no overlap. Each edge bends away from its chord by at most WIGGLE of a cell, inside a
// cone of half-angle atan(π·WIGGLE) at either end, and nodes move by at most JITTER of a cell: no
// edge crosses another. Outer rings are counter-clockwise (RFC 7946).
import type { GeoUnit, PolygonCoords, UnitGeometry } from '../../shared/domain'
import { mulberry32 } from '../../shared/random'

export interface GenerateDistrictOptions {
  /** The district's id; streets are `<id><3 digits>`, communities `<street><3 digits>`, grids `<community><2 digits>`. */
  id?: string
  name?: string
  streets?: number
  communitiesPerStreet?: number
  gridsPerCommunity?: number
  /** Segments on each lattice edge: a grid's ring has four times as many vertices. */
  verticesPerEdge?: number
  seed?: number
  /** South-west corner and extent of the lattice, WGS84 degrees (edges wiggle a little past it). */
  west?: number
  south?: number
  widthDeg?: number
  heightDeg?: number
  /**
   * How many streets get a second part: a corner community of a street at least one street away
   * (not touching) is handed to it, so the receiver becomes a MultiPolygon (its main block and the
   * exclave) and the giver keeps the rest of its block.
   */
  multiPolygonStreets?: number
}

/** 20 streets, 3,000 grids of ~500 vertices a ring: the large district of the issue. */
export const LARGE_DISTRICT: GenerateDistrictOptions = {
  streets: 20,
  communitiesPerStreet: 10,
  gridsPerCommunity: 15,
  verticesPerEdge: 125,
  widthDeg: 0.3,
  heightDeg: 0.24,
}

export const GENERATED_DISTRICT_ID = '420199'
export const GENERATED_DISTRICT_NAME = '测试区'

/** A node moves at most this share of a cell from its lattice position. */
const JITTER = 0.15
/** An edge bends away from its chord by at most this share of its length. */
const WIGGLE = 0.08
const HARMONICS = 6

interface Block {
  /** Columns and rows of the block below (cells for a community, communities for a street, …). */
  cols: number
  rows: number
}

/** Every way to lay n blocks out as cols × rows. */
function factorizations(n: number): Block[] {
  const out: Block[] = []
  for (let cols = 1; cols <= n; cols++) if (n % cols === 0) out.push({ cols, rows: n / cols })
  return out
}

function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7
}

function digits(n: number, width: number, what: string): string {
  const s = String(n)
  if (s.length > width) throw new Error(`generateDistrict: ${what} ${n} does not fit in ${width} digits`)
  return s.padStart(width, '0')
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`generateDistrict: ${name} must be a positive integer, got ${value}`)
  return value
}

export function generateDistrict(options: GenerateDistrictOptions = {}): GeoUnit[] {
  const id = options.id ?? GENERATED_DISTRICT_ID
  const name = options.name ?? GENERATED_DISTRICT_NAME
  const streetCount = positiveInt(options.streets ?? 3, 'streets')
  const communitiesPerStreet = positiveInt(options.communitiesPerStreet ?? 2, 'communitiesPerStreet')
  const gridsPerCommunity = positiveInt(options.gridsPerCommunity ?? 4, 'gridsPerCommunity')
  const verticesPerEdge = positiveInt(options.verticesPerEdge ?? 6, 'verticesPerEdge')
  const seed = options.seed ?? 1
  const west = options.west ?? 114.3
  const south = options.south ?? 30.6
  const widthDeg = options.widthDeg ?? 0.08
  const heightDeg = options.heightDeg ?? 0.06
  const multiPolygonStreets = options.multiPolygonStreets ?? 0
  digits(streetCount, 3, 'streets')
  digits(communitiesPerStreet + 1, 3, 'communitiesPerStreet')
  digits(gridsPerCommunity, 2, 'gridsPerCommunity')
  const rand = mulberry32(seed)

  // Blocks at each level, chosen so that cells come out about square on the ground.
  const lonScale = Math.cos(((south + heightDeg / 2) * Math.PI) / 180)
  const aspect = (widthDeg * lonScale) / heightDeg
  let best: [Block, Block, Block] | undefined
  let bestScore = Infinity
  for (const g of factorizations(gridsPerCommunity)) {
    for (const c of factorizations(communitiesPerStreet)) {
      for (const s of factorizations(streetCount)) {
        const score = Math.abs(Math.log((g.cols * c.cols * s.cols) / (g.rows * c.rows * s.rows) / aspect))
        if (score < bestScore - 1e-9) {
          bestScore = score
          best = [g, c, s]
        }
      }
    }
  }
  const [gridBlock, communityBlock, streetBlock] = best!
  const nx = gridBlock.cols * communityBlock.cols * streetBlock.cols
  const ny = gridBlock.rows * communityBlock.rows * streetBlock.rows
  const cellW = widthDeg / nx
  const cellH = heightDeg / ny

  // Nodes (nx + 1) × (ny + 1), jittered.
  const nodeX = new Float64Array((nx + 1) * (ny + 1))
  const nodeY = new Float64Array((nx + 1) * (ny + 1))
  for (let j = 0; j <= ny; j++) {
    for (let i = 0; i <= nx; i++) {
      const k = j * (nx + 1) + i
      nodeX[k] = west + (i + (rand() * 2 - 1) * JITTER) * cellW
      nodeY[k] = south + (j + (rand() * 2 - 1) * JITTER) * cellH
    }
  }
  const node = (i: number, j: number): [number, number] => {
    const k = j * (nx + 1) + i
    return [nodeX[k]!, nodeY[k]!]
  }

  // Each lattice edge once, east-going (horizontal) or north-going (vertical), both nodes included.
  const wiggly = (a: [number, number], b: [number, number]): [number, number][] => {
    const amplitudes: number[] = []
    const phases: number[] = []
    let total = 0
    for (let h = 1; h <= HARMONICS; h++) {
      const amp = rand() / h
      amplitudes.push(amp)
      phases.push(rand() * 2 * Math.PI)
      total += amp
    }
    // In degrees scaled to the ground, so that the bend is perpendicular where it counts.
    const dx = (b[0] - a[0]) * lonScale
    const dy = b[1] - a[1]
    const points: [number, number][] = [a]
    for (let v = 1; v < verticesPerEdge; v++) {
      const t = v / verticesPerEdge
      let sum = 0
      for (let h = 0; h < HARMONICS; h++) sum += amplitudes[h]! * Math.sin((h + 1) * Math.PI * t + phases[h]!)
      const d = (WIGGLE * Math.sin(Math.PI * t) * sum) / total
      points.push([round7(a[0] + t * (b[0] - a[0]) - (d * dy) / lonScale), round7(a[1] + t * (b[1] - a[1]) + d * dx)])
    }
    points.push(b)
    return points
  }
  for (let k = 0; k < nodeX.length; k++) {
    nodeX[k] = round7(nodeX[k]!)
    nodeY[k] = round7(nodeY[k]!)
  }
  const horizontal: [number, number][][] = [] // index j * nx + i: from node (i, j) to (i + 1, j)
  for (let j = 0; j <= ny; j++) for (let i = 0; i < nx; i++) horizontal.push(wiggly(node(i, j), node(i + 1, j)))
  const vertical: [number, number][][] = [] // index j * (nx + 1) + i: from node (i, j) to (i, j + 1)
  for (let j = 0; j < ny; j++) for (let i = 0; i <= nx; i++) vertical.push(wiggly(node(i, j), node(i, j + 1)))

  // Which street each cell belongs to, and which community (by a global community number).
  const communityStreet: number[] = []
  const communityCells: number[][] = []
  for (let s = 0; s < streetCount; s++) {
    const sx = s % streetBlock.cols
    const sy = Math.floor(s / streetBlock.cols)
    for (let c = 0; c < communitiesPerStreet; c++) {
      const cx = sx * communityBlock.cols + (c % communityBlock.cols)
      const cy = sy * communityBlock.rows + Math.floor(c / communityBlock.cols)
      communityStreet.push(s)
      const cells: number[] = []
      for (let g = 0; g < gridsPerCommunity; g++) {
        const i = cx * gridBlock.cols + (g % gridBlock.cols)
        const j = cy * gridBlock.rows + Math.floor(g / gridBlock.cols)
        cells.push(j * nx + i)
      }
      communityCells.push(cells)
    }
  }

  // Exclaves: a corner community of a street two or more slots away moves to the receiver.
  if (multiPolygonStreets > 0) {
    if (communitiesPerStreet < 2) throw new Error('generateDistrict: multiPolygonStreets needs communitiesPerStreet ≥ 2')
    const slot = (s: number) => [s % streetBlock.cols, Math.floor(s / streetBlock.cols)] as const
    const gave = new Set<number>()
    for (let receiver = 0; receiver < multiPolygonStreets; receiver++) {
      if (receiver >= streetCount) throw new Error(`generateDistrict: multiPolygonStreets ${multiPolygonStreets} is more than the ${streetCount} streets`)
      const [rx, ry] = slot(receiver)
      let giver = -1
      for (let s = streetCount - 1; s >= 0; s--) {
        const [gx, gy] = slot(s)
        if (!gave.has(s) && Math.max(Math.abs(gx - rx), Math.abs(gy - ry)) >= 2) {
          giver = s
          break
        }
      }
      if (giver < 0) throw new Error(`generateDistrict: no street far enough from street ${receiver + 1} to give it an exclave; use more streets or fewer multiPolygonStreets`)
      gave.add(giver)
      // The giver's last community is a corner of its block (its top-right).
      const community = giver * communitiesPerStreet + communitiesPerStreet - 1
      communityStreet[community] = receiver
    }
  }

  /** The rings around a set of cells: boundary edges walked counter-clockwise, holes clockwise. */
  const ringsOf = (cells: Iterable<number>): PolygonCoords[] => {
    const inSet = new Set(cells)
    // Directed boundary edges keyed by their start node: [end node, points].
    const outgoing = new Map<number, { to: number; points: [number, number][] }>()
    const add = (from: number, to: number, points: [number, number][]) => {
      if (outgoing.has(from)) throw new Error('generateDistrict: a region touches itself at a corner')
      outgoing.set(from, { to, points })
    }
    const nodeId = (i: number, j: number) => j * (nx + 1) + i
    for (const cell of inSet) {
      const i = cell % nx
      const j = Math.floor(cell / nx)
      if (j === 0 || !inSet.has(cell - nx)) add(nodeId(i, j), nodeId(i + 1, j), horizontal[j * nx + i]!)
      if (i === nx - 1 || !inSet.has(cell + 1)) add(nodeId(i + 1, j), nodeId(i + 1, j + 1), vertical[j * (nx + 1) + i + 1]!)
      if (j === ny - 1 || !inSet.has(cell + nx)) add(nodeId(i + 1, j + 1), nodeId(i, j + 1), [...horizontal[(j + 1) * nx + i]!].reverse())
      if (i === 0 || !inSet.has(cell - 1)) add(nodeId(i, j + 1), nodeId(i, j), [...vertical[j * (nx + 1) + i]!].reverse())
    }
    const rings: [number, number][][] = []
    const starts = [...outgoing.keys()].sort((a, b) => a - b)
    const used = new Set<number>()
    for (const start of starts) {
      if (used.has(start)) continue
      const ring: [number, number][] = []
      let at = start
      do {
        used.add(at)
        const edge = outgoing.get(at)!
        for (let p = 0; p < edge.points.length - 1; p++) ring.push(edge.points[p]!)
        at = edge.to
      } while (at !== start)
      ring.push(ring[0]!)
      rings.push(ring)
    }
    const outers = rings.filter((r) => signedArea(r) > 0)
    const holes = rings.filter((r) => signedArea(r) < 0)
    if (holes.length > 0) throw new Error('generateDistrict: a region with a hole (not made by this generator)')
    return outers.map((r) => [r])
  }
  const geometryOf = (cells: Iterable<number>): UnitGeometry => {
    const polygons = ringsOf(cells)
    return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons }
  }

  const units: GeoUnit[] = []
  const all: number[] = Array.from({ length: nx * ny }, (_, k) => k)
  const district: GeoUnit = { id, level: 'district', parentId: null, name, geometry: geometryOf(all), population: 0, households: 0 }
  units.push(district)
  let communityNumber = 0
  for (let s = 0; s < streetCount; s++) {
    const streetId = `${id}${digits(s + 1, 3, 'street')}`
    const mine = communityStreet.flatMap((owner, c) => (owner === s ? [c] : []))
    const street: GeoUnit = {
      id: streetId,
      level: 'street',
      parentId: id,
      name: `第${s + 1}街道`,
      geometry: geometryOf(mine.flatMap((c) => communityCells[c]!)),
      population: 0,
      households: 0,
    }
    units.push(street)
    mine.forEach((c, ci) => {
      communityNumber++
      const communityId = `${streetId}${digits(ci + 1, 3, 'community')}`
      const communityName = `第${communityNumber}社区`
      const community: GeoUnit = {
        id: communityId,
        level: 'community',
        parentId: streetId,
        name: communityName,
        geometry: geometryOf(communityCells[c]!),
        population: 0,
        households: 0,
      }
      units.push(community)
      communityCells[c]!.forEach((cell, gi) => {
        const population = 800 + Math.floor(rand() * 2700)
        const households = Math.max(1, Math.round(population / (2.4 + rand() * 0.6)))
        units.push({
          id: `${communityId}${digits(gi + 1, 2, 'grid')}`,
          level: 'grid',
          parentId: communityId,
          name: `${communityName}第${gi + 1}网格`,
          geometry: geometryOf([cell]),
          population,
          households,
        })
        for (const unit of [community, street, district]) {
          unit.population! += population
          unit.households! += households
        }
      })
    })
  }
  return units
}

/** Shoelace area of a closed ring in square degrees; positive when counter-clockwise. */
export function signedArea(ring: readonly (readonly [number, number])[]): number {
  let sum = 0
  for (let k = 0; k + 1 < ring.length; k++) sum += ring[k]![0] * ring[k + 1]![1] - ring[k + 1]![0] * ring[k]![1]
  return sum / 2
}
