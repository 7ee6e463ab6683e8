// locate() answers what the plain definition answers: of all grids that turf's
// booleanPointInPolygon says hold the point (inside or on the boundary), the lowest id. Checked over
// every grid, point by point: random points, every vertex (where three or four grids meet), points on
// and a hair off shared edges, on a generated district of long wiggly rings, on the sample, and on
// MultiPolygon grids with holes.
import { describe, expect, it } from 'vitest'
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { geometryBbox, polygonsOf, type GeoUnit, type LonLat, type PolygonCoords } from '../../../shared/domain'
import { mulberry32 } from '../../../shared/random'
import { buildSampleGeography } from '../../../shared/sample-geography'
import { Geography, RingIndex } from '../../../server/geo/geography'
import { generateDistrict } from '../../helpers/generated-district'

/** Every grid, no index: the lowest id among the grids turf says hold the point. */
function bruteForce(units: readonly GeoUnit[]): (p: LonLat) => string | undefined {
  const grids = units.filter((u) => u.level === 'grid').map((grid) => ({ grid, box: geometryBbox(grid.geometry) }))
  return (p) => {
    let found: string | undefined
    for (const { grid, box } of grids) {
      // A point outside a grid's box is outside the grid; turf is asked of the rest.
      if (p.lon < box[0] || p.lon > box[2] || p.lat < box[1] || p.lat > box[3]) continue
      if ((found === undefined || grid.id < found) && booleanPointInPolygon([p.lon, p.lat], grid.geometry)) found = grid.id
    }
    return found
  }
}

/** Random points over the district's box and a margin, every vertex, and points on and near edges. */
function probePoints(units: readonly GeoUnit[], randomCount: number, seed: number): LonLat[] {
  const rand = mulberry32(seed)
  const [west, south, east, north] = geometryBbox(units.find((u) => u.level === 'district')!.geometry)
  const mx = (east - west) * 0.05
  const my = (north - south) * 0.05
  const points: LonLat[] = []
  for (let k = 0; k < randomCount; k++) points.push({ lon: west - mx + rand() * (east - west + 2 * mx), lat: south - my + rand() * (north - south + 2 * my) })
  const seen = new Set<string>()
  for (const grid of units.filter((u) => u.level === 'grid')) {
    for (const polygon of polygonsOf(grid.geometry)) {
      for (const ring of polygon) {
        for (let k = 0; k + 1 < ring.length; k++) {
          const [ax, ay] = ring[k]!
          const [bx, by] = ring[k + 1]!
          const key = `${ax},${ay}`
          if (!seen.has(key)) {
            seen.add(key)
            points.push({ lon: ax, lat: ay })
          }
          // On the segment (exactly, where the line is axis-parallel) and a hair to either side.
          const t = rand()
          const lon = ax + t * (bx - ax)
          const lat = ay + t * (by - ay)
          points.push({ lon, lat }, { lon: (ax + bx) / 2, lat: (ay + by) / 2 })
          if (rand() < 0.3) points.push({ lon: lon + 1e-12, lat }, { lon, lat: lat - 1e-12 }, { lon: ax, lat: (ay + by) / 2 }, { lon: (ax + bx) / 2, lat: ay })
        }
      }
    }
  }
  return points
}

function expectSameAsBruteForce(units: GeoUnit[], points: readonly LonLat[]) {
  const geography = new Geography(units)
  const expected = bruteForce(units)
  const wrong: string[] = []
  let located = 0
  for (const p of points) {
    const want = expected(p)
    const got = geography.locate(p)?.gridId
    if (want) located++
    if (got !== want && wrong.length < 5) wrong.push(`(${p.lon}, ${p.lat}): locate ${got}, turf ${want}`)
  }
  expect(wrong).toEqual([])
  return located
}

describe('locate()', () => {
  it('agrees with turf over every grid on a generated district of long wiggly rings', () => {
    const units = generateDistrict({ streets: 4, communitiesPerStreet: 2, gridsPerCommunity: 4, verticesPerEdge: 40, seed: 11 })
    const points = probePoints(units, 8000, 1)
    expect(points.length).toBeGreaterThan(20_000)
    const located = expectSameAsBruteForce(units, points)
    // Most probes are on or near edges, and a few outside the district.
    expect(located).toBeGreaterThan(points.length * 0.8)
    expect(located).toBeLessThan(points.length)
  })

  it('agrees with turf on a district with MultiPolygon streets', () => {
    const units = generateDistrict({ streets: 6, communitiesPerStreet: 2, gridsPerCommunity: 2, verticesPerEdge: 12, multiPolygonStreets: 2, seed: 4 })
    expectSameAsBruteForce(units, probePoints(units, 4000, 2))
  })

  it('agrees with turf on the sample, whose shared edges and corners are exact', () => {
    const units = buildSampleGeography()
    const points = probePoints(units, 8000, 3)
    expect(points.length).toBeGreaterThan(10_000)
    expectSameAsBruteForce(units, points)
    // A corner where grids meet goes to the lowest of them.
    const geography = new Geography(units)
    const grid = units.find((u) => u.level === 'grid')!
    const [lon, lat] = polygonsOf(grid.geometry)[0]![0]![2]!
    const holders = units.filter((u) => u.level === 'grid' && booleanPointInPolygon([lon, lat], u.geometry)).map((u) => u.id).sort()
    expect(holders.length).toBeGreaterThan(1)
    expect(geography.locate({ lon, lat })?.gridId).toBe(holders[0])
  })

  it('agrees with turf on MultiPolygon grids with holes, and on a point exactly on a slanted edge', () => {
    const square = (x: number, y: number, size: number): [number, number][] => [
      [x, y],
      [x + size, y],
      [x + size, y + size],
      [x, y + size],
      [x, y],
    ]
    const diamond: [number, number][] = [
      [0.5, 0.2],
      [0.8, 0.5],
      [0.5, 0.8],
      [0.2, 0.5],
      [0.5, 0.2],
    ]
    const box: PolygonCoords = [square(0, 0, 3)]
    const units: GeoUnit[] = [
      { id: 'd', level: 'district', parentId: null, name: 'd', geometry: { type: 'Polygon', coordinates: box } },
      { id: 's', level: 'street', parentId: 'd', name: 's', geometry: { type: 'Polygon', coordinates: box } },
      { id: 'c', level: 'community', parentId: 's', name: 'c', geometry: { type: 'Polygon', coordinates: box } },
      // Two squares, the first with a diamond hole; the hole is grid b.
      { id: 'a', level: 'grid', parentId: 'c', name: 'a', geometry: { type: 'MultiPolygon', coordinates: [[square(0, 0, 1), [...diamond].reverse()], [square(2, 2, 1)]] } },
      { id: 'b', level: 'grid', parentId: 'c', name: 'b', geometry: { type: 'Polygon', coordinates: [diamond] } },
    ]
    const geography = new Geography(units)
    expect(geography.locate({ lon: 0.5, lat: 0.5 })?.gridId).toBe('b')
    expect(geography.locate({ lon: 0.1, lat: 0.1 })?.gridId).toBe('a')
    expect(geography.locate({ lon: 2.5, lat: 2.5 })?.gridId).toBe('a')
    expect(geography.locate({ lon: 1.5, lat: 1.5 })).toBeUndefined()
    // On the hole's slanted edge (exactly: 0.35 + 0.15 = 0.5 on the line y = x - 0.3… both grids hold it).
    expect(geography.locate({ lon: 0.65, lat: 0.35 })?.gridId).toBe('a')
    expectSameAsBruteForce(units, probePoints(units, 6000, 5))
  })

  it('RingIndex gives turf’s answer on a long ring, points on its edges included', () => {
    // A star of 2,000 vertices: long edges crossing many strips, and a ring that is not convex.
    const ring: [number, number][] = []
    for (let k = 0; k < 2000; k++) {
      const r = k % 2 === 0 ? 1 : 0.3 + 0.2 * Math.sin(k)
      const a = (k / 2000) * 2 * Math.PI
      ring.push([r * Math.cos(a), r * Math.sin(a)])
    }
    ring.push(ring[0]!)
    const polygon: PolygonCoords = [ring]
    const index = new RingIndex(polygon)
    const rand = mulberry32(9)
    const wrong: string[] = []
    const probe = (x: number, y: number) => {
      const want = booleanPointInPolygon([x, y], { type: 'Polygon', coordinates: polygon })
      if (index.covers(x, y) !== want && wrong.length < 5) wrong.push(`(${x}, ${y}): ${!want}, turf ${want}`)
    }
    for (let k = 0; k < 10_000; k++) probe(rand() * 2.2 - 1.1, rand() * 2.2 - 1.1)
    for (let k = 0; k + 1 < ring.length; k++) {
      const [ax, ay] = ring[k]!
      const [bx, by] = ring[k + 1]!
      probe(ax, ay)
      probe((ax + bx) / 2, (ay + by) / 2)
    }
    expect(wrong).toEqual([])
  })
})
