// The generated district that tests and benches use must be a real geography: every level tiles its
// parent exactly (shared edges identical, areas summing), and every grid is where locate() finds it.
import { describe, expect, it } from 'vitest'
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { polygonsOf, type GeoUnit, type UnitGeometry } from '../../../shared/domain'
import { Geography } from '../../../server/geo/geography'
import { checkGeography } from '../../../server/geo/check'
import { generateDistrict, LARGE_DISTRICT, signedArea } from '../../helpers/generated-district'

function area(geometry: UnitGeometry): number {
  let sum = 0
  for (const polygon of polygonsOf(geometry)) {
    sum += signedArea(polygon[0]!)
    for (const hole of polygon.slice(1)) sum -= Math.abs(signedArea(hole))
  }
  return sum
}

function segments(unit: GeoUnit): string[] {
  const out: string[] = []
  for (const polygon of polygonsOf(unit.geometry)) {
    for (const ring of polygon) {
      for (let k = 0; k + 1 < ring.length; k++) out.push(`${ring[k]!.join(',')}>${ring[k + 1]!.join(',')}`)
    }
  }
  return out
}

function reversed(segment: string): string {
  const [a, b] = segment.split('>')
  return `${b}>${a}`
}

/** Whether segments ab and cd cross at a point inside both (not at a shared end). */
function properlyCross(a: number[], b: number[], c: number[], d: number[]): boolean {
  const orient = (p: number[], q: number[], r: number[]) => Math.sign((q[0]! - p[0]!) * (r[1]! - p[1]!) - (q[1]! - p[1]!) * (r[0]! - p[0]!))
  const o1 = orient(a, b, c)
  const o2 = orient(a, b, d)
  const o3 = orient(c, d, a)
  const o4 = orient(c, d, b)
  return o1 * o2 < 0 && o3 * o4 < 0
}

function interiorPoint(grid: GeoUnit): [number, number] {
  const ring = polygonsOf(grid.geometry)[0]![0]!
  let x = 0
  let y = 0
  for (const [lon, lat] of ring.slice(1)) {
    x += lon
    y += lat
  }
  return [x / (ring.length - 1), y / (ring.length - 1)]
}

function expectTiling(units: GeoUnit[]) {
  const geography = new Geography(units)
  for (const parent of units.filter((u) => u.level !== 'grid')) {
    const children = geography.children(parent.id)
    expect(children.length, parent.id).toBeGreaterThan(0)
    const sum = children.reduce((s, c) => s + area(c.geometry), 0)
    expect(Math.abs(sum - area(parent.geometry)) / area(parent.geometry), parent.id).toBeLessThan(1e-9)
    expect(children.reduce((s, c) => s + c.population!, 0), parent.id).toBe(parent.population)
    expect(children.reduce((s, c) => s + c.households!, 0), parent.id).toBe(parent.households)
    // Children's edges: each one is either another child's edge walked back, or on the parent's ring.
    const own = new Set(segments(parent))
    const childSegments = new Set(children.flatMap(segments))
    for (const segment of childSegments) {
      const inner = childSegments.has(reversed(segment))
      expect(inner || own.has(segment), `${parent.id}: ${segment}`).toBe(true)
    }
    for (const segment of own) expect(childSegments.has(segment), `${parent.id}: ${segment}`).toBe(true)
  }
  for (const unit of units) {
    for (const polygon of polygonsOf(unit.geometry)) expect(signedArea(polygon[0]!), unit.id).toBeGreaterThan(0)
  }
  return geography
}

describe('generateDistrict', () => {
  const units = generateDistrict()

  it('makes a small district by default, with ids, names and populations at every level', () => {
    const count = (level: string) => units.filter((u) => u.level === level).length
    expect([count('district'), count('street'), count('community'), count('grid')]).toEqual([1, 3, 6, 24])
    const grid = units.find((u) => u.level === 'grid')!
    expect(grid.id).toMatch(/^420199001001\d{2}$/)
    expect(grid.name).toMatch(/^第\d+社区第\d+网格$/)
    expect(units.find((u) => u.id === '420199002')!.name).toBe('第2街道')
    for (const unit of units) expect(unit.population, unit.id).toBeGreaterThan(0)
    expect(new Set(units.map((u) => u.id)).size).toBe(units.length)
  })

  it('tiles every parent exactly: areas sum, shared edges are the same numbers walked back', () => {
    expectTiling(units)
  })

  it('draws no edge across another', () => {
    const wiggly = generateDistrict({ verticesPerEdge: 30, seed: 7 })
    const all = wiggly.filter((u) => u.level === 'grid').flatMap((g) => {
      const ring = polygonsOf(g.geometry)[0]![0]!
      return ring.slice(1).map((p, k) => [ring[k]!, p] as const)
    })
    let crossings = 0
    for (let m = 0; m < all.length; m++) {
      const [a, b] = all[m]!
      for (let n = m + 1; n < all.length; n++) {
        const [c, d] = all[n]!
        if (Math.max(c[0], d[0]) < Math.min(a[0], b[0]) || Math.min(c[0], d[0]) > Math.max(a[0], b[0])) continue
        if (properlyCross(a, b, c, d)) crossings++
      }
    }
    expect(crossings).toBe(0)
  })

  it('places every grid’s interior point in that grid', () => {
    const geography = new Geography(units)
    for (const grid of units.filter((u) => u.level === 'grid')) {
      const [lon, lat] = interiorPoint(grid)
      expect(booleanPointInPolygon([lon, lat], grid.geometry), grid.id).toBe(true)
      expect(geography.locate({ lon, lat })?.gridId, grid.id).toBe(grid.id)
    }
  })

  it('passes the geography check with no error', () => {
    expect(checkGeography(units).filter((p) => p.severity === 'error')).toEqual([])
  })

  it('is the same for a seed and differs between seeds', () => {
    expect(JSON.stringify(generateDistrict({ seed: 5 }))).toBe(JSON.stringify(generateDistrict({ seed: 5 })))
    expect(JSON.stringify(generateDistrict({ seed: 5 }))).not.toBe(JSON.stringify(generateDistrict({ seed: 6 })))
  })

  it('lays out where it is asked to', () => {
    const placed = generateDistrict({ west: 100, south: 20, widthDeg: 1, heightDeg: 0.5 })
    const ring = polygonsOf(placed[0]!.geometry)[0]![0]!
    const lons = ring.map((p) => p[0])
    const lats = ring.map((p) => p[1])
    // Nodes move up to 15% of a cell and edges bend up to 8%: within a cell of the asked box.
    expect(Math.min(...lons)).toBeGreaterThan(100 - 0.3)
    expect(Math.max(...lons)).toBeLessThan(101 + 0.3)
    expect(Math.min(...lats)).toBeGreaterThan(20 - 0.2)
    expect(Math.max(...lats)).toBeLessThan(20.5 + 0.2)
    expect(Math.max(...lons) - Math.min(...lons)).toBeGreaterThan(0.8)
  })

  it('makes MultiPolygon streets from exclaves, still tiling', () => {
    const multi = generateDistrict({ streets: 6, communitiesPerStreet: 4, gridsPerCommunity: 2, multiPolygonStreets: 2 })
    const streets = multi.filter((u) => u.level === 'street')
    const parts = streets.map((s) => (s.geometry.type === 'MultiPolygon' ? s.geometry.coordinates.length : 1))
    expect(parts.filter((n) => n === 2)).toHaveLength(2)
    expect(multi.filter((u) => u.level === 'grid')).toHaveLength(48)
    const geography = expectTiling(multi)
    expect(checkGeography(multi).filter((p) => p.severity === 'error')).toEqual([])
    // The exclave's grids name the receiving street on their path.
    const receiver = streets.find((s) => s.geometry.type === 'MultiPolygon')!
    const exclave = receiver.geometry.type === 'MultiPolygon' ? receiver.geometry.coordinates[1]! : undefined
    const exclaveGrid = multi.find((u) => u.level === 'grid' && geography.isWithin(u.id, receiver.id) && booleanPointInPolygon(interiorPoint(u), { type: 'Polygon', coordinates: exclave! }))
    expect(exclaveGrid).toBeDefined()
    const [lon, lat] = interiorPoint(exclaveGrid!)
    expect(geography.locate({ lon, lat })?.streetId).toBe(receiver.id)
  })

  it('makes the large district of the issue: 20 streets, 3,000 grids of ~500 vertices a ring', () => {
    const large = generateDistrict(LARGE_DISTRICT)
    const grids = large.filter((u) => u.level === 'grid')
    expect(large.filter((u) => u.level === 'street')).toHaveLength(20)
    expect(grids).toHaveLength(3000)
    for (const grid of grids) expect(polygonsOf(grid.geometry)[0]![0]!.length).toBe(501)
    expect(() => new Geography(large)).not.toThrow()
  })

  it('refuses options it cannot honour, naming them', () => {
    expect(() => generateDistrict({ gridsPerCommunity: 100 })).toThrow(/gridsPerCommunity 100 does not fit in 2 digits/)
    expect(() => generateDistrict({ streets: 0 })).toThrow(/streets must be a positive integer/)
    expect(() => generateDistrict({ streets: 3, multiPolygonStreets: 2 })).toThrow(/no street far enough/)
  })
})
