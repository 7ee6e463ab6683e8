// `npm run geo -- check`: each error and warning on a crafted file, named (code, unit, measured
// size), the thresholds at their edges, and the sample and generated districts clean.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { GeoUnit, PolygonCoords, UnitGeometry } from '../../../shared/domain'
import { buildSampleGeography } from '../../../shared/sample-geography'
import { checkGeography, type GeoProblem } from '../../../server/geo/check'
import { geographyFileText } from '../../../server/geo/geography-file'
import { runCheck } from '../../../server/cli/geo-check'
import { generateDistrict } from '../../helpers/generated-district'

const dir = mkdtempSync(join(tmpdir(), 'outpost-geo-check-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Box = [west: number, south: number, east: number, north: number]

function ring([w, s, e, n]: Box): [number, number][] {
  return [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ]
}

function rect(box: Box): UnitGeometry {
  return { type: 'Polygon', coordinates: [ring(box)] }
}

const SOUTH = 38
const NORTH = 38.02

/**
 * A district of two streets; the first has two communities, the second one; each community two
 * grids. Rectangles in one band of latitude, so an area's share is its share of longitude.
 */
function fixture(): GeoUnit[] {
  const unit = (id: string, level: GeoUnit['level'], parentId: string | null, west: number, east: number): GeoUnit => ({
    id,
    level,
    parentId,
    name: `${level} ${id}`,
    geometry: rect([west, SOUTH, east, NORTH]),
    population: 1000,
    households: 400,
  })
  return [
    unit('640106', 'district', null, 106.0, 106.04),
    unit('640106001', 'street', '640106', 106.0, 106.02),
    unit('640106002', 'street', '640106', 106.02, 106.04),
    unit('640106001001', 'community', '640106001', 106.0, 106.01),
    unit('640106001002', 'community', '640106001', 106.01, 106.02),
    unit('640106002001', 'community', '640106002', 106.02, 106.04),
    unit('64010600100101', 'grid', '640106001001', 106.0, 106.005),
    unit('64010600100102', 'grid', '640106001001', 106.005, 106.01),
    unit('64010600100201', 'grid', '640106001002', 106.01, 106.015),
    unit('64010600100202', 'grid', '640106001002', 106.015, 106.02),
    unit('64010600200101', 'grid', '640106002001', 106.02, 106.03),
    unit('64010600200102', 'grid', '640106002001', 106.03, 106.04),
  ]
}

function edit(units: GeoUnit[], id: string, change: (unit: GeoUnit) => GeoUnit | undefined): GeoUnit[] {
  expect(units.some((u) => u.id === id)).toBe(true)
  return units.flatMap((u) => {
    if (u.id !== id) return [u]
    const changed = change(u)
    return changed ? [changed] : []
  })
}

/** A rectangle's area in m², worked out independently of check.ts: metres east × metres north. */
function rectSquareMetres(west: number, east: number): number {
  const r = 6_371_008.8
  const rad = Math.PI / 180
  return (east - west) * rad * r * Math.cos(((SOUTH + NORTH) / 2) * rad) * (NORTH - SOUTH) * rad * r
}

/** The `(12,345 m²)` of a message. */
function squareMetresIn(message: string): number {
  const match = /\(([\d,.]+) m²\)/.exec(message)
  expect(match, message).not.toBeNull()
  return Number(match![1]!.replace(/,/g, ''))
}

async function checkFile(name: string, text: string): Promise<{ code: number; lines: string[] }> {
  const file = join(dir, name)
  writeFileSync(file, text)
  const lines: string[] = []
  const code = await runCheck([file], (line) => lines.push(...line.split('\n')))
  return { code, lines }
}

async function checkUnits(name: string, units: GeoUnit[]) {
  return checkFile(name, geographyFileText(units))
}

function only(problems: GeoProblem[], code: string): GeoProblem[] {
  return problems.filter((p) => p.code === code)
}

describe('checkGeography on the hand-made district', () => {
  it('finds nothing wrong with the fixture itself', () => {
    expect(checkGeography(fixture())).toEqual([])
  })
})

describe('errors, each named with its unit and size, and a non-zero exit', () => {
  it('outside_parent: a grid lying 1.1% outside its community, measured; 0.9% passes', async () => {
    // Grid 01 of community 640106001001 (0.005° wide) pushed west past the community's edge.
    const push = (share: number) => edit(fixture(), '64010600100101', (u) => ({ ...u, geometry: rect([106.0 - (share * 0.005) / (1 - share), SOUTH, 106.005, NORTH]) }))
    expect(only(checkGeography(push(0.009)), 'outside_parent')).toEqual([])

    const { code, lines } = await checkUnits('outside.json', push(0.011))
    expect(code).toBe(1)
    const line = lines.find((l) => l.includes('outside_parent'))!
    expect(line).toMatch(/^error +outside_parent +64010600100101 +grid 64010600100101 lies 1\.1% \([\d,]+ m²\) outside its community 640106001001$/)
    const outside = (0.011 * 0.005) / (1 - 0.011)
    expect(squareMetresIn(line) / rectSquareMetres(106.0 - outside, 106.0)).toBeCloseTo(1, 2)
    expect(lines.at(-1)).toMatch(/^1 error, 0 warnings in .*outside\.json \(12 units\)$/)
  })

  it('sibling_overlap: grids overlapping by 1.1% of the smaller, measured; 0.9% passes', async () => {
    // Grid 01 of community 640106002001 (0.01° wide) pushed east into grid 02.
    const push = (share: number) => edit(fixture(), '64010600200101', (u) => ({ ...u, geometry: rect([106.02, SOUTH, 106.03 + share * 0.01, NORTH]) }))
    expect(checkGeography(push(0.009))).toEqual([])

    const { code, lines } = await checkUnits('overlap.json', push(0.011))
    expect(code).toBe(1)
    const line = lines.find((l) => l.includes('sibling_overlap'))!
    expect(line).toMatch(/^error +sibling_overlap +64010600200101 +grid 64010600200101 overlaps its sibling 64010600200102 by 1\.1% of the smaller \([\d,]+ m²\)$/)
    expect(squareMetresIn(line) / rectSquareMetres(106.03, 106.03 + 0.011 * 0.01)).toBeCloseTo(1, 2)
  })

  it('sibling_overlap: a grid drawn twice under two ids overlaps by 100%, and one inside another is found without shared edges', () => {
    const twice = [...fixture(), { ...fixture().find((u) => u.id === '64010600200102')!, id: '64010600200103' }]
    const [twin] = only(checkGeography(twice), 'sibling_overlap')
    expect(twin).toMatchObject({ severity: 'error', unitId: '64010600200102' })
    expect(twin!.message).toContain('overlaps its sibling 64010600200103 by 100.0% of the smaller')

    const inside = [...fixture(), { ...fixture().find((u) => u.id === '64010600200102')!, id: '64010600200103', geometry: rect([106.022, 38.005, 106.025, 38.01]) }]
    const [nested] = only(checkGeography(inside), 'sibling_overlap')
    expect(nested).toMatchObject({ unitId: '64010600200101' })
    expect(nested!.message).toContain('overlaps its sibling 64010600200103 by 100.0% of the smaller')
  })

  it('outside_parent: a grid drawn over its community\'s hole (a lake) lies outside it by the hole\'s area', () => {
    const lake: Box = [106.022, 38.008, 106.026, 38.012]
    const withLake = (box: Box): UnitGeometry => ({ type: 'Polygon', coordinates: [ring(box), ring(lake).reverse()] })
    const units = edit(fixture(), '640106002001', (u) => ({ ...u, geometry: withLake([106.02, SOUTH, 106.04, NORTH]) }))
    // The grid around the lake leaves it out too: a clean tiling.
    expect(checkGeography(edit(units, '64010600200101', (u) => ({ ...u, geometry: withLake([106.02, SOUTH, 106.03, NORTH]) })))).toEqual([])
    const [problem, ...rest] = checkGeography(units)
    expect(rest).toEqual([])
    expect(problem).toMatchObject({ code: 'outside_parent', unitId: '64010600200101' })
    expect(problem!.message).toMatch(/^grid 64010600200101 lies 8\.0% \([\d,]+ m²\) outside its community 640106002001$/)
  })

  it('invalid_ring: a ring with no area is named in the file; too few positions, an open ring and non-finite numbers by checkGeography', async () => {
    const flat = edit(fixture(), '64010600100102', (u) => ({
      ...u,
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [106.005, SOUTH],
            [106.0075, SOUTH],
            [106.01, SOUTH],
            [106.005, SOUTH],
          ],
        ],
      },
    }))
    const { code, lines } = await checkUnits('flat.json', flat)
    expect(code).toBe(1)
    expect(lines).toContainEqual(expect.stringMatching(/^error +invalid_ring +64010600100102 +grid 64010600100102: the outer ring encloses no area \(0 m²\)/))

    const withRing = (coordinates: PolygonCoords) => checkGeography(edit(fixture(), '64010600100102', (u) => ({ ...u, geometry: { type: 'Polygon', coordinates } })))
    const short = only(withRing([[[106.005, SOUTH], [106.01, SOUTH], [106.005, SOUTH]]]), 'invalid_ring')
    expect(short).toEqual([expect.objectContaining({ unitId: '64010600100102', message: expect.stringContaining('has 3 positions; a ring needs at least 4') })])
    const open = only(withRing([ring([106.005, SOUTH, 106.01, NORTH]).slice(0, 4)]), 'invalid_ring')
    expect(open[0]!.message).toContain('is not closed: it starts at (106.005, 38) and ends at (106.005, 38.02)')
    const nan = only(withRing([[[106.005, SOUTH], [Number.NaN, SOUTH], [106.01, NORTH], [106.005, NORTH], [106.005, SOUTH]]]), 'invalid_ring')
    expect(nan[0]!.message).toContain('has position 1 (NaN, 38), not a pair of finite numbers')
    const projected = only(withRing([ring([512_000, 4_200_000, 513_000, 4_201_000])]), 'invalid_ring')
    expect(projected[0]!.message).toContain('not a WGS84 longitude, latitude in degrees')
  })

  it('invalid_ring: an open ring in a file stops at parsing, naming the feature, exit 1', async () => {
    const text = geographyFileText(fixture()).replace('[106.005,38],[106.01,38],[106.01,38.02],[106.005,38.02],[106.005,38]', '[106.005,38],[106.01,38],[106.01,38.02],[106.005,38.02]')
    expect(text).not.toBe(geographyFileText(fixture()))
    const { code, lines } = await checkFile('open.json', text)
    expect(code).toBe(1)
    expect(lines.join('\n')).toMatch(/feature 64010600100102: .*not a closed ring/)
    expect(lines.at(-1)).toMatch(/nothing checked/)
  })

  it('self_intersection: a bow-tie ring, named with where it crosses', async () => {
    const bowTie = edit(fixture(), '64010600100102', (u) => ({
      ...u,
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [106.005, SOUTH],
            [106.01, NORTH],
            [106.01, SOUTH],
            [106.005, NORTH],
            [106.005, SOUTH],
          ],
        ],
      },
    }))
    const { code, lines } = await checkUnits('bowtie.json', bowTie)
    expect(code).toBe(1)
    expect(lines).toContainEqual(expect.stringMatching(/^error +self_intersection +64010600100102 +grid 64010600100102: the outer ring crosses itself at \(106\.0075, 38\.01\)$/))
  })

  it('self_intersection: a hole crossing its outer ring, parts crossing; invalid_ring: a hole outside its outer ring', () => {
    const withGeometry = (geometry: UnitGeometry) => checkGeography(edit(fixture(), '64010600100102', (u) => ({ ...u, geometry })))
    const crossingHole = withGeometry({ type: 'Polygon', coordinates: [ring([106.005, SOUTH, 106.01, NORTH]), ring([106.006, 38.005, 106.012, 38.01]).reverse()] })
    expect(only(crossingHole, 'self_intersection')[0]!.message).toMatch(/^grid 64010600100102: hole 1 crosses the outer ring at \(106\.01, 38\.01?\), and at 1 more place$/)

    const outsideHole = withGeometry({ type: 'Polygon', coordinates: [ring([106.005, SOUTH, 106.01, NORTH]), ring([106.02, 38.005, 106.025, 38.01]).reverse()] })
    expect(only(outsideHole, 'invalid_ring')[0]!.message).toBe('grid 64010600100102: hole 1 lies outside its outer ring')

    const crossingParts = withGeometry({ type: 'MultiPolygon', coordinates: [[ring([106.005, SOUTH, 106.008, NORTH])], [ring([106.007, 38.005, 106.01, 38.01])]] })
    expect(only(crossingParts, 'self_intersection')[0]!.message).toMatch(/^grid 64010600100102: part 2 crosses part 1 at \(106\.008, 38\.005\), and at 1 more place$/)

    const nestedParts = withGeometry({ type: 'MultiPolygon', coordinates: [[ring([106.005, SOUTH, 106.01, NORTH])], [ring([106.006, 38.005, 106.007, 38.01])]] })
    expect(only(nestedParts, 'self_intersection')[0]!.message).toBe('grid 64010600100102: part 2 lies inside part 1')
  })

  it('duplicate_id, unknown_parent and level_order, each naming its unit', async () => {
    const grid = fixture().find((u) => u.id === '64010600100101')!
    const units = [
      ...fixture(),
      { ...grid, name: 'again' },
      { ...grid, id: '64010600100199', parentId: '640106001009' },
      { ...grid, id: '64010600100198', parentId: '640106001' },
      { ...fixture().find((u) => u.id === '640106001001')!, id: '640106001003', parentId: '640106' },
    ]
    const { code, lines } = await checkUnits('tree.json', units)
    expect(code).toBe(1)
    expect(lines).toContainEqual(expect.stringMatching(/^error +duplicate_id +64010600100101 +2 units have the id 64010600100101 \(grid "grid 64010600100101", grid "again"\); every id must be unique$/))
    expect(lines).toContainEqual(expect.stringMatching(/^error +unknown_parent +64010600100199 +grid 64010600100199 names the parent 640106001009, which is not in the geography$/))
    expect(lines).toContainEqual(expect.stringMatching(/^error +level_order +64010600100198 +grid 64010600100198 has the parent 640106001, a street; a grid's parent must be a community$/))
    expect(lines).toContainEqual(expect.stringMatching(/^error +level_order +640106001003 +community 640106001003 has the parent 640106, a district; a community's parent must be a street$/))
  })

  it('district_count: none or two, by checkGeography; two in a file stop at parsing, exit 1', async () => {
    const none = checkGeography(fixture().filter((u) => u.level !== 'district'))
    expect(only(none, 'district_count')).toEqual([{ severity: 'error', code: 'district_count', unitId: null, message: 'no unit has level district; a geography holds exactly one district' }])
    const second = { ...fixture()[0]!, id: '640107' }
    const two = checkGeography([...fixture(), second])
    expect(only(two, 'district_count')[0]!.message).toBe('2 units have level district (640106, 640107); a geography holds exactly one district')

    const { code, lines } = await checkUnits('two-districts.json', [...fixture(), second])
    expect(code).toBe(1)
    expect(lines.join('\n')).toContain('640106, 640107')
  })

  it('negative_population: a negative population or household count, with the number', async () => {
    const units = edit(edit(fixture(), '64010600100101', (u) => ({ ...u, population: -5 })), '64010600100102', (u) => ({ ...u, households: -1 }))
    const { code, lines } = await checkUnits('negative.json', units)
    expect(code).toBe(1)
    expect(lines).toContainEqual(expect.stringMatching(/^error +negative_population +64010600100101 +grid 64010600100101 has population -5; a count cannot be negative$/))
    expect(lines).toContainEqual(expect.stringMatching(/^error +negative_population +64010600100102 +grid 64010600100102 has households -1/))
  })
})

describe('warnings, with exit 0', () => {
  it('grid_gap: grids leaving 1.1% of their community uncovered, in m²; 0.9% passes', async () => {
    // Grid 02 of community 640106002001 (0.02° wide) pulled back from the community's east edge.
    const shrink = (share: number) => edit(fixture(), '64010600200102', (u) => ({ ...u, geometry: rect([106.03, SOUTH, 106.04 - share * 0.02, NORTH]) }))
    expect(checkGeography(shrink(0.009))).toEqual([])

    const { code, lines } = await checkUnits('gap.json', shrink(0.011))
    expect(code).toBe(0)
    const line = lines.find((l) => l.includes('grid_gap'))!
    expect(line).toMatch(/^warning +grid_gap +640106002001 +community 640106002001: its grids leave 1\.1% of it \([\d,]+ m²\) uncovered; events there are placed in no grid$/)
    expect(squareMetresIn(line) / rectSquareMetres(106.04 - 0.011 * 0.02, 106.04)).toBeCloseTo(1, 2)
    expect(lines.at(-1)).toMatch(/^0 errors, 1 warning in /)
  })

  it('grid_gap: a community with no grids at all', () => {
    const units = fixture().filter((u) => u.parentId !== '640106002001')
    expect(only(checkGeography(units), 'grid_gap')).toEqual([
      expect.objectContaining({ severity: 'warning', unitId: '640106002001', message: expect.stringMatching(/^community 640106002001 has no grids: all of it \([\d,]+ m²\) is uncovered/) }),
    ])
  })

  it('no_population: a unit without population, or with 0', async () => {
    const units = edit(edit(fixture(), '64010600100101', (u) => ({ ...u, population: undefined })), '64010600100102', (u) => ({ ...u, population: 0 }))
    const { code, lines } = await checkUnits('no-population.json', units)
    expect(code).toBe(0)
    expect(lines).toContainEqual(expect.stringMatching(/^warning +no_population +64010600100101 +grid 64010600100101 has no population: its per-capita figures show n\/a$/))
    expect(lines).toContainEqual(expect.stringMatching(/^warning +no_population +64010600100102 +grid 64010600100102 has population 0/))
  })
})

describe('order, usage and clean districts', () => {
  it('lists errors first, then by unit id', () => {
    const units = edit(edit(fixture(), '64010600200101', (u) => ({ ...u, population: undefined })), '64010600100101', (u) => ({ ...u, population: -1 }))
    const withOverlap = edit(units, '64010600200102', (u) => ({ ...u, geometry: rect([106.025, SOUTH, 106.04, NORTH]) }))
    const problems = checkGeography(withOverlap)
    expect(problems.map((p) => [p.severity, p.code, p.unitId])).toEqual([
      ['error', 'negative_population', '64010600100101'],
      ['error', 'sibling_overlap', '64010600200101'],
      ['warning', 'no_population', '64010600200101'],
    ])
  })

  it('answers a usage error with 2 and an unreadable file with 1', async () => {
    const lines: string[] = []
    expect(await runCheck([], (l) => lines.push(l))).toBe(2)
    expect(lines.join('\n')).toContain('usage: npm run geo -- check <file>')
    expect(await runCheck(['a.json', 'b.json'], () => {})).toBe(2)
    expect(await runCheck(['--fast', 'a.json'], () => {})).toBe(2)
    expect(await runCheck([join(dir, 'missing.json')], (l) => lines.push(l))).toBe(1)
    expect(lines.at(-1)).toMatch(/cannot read .*missing\.json/)
  })

  it('finds nothing wrong with the sample district, in a file too', async () => {
    const sample = buildSampleGeography()
    expect(checkGeography(sample)).toEqual([])
    const { code, lines } = await checkUnits('sample.json', sample)
    expect(code).toBe(0)
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^0 errors, 0 warnings in .*sample\\.json \\(${sample.length} units\\)$`))])
  })

  it('finds nothing wrong with generated districts, MultiPolygon streets included', () => {
    expect(checkGeography(generateDistrict({ streets: 6, communitiesPerStreet: 4, multiPolygonStreets: 1, verticesPerEdge: 20 }))).toEqual([])
  })

  it('measures a district whose grids were each moved by a rounding (nothing shared exactly) as clean, and one moved by 0.001° as overlapping and outside', () => {
    const shifted = (dx: number) => {
      const units = generateDistrict({ streets: 2, communitiesPerStreet: 2, gridsPerCommunity: 4, verticesPerEdge: 12 })
      return units.map((u, k) => {
        if (u.level !== 'grid') return u
        const move = k % 2 === 0 ? dx : 0
        const coordinates = (u.geometry.coordinates as PolygonCoords).map((r) => r.map(([x, y]) => [x + move, y] as [number, number]))
        return { ...u, geometry: { type: 'Polygon' as const, coordinates } }
      })
    }
    expect(checkGeography(shifted(1e-9))).toEqual([])
    const moved = checkGeography(shifted(0.001))
    expect(moved.some((p) => p.code === 'sibling_overlap')).toBe(true)
    expect(moved.some((p) => p.code === 'outside_parent')).toBe(true)
  })

  it('takes a near-tiling whose shared corner is a rounding off its parent\'s side as clean (clipped, not proved by cancelling)', () => {
    // Community 640106002001's south side slants; its two grids meet on it at a point 1e-12° above the line.
    const corner: [number, number] = [106.03, 38.0005 + 1e-12]
    const polygon = (coordinates: [number, number][]): UnitGeometry => ({ type: 'Polygon', coordinates: [coordinates] })
    const units = fixture().map((u) => {
      if (u.id === '640106002001') return { ...u, geometry: polygon([[106.02, SOUTH], [106.04, 38.001], [106.04, NORTH], [106.02, NORTH], [106.02, SOUTH]]) }
      if (u.id === '64010600200101') return { ...u, geometry: polygon([[106.02, SOUTH], corner, [106.03, NORTH], [106.02, NORTH], [106.02, SOUTH]]) }
      if (u.id === '64010600200102') return { ...u, geometry: polygon([corner, [106.04, 38.001], [106.04, NORTH], [106.03, NORTH], corner]) }
      return u
    })
    expect(checkGeography(units)).toEqual([])
    // And the same shapes with the corner 0.0005° off are measured: the grids now poke out.
    const off: [number, number] = [106.03, SOUTH]
    const poking = units.map((u) => {
      if (u.id === '64010600200101') return { ...u, geometry: polygon([[106.02, SOUTH], off, [106.03, NORTH], [106.02, NORTH], [106.02, SOUTH]]) }
      if (u.id === '64010600200102') return { ...u, geometry: polygon([off, [106.04, 38.001], [106.04, NORTH], [106.03, NORTH], off]) }
      return u
    })
    expect(checkGeography(poking).map((p) => [p.code, p.unitId])).toEqual([['outside_parent', '64010600200101'], ['outside_parent', '64010600200102']])
  })
})
