import { polygonsOf, type UnitGeometry } from '../../shared/domain'

/** [[west, south], [east, north]] of a polygon's outer ring, for `fitBounds`. */
export type Bounds = [[number, number], [number, number]]

export function polygonBounds(coordinates: readonly (readonly (readonly number[])[])[]): Bounds {
  let west = Infinity
  let south = Infinity
  let east = -Infinity
  let north = -Infinity
  for (const [lon, lat] of coordinates[0] ?? []) {
    if (lon < west) west = lon
    if (lon > east) east = lon
    if (lat < south) south = lat
    if (lat > north) north = lat
  }
  if (!Number.isFinite(west)) throw new Error('polygonBounds: empty polygon')
  return [
    [west, south],
    [east, north],
  ]
}

/** Bounds over every part of a unit's geometry, optionally projected (the base map's datum). */
export function geometryBounds(geometry: UnitGeometry, project?: (lon: number, lat: number) => [number, number]): Bounds {
  const ring = polygonsOf(geometry).flatMap((polygon) => polygon[0] ?? [])
  return polygonBounds([project ? ring.map(([lon, lat]) => project(lon, lat)) : ring])
}

export interface PopulatedArea {
  bounds: Bounds
  population: number
}

const area = ([[w, s], [e, n]]: Bounds) => Math.max(0, e - w) * Math.max(0, n - s)

function union(a: Bounds, b: Bounds): Bounds {
  return [
    [Math.min(a[0][0], b[0][0]), Math.min(a[0][1], b[0][1])],
    [Math.max(a[1][0], b[1][0]), Math.max(a[1][1], b[1][1])],
  ]
}

/**
 * What a scene frames: where most of its people live. The densest children are taken until they
 * hold `share` of the population, and their bounds framed — a district whose town fields dwarf
 * its city then shows the city's streets at a readable size (the fields continue past the frame).
 * A unit whose people are spread evenly, or whose children have no population, frames whole.
 */
export function focusBounds(unit: Bounds, children: readonly PopulatedArea[], share = 0.75): Bounds {
  const total = children.reduce((sum, c) => sum + c.population, 0)
  if (total <= 0 || children.length < 2) return unit
  const byDensity = [...children].sort((a, b) => b.population / Math.max(area(b.bounds), 1e-12) - a.population / Math.max(area(a.bounds), 1e-12))
  let framed: Bounds | null = null
  let people = 0
  for (const c of byDensity) {
    framed = framed ? union(framed, c.bounds) : c.bounds
    people += c.population
    if (people >= share * total) break
  }
  // Only where people are clearly concentrated: a street whose communities are alike frames whole.
  return framed && area(framed) < 0.35 * area(unit) ? framed : unit
}
