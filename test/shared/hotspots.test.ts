import { describe, expect, it } from 'vitest'
import { distanceMetres } from '../../shared/geo'
import { findHotspots, hotspotCategoryOfAlert, type HotspotCategory, type HotspotPoint } from '../../shared/hotspots'
import { mulberry32 } from '../../shared/random'
import { bruteForceHotspots } from '../helpers/hotspots-oracle'

// Yinchuan, where the sample district lies: 38.5° N.
const ORIGIN = { lon: 106.23, lat: 38.48 }
const R = 6_371_008.8
const DEG = 180 / Math.PI

/** A place `east` and `north` metres from ORIGIN (a local offset; tests measure with distanceMetres). */
function at(east: number, north: number): { lon: number; lat: number } {
  return { lon: ORIGIN.lon + (east / (R * Math.cos(ORIGIN.lat / DEG))) * DEG, lat: ORIGIN.lat + (north / R) * DEG }
}

let n = 0
function point(east: number, north: number, extra: Partial<HotspotPoint> = {}): HotspotPoint {
  n++
  return { kind: 'request', id: `r${String(n).padStart(4, '0')}`, category: 'noise', ...at(east, north), at: 1_000 * n, gridId: '64010600100101', ...extra }
}

const settings = { radiusM: 50, minCount: 3 }

describe('findHotspots (shared/hotspots.ts)', () => {
  it('finds three requests of a category within the radius as one hotspot centred on a real point', () => {
    const pts = [point(0, 0), point(10, 5), point(-20, 15)]
    const [h, ...rest] = findHotspots(pts, settings)
    expect(rest).toEqual([])
    expect(h!.count).toBe(3)
    expect(h!.category).toBe('noise')
    expect(h!.requestIds).toEqual(pts.map((p) => p.id))
    // The seed is the earliest of the three (all see each other): its place is the centre, its id names it.
    expect(h!.center).toEqual({ lon: pts[0]!.lon, lat: pts[0]!.lat })
    expect(h!.id).toBe(`noise:r:${pts[0]!.id}`)
    expect(h!.first).toBe(pts[0]!.at)
    expect(h!.last).toBe(pts[2]!.at)
    expect(h!.radiusM).toBe(50)
  })

  it('needs minCount points: N-1 make none', () => {
    expect(findHotspots([point(0, 0), point(5, 5)], settings)).toEqual([])
    expect(findHotspots([point(0, 0), point(5, 5), point(1, 1), point(2, 2)], { radiusM: 50, minCount: 5 })).toEqual([])
    expect(findHotspots([point(0, 0), point(5, 5), point(1, 1), point(2, 2), point(3, 3)], { radiusM: 50, minCount: 5 })).toHaveLength(1)
  })

  it('counts a point exactly at the radius in, and one a hair beyond it out', () => {
    const s = point(0, 0)
    const a = point(20, 0)
    const b = point(0, 20)
    const c = point(-50, 0)
    const d = distanceMetres(s, c)
    const inside = findHotspots([s, a, b, c], { radiusM: d, minCount: 3 })
    expect(inside).toHaveLength(1)
    expect(inside[0]!.count).toBe(4)
    expect(inside[0]!.requestIds).toContain(c.id)
    const hair = d * (1 - 1e-12)
    expect(hair).toBeLessThan(d)
    const outside = findHotspots([s, a, b, c], { radiusM: hair, minCount: 3 })
    expect(outside).toHaveLength(1)
    expect(outside[0]!.count).toBe(3)
    expect(outside[0]!.requestIds).not.toContain(c.id)
  })

  it('takes a chain A–B–C (A–C beyond the radius) as one hotspot around B, and cuts a longer chain into discs', () => {
    const [a, b, c] = [point(0, 0), point(40, 0), point(80, 0)]
    expect(distanceMetres(a!, c!)).toBeGreaterThan(50)
    const [h] = findHotspots([a!, b!, c!], settings)
    expect(h!.count).toBe(3)
    expect(h!.center).toEqual({ lon: b!.lon, lat: b!.lat })

    // Five points 40 m apart along 160 m: discs of the radius, never the whole string.
    const chain = [0, 40, 80, 120, 160].map((e) => point(e, 0))
    const three = findHotspots(chain, settings)
    expect(three.map((x) => x.count)).toEqual([3])
    expect(three[0]!.center).toEqual({ lon: chain[1]!.lon, lat: chain[1]!.lat })
    const two = findHotspots(chain, { radiusM: 50, minCount: 2 })
    expect(two.map((x) => x.count)).toEqual([3, 2])
    for (const hs of two) {
      for (const id of hs.requestIds) expect(distanceMetres(hs.center, chain.find((p) => p.id === id)!)).toBeLessThanOrEqual(50)
    }
  })

  it('lets a hotspot span two grids and names both', () => {
    const pts = [point(0, 0, { gridId: '64010600100102' }), point(10, 0, { gridId: '64010600100101' }), point(20, 0, { gridId: '64010600100102' })]
    const [h] = findHotspots(pts, settings)
    expect(h!.gridIds).toEqual(['64010600100101', '64010600100102'])
  })

  it('never mixes categories', () => {
    const mixed = [point(0, 0), point(5, 0), point(0, 5, { category: 'environment' }), point(5, 5, { category: 'environment' })]
    expect(findHotspots(mixed, settings)).toEqual([])
    const [h, ...rest] = findHotspots([...mixed, point(3, 3)], settings)
    expect(rest).toEqual([])
    expect(h!.category).toBe('noise')
    expect(h!.count).toBe(3)
  })

  it('counts a confirmed alert under the category its kind raises, and lists it apart from requests', () => {
    expect(hotspotCategoryOfAlert('flying_wire_charging')).toBe('safety_hazard')
    expect(hotspotCategoryOfAlert('manhole_anomaly')).toBe('municipal')
    const pts = [
      point(0, 0, { category: 'safety_hazard' }),
      point(3, 0, { category: 'safety_hazard' }),
      point(0, 3, { kind: 'alert', id: 'a1', category: hotspotCategoryOfAlert('flying_wire_charging') }),
    ]
    const [h] = findHotspots(pts, settings)
    expect(h!.count).toBe(3)
    expect(h!.alertIds).toEqual(['a1'])
    expect(h!.requestIds).toHaveLength(2)
  })

  it('breaks ties by time, then requests before alerts, then id: the same answer in any input order', () => {
    const pts = [point(0, 0, { at: 5 }), point(10, 0, { at: 5, kind: 'alert', id: 'a0' }), point(20, 0, { at: 5, id: 'r-b' }), point(30, 0, { at: 5, id: 'r-a' })]
    const forward = findHotspots(pts, { radiusM: 50, minCount: 2 })
    const backward = findHotspots([...pts].reverse(), { radiusM: 50, minCount: 2 })
    expect(backward).toEqual(forward)
    expect(forward).toEqual(bruteForceHotspots(pts, { radiusM: 50, minCount: 2 }))
  })

  it('equals the brute force on seeded random data (clusters, duplicates, shared times, every category)', () => {
    const random = mulberry32(21)
    const categories: HotspotCategory[] = ['noise', 'environment', 'safety_hazard', 'municipal']
    for (let round = 0; round < 40; round++) {
      const radiusM = [10, 25, 50, 50, 120][round % 5]!
      const minCount = 2 + (round % 4)
      const pts: HotspotPoint[] = []
      const centres = Array.from({ length: 1 + Math.floor(random() * 12) }, () => [random() * 600 - 300, random() * 600 - 300] as const)
      const total = 20 + Math.floor(random() * 400)
      for (let i = 0; i < total; i++) {
        const [ce, cn] = centres[Math.floor(random() * centres.length)]!
        const spread = random() < 0.2 ? 0 : random() * 2 * radiusM
        const duplicate = pts.length > 0 && random() < 0.05 ? pts[Math.floor(random() * pts.length)]! : undefined
        const place = duplicate ? { lon: duplicate.lon, lat: duplicate.lat } : at(ce + (random() - 0.5) * spread, cn + (random() - 0.5) * spread)
        pts.push({
          kind: random() < 0.2 ? 'alert' : 'request',
          id: `p${round}-${Math.floor(random() * 1e6)}-${i}`,
          category: categories[Math.floor(random() * categories.length)]!,
          ...place,
          at: Math.floor(random() * 50) * 1000,
          gridId: `6401060010010${Math.floor(random() * 3)}`,
        })
      }
      const fast = findHotspots(pts, { radiusM, minCount })
      expect(fast).toEqual(bruteForceHotspots(pts, { radiusM, minCount }))
      // Each hotspot's points lie within the radius of its centre, and no point is in two.
      const seen = new Set<string>()
      const byId = new Map(pts.map((p) => [p.id, p]))
      for (const h of fast) {
        expect(h.count).toBeGreaterThanOrEqual(minCount)
        for (const id of [...h.requestIds, ...h.alertIds]) {
          expect(seen.has(id)).toBe(false)
          seen.add(id)
          expect(distanceMetres(h.center, byId.get(id)!)).toBeLessThanOrEqual(radiusM)
        }
      }
    }
  })
})
