import { describe, it, expect } from 'vitest'
import { DISTRICT_ID, polygonsOf, type GeoUnit, type PolygonCoords } from '../../shared/domain'
import { SAMPLE_DISTRICT_NAME, buildSampleGeography, workerIdForGrid } from '../../shared/sample-geography'
import { mulberry32 } from '../../shared/random'

const EXPECTED_STREETS: [string, string][] = [
  ['640106001', '满城北街街道'],
  ['640106002', '黄河东路街道'],
  ['640106003', '长城中路街道'],
  ['640106004', '北京中路街道'],
  ['640106005', '上海西路街道'],
  ['640106006', '贺兰山中路街道'],
  ['640106100', '良田镇'],
  ['640106101', '丰登镇'],
]
const TOWNS = new Set(['640106100', '640106101'])
const EXTENT = { minLon: 106.05, maxLon: 106.3, minLat: 38.28, maxLat: 38.64 }

const units = buildSampleGeography()
const byId = new Map(units.map((u) => [u.id, u]))
const childrenOf = new Map<string, GeoUnit[]>()
for (const u of units) {
  if (u.parentId === null) continue
  const list = childrenOf.get(u.parentId) ?? []
  list.push(u)
  childrenOf.set(u.parentId, list)
}
const ofLevel = (level: GeoUnit['level']) => units.filter((u) => u.level === level)
const parents = units.filter((u) => u.level !== 'grid')


/** Signed shoelace area in degrees², relative to the first vertex (no cancellation at ~106/38). */
function signedArea(ring: [number, number][]): number {
  const [x0, y0] = ring[0]
  let s = 0
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i]
    const [x2, y2] = ring[i + 1]
    s += (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
  }
  return s / 2
}

function polygonArea(p: PolygonCoords): number {
  return Math.abs(signedArea(p[0])) - p.slice(1).reduce((s, h) => s + Math.abs(signedArea(h)), 0)
}

/** Ray casting (PNPOLY) on the outer ring minus holes. */
function inRing(ring: [number, number][], x: number, y: number): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}
function inPolygon(p: PolygonCoords, x: number, y: number): boolean {
  return inRing(p[0], x, y) && !p.slice(1).some((h) => inRing(h, x, y))
}

interface Box {
  minLon: number
  minLat: number
  maxLon: number
  maxLat: number
}
function bbox(p: PolygonCoords): Box {
  const xs = p[0].map((c) => c[0])
  const ys = p[0].map((c) => c[1])
  return { minLon: Math.min(...xs), maxLon: Math.max(...xs), minLat: Math.min(...ys), maxLat: Math.max(...ys) }
}
/** An axis-aligned rectangle: one closed ring of 4 corners, every edge horizontal or vertical. */
function asRect(p: PolygonCoords): Box | null {
  if (p.length !== 1 || p[0].length !== 5 || !isRectilinear(p)) return null
  return bbox(p)
}
function isRectilinear(p: PolygonCoords): boolean {
  return p.every((ring) => ring.every((c, i) => i === 0 || c[0] === ring[i - 1][0] || c[1] === ring[i - 1][1]))
}

describe('sample geography (金凤区)', () => {
  it('is deterministic', () => {
    expect(buildSampleGeography()).toEqual(units)
  })

  it('has the district, the eight streets/towns and plausible counts', () => {
    expect(SAMPLE_DISTRICT_NAME).toBe('金凤区')
    expect(units[0]).toMatchObject({ id: DISTRICT_ID, level: 'district', parentId: null, name: '金凤区' })
    expect(ofLevel('district')).toHaveLength(1)
    const streets = ofLevel('street')
    expect(streets.map((s) => [s.id, s.name])).toEqual(EXPECTED_STREETS)
    for (const s of streets) {
      expect(s.parentId).toBe(DISTRICT_ID)
      const comms = childrenOf.get(s.id) ?? []
      expect(comms.length).toBeGreaterThanOrEqual(5)
      expect(comms.length).toBeLessThanOrEqual(7)
      for (const c of comms) {
        expect(c.level).toBe('community')
        expect(c.name.endsWith(TOWNS.has(s.id) ? '村' : '社区')).toBe(true)
        const grids = childrenOf.get(c.id) ?? []
        expect(grids.length).toBeGreaterThanOrEqual(4)
        expect(grids.length).toBeLessThanOrEqual(8)
        for (const g of grids) {
          expect(g.level).toBe('grid')
          expect(g.name).toMatch(new RegExp(`^${c.name}第\\d+网格$`))
          expect(childrenOf.get(g.id)).toBeUndefined()
        }
      }
    }
    expect(workerIdForGrid('64010600100101')).toBe('w-64010600100101')
  })

  it('has unique ids and names, ids extending the parent id, parents listed before children', () => {
    expect(new Set(units.map((u) => u.id)).size).toBe(units.length)
    const communities = ofLevel('community')
    expect(new Set(communities.map((c) => c.name)).size).toBe(communities.length)
    expect(new Set(ofLevel('grid').map((g) => g.name)).size).toBe(ofLevel('grid').length)
    const digits = { district: 6, street: 9, community: 12, grid: 14 }
    const seen = new Set<string>()
    for (const u of units) {
      expect(u.id).toMatch(new RegExp(`^\\d{${digits[u.level]}}$`))
      if (u.parentId !== null) {
        expect(u.id.startsWith(u.parentId)).toBe(true)
        expect(seen.has(u.parentId)).toBe(true)
      }
      seen.add(u.id)
    }
    const order = ['district', 'street', 'community', 'grid']
    const levels = units.map((u) => order.indexOf(u.level))
    expect(levels).toEqual([...levels].sort((a, b) => a - b))
  })

  it('chains every grid to a community, a street and the district', () => {
    for (const g of ofLevel('grid')) {
      const c = byId.get(g.parentId ?? '')
      expect(c?.level).toBe('community')
      const s = byId.get(c?.parentId ?? '')
      expect(s?.level).toBe('street')
      expect(s?.parentId).toBe(DISTRICT_ID)
    }
  })

  it('has closed counter-clockwise rings within the extent', () => {
    expect(asRect(polygonsOf(units[0].geometry)[0]!)).toEqual(EXTENT)
    for (const u of units) {
      expect(polygonsOf(u.geometry)[0]!.length).toBeGreaterThanOrEqual(1)
      const ring = polygonsOf(u.geometry)[0]![0]
      expect(ring.length).toBeGreaterThanOrEqual(4)
      expect(ring[ring.length - 1]).toEqual(ring[0])
      expect(signedArea(ring)).toBeGreaterThan(0)
      for (const [lon, lat] of ring) {
        expect(lon).toBeGreaterThanOrEqual(EXTENT.minLon)
        expect(lon).toBeLessThanOrEqual(EXTENT.maxLon)
        expect(lat).toBeGreaterThanOrEqual(EXTENT.minLat)
        expect(lat).toBeLessThanOrEqual(EXTENT.maxLat)
        expect(Math.round(lon * 1e6) / 1e6).toBe(lon)
        expect(Math.round(lat * 1e6) / 1e6).toBe(lat)
      }
    }
  })

  it('puts the urban streets near the centre and keeps them smaller than the towns', () => {
    const streets = ofLevel('street')
    const area = (id: string) => polygonArea(polygonsOf(byId.get(id)!.geometry)[0]!)
    const urban = streets.filter((s) => !TOWNS.has(s.id))
    const smallestTown = Math.min(...[...TOWNS].map(area))
    for (const s of urban) {
      expect(area(s.id)).toBeLessThan(smallestTown)
      const b = bbox(polygonsOf(s.geometry)[0]!)
      expect(Math.abs((b.minLon + b.maxLon) / 2 - 106.224)).toBeLessThan(0.08)
      expect(Math.abs((b.minLat + b.maxLat) / 2 - 38.477)).toBeLessThan(0.08)
    }
    expect(urban.some((s) => inPolygon(polygonsOf(s.geometry)[0]!, 106.224, 38.477))).toBe(true)
  })

  it("children's areas sum to the parent's area", () => {
    for (const p of parents) {
      const children = childrenOf.get(p.id) ?? []
      expect(children.length).toBeGreaterThan(0)
      const sum = children.reduce((s, c) => s + polygonArea(polygonsOf(c.geometry)[0]!), 0)
      const parentArea = polygonArea(polygonsOf(p.geometry)[0]!)
      expect(Math.abs(sum - parentArea) / parentArea).toBeLessThan(1e-9)
    }
  })

  it('has no overlapping siblings (rectangles: strict bbox test)', () => {
    let pairs = 0
    for (const p of parents) {
      const rects = (childrenOf.get(p.id) ?? []).map((c) => asRect(polygonsOf(c.geometry)[0]!)).filter((r): r is Box => r !== null)
      for (let i = 0; i < rects.length; i++) {
        for (let j = i + 1; j < rects.length; j++) {
          const a = rects[i]
          const b = rects[j]
          const overlap = a.minLon < b.maxLon && b.minLon < a.maxLon && a.minLat < b.maxLat && b.minLat < a.maxLat
          expect(overlap).toBe(false)
          pairs++
        }
      }
    }
    expect(pairs).toBeGreaterThan(500)
    // Everything below the streets is a rectangle.
    for (const u of units) if (u.level === 'community' || u.level === 'grid') expect(asRect(polygonsOf(u.geometry)[0]!)).not.toBeNull()
  })

  it('tiles every parent exactly (every cell of the compressed coordinate grid in exactly one child)', () => {
    // Exact for rectilinear polygons: between consecutive vertex coordinates, membership is constant.
    for (const p of parents) {
      const children = childrenOf.get(p.id) ?? []
      const all = [p, ...children]
      for (const u of all) expect(isRectilinear(polygonsOf(u.geometry)[0]!)).toBe(true)
      const xs = [...new Set(all.flatMap((u) => polygonsOf(u.geometry)[0]!.flatMap((r) => r.map((c) => c[0]))))].sort((a, b) => a - b)
      const ys = [...new Set(all.flatMap((u) => polygonsOf(u.geometry)[0]!.flatMap((r) => r.map((c) => c[1]))))].sort((a, b) => a - b)
      for (let i = 0; i + 1 < xs.length; i++) {
        for (let j = 0; j + 1 < ys.length; j++) {
          const x = (xs[i] + xs[i + 1]) / 2
          const y = (ys[j] + ys[j + 1]) / 2
          const hits = children.filter((c) => inPolygon(polygonsOf(c.geometry)[0]!, x, y)).length
          if (hits !== (inPolygon(polygonsOf(p.geometry)[0]!, x, y) ? 1 : 0)) {
            throw new Error(`${p.id}: cell at ${x},${y} is in ${hits} children`)
          }
        }
      }
    }
  })

  it('puts random points of the district in exactly one grid, consistent with the levels above', () => {
    const rand = mulberry32(20240118)
    const grids = ofLevel('grid').map((g) => ({ g, r: asRect(polygonsOf(g.geometry)[0]!)! }))
    const streets = ofLevel('street')
    const communities = ofLevel('community')
    for (let k = 0; k < 4000; k++) {
      const x = EXTENT.minLon + rand() * (EXTENT.maxLon - EXTENT.minLon)
      const y = EXTENT.minLat + rand() * (EXTENT.maxLat - EXTENT.minLat)
      const inGrids = grids.filter(({ r }) => x >= r.minLon && x < r.maxLon && y >= r.minLat && y < r.maxLat)
      expect(inGrids).toHaveLength(1)
      const grid = inGrids[0].g
      const inCommunities = communities.filter((c) => inPolygon(polygonsOf(c.geometry)[0]!, x, y))
      expect(inCommunities.map((c) => c.id)).toEqual([grid.parentId])
      const inStreets = streets.filter((s) => inPolygon(polygonsOf(s.geometry)[0]!, x, y))
      expect(inStreets.map((s) => s.id)).toEqual([inCommunities[0].parentId])
    }
  })

  it('has positive integer populations and households, parents summing their children', () => {
    for (const g of ofLevel('grid')) {
      const town = TOWNS.has(g.id.slice(0, 9))
      expect(Number.isInteger(g.population)).toBe(true)
      expect(Number.isInteger(g.households)).toBe(true)
      expect(g.population!).toBeGreaterThanOrEqual(town ? 400 : 1500)
      expect(g.population!).toBeLessThanOrEqual(town ? 1500 : 4500)
      expect(Math.abs(g.households! - g.population! / 2.6)).toBeLessThanOrEqual(1)
    }
    for (const p of parents) {
      const children = childrenOf.get(p.id) ?? []
      expect(p.population).toBe(children.reduce((s, c) => s + (c.population ?? 0), 0))
      expect(p.households).toBe(children.reduce((s, c) => s + (c.households ?? 0), 0))
      expect(p.population!).toBeGreaterThan(0)
    }
  })
})
