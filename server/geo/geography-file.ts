// The geography file (OUTPOST_GEOGRAPHY): one GeoJSON FeatureCollection in WGS84, in exactly the
// shape `GET /api/v1/geography` returns, read and checked at start like every other setting, and
// written back byte for byte by `npm run geo -- export`.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ValidateFunction } from 'ajv'
import type { GeoUnit, PolygonCoords, UnitGeometry, UnitLevel } from '../../shared/domain'
import { buildSampleGeography } from '../../shared/sample-geography'
import { UnitIdSchema } from '../../shared/schemas/common'
import { GeographySchema } from '../../shared/schemas/geography'
import { createAjv, describeValidationError } from '../validate'
import { checkGeography, type GeoProblem } from './check'
import { Geography, unitFeature } from './geography'

export class GeographyFileError extends Error {}

/** A long list of problems is cut here: the first ones say what to fix, the count says how much. */
const MAX_LINES = 20

const FEATURE = GeographySchema.properties.features.items
const [POLYGON, MULTI_POLYGON] = FEATURE.properties.geometry.anyOf

const ajv = createAjv(false)
// The feature without its geometry (checked by its type below, so an error names the right branch);
// `id` may be left out in a file; unknown property names are refused, so a misspelt `populaton`
// does not silently leave a unit without its population.
const validateFeature = ajv.compile({
  type: 'object',
  required: ['type', 'properties', 'geometry'],
  properties: {
    type: FEATURE.properties.type,
    id: FEATURE.properties.id,
    properties: { ...FEATURE.properties.properties, additionalProperties: false },
  },
})
const validateGeometry: Record<string, ValidateFunction> = { Polygon: ajv.compile(POLYGON), MultiPolygon: ajv.compile(MULTI_POLYGON) }
// Every route takes unit ids of this form only: a unit with another id could never be asked for.
const validateUnitId = ajv.compile(UnitIdSchema)

/** One line of a file's problems: `<file>: feature <id>: <problem>`. */
class Problems {
  readonly lines: string[] = []
  constructor(private readonly file: string) {}

  add(line: string): void {
    this.lines.push(`${this.file}: ${line}`)
  }

  throwIfAny(): void {
    if (this.lines.length > 0) throw new GeographyFileError(clipLines(this.lines))
  }
}

function clipLines(lines: readonly string[]): string {
  if (lines.length <= MAX_LINES) return lines.join('\n')
  return [...lines.slice(0, MAX_LINES), `and ${lines.length - MAX_LINES} more`].join('\n')
}

/** The units of a geography file's text; every problem names the file, the feature and what is wrong. */
export function parseGeographyText(text: string, file: string): GeoUnit[] {
  if (text.trim() === '') throw new GeographyFileError(`${file}: the file is empty; a geography file is a GeoJSON FeatureCollection`)
  let parsed: unknown
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch (error) {
    throw new GeographyFileError(`${file}: not JSON: ${(error as Error).message}`)
  }
  if (!isObject(parsed) || parsed.type !== 'FeatureCollection') {
    const what = isObject(parsed) ? `an object of type ${JSON.stringify(parsed.type)}` : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`
    throw new GeographyFileError(`${file}: not a GeoJSON FeatureCollection (found ${what}); a geography file is what \`npm run geo -- export\` writes`)
  }
  if (!Array.isArray(parsed.features)) throw new GeographyFileError(`${file}: features must be an array`)
  if (parsed.features.length === 0) throw new GeographyFileError(`${file}: the FeatureCollection has no features`)

  // A DataV, AMap or Shapefile export named by mistake: one line that says what to do, not one a feature.
  const hasId = (f: unknown) => isObject(f) && isObject(f.properties) && typeof f.properties.id === 'string'
  if (!parsed.features.some(hasId)) {
    const first = parsed.features[0]
    const keys = isObject(first) && isObject(first.properties) ? Object.keys(first.properties).slice(0, 8) : []
    throw new GeographyFileError(
      `${file}: no feature has properties.id, so this is not a geography file` +
        (keys.length > 0 ? ` (its properties are ${keys.join(', ')})` : '') +
        '; build one from source files with `npm run geo -- import`',
    )
  }

  const problems = new Problems(file)
  const units: GeoUnit[] = []
  parsed.features.forEach((feature: unknown, index: number) => {
    const label = featureLabel(feature, index)
    const problem = featureProblem(feature)
    if (problem) {
      problems.add(`${label}: ${problem}`)
      return
    }
    units.push(toUnit(feature as FileFeature))
  })
  problems.throwIfAny()

  const districts = units.filter((u) => u.level === 'district')
  if (districts.length === 0) problems.add('no feature has level "district"; a geography file holds exactly one district')
  if (districts.length > 1) {
    problems.add(`${districts.length} features have level "district" (${districts.map((d) => d.id).join(', ')}); a geography file holds exactly one district`)
  }
  problems.throwIfAny()
  return units
}

interface FileFeature {
  type: 'Feature'
  id?: string
  properties: { id: string; level: UnitLevel; parentId: string | null; name: string; population?: number; households?: number }
  geometry: UnitGeometry
}

/** `feature 640106001001`, or `feature #12` (its index) when it has no id to go by. */
function featureLabel(feature: unknown, index: number): string {
  const props = isObject(feature) && isObject(feature.properties) ? feature.properties : undefined
  const id = typeof props?.id === 'string' && props.id !== '' ? props.id : isObject(feature) && typeof feature.id === 'string' && feature.id !== '' ? feature.id : undefined
  return id !== undefined ? `feature ${id}` : `feature #${index} (no id)`
}

/** The first thing wrong with one feature, or undefined. */
function featureProblem(feature: unknown): string | undefined {
  if (!validateFeature(feature)) return describe(validateFeature)
  const f = feature as unknown as { id?: string; properties: FileFeature['properties']; geometry: unknown }
  const props = f.properties
  if (f.id !== undefined && f.id !== props.id) return `id ${JSON.stringify(f.id)} differs from properties.id ${JSON.stringify(props.id)}`
  if (!validateUnitId(props.id)) return `properties.id ${JSON.stringify(props.id)} is not a unit id: 6, 9, 12 or 14 digits (the API takes no other)`
  if (props.parentId !== null && !validateUnitId(props.parentId)) {
    return `properties.parentId ${JSON.stringify(props.parentId)} is not a unit id: 6, 9, 12 or 14 digits`
  }
  if (props.name.trim() === '') return 'properties.name is empty'
  if (props.level === 'district' && props.parentId !== null) return 'properties.parentId must be null for the district'
  if (props.level !== 'district' && props.parentId === null) return `properties.parentId is null, but a ${props.level} needs a parent`

  const geometry = f.geometry
  if (!isObject(geometry)) return 'geometry must be a Polygon or a MultiPolygon'
  const validate = typeof geometry.type === 'string' ? validateGeometry[geometry.type] : undefined
  if (!validate) return `geometry.type must be Polygon or MultiPolygon, got ${JSON.stringify(geometry.type)}`
  if (!validate(geometry)) return describe(validate, 'geometry')
  const g = geometry as UnitGeometry
  if (g.type === 'Polygon') return polygonProblem(g.coordinates, 'geometry.coordinates')
  if (g.coordinates.length === 0) return 'geometry.coordinates has no polygons'
  for (const [i, polygon] of g.coordinates.entries()) {
    const problem = polygonProblem(polygon, `geometry.coordinates[${i}]`)
    if (problem) return problem
  }
  return undefined
}

function polygonProblem(polygon: PolygonCoords, path: string): string | undefined {
  if (polygon.length === 0) return `${path} has no rings`
  for (const [r, ring] of polygon.entries()) {
    const at = `${path}[${r}]`
    for (const [p, [lon, lat]] of ring.entries()) {
      // JSON has no Infinity, but 1e999 reads as one.
      if (!Number.isFinite(lon) || !Number.isFinite(lat)) return `${at}[${p}] is not a pair of finite numbers`
      if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
        const swapped = Math.abs(lon) <= 90 && Math.abs(lat) <= 180 ? '; longitude and latitude swapped?' : ''
        return `${at}[${p}] [${lon}, ${lat}] is not a WGS84 longitude, latitude in degrees${swapped}`
      }
    }
    if (ring.length < 4) return `${at} has ${ring.length} positions; a ring needs at least 4, the last repeating the first`
    const first = ring[0]!
    const last = ring[ring.length - 1]!
    if (first[0] !== last[0] || first[1] !== last[1]) {
      return `${at} is not a closed ring: it starts at [${first.join(', ')}] and ends at [${last.join(', ')}]`
    }
  }
  return undefined
}

/** An ajv error as `geometry.coordinates[0][3] must NOT have more than 2 items`. */
function describe(validate: ValidateFunction, part = ''): string {
  const error = validate.errors![0]!
  const { field, message } = describeValidationError(part && `/${part}`, error)
  const detail = message.slice(field.length + 1)
  const path = field
    .split('/')
    .filter((part) => part !== '')
    .reduce((text, part) => (/^\d+$/.test(part) ? `${text}[${part}]` : text ? `${text}.${part}` : part), '')
  return `${path || 'the feature'} ${detail}`
}

/** Only the unit's own members, in a fixed order: what `geographyFileText` writes back. */
function toUnit(feature: FileFeature): GeoUnit {
  const p = feature.properties
  const g = feature.geometry
  return {
    id: p.id,
    level: p.level,
    parentId: p.parentId,
    name: p.name,
    geometry: g.type === 'Polygon' ? { type: 'Polygon', coordinates: g.coordinates } : { type: 'MultiPolygon', coordinates: g.coordinates },
    ...(p.population !== undefined ? { population: p.population } : {}),
    ...(p.households !== undefined ? { households: p.households } : {}),
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export interface LoadedGeography {
  geography: Geography
  /** What `npm run geo -- check` warns about (gaps, units without population): worth printing, not a reason to stop. */
  warnings: GeoProblem[]
}

/** The district in use: the sample when no file is named, else the file, checked. */
export function loadGeography(file: string | undefined): Geography {
  return loadGeographyWithWarnings(file).geography
}

/**
 * Reads, parses and checks a geography file (`checkGeography`); any error stops it with a
 * GeographyFileError naming the file and every unit at fault (the first 20, then how many more).
 */
export function loadGeographyWithWarnings(
  file: string | undefined,
  options: { checked?: (units: readonly GeoUnit[]) => boolean } = {},
): LoadedGeography {
  if (file === undefined) return { geography: new Geography(buildSampleGeography()), warnings: [] }
  const path = resolve(file)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new GeographyFileError(`${path}: cannot read: ${(error as Error).message}`)
  }
  const units = parseGeographyText(text, path)
  // A layout the store has already started with passed this check then: a big district with
  // edges that do not meet exactly costs a minute of clipping, not worth paying at every start.
  const problems = options.checked?.(units) ? [] : checkGeography(units)
  const errors = problems.filter((p) => p.severity === 'error')
  if (errors.length > 0) {
    const lines = errors.map((e) => `${path}: ${e.unitId !== null ? `feature ${e.unitId}: ` : ''}${e.message}`)
    const head = `${path}: ${errors.length} error${errors.length > 1 ? 's' : ''} (npm run geo -- check ${path} lists them all, with warnings)`
    throw new GeographyFileError(`${head}\n${clipLines(lines)}`)
  }
  let geography: Geography
  try {
    geography = new Geography(units)
  } catch (error) {
    throw new GeographyFileError(`${path}: ${(error as Error).message}`)
  }
  return { geography, warnings: problems.filter((p) => p.severity === 'warning') }
}

/**
 * The exact bytes `npm run geo -- export` writes: one feature a line (diffs show which units
 * changed), members and properties in a fixed order, coordinates as stored.
 */
export function geographyFileText(units: readonly GeoUnit[]): string {
  const lines = units.map((u) => JSON.stringify(unitFeature(u)))
  if (lines.length === 0) return '{"type":"FeatureCollection","features":[]}\n'
  return `{"type":"FeatureCollection","features":[\n${lines.join(',\n')}\n]}\n`
}
