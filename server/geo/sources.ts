// Reading a level's source file: GeoJSON (DataV / AMap style or RFC 7946) or a Shapefile (.shp with
// its .dbf, and the .prj and .cpg beside it when present). Coordinates come back as they are in the
// file; converting and normalising them is import's work.
import { existsSync, readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { open as openShapefile } from 'shapefile'
import type { PolygonCoords, UnitGeometry } from '../../shared/domain'

/** A source that cannot be read at all: the message names the file and what is wrong. */
export class GeoImportError extends Error {
  override name = 'GeoImportError'
}

export interface SourceFeature {
  /** 1-based position in the file, for messages about a feature without a usable id. */
  index: number
  properties: Record<string, unknown>
  /** A GeoJSON Feature's own `id` member, if any. */
  featureId?: string | number
  /** The shape, or why there is none usable. */
  geometry: UnitGeometry | { error: string }
}

export interface SourceFile {
  file: string
  format: 'geojson' | 'shapefile'
  /** The .dbf's text encoding (Shapefiles only). */
  encoding?: string
  features: SourceFeature[]
}

export async function readSource(file: string): Promise<SourceFile> {
  if (!existsSync(file)) throw new GeoImportError(`${file}: no such file`)
  const ext = extname(file).toLowerCase()
  const source = ext === '.shp' ? await readShapefile(file) : ext === '.geojson' || ext === '.json' ? readGeoJson(file) : undefined
  if (!source) throw new GeoImportError(`${file}: not a source this import reads (.geojson, .json or .shp)`)
  checkLonLat(source)
  return source
}

// GeoJSON ------------------------------------------------------------------------------------------

/** What a 2008-style GeoJSON `crs` member may name: longitude/latitude on WGS84 or CGCS2000. */
const LONLAT_CRS_NAMES = /^(urn:ogc:def:crs:ogc:1\.3:crs84|urn:ogc:def:crs:ogc::crs84|crs84|(urn:ogc:def:crs:)?epsg:{1,2}(4326|4490))$/i

function readGeoJson(file: string): SourceFile {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new GeoImportError(`${file}: not valid JSON (${(error as Error).message})`)
  }
  if (!isObject(data)) throw new GeoImportError(`${file}: not a GeoJSON object`)
  const crsName = isObject(data.crs) && isObject(data.crs.properties) ? data.crs.properties.name : undefined
  if (typeof crsName === 'string' && !LONLAT_CRS_NAMES.test(crsName.trim())) {
    throw new GeoImportError(
      `${file}: its crs is ${crsName}, not longitude/latitude on WGS84 or CGCS2000; the import does not reproject: convert it first (e.g. ogr2ogr -t_srs EPSG:4326)`,
    )
  }
  const rawFeatures = data.type === 'FeatureCollection' ? data.features : data.type === 'Feature' ? [data] : undefined
  if (!Array.isArray(rawFeatures)) throw new GeoImportError(`${file}: not a GeoJSON FeatureCollection (its type is ${JSON.stringify(data.type)})`)
  const features = rawFeatures.map((raw: unknown, i): SourceFeature => {
    const feature = isObject(raw) ? raw : {}
    const featureId = typeof feature.id === 'string' || typeof feature.id === 'number' ? feature.id : undefined
    return {
      index: i + 1,
      properties: isObject(feature.properties) ? feature.properties : {},
      ...(featureId !== undefined ? { featureId } : {}),
      geometry: readGeometry(feature.geometry),
    }
  })
  return { file, format: 'geojson', features }
}

function readGeometry(geometry: unknown): SourceFeature['geometry'] {
  if (!isObject(geometry)) return { error: 'has no geometry' }
  try {
    if (geometry.type === 'Polygon') return { type: 'Polygon', coordinates: readPolygon(geometry.coordinates) }
    if (geometry.type === 'MultiPolygon') {
      if (!Array.isArray(geometry.coordinates) || geometry.coordinates.length === 0) throw new Error('a MultiPolygon without parts')
      return { type: 'MultiPolygon', coordinates: geometry.coordinates.map(readPolygon) }
    }
  } catch (error) {
    return { error: `has a malformed ${String(geometry.type)}: ${(error as Error).message}` }
  }
  return { error: `is a ${String(geometry.type)}, not a Polygon or MultiPolygon` }
}

function readPolygon(value: unknown): PolygonCoords {
  if (!Array.isArray(value) || value.length === 0) throw new Error('a polygon without rings')
  return value.map((ring: unknown) => {
    if (!Array.isArray(ring)) throw new Error('a ring that is not a list of positions')
    return ring.map((position: unknown): [number, number] => {
      if (!Array.isArray(position) || !Number.isFinite(position[0]) || !Number.isFinite(position[1])) {
        throw new Error(`a position that is not [longitude, latitude]: ${JSON.stringify(position)}`)
      }
      return [position[0] as number, position[1] as number]
    })
  })
}

// Shapefile ----------------------------------------------------------------------------------------

async function readShapefile(file: string): Promise<SourceFile> {
  const base = file.slice(0, -extname(file).length)
  const sibling = (ext: string): string | undefined =>
    [ext, ext.toUpperCase()].map((e) => base + e).find((path) => existsSync(path))
  const dbfFile = sibling('.dbf')
  if (!dbfFile) throw new GeoImportError(`${file}: its attribute table ${base}.dbf is missing; ids and names are read from it`)
  const prjFile = sibling('.prj')
  if (prjFile) checkPrj(prjFile, readFileSync(prjFile, 'utf8'))
  const dbf = readFileSync(dbfFile)
  const cpgFile = sibling('.cpg')
  const encoding = cpgFile ? encodingOfCpg(cpgFile, readFileSync(cpgFile, 'utf8')) : guessDbfEncoding(dbf)
  const features: SourceFeature[] = []
  try {
    const source = await openShapefile(new Uint8Array(readFileSync(file)), new Uint8Array(dbf), { encoding })
    for (let result = await source.read(); !result.done; result = await source.read()) {
      const { geometry, properties } = result.value
      features.push({
        index: features.length + 1,
        properties: properties ?? {},
        geometry:
          geometry === null
            ? { error: 'has no shape (a null record)' }
            : geometry.type === 'Polygon' || geometry.type === 'MultiPolygon'
              ? (geometry as UnitGeometry)
              : { error: `is a ${geometry.type}, not a polygon` },
      })
    }
  } catch (error) {
    throw new GeoImportError(`${file}: not a readable Shapefile (${(error as Error).message})`)
  }
  return { file, format: 'shapefile', encoding, features }
}

/**
 * The import does not reproject, so a .prj must be geographic longitude/latitude on WGS84 or
 * CGCS2000 (the two agree to a few centimetres). GCJ-02 and BD-09 have no WKT of their own: such
 * files carry a WGS84 .prj, and `--crs` says what they really are.
 */
export function checkPrj(file: string, wkt: string): void {
  const text = wkt.trim()
  const top = /^([A-Z_]+)\s*\[\s*"([^"]*)"/i.exec(text)
  const kind = top?.[1]?.toUpperCase()
  const name = top?.[2] ?? text.slice(0, 60)
  if (kind !== 'GEOGCS' && kind !== 'GEOGCRS' && kind !== 'GEODCRS') {
    throw new GeoImportError(
      `${file}: the Shapefile is in ${name}${kind?.startsWith('PROJ') ? ', a projected coordinate system' : ''}, not longitude/latitude on WGS84 or CGCS2000; the import does not reproject: convert it first (e.g. ogr2ogr -t_srs EPSG:4326)`,
    )
  }
  const datum = /DATUM\s*\[\s*"([^"]*)"/i.exec(text)?.[1] ?? name
  const key = datum.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (!/wgs84|wgs1984|worldgeodeticsystem1984|china2000|cgcs2000|chinageodeticcoordinatesystem2000/.test(key)) {
    throw new GeoImportError(
      `${file}: the Shapefile's datum is ${datum}, not WGS84 or CGCS2000; the import does not convert datums: convert it first (e.g. ogr2ogr -t_srs EPSG:4326)`,
    )
  }
}

/** A .cpg names the .dbf's code page: UTF-8, or GBK and its names (936, GB2312, GB18030). */
export function encodingOfCpg(file: string, text: string): string {
  const name = text.trim().toLowerCase().replace(/^(cp|ansi_?|windows-?)(?=\d)/, '')
  if (/^utf-?8$|^65001$/.test(name)) return 'utf-8'
  if (/^(gbk|936|gb2312|gb18030|gb_?2312-?80)$/.test(name)) return 'gbk'
  throw new GeoImportError(`${file}: code page ${JSON.stringify(text.trim())} is not one the import reads (UTF-8 or GBK)`)
}

/**
 * Without a .cpg: text that is valid UTF-8 is UTF-8 (GBK-encoded Chinese practically never is), and
 * anything else is taken as GBK, the code page of Chinese Windows where such files are made.
 */
function guessDbfEncoding(dbf: Buffer): string {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(dbf.subarray(32))
    return 'utf-8'
  } catch {
    return 'gbk'
  }
}

// Both -----------------------------------------------------------------------------------------------

/** Projected coordinates (metres) are far outside ±180/±90: say so rather than misplace them. */
function checkLonLat(source: SourceFile): void {
  for (const feature of source.features) {
    if ('error' in feature.geometry) continue
    const polygons = feature.geometry.type === 'Polygon' ? [feature.geometry.coordinates] : feature.geometry.coordinates
    for (const ring of polygons.flat()) {
      for (const [x, y] of ring) {
        if (Math.abs(x) > 180 || Math.abs(y) > 90) {
          throw new GeoImportError(
            `${source.file}: feature #${feature.index} has the position (${x}, ${y}), which is not longitude/latitude: the file looks projected; the import does not reproject: convert it to WGS84 or CGCS2000 longitude/latitude first`,
          )
        }
      }
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
