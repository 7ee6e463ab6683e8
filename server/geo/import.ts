// `npm run geo -- import`: a geography from the files a center has, one per level (streets,
// communities, grids), in WGS84, GCJ-02 or BD-09, as GeoJSON or Shapefiles.
import { readFileSync } from 'node:fs'
import Flatbush from 'flatbush'
import polygonClipping from 'polygon-clipping'
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { geometryBbox, polygonsOf, type Crs, type GeoUnit, type PolygonCoords, type UnitGeometry, type UnitLevel } from '../../shared/domain'
import { toWgs84 } from '../../shared/geo'
import { UnitIdSchema } from '../../shared/schemas/common'
import { checkGeography, type GeoProblem } from './check'
import { interiorPoint, normaliseGeometry } from './rings'
import { GeoImportError, readSource, type SourceFeature, type SourceFile } from './sources'

export { GeoImportError } from './sources'

/** The coordinate systems `--crs` takes: CGCS2000 (China's official datum) agrees with WGS84 to centimetres. */
export const IMPORT_CRS = ['wgs84', 'cgcs2000', 'gcj02', 'bd09'] as const
export type ImportCrs = (typeof IMPORT_CRS)[number]

export interface ImportOptions {
  district: { id: string; name: string }
  /** Paths of the three sources: .geojson / .json or .shp. */
  streets: string
  communities: string
  grids: string
  /** The sources' coordinate system; default wgs84. The result is always WGS84. */
  crs?: ImportCrs
  /** Default: the first of id, code, adcode that the file has. */
  idField?: string
  /** Default: name. */
  nameField?: string
  /** A property (a dotted path such as `parent.adcode`) naming each community's street and each grid's community. */
  parentField?: string
  /** A CSV `id,population,households`. */
  attributes?: string
}

export interface ImportResult {
  units: GeoUnit[]
  problems: GeoProblem[]
}

const DEFAULT_ID_FIELDS = ['id', 'code', 'adcode']

/** The API's unit ids: statistical codes of 6, 9, 12 or 14 digits. */
const UNIT_ID = new RegExp((UnitIdSchema as { pattern?: string }).pattern!)

export function isUnitId(id: string): boolean {
  return UNIT_ID.test(id)
}

/** Check codes that say again what an import error about the same unit already said. */
const RESTATED = new Set(['unknown_parent', 'level_order', 'outside_parent'])

type SourceLevel = Exclude<UnitLevel, 'district'>

interface Imported {
  unit: GeoUnit
  file: string
  /** The parent named by --parent-field, before it is looked up. */
  namedParent?: string
}

export async function importGeography(options: ImportOptions): Promise<ImportResult> {
  const crs = importCrs(options.crs ?? 'wgs84')
  if (!UNIT_ID.test(options.district.id)) throw new GeoImportError(`--district ${options.district.id}: a unit id is 6, 9, 12 or 14 digits (a statistical code such as 640106)`)
  const convert =
    crs === 'wgs84'
      ? undefined
      : (p: [number, number]): [number, number] => {
          const { lon, lat } = toWgs84({ lon: p[0], lat: p[1] }, crs)
          return [lon, lat]
        }
  const problems: GeoProblem[] = []
  const levels: [SourceLevel, string][] = [
    ['street', options.streets],
    ['community', options.communities],
    ['grid', options.grids],
  ]
  const imported = new Map<SourceLevel, Imported[]>()
  for (const [level, path] of levels) {
    const source = await readSource(path)
    imported.set(level, unitsOf(source, level, options, convert, problems))
  }
  const streets = imported.get('street')!
  const communities = imported.get('community')!
  const grids = imported.get('grid')!
  for (const street of streets) street.unit.parentId = options.district.id
  assignParents(communities, streets, 'street', problems)
  assignParents(grids, communities, 'community', problems)

  const district: GeoUnit = {
    id: options.district.id,
    level: 'district',
    parentId: null,
    name: options.district.name,
    geometry: unionOf(streets.map((s) => s.unit.geometry), problems),
  }
  const units = [district, ...[...streets, ...communities, ...grids].map((i) => i.unit)]
  if (options.attributes) {
    mergeAttributes(options.attributes, units, problems)
    sumUpward(units)
  }

  const reported = new Set(problems.filter((p) => p.severity === 'error' && p.unitId !== null).map((p) => p.unitId))
  const said = new Set(problems.map((p) => `${p.unitId} ${p.code}`))
  for (const problem of checkGeography(units)) {
    if (problem.unitId !== null && reported.has(problem.unitId) && RESTATED.has(problem.code)) continue
    if (said.has(`${problem.unitId} ${problem.code}`)) continue
    problems.push(problem)
  }
  problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1))
  return { units, problems }
}

export function importCrs(value: string): Crs {
  const crs = value.toLowerCase()
  if (crs === 'wgs84' || crs === 'cgcs2000') return 'wgs84'
  if (crs === 'gcj02' || crs === 'bd09') return crs
  throw new GeoImportError(`--crs ${value}: not one of ${IMPORT_CRS.join(', ')}`)
}

// Features → units ---------------------------------------------------------------------------------

function unitsOf(
  source: SourceFile,
  level: SourceLevel,
  options: ImportOptions,
  convert: ((p: [number, number]) => [number, number]) | undefined,
  problems: GeoProblem[],
): Imported[] {
  const { file, features } = source
  if (features.length === 0) throw new GeoImportError(`${file}: no features: the ${level} file must hold every ${level}`)
  const idField = options.idField ?? DEFAULT_ID_FIELDS.find((field) => features.some((f) => valueOf(f, field) !== undefined))
  if (!idField || !features.some((f) => valueOf(f, idField) !== undefined)) {
    const fields = [...new Set(features.flatMap((f) => Object.keys(f.properties)))]
    throw new GeoImportError(
      `${file}: no ${options.idField ? `field ${options.idField}` : `id field (none of ${DEFAULT_ID_FIELDS.join(', ')})`} in its features; its fields are ${fields.join(', ') || '(none)'}: name the id with --id-field`,
    )
  }
  const nameField = options.nameField ?? 'name'
  const result: Imported[] = []
  for (const feature of features) {
    const rawId = valueOf(feature, idField)
    const id = rawId === undefined ? undefined : String(rawId).trim()
    const label = id ? `${level} ${id}` : `${level} feature #${feature.index}`
    if (!id) {
      problems.push(error('no_id', null, `${label} in ${file}: no ${idField}, so it cannot be a unit`))
      continue
    }
    if (!UNIT_ID.test(id)) {
      problems.push(error('bad_id', id, `${label} in ${file}: ${idField} ${JSON.stringify(rawId)} is not a unit id: 6, 9, 12 or 14 digits (a statistical code); give another field with --id-field`))
      continue
    }
    if ('error' in feature.geometry) {
      problems.push(error('bad_geometry', id, `${label} in ${file}: ${feature.geometry.error}`))
      continue
    }
    const { geometry, degenerate } = normaliseGeometry(feature.geometry, convert)
    for (const where of degenerate) {
      const [part, ring] = where.split('.')
      const whichRing = ring === '0' ? 'its outer ring' : `hole ${ring}`
      const whichPart = geometry.type === 'MultiPolygon' ? ` of part ${Number(part) + 1}` : ''
      problems.push(error('invalid_ring', id, `${label} in ${file}: ${whichRing}${whichPart} has fewer than 3 distinct points (after rounding to 7 decimals)`))
    }
    const rawName = valueOf(feature, nameField)
    let name = rawName === undefined ? '' : String(rawName).trim()
    if (!name) {
      problems.push({ severity: 'warning', code: 'no_name', unitId: id, message: `${label} in ${file}: no ${nameField}; its id is used as its name` })
      name = id
    }
    const namedParent = level !== 'street' && options.parentField ? valueOf(feature, options.parentField) : undefined
    result.push({
      unit: { id, level, parentId: null, name, geometry },
      file,
      ...(namedParent !== undefined && String(namedParent).trim() ? { namedParent: String(namedParent).trim() } : {}),
    })
  }
  return result
}

/**
 * A property, or a dotted path into nested objects (DataV's `parent.adcode`); numbers become
 * strings. `id` also falls back to the GeoJSON Feature's own id member.
 */
function valueOf(feature: SourceFeature, path: string): string | number | undefined {
  let value: unknown = feature.properties
  for (const key of path.split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
  }
  if (value === undefined && path === 'id') value = feature.featureId
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string' && value.trim() !== '') return value
  return undefined
}

// Parents ------------------------------------------------------------------------------------------

/**
 * Each child's parent: the one --parent-field names, else the parent containing the child's
 * interior point (a centroid can lie outside a concave child, in a neighbour's parent).
 */
function assignParents(children: Imported[], parents: Imported[], parentLevel: UnitLevel, problems: GeoProblem[]): void {
  const index = new Flatbush(Math.max(1, parents.length))
  for (const parent of parents) index.add(...geometryBbox(parent.unit.geometry))
  if (parents.length === 0) index.add(0, 0, 0, 0)
  index.finish()
  for (const child of children) {
    if (child.namedParent !== undefined) {
      // An unknown or wrongly levelled parent is check's to report (unknown_parent, level_order).
      child.unit.parentId = child.namedParent
      continue
    }
    const point = interiorPoint(child.unit.geometry)
    const containing = point
      ? index
          .search(point[0], point[1], point[0], point[1])
          .sort((a, b) => a - b)
          .map((i) => parents[i]!)
          .find((parent) => booleanPointInPolygon(point, parent.unit.geometry))
      : undefined
    if (containing) {
      child.unit.parentId = containing.unit.id
      continue
    }
    const where = point ? `its interior point (${point[0].toFixed(6)}, ${point[1].toFixed(6)}) lies in no ${parentLevel}` : 'it has no interior point'
    problems.push(error('no_parent', child.unit.id, `${child.unit.level} ${child.unit.id} (${child.unit.name}) in ${child.file}: no parent: ${where}`))
  }
}

// The district -------------------------------------------------------------------------------------

/** The district's shape: the union of its streets, rounded and wound like every other ring. */
function unionOf(geometries: UnitGeometry[], problems: GeoProblem[]): UnitGeometry {
  const polygons = geometries.flatMap(polygonsOf)
  let union: PolygonCoords[]
  try {
    union = polygons.length === 0 ? [] : polygonClipping.union(polygons[0]!, ...polygons.slice(1))
  } catch (e) {
    // The streets' own problems (check names them) are what to fix; their parts stand in meanwhile.
    problems.push(error('district_union', null, `the streets could not be joined into the district's shape (${(e as Error).message}); fix what check says about the streets' rings`))
    return { type: 'MultiPolygon', coordinates: polygons }
  }
  const parts: PolygonCoords[] = []
  for (const part of union) {
    const normalised = normaliseGeometry({ type: 'Polygon', coordinates: part })
    // A sliver that rounding flattened is dropped: a whole part when its outer ring went, else the hole.
    if (normalised.degenerate.includes('0.0')) continue
    const dropped = new Set(normalised.degenerate.map((d) => Number(d.split('.')[1])))
    parts.push((normalised.geometry.coordinates as PolygonCoords).filter((_, r) => !dropped.has(r)))
  }
  return parts.length === 1 ? { type: 'Polygon', coordinates: parts[0]! } : { type: 'MultiPolygon', coordinates: parts }
}

// Attributes ---------------------------------------------------------------------------------------

const ATTRIBUTE_COLUMNS = ['id', 'population', 'households'] as const

/** `--attributes`: id,population,households (UTF-8, BOM or not); each bad line is its own error. */
function mergeAttributes(file: string, units: GeoUnit[], problems: GeoProblem[]): void {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new GeoImportError(`${file}: cannot be read (${(e as Error).message})`)
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim().toLowerCase())
  const unknown = header.filter((h) => !(ATTRIBUTE_COLUMNS as readonly string[]).includes(h))
  if (header[0] !== 'id' || unknown.length > 0 || new Set(header).size !== header.length || header.length < 2) {
    throw new GeoImportError(
      `${file}: line 1 must be the header ${ATTRIBUTE_COLUMNS.join(',')} (id first, then population and/or households); it is ${JSON.stringify(lines[0] ?? '')}`,
    )
  }
  const byId = new Map(units.map((u) => [u.id, u]))
  const seen = new Map<string, number>()
  const bad = (line: number, unitId: string | null, what: string): void => {
    problems.push(error('bad_attributes', unitId, `${file} line ${line}: ${what}`))
  }
  lines.forEach((text, i) => {
    const line = i + 1
    if (i === 0 || text.trim() === '') return
    const cells = splitCsvLine(text)
    if (cells.length !== header.length) return bad(line, null, `${cells.length} columns where the header has ${header.length}`)
    const id = cells[0]!.trim()
    if (!id) return bad(line, null, 'no id')
    const unit = byId.get(id)
    if (!unit) return bad(line, id, `id ${id} is not a unit of the import`)
    if (seen.has(id)) return bad(line, id, `id ${id} is given again (first on line ${seen.get(id)})`)
    seen.set(id, line)
    const values: { population?: number; households?: number } = {}
    for (let c = 1; c < header.length; c++) {
      const column = header[c] as 'population' | 'households'
      const cell = cells[c]!.trim()
      if (cell === '') continue
      // A negative count passes here: check names it (negative_population) with the unit.
      if (!/^-?\d+$/.test(cell)) return bad(line, id, `${column} ${JSON.stringify(cell)} is not a whole number`)
      values[column] = Number(cell)
    }
    Object.assign(unit, values)
  })
}

/**
 * A unit the attributes leave without a count gets the sum of its children's when every child has
 * one: grids tile their community, so the grids' residents are the community's. A count given for
 * the unit itself is kept as given.
 */
function sumUpward(units: GeoUnit[]): void {
  const children = new Map<string, GeoUnit[]>()
  for (const unit of units) {
    if (unit.parentId === null) continue
    const list = children.get(unit.parentId) ?? []
    list.push(unit)
    children.set(unit.parentId, list)
  }
  for (const level of ['community', 'street', 'district'] as const) {
    for (const unit of units) {
      const kids = unit.level === level ? children.get(unit.id) : undefined
      if (!kids || kids.length === 0) continue
      for (const field of ['population', 'households'] as const) {
        if (unit[field] === undefined && kids.every((k) => k[field] !== undefined)) unit[field] = kids.reduce((sum, k) => sum + k[field]!, 0)
      }
    }
  }
}

/** One CSV line: commas, and fields in double quotes with "" for a quote. */
function splitCsvLine(line: string): string[] {
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      cells.push(cell)
      cell = ''
    } else cell += ch
  }
  cells.push(cell)
  return cells
}

function error(code: string, unitId: string | null, message: string): GeoProblem {
  return { severity: 'error', code, unitId, message }
}
