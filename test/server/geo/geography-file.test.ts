import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GeoUnit } from '../../../shared/domain'
import { buildSampleGeography } from '../../../shared/sample-geography'
import { runExport } from '../../../server/cli/geo-export'
import {
  GeographyFileError,
  geographyFileText,
  loadGeography,
  loadGeographyWithWarnings,
  parseGeographyText,
} from '../../../server/geo/geography-file'
import { GENERATED_DISTRICT_ID, generateDistrict } from '../../helpers/generated-district'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'outpost-geofile-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** A small generated district with one street in two parts (a MultiPolygon). */
function smallDistrict(): GeoUnit[] {
  return generateDistrict({ streets: 3, communitiesPerStreet: 2, gridsPerCommunity: 2, verticesPerEdge: 3, multiPolygonStreets: 1 })
}

function write(name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

/** The file's message for text that a parse refuses. */
function parseError(text: string, file = '/srv/geo.json'): string {
  try {
    parseGeographyText(text, file)
  } catch (error) {
    expect(error).toBeInstanceOf(GeographyFileError)
    return (error as Error).message
  }
  throw new Error('the parse accepted the text')
}

type Ring = unknown[][]
/** A feature as read from a file, loosely typed so a test can spoil any part of it. */
interface LooseFeature {
  type: string
  id?: string
  properties: { id?: string; level?: string; parentId?: string | null; name?: string; [key: string]: unknown }
  geometry?: { type: string; coordinates: Ring[] }
}

function featuresOf(units: GeoUnit[]): LooseFeature[] {
  return JSON.parse(geographyFileText(units)).features
}

/** The sample as file features, for one to be spoiled. */
function sampleFeatures(): LooseFeature[] {
  return featuresOf(buildSampleGeography())
}

function collection(features: unknown[]): string {
  return JSON.stringify({ type: 'FeatureCollection', features })
}

const GRID = '64010600100101'

describe('geographyFileText and parseGeographyText', () => {
  it('round-trips the sample byte for byte, one feature a line, properties in a fixed order', () => {
    const units = buildSampleGeography()
    const text = geographyFileText(units)
    const lines = text.split('\n')
    expect(lines[0]).toBe('{"type":"FeatureCollection","features":[')
    expect(lines.at(-2)).toBe(']}')
    expect(lines.at(-1)).toBe('')
    expect(lines).toHaveLength(units.length + 3)
    expect(lines[1]).toMatch(/^\{"type":"Feature","id":"640106","properties":\{"id":"640106","level":"district","parentId":null,"name":"金凤区","population":\d+,"households":\d+\},"geometry":\{"type":"Polygon","coordinates":\[\[\[/)
    const parsed = parseGeographyText(text, 'sample.json')
    expect(parsed).toEqual(units)
    expect(geographyFileText(parsed)).toBe(text)
  })

  it('round-trips a MultiPolygon district and one whose units lack population', () => {
    const units = smallDistrict().map((u, i) => {
      if (i % 3 !== 0) return u
      const { population: _p, households: _h, ...rest } = u
      return rest
    })
    expect(units.some((u) => u.geometry.type === 'MultiPolygon')).toBe(true)
    const text = geographyFileText(units)
    expect(text).toContain('"type":"MultiPolygon"')
    const parsed = parseGeographyText(text, 'small.json')
    expect(parsed).toEqual(units)
    expect(parsed.filter((u) => u.population === undefined).length).toBeGreaterThan(0)
    expect(geographyFileText(parsed)).toBe(text)
  })

  it('writes properties in the order id, level, parentId, name, population, households whatever the input order', () => {
    const [district] = buildSampleGeography()
    const shuffled = { households: 2, geometry: district!.geometry, name: 'X', population: 1, parentId: null, level: 'district' as const, id: '640106' }
    expect(geographyFileText([shuffled])).toContain('"properties":{"id":"640106","level":"district","parentId":null,"name":"X","population":1,"households":2}')
  })

  it('takes a file without feature ids, with a byte-order mark, and ignores foreign members outside properties', () => {
    const features = sampleFeatures().map(({ id: _id, ...f }) => ({ ...f, bbox: [0, 0, 1, 1] }))
    const units = parseGeographyText(`\ufeff${collection(features)}`, 'f.json')
    expect(units).toEqual(buildSampleGeography())
  })

  it('names the file for text that is not a FeatureCollection', () => {
    expect(parseError('')).toBe('/srv/geo.json: the file is empty; a geography file is a GeoJSON FeatureCollection')
    expect(parseError('{"type":')).toMatch(/^\/srv\/geo\.json: not JSON: /)
    expect(parseError('{"type":"Feature"}')).toMatch(/^\/srv\/geo\.json: not a GeoJSON FeatureCollection \(found an object of type "Feature"\)/)
    expect(parseError('[]')).toMatch(/^\/srv\/geo\.json: not a GeoJSON FeatureCollection \(found an array\)/)
    expect(parseError('{"type":"FeatureCollection","features":{}}')).toBe('/srv/geo.json: features must be an array')
    expect(parseError('{"type":"FeatureCollection","features":[]}')).toBe('/srv/geo.json: the FeatureCollection has no features')
  })

  // Each: how to spoil the sample's grid GRID (or its feature index), and the message expected.
  const spoiled: [string, (f: LooseFeature) => unknown, string][] = [
    ['a ring left open', (f) => f.geometry!.coordinates[0]!.pop(), `feature ${GRID}: geometry.coordinates[0] is not a closed ring: it starts at`],
    ['a ring of three positions', (f) => (f.geometry!.coordinates[0] = [[106.2, 38.5], [106.21, 38.5], [106.2, 38.5]]), `feature ${GRID}: geometry.coordinates[0] has 3 positions; a ring needs at least 4`],
    ['a polygon without rings', (f) => (f.geometry!.coordinates = []), `feature ${GRID}: geometry.coordinates has no rings`],
    ['a position with a height', (f) => f.geometry!.coordinates[0]![2]!.push(1100), `feature ${GRID}: geometry.coordinates[0][2] must NOT have more than 2 items`],
    ['a coordinate as text', (f) => (f.geometry!.coordinates[0]![1]![0] = '106.2'), `feature ${GRID}: geometry.coordinates[0][1][0] must be number`],
    ['a longitude out of range', (f) => (f.geometry!.coordinates[0]![1] = [512345.5, 4262345.1]), `feature ${GRID}: geometry.coordinates[0][1] [512345.5, 4262345.1] is not a WGS84 longitude, latitude in degrees`],
    ['longitude and latitude swapped', (f) => (f.geometry!.coordinates[0]![1] = [38.5, 106.2]), `feature ${GRID}: geometry.coordinates[0][1] [38.5, 106.2] is not a WGS84 longitude, latitude in degrees; longitude and latitude swapped?`],
    ['a Point', (f) => (f.geometry = { type: 'Point', coordinates: [106.2, 38.5] as unknown as Ring[] }), `feature ${GRID}: geometry.type must be Polygon or MultiPolygon, got "Point"`],
    ['no geometry', (f) => delete f.geometry, `feature ${GRID}: geometry is required`],
    ['an unknown level', (f) => (f.properties.level = 'town'), `feature ${GRID}: properties.level must be one of district, street, community, grid`],
    ['a misspelt property', (f) => (f.properties.populaton = 12), `feature ${GRID}: properties.populaton is not an allowed field`],
    ['a population with decimals', (f) => (f.properties.population = 12.5), `feature ${GRID}: properties.population must be integer`],
    ['no name', (f) => delete f.properties.name, `feature ${GRID}: properties.name is required`],
    ['an empty name', (f) => (f.properties.name = ' '), `feature ${GRID}: properties.name is empty`],
    ['a feature id unlike its properties.id', (f) => (f.id = '640106001002'), `feature ${GRID}: id "640106001002" differs from properties.id "${GRID}"`],
    ['an id the API cannot take', (f) => ((f.id = 'grid-7'), (f.properties.id = 'grid-7')), 'feature grid-7: properties.id "grid-7" is not a unit id: 6, 9, 12 or 14 digits'],
    ['a grid without parent', (f) => (f.properties.parentId = null), `feature ${GRID}: properties.parentId is null, but a grid needs a parent`],
    ['a Feature of another type', (f) => (f.type = 'feature'), `feature ${GRID}: type must be equal to constant`],
  ]
  for (const [what, spoil, message] of spoiled) {
    it(`names the file, the feature and the problem: ${what}`, () => {
      const features = sampleFeatures()
      spoil(features.find((f) => f.properties.id === GRID)!)
      expect(parseError(collection(features))).toContain(`/srv/geo.json: ${message}`)
    })
  }

  it('a MultiPolygon part with an open ring is named by part and ring', () => {
    const features = featuresOf(smallDistrict())
    const multi = features.find((f) => f.geometry!.type === 'MultiPolygon')!
    const parts = multi.geometry!.coordinates as unknown as Ring[][]
    parts[1]![0]!.pop()
    expect(parseError(collection(features))).toContain(`/srv/geo.json: feature ${multi.id}: geometry.coordinates[1][0] is not a closed ring`)
  })

  it('names a feature without an id by its index', () => {
    const features = sampleFeatures()
    delete features[3]!.id
    delete features[3]!.properties.id
    expect(parseError(collection(features))).toBe('/srv/geo.json: feature #3 (no id): properties.id is required')
  })

  it('says a source file (DataV, AMap) is not a geography file, once, and how to build one', () => {
    const datav = collection([
      { type: 'Feature', properties: { adcode: 640104, name: '兴庆区', level: 'district', parent: { adcode: 640100 } }, geometry: { type: 'MultiPolygon', coordinates: [] } },
      { type: 'Feature', properties: { adcode: 640105, name: '西夏区', level: 'district', parent: { adcode: 640100 } }, geometry: { type: 'MultiPolygon', coordinates: [] } },
    ])
    expect(parseError(datav)).toBe(
      '/srv/geo.json: no feature has properties.id, so this is not a geography file (its properties are adcode, name, level, parent); build one from source files with `npm run geo -- import`',
    )
  })

  it('needs exactly one district', () => {
    const features = sampleFeatures()
    expect(parseError(collection(features.slice(1)))).toBe('/srv/geo.json: no feature has level "district"; a geography file holds exactly one district')
    const second = structuredClone(features[0]!)
    second.id = second.properties.id = '640107'
    expect(parseError(collection([...features, second]))).toContain('/srv/geo.json: 2 features have level "district" (640106, 640107)')
  })

  it('lists one line a bad feature, the first 20 and how many more', () => {
    const features = sampleFeatures()
    const grids = features.filter((f) => f.properties.level === 'grid').slice(0, 25)
    for (const grid of grids) grid.geometry!.coordinates[0]!.pop()
    const lines = parseError(collection(features)).split('\n')
    expect(lines).toHaveLength(21)
    expect(lines[0]).toBe(`/srv/geo.json: feature ${grids[0]!.id}: geometry.coordinates[0] is not a closed ring: it starts at [${grids[0]!.geometry!.coordinates[0]![0]!.join(', ')}] and ends at [${grids[0]!.geometry!.coordinates[0]!.at(-1)!.join(', ')}]`)
    expect(lines[19]).toContain(`feature ${grids[19]!.id}: `)
    expect(lines[20]).toBe('and 5 more')
  })
})

describe('loadGeography', () => {
  it('is the sample without a file', () => {
    const geography = loadGeography(undefined)
    expect(geography.district.id).toBe('640106')
    expect(geography.units).toEqual(buildSampleGeography())
  })

  it('loads an exported file, and exporting what it loaded gives the same bytes', () => {
    for (const units of [buildSampleGeography(), smallDistrict()]) {
      const text = geographyFileText(units)
      const file = write(`export-${units[0]!.id}.json`, text)
      const { geography, warnings } = loadGeographyWithWarnings(file)
      expect(geography.district.id).toBe(units[0]!.id)
      expect(geography.units).toHaveLength(units.length)
      expect(warnings.filter((w) => w.severity !== 'warning')).toEqual([])
      expect(geographyFileText(geography.units)).toBe(text)
    }
  })

  it('names a file it cannot read', () => {
    const file = join(dir, 'missing.json')
    expect(() => loadGeography(file)).toThrow(new GeographyFileError(`${file}: cannot read: ENOENT: no such file or directory, open '${file}'`))
  })

  it('stops on what the checks call an error, naming the file and each unit', () => {
    const units = smallDistrict()
    const grid = units.find((u) => u.level === 'grid')!
    const orphan = { ...units.find((u) => u.level === 'grid' && u.id !== grid.id)!, id: `${GENERATED_DISTRICT_ID}99999901`, parentId: `${GENERATED_DISTRICT_ID}999999` }
    const file = write('bad-check.json', geographyFileText([...units, { ...grid }, orphan]))
    let message = ''
    try {
      loadGeography(file)
    } catch (error) {
      expect(error).toBeInstanceOf(GeographyFileError)
      message = (error as Error).message
    }
    const lines = message.split('\n')
    expect(lines[0]).toMatch(new RegExp(`^${file}: \\d+ errors \\(npm run geo -- check ${file} lists them all, with warnings\\)$`))
    // The wording is the checks' own (npm run geo -- check): here only who is named.
    expect(lines.some((l) => l.startsWith(`${file}: feature ${grid.id}: `))).toBe(true)
    expect(lines.some((l) => l.startsWith(`${file}: feature ${orphan.id}: `) && l.includes(orphan.parentId))).toBe(true)
  })
})

describe('loadGeography on a layout the store has accepted', () => {
  it('skips the checks only when asked, and still parses and builds the tree', () => {
    const units = smallDistrict()
    const grids = units.filter((u) => u.level === 'grid')
    // Two sibling grids drawn the same: an overlap only the checks see.
    const twin = units.map((u) => (u.id === grids[1]!.id ? { ...u, geometry: grids[0]!.geometry } : u))
    const file = write('accepted.json', geographyFileText(twin))
    expect(() => loadGeographyWithWarnings(file)).toThrow(/sibling|overlap/)
    expect(() => loadGeographyWithWarnings(file, { checked: () => false })).toThrow(GeographyFileError)
    const seen: number[] = []
    const { geography, warnings } = loadGeographyWithWarnings(file, { checked: (u) => (seen.push(u.length), true) })
    expect(seen).toEqual([units.length])
    expect(warnings).toEqual([])
    expect(geography.units).toHaveLength(units.length)
  })
})

describe('npm run geo -- export', () => {
  async function exportWith(env: string | undefined, argv: string[]) {
    const out: string[] = []
    const err: string[] = []
    if (env === undefined) delete process.env.OUTPOST_GEOGRAPHY
    else process.env.OUTPOST_GEOGRAPHY = env
    try {
      const code = await runExport(argv, (l) => out.push(l), (l) => err.push(l))
      return { code, out, err }
    } finally {
      delete process.env.OUTPOST_GEOGRAPHY
    }
  }

  it('writes the sample by default, to --out with a summary or to standard output alone', async () => {
    const file = join(dir, 'sample-export.json')
    const written = await exportWith(undefined, ['--out', file])
    expect(written.code).toBe(0)
    const text = readFileSync(file, 'utf8')
    expect(text).toBe(geographyFileText(buildSampleGeography()))
    expect(written.out).toEqual([`wrote 金凤区 (640106): 1 district, 8 streets, ${text.match(/"level":"community"/g)!.length} communities, ${text.match(/"level":"grid"/g)!.length} grids; ${Buffer.byteLength(text)} bytes to ${file}`])
    expect(written.err).toEqual([])
    const printed = await exportWith(undefined, [])
    expect(printed.code).toBe(0)
    // console.log ends the one line with the file's final newline.
    expect(`${printed.out.join('\n')}\n`).toBe(text)
  })

  it('exports the file in OUTPOST_GEOGRAPHY; that export loaded and exported again is byte-identical', async () => {
    const first = join(dir, 'first.json')
    expect((await exportWith(undefined, ['--out', first])).code).toBe(0)
    const second = join(dir, 'second.json')
    expect((await exportWith(first, ['--out', second])).code).toBe(0)
    expect(readFileSync(second)).toEqual(readFileSync(first))

    const small = write('small.json', geographyFileText(smallDistrict()))
    const third = join(dir, 'third.json')
    const run = await exportWith(small, ['--out', third])
    expect(run.out[0]).toMatch(new RegExp(`^wrote 测试区 \\(${GENERATED_DISTRICT_ID}\\): 1 district, 3 streets, 6 communities, 12 grids; `))
    expect(readFileSync(third)).toEqual(readFileSync(small))
  })

  it('a bad OUTPOST_GEOGRAPHY is exit 1 with its message; bad arguments are exit 2', async () => {
    const broken = write('broken.json', '{"type":"FeatureCollection","features":[]}')
    expect(await exportWith(broken, [])).toEqual({ code: 1, out: [], err: [`geo export: OUTPOST_GEOGRAPHY: ${broken}: the FeatureCollection has no features`] })
    const usage = await exportWith(undefined, ['--to', 'x.json'])
    expect(usage.code).toBe(2)
    expect(usage.err[0]).toMatch(/^geo export: Unknown option '--to'/)
    expect((await exportWith(undefined, ['extra'])).code).toBe(2)
    const unwritable = await exportWith(undefined, ['--out', join(dir, 'no-such-dir', 'x.json')])
    expect(unwritable.code).toBe(1)
    expect(unwritable.err[0]).toContain(`geo export: cannot write ${join(dir, 'no-such-dir', 'x.json')}: ENOENT`)
  })
})
