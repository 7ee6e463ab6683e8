// Rings as RFC 7946 wants them, and a point guaranteed inside a polygon.
import type { PolygonCoords, UnitGeometry } from '../../shared/domain'
import { polygonsOf } from '../../shared/domain'

type Position = [number, number]

/** Decimals kept: 1e-7 degree is about 1 cm, finer than any boundary survey. */
export const DECIMALS = 7
const SCALE = 10 ** DECIMALS

export function roundCoordinate(value: number): number {
  // `+ 0` turns -0 into 0, so a ring never prints "-0".
  return Math.round(value * SCALE) / SCALE + 0
}

/** Twice the signed area of a closed or open ring (shoelace): positive when counter-clockwise. */
export function signedArea2(ring: readonly Position[]): number {
  let sum = 0
  const n = ring.length
  for (let i = 0; i < n; i++) {
    const [x1, y1] = ring[i]!
    const [x2, y2] = ring[(i + 1) % n]!
    sum += x1 * y2 - x2 * y1
  }
  return sum
}

export interface RingResult {
  ring: Position[]
  /** Fewer than three distinct points: no area, no orientation. */
  degenerate: boolean
}

/**
 * Rounded to 7 decimals, consecutive duplicates dropped (those rounding made too), closed, and wound
 * counter-clockwise for an outer ring, clockwise for a hole.
 */
export function normaliseRing(source: readonly Position[], outer: boolean, convert: (p: Position) => Position = (p) => p): RingResult {
  const ring: Position[] = []
  for (const point of source) {
    const [x, y] = convert(point)
    const rounded: Position = [roundCoordinate(x), roundCoordinate(y)]
    const last = ring[ring.length - 1]
    if (last && last[0] === rounded[0] && last[1] === rounded[1]) continue
    ring.push(rounded)
  }
  // An open ring and a closed one end the same way: the closing point is added back below.
  while (ring.length > 1 && ring[0]![0] === ring[ring.length - 1]![0] && ring[0]![1] === ring[ring.length - 1]![1]) ring.pop()
  const degenerate = ring.length < 3 || signedArea2(ring) === 0
  if (!degenerate && signedArea2(ring) > 0 !== outer) {
    // Reversed from the same first point, so a ring keeps where it starts.
    ring.reverse()
    ring.unshift(ring.pop()!)
  }
  if (ring.length > 0) ring.push([ring[0]![0], ring[0]![1]])
  return { ring, degenerate }
}

/** Every ring of a geometry normalised; the indices of degenerate rings as "part.ring". */
export function normaliseGeometry(
  geometry: UnitGeometry,
  convert?: (p: Position) => Position,
): { geometry: UnitGeometry; degenerate: string[] } {
  const degenerate: string[] = []
  const polygon = (coords: PolygonCoords, part: number): PolygonCoords =>
    coords.map((ring, r) => {
      const result = normaliseRing(ring, r === 0, convert)
      if (result.degenerate) degenerate.push(`${part}.${r}`)
      return result.ring
    })
  const normalised: UnitGeometry =
    geometry.type === 'Polygon'
      ? { type: 'Polygon', coordinates: polygon(geometry.coordinates, 0) }
      : { type: 'MultiPolygon', coordinates: geometry.coordinates.map((p, i) => polygon(p, i)) }
  return { geometry: normalised, degenerate }
}

/** Area of a polygon (outer minus holes) in square degrees: only for comparing parts. */
function polygonArea(polygon: PolygonCoords): number {
  const [outer, ...holes] = polygon
  if (!outer) return 0
  return Math.abs(signedArea2(outer)) / 2 - holes.reduce((sum, hole) => sum + Math.abs(signedArea2(hole)) / 2, 0)
}

/**
 * A point inside the geometry, like GEOS's interior point for areas: a horizontal scanline through
 * the middle of the largest part's bounding box (moved off any vertex's latitude), and the middle
 * of the widest stretch of it that lies inside. Unlike the centroid, it cannot fall outside a
 * concave (U-shaped) polygon or into a hole.
 */
export function interiorPoint(geometry: UnitGeometry): Position | undefined {
  let largest: PolygonCoords | undefined
  let largestArea = -1
  for (const polygon of polygonsOf(geometry)) {
    const area = polygonArea(polygon)
    if (area > largestArea) {
      largest = polygon
      largestArea = area
    }
  }
  const outer = largest?.[0]
  if (!largest || !outer || outer.length < 4) return undefined
  let minY = Infinity
  let maxY = -Infinity
  for (const [, y] of outer) {
    if (y < minY) minY = y
    if (y > maxY) maxY = y
  }
  const centre = (minY + maxY) / 2
  // The vertex latitudes nearest the centre above and below it; the scanline runs halfway between,
  // so it crosses edges and never runs through a vertex.
  let below = minY
  let above = maxY
  for (const ring of largest) {
    for (const [, y] of ring) {
      if (y <= centre && y > below) below = y
      if (y > centre && y < above) above = y
    }
  }
  const scanY = (below + above) / 2
  const crossings: number[] = []
  for (const ring of largest) {
    for (let i = 0; i < ring.length - 1; i++) {
      const [x1, y1] = ring[i]!
      const [x2, y2] = ring[i + 1]!
      if (y1 > scanY !== y2 > scanY) crossings.push(x1 + ((scanY - y1) * (x2 - x1)) / (y2 - y1))
    }
  }
  crossings.sort((a, b) => a - b)
  let best: Position | undefined
  let bestWidth = -1
  for (let i = 0; i + 1 < crossings.length; i += 2) {
    const width = crossings[i + 1]! - crossings[i]!
    if (width > bestWidth) {
      bestWidth = width
      best = [(crossings[i]! + crossings[i + 1]!) / 2, scanY]
    }
  }
  return best
}
