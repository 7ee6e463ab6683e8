// npm run geo -- import: DataV (GCJ-02) GeoJSON, RFC 7946 GeoJSON and Shapefiles become one WGS84
// geography file, parented by interior points, with attributes merged, checked before it is written.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import polygonClipping from 'polygon-clipping'
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { polygonsOf, type GeoUnit, type PolygonCoords, type UnitGeometry } from '../../../shared/domain'
import { distanceMetres, fromWgs84, toWgs84 } from '../../../shared/geo'
import { checkGeography } from '../../../server/geo/check'
import { Geography } from '../../../server/geo/geography'
import { loadGeography } from '../../../server/geo/geography-file'
import { importGeography, type ImportOptions } from '../../../server/geo/import'
import { interiorPoint, normaliseRing, signedArea2 } from '../../../server/geo/rings'
import { runImport } from '../../../server/cli/geo-import'
import { runCheck } from '../../../server/cli/geo-check'
import { CGCS2000_PRJ, PROJECTED_PRJ, WGS84_PRJ, writeShapefile } from '../../helpers/shapefile-writer'

const referenceDir = fileURLToPath(new URL('../../../../shared/reference/geo/', import.meta.url))
const dataVFile = join(referenceDir, '640100_full.geojson')
const vectorsFile = join(referenceDir, 'gcj_test_vectors.json')
const hasReference = existsSync(dataVFile) && existsSync(vectorsFile)

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-geo-import-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

type Position = [number, number]
type Props = Record<string, unknown>

function writeGeoJson(path: string, features: { properties: Props; geometry: UnitGeometry }[], extra: Props = {}): string {
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', ...extra, features: features.map((f) => ({ type: 'Feature', ...f })) }))
  return path
}

async function cli(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = []
  const code = await runImport(argv, (line) => lines.push(...line.split('\n')))
  return { code, lines }
}

function byId(units: readonly GeoUnit[]): Map<string, GeoUnit> {
  return new Map(units.map((u) => [u.id, u]))
}

function errorsOf(problems: { severity: string }[]) {
  return problems.filter((p) => p.severity === 'error')
}

/** Area-weighted centroid of a polygon's outer ring: what a naive importer would test. */
function centroid(ring: Position[]): Position {
  let a = 0
  let cx = 0
  let cy = 0
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x0, y0] = ring[i]!
    const [x1, y1] = ring[i + 1]!
    const f = x0 * y1 - x1 * y0
    a += f
    cx += (x0 + x1) * f
    cy += (y0 + y1) * f
  }
  return [cx / (3 * a), cy / (3 * a)]
}

function everyRing(geometry: UnitGeometry, visit: (ring: Position[], outer: boolean) => void): void {
  for (const polygon of polygonsOf(geometry)) polygon.forEach((ring, r) => visit(ring, r === 0))
}

// A hand-made WGS84 district in 0.01° cells near Yinchuan: street S1 is a U (its notch is street S2);
// S1's community C_U is the U without the top of its right arm, where community C_ARM lies. The U's
// centroid falls in the notch, in S2: parenting by centroid would put C_U's grid under S2's community.
const W = 106.2
const S = 38.4
const D = 0.01
const at = (x: number, y: number): Position => [W + x * D, S + y * D]
const ring = (...points: [number, number][]): Position[] => {
  const r = points.map(([x, y]) => at(x, y))
  return [...r, r[0]!]
}
const U_STREET = ring([0, 0], [3, 0], [3, 3], [2, 3], [2, 0.5], [1, 0.5], [1, 3], [0, 3])
const NOTCH = ring([1, 0.5], [2, 0.5], [2, 3], [1, 3])
const U_COMMUNITY = ring([0, 0], [3, 0], [3, 2], [2, 2], [2, 0.5], [1, 0.5], [1, 3], [0, 3])
const ARM_TOP = ring([2, 2], [3, 2], [3, 3], [2, 3])

function handMadeDistrict(dir: string, options: { gridOutside?: boolean } = {}): ImportOptions {
  const streets = writeGeoJson(join(dir, 'streets.geojson'), [
    { properties: { code: 640106001, name: '满城北街街道' }, geometry: { type: 'Polygon', coordinates: [U_STREET] } },
    { properties: { code: 640106002, name: '黄河东路街道' }, geometry: { type: 'Polygon', coordinates: [NOTCH] } },
    // An island street: two parts that do not touch
    {
      properties: { code: 640106003, name: '良田镇' },
      geometry: { type: 'MultiPolygon', coordinates: [[ring([0, -1], [1, -1], [1, 0], [0, 0])], [ring([2, -1], [3, -1], [3, -0.5], [2, -0.5])]] },
    },
  ])
  const communities = writeGeoJson(join(dir, 'communities.geojson'), [
    { properties: { code: '640106001001', name: 'U 社区' }, geometry: { type: 'Polygon', coordinates: [U_COMMUNITY] } },
    { properties: { code: '640106001002', name: '臂社区' }, geometry: { type: 'Polygon', coordinates: [ARM_TOP] } },
    { properties: { code: '640106002001', name: '凹口社区' }, geometry: { type: 'Polygon', coordinates: [NOTCH] } },
    { properties: { code: '640106003001', name: '西社区' }, geometry: { type: 'Polygon', coordinates: [ring([0, -1], [1, -1], [1, 0], [0, 0])] } },
    { properties: { code: '640106003002', name: '岛社区' }, geometry: { type: 'Polygon', coordinates: [ring([2, -1], [3, -1], [3, -0.5], [2, -0.5])] } },
  ])
  const gridFeatures = [
    { properties: { id: '64010600100101', name: 'U 网格' }, geometry: { type: 'Polygon' as const, coordinates: [U_COMMUNITY] } },
    { properties: { id: '64010600100201', name: '臂网格' }, geometry: { type: 'Polygon' as const, coordinates: [ARM_TOP] } },
    { properties: { id: '64010600200101', name: '凹口网格' }, geometry: { type: 'Polygon' as const, coordinates: [NOTCH] } },
    { properties: { id: '64010600300101', name: '西网格' }, geometry: { type: 'Polygon' as const, coordinates: [ring([0, -1], [1, -1], [1, 0], [0, 0])] } },
    { properties: { id: '64010600300201', name: '岛网格' }, geometry: { type: 'Polygon' as const, coordinates: [ring([2, -1], [3, -1], [3, -0.5], [2, -0.5])] } },
  ]
  if (options.gridOutside) gridFeatures.push({ properties: { id: '64010600900101', name: '迷路网格' }, geometry: { type: 'Polygon', coordinates: [ring([5, 5], [6, 5], [6, 6], [5, 6])] } })
  const grids = writeGeoJson(join(dir, 'grids.geojson'), gridFeatures)
  return { district: { id: '640106', name: '金凤区' }, streets, communities, grids }
}

const HAND_MADE_PARENTS = {
  '640106001': '640106',
  '640106002': '640106',
  '640106003': '640106',
  '640106001001': '640106001',
  '640106001002': '640106001',
  '640106002001': '640106002',
  '640106003001': '640106003',
  '640106003002': '640106003',
  '64010600100101': '640106001001',
  '64010600100201': '640106001002',
  '64010600200101': '640106002001',
  '64010600300101': '640106003001',
  '64010600300201': '640106003002',
}

describe('geo import: RFC 7946 GeoJSON in WGS84', () => {
  it('parents by interior point, not centroid: a U-shaped unit whose centroid lies in its neighbour', async () => {
    // The premise: the U's centroid is outside it, in the notch.
    const c = centroid(U_COMMUNITY)
    expect(booleanPointInPolygon(c, { type: 'Polygon', coordinates: [U_COMMUNITY] })).toBe(false)
    expect(booleanPointInPolygon(c, { type: 'Polygon', coordinates: [NOTCH] })).toBe(true)
    const u = centroid(U_STREET)
    expect(booleanPointInPolygon(u, { type: 'Polygon', coordinates: [U_STREET] })).toBe(false)

    const { units, problems } = await importGeography(handMadeDistrict(tempDir()))
    expect(errorsOf(problems)).toEqual([])
    const parents = Object.fromEntries(units.filter((u) => u.level !== 'district').map((u) => [u.id, u.parentId]))
    expect(parents).toEqual(HAND_MADE_PARENTS)
    // Numbers as ids become strings; names come from `name`; the default id field is the first of id, code, adcode.
    const units1 = byId(units)
    expect(units1.get('640106001')!.name).toBe('满城北街街道')
    expect(units1.get('64010600100101')!.level).toBe('grid')
    // The island street stays a MultiPolygon of two parts; single polygons stay Polygons.
    expect(units1.get('640106003')!.geometry.type).toBe('MultiPolygon')
    expect(polygonsOf(units1.get('640106003')!.geometry)).toHaveLength(2)
    expect(units1.get('640106001001')!.geometry.type).toBe('Polygon')
    // The district is the union of its streets: the 3 × 3 square with the west strip below it, and
    // the island: two parts, 10.5 cells.
    const district = units.find((u) => u.level === 'district')!
    expect(district).toMatchObject({ id: '640106', name: '金凤区', parentId: null })
    expect(district.geometry.type).toBe('MultiPolygon')
    const parts = polygonsOf(district.geometry).map((p) => signedArea2(p[0]!) / 2 / (D * D))
    expect(parts.sort((a, b) => a - b)).toEqual([expect.closeTo(0.5, 6), expect.closeTo(10, 6)])
    // Interior point of the U lies in the U, and the geography works as a Geography.
    expect(booleanPointInPolygon(interiorPoint(units1.get('64010600100101')!.geometry)!, units1.get('64010600100101')!.geometry)).toBe(true)
    const geography = new Geography(units)
    expect(geography.locate({ lon: W + 0.5 * D, lat: S + 2.5 * D })?.gridId).toBe('64010600100101')
    expect(geography.locate({ lon: W + 1.5 * D, lat: S + 2.5 * D })?.gridId).toBe('64010600200101')
    expect(geography.locate({ lon: W + 2.5 * D, lat: S + 2.5 * D })?.gridId).toBe('64010600100201')
    expect(geography.locate({ lon: W + 2.5 * D, lat: S - 0.75 * D })?.streetId).toBe('640106003')
    expect(errorsOf(checkGeography(units))).toEqual([])
  })

  it('writes the file with the CLI, which then loads as OUTPOST_GEOGRAPHY would', async () => {
    const dir = tempDir()
    const o = handMadeDistrict(dir)
    const out = join(dir, 'geography.json')
    const { code, lines } = await cli(['--district', '640106:金凤区', '--streets', o.streets, '--communities', o.communities, '--grids', o.grids, '--out', out])
    expect(lines.at(-1)).toMatch(/^wrote 金凤区 \(640106\): 1 district, 3 streets, 5 communities, 5 grids; \d+ warnings?; \d+ bytes to /)
    expect(code).toBe(0)
    const geography = loadGeography(out)
    expect(geography.units).toHaveLength(14)
    expect(geography.get('64010600100101')!.parentId).toBe('640106001001')
  })

  it('a feature with no parent either way is an error naming it, its level and its file; nothing is written', async () => {
    const dir = tempDir()
    const o = handMadeDistrict(dir, { gridOutside: true })
    const { problems } = await importGeography(o)
    const noParent = problems.filter((p) => p.code === 'no_parent')
    expect(noParent).toHaveLength(1)
    expect(noParent[0]).toMatchObject({ severity: 'error', unitId: '64010600900101' })
    expect(noParent[0]!.message).toContain('grid 64010600900101')
    expect(noParent[0]!.message).toContain(o.grids)
    expect(noParent[0]!.message).toContain('no community')

    const out = join(dir, 'geography.json')
    const { code, lines } = await cli(['--district', '640106:金凤区', '--streets', o.streets, '--communities', o.communities, '--grids', o.grids, '--out', out])
    expect(code).toBe(1)
    expect(lines.some((l) => l.includes('no_parent') && l.includes('grid 64010600900101'))).toBe(true)
    expect(lines.at(-1)).toMatch(/^1 error, \d+ warnings?: nothing written to /)
    expect(existsSync(out)).toBe(false)

    // With --parent-field, a feature that names no parent falls back to its interior point, and so
    // still has none.
    const withField = await importGeography({ ...o, parentField: 'parent' })
    expect(withField.problems.filter((p) => p.code === 'no_parent').map((p) => p.unitId)).toEqual(['64010600900101'])
  })

  it('converts BD-09 sources to WGS84, and takes CGCS2000 as WGS84', async () => {
    const dir = tempDir()
    const wgs = handMadeDistrict(dir)
    // The same files with every position moved into BD-09, as Baidu's tools would give them.
    const toBd09 = (path: string): string => {
      const data = JSON.parse(readFileSync(path, 'utf8')) as { features: { geometry: UnitGeometry }[] }
      for (const feature of data.features) {
        everyRing(feature.geometry, (r) => {
          for (const p of r) {
            const bd = fromWgs84({ lon: p[0], lat: p[1] }, 'bd09')
            p[0] = bd.lon
            p[1] = bd.lat
          }
        })
      }
      const out = path.replace(/\.geojson$/, '.bd09.geojson')
      writeFileSync(out, JSON.stringify(data))
      return out
    }
    const bd = { ...wgs, streets: toBd09(wgs.streets), communities: toBd09(wgs.communities), grids: toBd09(wgs.grids) }
    const plain = await importGeography({ ...wgs, crs: 'cgcs2000' })
    const converted = await importGeography({ ...bd, crs: 'bd09' })
    const unconverted = await importGeography({ ...bd, crs: 'wgs84' })
    expect(errorsOf(converted.problems)).toEqual([])
    expect(plain.units).toEqual((await importGeography(wgs)).units)
    const original = byId(plain.units).get('64010600100101')!.geometry.coordinates[0] as Position[]
    const back = byId(converted.units).get('64010600100101')!.geometry.coordinates[0] as Position[]
    const raw = byId(unconverted.units).get('64010600100101')!.geometry.coordinates[0] as Position[]
    expect(back).toHaveLength(original.length)
    original.forEach(([lon, lat], i) => {
      expect(distanceMetres({ lon, lat }, { lon: back[i]![0], lat: back[i]![1] })).toBeLessThan(1)
      expect(distanceMetres({ lon, lat }, { lon: raw[i]![0], lat: raw[i]![1] })).toBeGreaterThan(300)
    })
  })

  it('normalises rings: clockwise in, counter-clockwise out; duplicates dropped; closed; 7 decimals; holes clockwise', async () => {
    const dir = tempDir()
    // The street: clockwise, not closed, with a repeated point and one that rounds onto its neighbour.
    const clockwise: Position[] = [
      [106.200000001, 38.4],
      [106.2, 38.430000004],
      [106.2, 38.43],
      [106.23, 38.43],
      [106.2300000004, 38.4300000001],
      [106.23, 38.4],
    ]
    // A hole wound counter-clockwise (the outer ring's direction): it must come out clockwise.
    const hole: Position[] = [
      [106.21, 38.41],
      [106.22, 38.41],
      [106.22, 38.42],
      [106.21, 38.42],
      [106.21, 38.41],
    ]
    const streets = writeGeoJson(join(dir, 's.geojson'), [{ properties: { id: '640106001', name: 's' }, geometry: { type: 'Polygon', coordinates: [clockwise, hole] } }])
    const communities = writeGeoJson(join(dir, 'c.geojson'), [{ properties: { id: '640106001001', name: 'c' }, geometry: { type: 'Polygon', coordinates: [clockwise, hole] } }])
    const grids = writeGeoJson(join(dir, 'g.geojson'), [{ properties: { id: '64010600100101', name: 'g' }, geometry: { type: 'MultiPolygon', coordinates: [[clockwise, hole]] } }])
    const { units, problems } = await importGeography({ district: { id: '640106', name: 'd' }, streets, communities, grids })
    expect(errorsOf(problems)).toEqual([])
    const street = byId(units).get('640106001')!
    expect(street.geometry.coordinates).toEqual([
      [
        [106.2, 38.4],
        [106.23, 38.4],
        [106.23, 38.43],
        [106.2, 38.43],
        [106.2, 38.4],
      ],
      [
        [106.21, 38.41],
        [106.21, 38.42],
        [106.22, 38.42],
        [106.22, 38.41],
        [106.21, 38.41],
      ],
    ])
    // A MultiPolygon with one part stays a MultiPolygon: the source's own type is kept.
    expect(byId(units).get('64010600100101')!.geometry.type).toBe('MultiPolygon')
    for (const unit of units) {
      everyRing(unit.geometry, (r, outer) => {
        expect(r[0]).toEqual(r.at(-1))
        expect(signedArea2(r) > 0).toBe(outer)
        for (let i = 1; i < r.length; i++) expect(r[i]).not.toEqual(r[i - 1])
        for (const [x, y] of r) {
          expect(Math.round(x * 1e7) / 1e7).toBe(x)
          expect(Math.round(y * 1e7) / 1e7).toBe(y)
        }
      })
    }
  })

  it('a ring that rounding leaves without area is an invalid_ring error naming the unit', () => {
    const tiny: Position[] = [
      [106.2, 38.4],
      [106.20000001, 38.4],
      [106.2, 38.40000001],
    ]
    expect(normaliseRing(tiny, true).degenerate).toBe(true)
    expect(normaliseRing([[0, 0], [1, 0], [1, 1], [0, 0]], true)).toEqual({ ring: [[0, 0], [1, 0], [1, 1], [0, 0]], degenerate: false })
    expect(normaliseRing([[0, 0], [1, 0], [1, 1], [0, 0]], false).ring).toEqual([[0, 0], [1, 1], [1, 0], [0, 0]])
  })

  it('merges --attributes (UTF-8 with a BOM), sums counts upward where every child has one, and names each bad line', async () => {
    const dir = tempDir()
    const o = handMadeDistrict(dir)
    const good = join(dir, 'units.csv')
    writeFileSync(good, '\uFEFFid,population,households\r\n64010600100101,1200,480\r\n"64010600100201",300,\r\n640106001,5000,2000\r\n\r\n')
    const { units, problems } = await importGeography({ ...o, attributes: good })
    expect(errorsOf(problems)).toEqual([])
    const u = byId(units)
    expect(u.get('64010600100101')).toMatchObject({ population: 1200, households: 480 })
    expect(u.get('64010600100201')!.population).toBe(300)
    expect(u.get('64010600100201')!.households).toBeUndefined()
    expect(u.get('640106001')).toMatchObject({ population: 5000, households: 2000 })
    expect(u.get('64010600200101')!.population).toBeUndefined()
    // The street keeps its own count; a community whose grids all have one gets their sum.
    expect(u.get('640106001001')).toMatchObject({ population: 1200, households: 480 })
    expect(u.get('640106001002')!.population).toBe(300)
    expect(u.get('640106001002')!.households).toBeUndefined()
    expect(u.get('640106002001')!.population).toBeUndefined()
    expect(u.get('640106')!.population).toBeUndefined()

    // Every grid counted: communities, streets and the district are their sums.
    const all = join(dir, 'all.csv')
    writeFileSync(all, 'id,population\n64010600100101,1200\n64010600100201,300\n64010600200101,700\n64010600300101,50\n64010600300201,25\n')
    const summed = byId((await importGeography({ ...o, attributes: all })).units)
    expect(summed.get('640106001')!.population).toBe(1500)
    expect(summed.get('640106003')!.population).toBe(75)
    expect(summed.get('640106')!.population).toBe(2275)
    expect(summed.get('640106')!.households).toBeUndefined()

    const bad = join(dir, 'bad.csv')
    writeFileSync(bad, 'id,population,households\n64010600100101,12x0,480\n640106009,1,1\n64010600100201,1\n64010600100101,5,5\n')
    const result = await importGeography({ ...o, attributes: bad })
    const messages = result.problems.filter((p) => p.code === 'bad_attributes').map((p) => p.message)
    expect(messages).toEqual([
      `${bad} line 2: population "12x0" is not a whole number`,
      `${bad} line 3: id 640106009 is not a unit of the import`,
      `${bad} line 4: 2 columns where the header has 3`,
      `${bad} line 5: id 64010600100101 is given again (first on line 2)`,
    ])
    const out = join(dir, 'geo.json')
    const { code, lines } = await cli(['--district', '640106:金凤区', '--streets', o.streets, '--communities', o.communities, '--grids', o.grids, '--attributes', bad, '--out', out])
    expect(code).toBe(1)
    expect(lines.filter((l) => l.includes('bad_attributes'))).toHaveLength(4)
    expect(existsSync(out)).toBe(false)

    const noHeader = join(dir, 'no-header.csv')
    writeFileSync(noHeader, '64010600100101,1200,480\n')
    await expect(importGeography({ ...o, attributes: noHeader })).rejects.toThrow(`${noHeader}: line 1 must be the header id,population,households`)
  })

  it('refuses what it cannot read with a message naming the file: projected coordinates, no id field, points, usage', async () => {
    const dir = tempDir()
    const o = handMadeDistrict(dir)
    const projected = writeGeoJson(join(dir, 'projected.geojson'), [
      { properties: { id: 'S' }, geometry: { type: 'Polygon', coordinates: [[[500000, 4250000], [501000, 4250000], [501000, 4251000], [500000, 4250000]]] } },
    ])
    await expect(importGeography({ ...o, streets: projected })).rejects.toThrow(`${projected}: feature #1 has the position (500000, 4250000), which is not longitude/latitude`)
    const named3857 = writeGeoJson(join(dir, 'crs.geojson'), [], { crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3857' } } })
    await expect(importGeography({ ...o, streets: named3857 })).rejects.toThrow(`${named3857}: its crs is urn:ogc:def:crs:EPSG::3857`)
    const noId = writeGeoJson(join(dir, 'no-id.geojson'), [{ properties: { NAME: 'x', BH: 1 }, geometry: { type: 'Polygon', coordinates: [NOTCH] } }])
    await expect(importGeography({ ...o, streets: noId })).rejects.toThrow(`${noId}: no id field (none of id, code, adcode) in its features; its fields are NAME, BH: name the id with --id-field`)
    const withPoint = writeGeoJson(join(dir, 'point.geojson'), [{ properties: { id: '64010600900101', name: 'p' }, geometry: { type: 'Point', coordinates: [106.2, 38.4] } as unknown as UnitGeometry }])
    const { problems } = await importGeography({ ...o, grids: withPoint })
    expect(problems.find((p) => p.code === 'bad_geometry')?.message).toBe(`grid 64010600900101 in ${withPoint}: is a Point, not a Polygon or MultiPolygon`)

    const usage = await cli(['--streets', o.streets])
    expect(usage.code).toBe(2)
    expect(usage.lines[0]).toBe('geo import: missing --district, --communities, --grids, --out')
    const badCrs = await cli(['--district', '640106:x', '--streets', o.streets, '--communities', o.communities, '--grids', o.grids, '--out', join(dir, 'x.json'), '--crs', 'epsg3857'])
    expect(badCrs.code).toBe(2)
    expect(badCrs.lines[0]).toBe('geo import: --crs epsg3857: not one of wgs84, cgcs2000, gcj02, bd09')
    const badDistrict = await cli(['--district', '6401:x', '--streets', o.streets, '--communities', o.communities, '--grids', o.grids, '--out', join(dir, 'x.json')])
    expect(badDistrict.code).toBe(2)
    expect(badDistrict.lines[0]).toBe('geo import: --district 6401:x: its id must be 6, 9, 12 or 14 digits (a statistical code such as 640106)')
    const unreadable = await cli(['--district', '640106:x', '--streets', join(dir, 'missing.geojson'), '--communities', o.communities, '--grids', o.grids, '--out', join(dir, 'x.json')])
    expect(unreadable).toEqual({ code: 1, lines: [`geo import: ${join(dir, 'missing.geojson')}: no such file`, 'nothing written'] })
  })
})

describe('geo import: Shapefiles', () => {
  const fields = [
    { name: 'CODE', type: 'N' as const, length: 16 },
    { name: 'NAME', type: 'C' as const, length: 40 },
    { name: 'PARENT', type: 'C' as const, length: 16 },
  ]
  const record = (code: number, name: string, parent: string | null, ...rings: Position[][]) => ({
    polygons: [rings],
    attributes: { CODE: code, NAME: name, PARENT: parent },
  })

  function shapefileDistrict(dir: string, opts: { streetsPrj?: string; streetsCpg?: string; encoding?: 'gbk' | 'utf-8' } = {}) {
    const streets = writeShapefile(join(dir, 'streets'), {
      fields,
      encoding: opts.encoding ?? 'gbk',
      ...(opts.streetsCpg !== undefined ? { cpg: opts.streetsCpg } : {}),
      prj: opts.streetsPrj ?? WGS84_PRJ,
      records: [record(640106001, '满城北街街道', null, U_STREET), record(640106002, '黄河东路街道', null, NOTCH)],
    })
    const communities = writeShapefile(join(dir, 'communities'), {
      fields,
      encoding: 'utf-8',
      cpg: 'UTF-8',
      prj: CGCS2000_PRJ,
      records: [
        record(640106001001, '宁安社区', '640106001', U_COMMUNITY),
        record(640106001002, '枕水社区', '640106001', ARM_TOP),
        record(640106002001, '湖畔社区', '640106002', NOTCH),
      ],
    })
    const grids = writeShapefile(join(dir, 'grids'), {
      fields,
      encoding: 'utf-8',
      records: [
        record(64010600100101, '第一网格', '640106001001', U_COMMUNITY),
        record(64010600100201, '第二网格', '640106001002', ARM_TOP),
        record(64010600200101, '第三网格', '640106002001', NOTCH),
      ],
    })
    return { district: { id: '640106', name: '金凤区' }, streets, communities, grids, idField: 'CODE', nameField: 'NAME' }
  }

  const expectedParents = {
    '640106001': '640106',
    '640106002': '640106',
    '640106001001': '640106001',
    '640106001002': '640106001',
    '640106002001': '640106002',
    '64010600100101': '640106001001',
    '64010600100201': '640106001002',
    '64010600200101': '640106002001',
  }

  it('reads .shp and .dbf through the shapefile package: GBK names by .cpg, numeric ids as strings, interior-point parents', async () => {
    const options = shapefileDistrict(tempDir(), { streetsCpg: 'GBK' })
    const { units, problems } = await importGeography(options)
    expect(errorsOf(problems)).toEqual([])
    const parents = Object.fromEntries(units.filter((u) => u.level !== 'district').map((u) => [u.id, u.parentId]))
    expect(parents).toEqual(expectedParents)
    const u = byId(units)
    expect(u.get('640106001')!.name).toBe('满城北街街道')
    expect(u.get('640106001001')!.name).toBe('宁安社区')
    // Shapefiles write outer rings clockwise; the file has them counter-clockwise.
    everyRing(u.get('640106001')!.geometry, (r, outer) => expect(signedArea2(r) > 0).toBe(outer))
    expect(u.get('640106001')!.geometry.coordinates).toEqual([normaliseRing(U_STREET, true).ring])
  })

  it('keeps a polygon\'s hole, wound clockwise', async () => {
    const dir = tempDir()
    const square = ring([0, 0], [3, 0], [3, 3], [0, 3])
    const hole = ring([1, 1], [1, 2], [2, 2], [2, 1])
    const file = (name: string, code: number) => writeShapefile(join(dir, name), { fields, encoding: 'utf-8', records: [record(code, name, null, square, hole)] })
    const { units, problems } = await importGeography({
      district: { id: '640106', name: 'd' },
      streets: file('s', 640106001),
      communities: file('c', 640106001001),
      grids: file('g', 64010600100101),
      idField: 'CODE',
      nameField: 'NAME',
    })
    expect(errorsOf(problems)).toEqual([])
    const grid = byId(units).get('64010600100101')!
    expect(grid.geometry.type).toBe('Polygon')
    const [outer, inner] = polygonsOf(grid.geometry)[0]!
    expect(signedArea2(outer!)).toBeGreaterThan(0)
    expect(signedArea2(inner!)).toBeLessThan(0)
    expect(signedArea2(inner!) / 2).toBeCloseTo(-D * D, 12)
    expect(byId(units).get('640106001001')!.parentId).toBe('640106001')
  })

  it('--parent-field reads the parent from the .dbf', async () => {
    const options = shapefileDistrict(tempDir(), { streetsCpg: 'GBK' })
    const { units, problems } = await importGeography({ ...options, parentField: 'PARENT' })
    expect(errorsOf(problems)).toEqual([])
    expect(Object.fromEntries(units.filter((u) => u.level !== 'district').map((u) => [u.id, u.parentId]))).toEqual(expectedParents)
    // A parent field naming what is not there is check's unknown_parent, naming the unit.
    const wrong = writeShapefile(join(tempDir(), 'grids'), { fields, encoding: 'utf-8', records: [record(64010600900101, '孤网格', '640106009999', ARM_TOP)] })
    const result = await importGeography({ ...options, grids: wrong, parentField: 'PARENT' })
    expect(result.problems.filter((p) => p.severity === 'error').map((p) => [p.code, p.unitId])).toContainEqual(['unknown_parent', '64010600900101'])
  })

  it('reads a .dbf without a .cpg as UTF-8 when it is, else as GBK', async () => {
    for (const encoding of ['gbk', 'utf-8'] as const) {
      const { units } = await importGeography(shapefileDistrict(tempDir(), { encoding }))
      expect(byId(units).get('640106002')!.name).toBe('黄河东路街道')
    }
  })

  it('a projected .prj is an error naming the file and its coordinate system', async () => {
    const options = shapefileDistrict(tempDir(), { streetsPrj: PROJECTED_PRJ, streetsCpg: 'GBK' })
    const prj = options.streets.replace(/\.shp$/, '.prj')
    await expect(importGeography(options)).rejects.toThrow(
      `${prj}: the Shapefile is in CGCS2000_3_Degree_GK_CM_105E, a projected coordinate system, not longitude/latitude on WGS84 or CGCS2000; the import does not reproject`,
    )
    const beijing54 = shapefileDistrict(tempDir(), { streetsPrj: WGS84_PRJ.replaceAll('WGS_1984', 'Beijing_1954'), streetsCpg: 'GBK' })
    await expect(importGeography(beijing54)).rejects.toThrow(/the Shapefile's datum is D_Beijing_1954, not WGS84 or CGCS2000/)
  })
})

// Yinchuan's six districts, as DataV publishes them (GCJ-02, clockwise outer rings, MultiPolygons,
// numeric `adcode`, nested `parent.adcode`), imported as the streets of a city-level center. The
// test cuts communities and grids out of them (in GCJ-02, as a center's files would be) and writes
// them the DataV way.
describe.skipIf(!hasReference)('geo import: the real DataV file, GCJ-02', () => {
  // describe.skipIf still runs this body to collect its tests: nothing may be read without the reference.
  if (!hasReference) return
  type MultiPolygon = PolygonCoords[]
  interface Cut {
    id: string
    name: string
    parent: string
    parts: MultiPolygon
  }
  interface Vector {
    name: string
    wgs84: Position
    gcj02: Position
  }

  const MIN_PART = 1e-7 // square degrees, about 1,000 m²: slivers the cutting leaves are dropped
  const area = (polygon: PolygonCoords): number => Math.abs(signedArea2(polygon[0]!)) / 2
  const clip = (subject: MultiPolygon, clipper: MultiPolygon): MultiPolygon => polygonClipping.intersection(subject, clipper).filter((p) => area(p) > MIN_PART)
  const cut = (subject: MultiPolygon, clipper: MultiPolygon): MultiPolygon => polygonClipping.difference(subject, clipper).filter((p) => area(p) > MIN_PART)
  const rect = (x0: number, y0: number, x1: number, y1: number): MultiPolygon => [
    [
      [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0],
      ],
    ],
  ]
  function bboxOf(parts: MultiPolygon): [number, number, number, number] {
    const points = parts.flatMap((p) => p[0]!)
    return [Math.min(...points.map((p) => p[0])), Math.min(...points.map((p) => p[1])), Math.max(...points.map((p) => p[0])), Math.max(...points.map((p) => p[1]))]
  }
  function centroidOf(parts: MultiPolygon): Position {
    let a = 0
    let x = 0
    let y = 0
    for (const part of parts) {
      const ringArea = signedArea2(part[0]!) / 2
      const [cx, cy] = centroid(part[0]!)
      a += ringArea
      x += cx * ringArea
      y += cy * ringArea
    }
    return [x / a, y / a]
  }
  /** West and east halves of a shape, split at its bounding box's middle. */
  function halves(parts: MultiPolygon): MultiPolygon[] {
    const [x0, y0, x1, y1] = bboxOf(parts)
    const mid = (x0 + x1) / 2
    return [clip(parts, rect(x0 - 1, y0 - 1, mid, y1 + 1)), clip(parts, rect(mid, y0 - 1, x1 + 1, y1 + 1))].filter((h) => h.length > 0)
  }
  /** DataV writes outer rings clockwise (and holes counter-clockwise), against RFC 7946. */
  function dataVRings(parts: MultiPolygon): MultiPolygon {
    return parts.map((polygon) => polygon.map((r, i) => ((signedArea2(r) > 0) === (i === 0) ? [...r].reverse() : r)))
  }
  function writeDataV(path: string, cuts: Cut[]): string {
    return writeGeoJson(
      path,
      cuts.map((c) => ({
        properties: { adcode: Number(c.id), name: c.name, parent: { adcode: Number(c.parent) } },
        geometry: { type: 'MultiPolygon', coordinates: dataVRings(c.parts) },
      })),
    )
  }

  const dataV = JSON.parse(readFileSync(dataVFile, 'utf8')) as { features: { properties: { adcode: number; name: string }; geometry: { type: 'MultiPolygon'; coordinates: MultiPolygon } }[] }
  const yinchuan = (JSON.parse(readFileSync(vectorsFile, 'utf8')) as { vectors: Vector[] }).vectors.find((v) => v.name.startsWith('Yinchuan'))!

  const communities: Cut[] = []
  const grids: Cut[] = []
  const expectedParent = new Map<string, string>()
  const add = (list: Cut[], parent: string, parts: MultiPolygon, name: string): string => {
    const id = `${parent}${String(list.filter((c) => c.parent === parent).length + 1).padStart(3, '0')}`
    list.push({ id, name, parent, parts })
    expectedParent.set(id, parent)
    return id
  }
  /** Communities and their grids, by how the test means to use each street. */
  const special: { notch?: { a: string; u: string; uGrid: string }; multi?: string; quadrants?: Record<'sw' | 'se' | 'nw' | 'ne', string> } = {}
  for (const feature of dataV.features) {
    const streetId = String(feature.properties.adcode)
    expectedParent.set(streetId, '640100')
    const shape = feature.geometry.coordinates
    const [x0, y0, x1, y1] = bboxOf(shape)
    const w = x1 - x0
    const h = y1 - y0
    if (streetId === '640106') {
      // Jinfeng: four communities meeting at the vector's GCJ-02 point, so a vertex sits exactly there.
      const [vx, vy] = yinchuan.gcj02
      const quadrant = (qx0: number, qy0: number, qx1: number, qy1: number, name: string) => {
        const id = add(communities, streetId, clip(shape, rect(qx0, qy0, qx1, qy1)), name)
        for (const half of halves(communities.at(-1)!.parts)) add(grids, id, half, `${name}网格`)
        return id
      }
      special.quadrants = {
        sw: quadrant(x0 - 1, y0 - 1, vx, vy, '西南社区'),
        se: quadrant(vx, y0 - 1, x1 + 1, vy, '东南社区'),
        nw: quadrant(x0 - 1, vy, vx, y1 + 1, '西北社区'),
        ne: quadrant(vx, vy, x1 + 1, y1 + 1, '东北社区'),
      }
    } else if (streetId === '640104') {
      // Xingqing: a notch from the north down to a third of the way up; the rest is one community, a
      // U whose one grid is the U itself.
      const notch = rect(x0 + w / 3, y0 + h / 3, x0 + (2 * w) / 3, y1 + 1)
      const a = add(communities, streetId, clip(shape, notch), '凹口社区')
      for (const half of halves(communities.at(-1)!.parts)) add(grids, a, half, '凹口网格')
      const u = add(communities, streetId, cut(shape, notch), 'U 形社区')
      const uGrid = add(grids, u, communities.at(-1)!.parts, 'U 形网格')
      special.notch = { a, u, uGrid }
    } else if (streetId === '640105') {
      // Xixia: one community in two parts (the west and east quarters), one between them.
      const ends = polygonClipping.union(rect(x0 - 1, y0 - 1, x0 + w / 4, y1 + 1), rect(x1 - w / 4, y0 - 1, x1 + 1, y1 + 1))
      const m = add(communities, streetId, clip(shape, ends), '两片社区')
      for (const part of communities.at(-1)!.parts) add(grids, m, [part], '一片网格')
      const b = add(communities, streetId, clip(shape, rect(x0 + w / 4, y0 - 1, x1 - w / 4, y1 + 1)), '中间社区')
      for (const half of halves(communities.at(-1)!.parts)) add(grids, b, half, '中间网格')
      special.multi = m
    } else {
      const [mx, my] = [(x0 + x1) / 2, (y0 + y1) / 2]
      for (const [qx0, qy0, qx1, qy1] of [
        [x0 - 1, y0 - 1, mx, my],
        [mx, y0 - 1, x1 + 1, my],
        [x0 - 1, my, mx, y1 + 1],
        [mx, my, x1 + 1, y1 + 1],
      ] as const) {
        const parts = clip(shape, rect(qx0, qy0, qx1, qy1))
        if (parts.length === 0) continue
        const id = add(communities, streetId, parts, '社区')
        for (const half of halves(parts)) add(grids, id, half, '网格')
      }
    }
  }

  function sources(dir: string): ImportOptions {
    return {
      district: { id: '640100', name: '银川市' },
      streets: dataVFile,
      communities: writeDataV(join(dir, 'communities.geojson'), communities),
      grids: writeDataV(join(dir, 'grids.geojson'), grids),
    }
  }
  function argv(o: ImportOptions, out: string, crs: string): string[] {
    return ['--district', '640100:银川市', '--streets', o.streets, '--communities', o.communities, '--grids', o.grids, '--crs', crs, '--out', out]
  }
  function nearestVertex(units: readonly GeoUnit[], to: Position): number {
    let best = Infinity
    for (const unit of units) {
      everyRing(unit.geometry, (r) => {
        for (const [lon, lat] of r) best = Math.min(best, distanceMetres({ lon, lat }, { lon: to[0], lat: to[1] }))
      })
    }
    return best
  }

  it('the premises: the U community\'s centroid lies in the notch, the two-part community has two parts', () => {
    const { a, u } = special.notch!
    const uParts = communities.find((c) => c.id === u)!.parts
    const aParts = communities.find((c) => c.id === a)!.parts
    const c = centroidOf(uParts)
    expect(booleanPointInPolygon(c, { type: 'MultiPolygon', coordinates: uParts })).toBe(false)
    expect(booleanPointInPolygon(c, { type: 'MultiPolygon', coordinates: aParts })).toBe(true)
    expect(communities.find((cm) => cm.id === special.multi)!.parts.length).toBeGreaterThanOrEqual(2)
    expect(communities.length).toBeGreaterThanOrEqual(20)
    expect(grids.length).toBeGreaterThanOrEqual(30)
  })

  it('converts GCJ-02 to WGS84, parents by interior point, keeps MultiPolygons, and the file passes check', async () => {
    const dir = tempDir()
    const o = sources(dir)
    const out = join(dir, 'geography.json')
    const { code, lines } = await cli(argv(o, out, 'gcj02'))
    expect(lines.at(-1)).toMatch(new RegExp(`^wrote 银川市 \\(640100\\): 1 district, 6 streets, ${communities.length} communities, ${grids.length} grids; `))
    expect(code).toBe(0)
    // `npm run geo -- check` on the file finds no error; loadGeography (what OUTPOST_GEOGRAPHY runs)
    // parses it and would stop on one.
    const checked: string[] = []
    expect(await runCheck([out], (line) => checked.push(line))).toBe(0)
    expect(checked.at(-1)).toMatch(/^0 errors, \d+ warnings? in /)
    const geography = loadGeography(out)
    const units = geography.units

    // Every unit under the parent it was cut from; the U's grid under the U, not under the notch
    // where its centroid lies.
    const parents = new Map(units.filter((u) => u.level !== 'district').map((u) => [u.id, u.parentId]))
    expect(parents).toEqual(expectedParent)
    expect(geography.get(special.notch!.uGrid)!.parentId).toBe(special.notch!.u)

    // Converted point by point with the project's conversion: the first vertex of each street is
    // the source's first vertex through toWgs84, rounded to 7 decimals (orientation keeps it first).
    for (const feature of dataV.features) {
      const [lon, lat] = feature.geometry.coordinates[0]![0]![0]!
      const wgs = toWgs84({ lon, lat }, 'gcj02')
      const street = geography.get(String(feature.properties.adcode))!
      expect(street.geometry.type).toBe('MultiPolygon')
      expect(polygonsOf(street.geometry)[0]![0]![0]).toEqual([Math.round(wgs.lon * 1e7) / 1e7, Math.round(wgs.lat * 1e7) / 1e7])
      everyRing(street.geometry, (r, outer) => expect(signedArea2(r) > 0).toBe(outer))
    }
    // The published vector: a vertex was cut at its GCJ-02 position; the output has it within a metre
    // of the published WGS84 one (the GCJ-02 position itself is hundreds of metres away).
    expect(distanceMetres({ lon: yinchuan.gcj02[0], lat: yinchuan.gcj02[1] }, { lon: yinchuan.wgs84[0], lat: yinchuan.wgs84[1] })).toBeGreaterThan(300)
    const jinfeng = units.filter((u) => geography.isWithin(u.id, '640106'))
    expect(nearestVertex(jinfeng, yinchuan.wgs84)).toBeLessThan(1)
    expect(nearestVertex(jinfeng, yinchuan.gcj02)).toBeGreaterThan(300)

    // The two-part community stays a MultiPolygon of its parts; each part's grid is under it.
    const multi = geography.get(special.multi!)!
    expect(multi.geometry.type).toBe('MultiPolygon')
    expect(polygonsOf(multi.geometry).length).toBeGreaterThanOrEqual(2)
    const partGrids = geography.children(multi.id)
    expect(partGrids.length).toBe(polygonsOf(multi.geometry).length)
    for (const grid of partGrids) {
      const [lon, lat] = interiorPoint(grid.geometry)!
      expect(geography.locate({ lon, lat })?.communityId).toBe(multi.id)
    }
    // The district is the union of its streets.
    expect(geography.district.geometry.type).toBe('Polygon')
  })

  it('places a WGS84 point a few hundred metres inside a boundary in the right unit, and would not without the conversion', async () => {
    const dir = tempDir()
    const o = sources(dir)
    const converted = join(dir, 'converted.json')
    const unconverted = join(dir, 'unconverted.json')
    expect((await cli(argv(o, converted, 'gcj02'))).code).toBe(0)
    expect((await cli(argv(o, unconverted, 'wgs84'))).code).toBe(0)
    const right = loadGeography(converted)
    const wrong = loadGeography(unconverted)
    // The boundary between Jinfeng's north-west and north-east communities runs north along the
    // vector's GCJ-02 longitude; 1.1 km north of the corner, its WGS84 position is toWgs84 of it.
    const [vx, vy] = yinchuan.gcj02
    const onBoundary = toWgs84({ lon: vx, lat: vy + 0.01 }, 'gcj02')
    // 0.0025° of longitude east of it, about 218 m inside the north-east community.
    const point = { lon: onBoundary.lon + 0.0025, lat: onBoundary.lat }
    expect(distanceMetres(point, onBoundary)).toBeGreaterThan(200)
    expect(distanceMetres(point, onBoundary)).toBeLessThan(250)
    const { nw, ne } = special.quadrants!
    expect(right.locate(point)?.communityId).toBe(ne)
    expect(right.locate(point)?.streetId).toBe('640106')
    // Read as WGS84, the boundary lies some 380 m east of where it is: the point falls on its west.
    expect(wrong.locate(point)?.communityId).toBe(nw)
  })

  it('--parent-field parent.adcode (a dotted path into DataV\'s nested parent) gives the same tree, and wins over geometry', async () => {
    const dir = tempDir()
    const o = sources(dir)
    const { units, problems } = await importGeography({ ...o, crs: 'gcj02', parentField: 'parent.adcode' })
    expect(errorsOf(problems)).toEqual([])
    expect(new Map(units.filter((u) => u.level !== 'district').map((u) => [u.id, u.parentId]))).toEqual(expectedParent)
    // The U's grid, said to belong to the notch community: the field is taken (check then says what
    // it thinks of a grid outside its community), and the interior point is not consulted.
    const { a, uGrid } = special.notch!
    const moved = writeDataV(join(dir, 'grids-moved.geojson'), grids.map((g) => (g.id === uGrid ? { ...g, parent: a } : g)))
    const withField = await importGeography({ ...o, grids: moved, crs: 'gcj02', parentField: 'parent.adcode' })
    expect(byId(withField.units).get(uGrid)!.parentId).toBe(a)
    const withoutField = await importGeography({ ...o, grids: moved, crs: 'gcj02' })
    expect(byId(withoutField.units).get(uGrid)!.parentId).toBe(special.notch!.u)
  })
})
