// A small writer of polygon Shapefiles (.shp, .shx, .dbf, and .prj / .cpg when asked) for tests of
// the importer, which reads them with the `shapefile` package. ESRI Shapefile Technical Description
// (1998): big-endian file and record headers, little-endian contents; outer rings clockwise, holes
// counter-clockwise. dBASE III table: character (C) and numeric (N) fields.
import { writeFileSync } from 'node:fs'
import type { PolygonCoords } from '../../shared/domain'

export interface ShapefileField {
  name: string
  type: 'C' | 'N'
  length: number
}

export interface ShapefileRecord {
  /** One or more polygons; rings are written closed, outer ones clockwise, holes counter-clockwise. */
  polygons: PolygonCoords[]
  attributes: Record<string, string | number | null>
}

export interface ShapefileOptions {
  fields: ShapefileField[]
  records: ShapefileRecord[]
  /** How the .dbf's text is encoded. */
  encoding?: 'utf-8' | 'gbk'
  /** Written as <base>.prj when given. */
  prj?: string
  /** Written as <base>.cpg when given. */
  cpg?: string
}

/** WKT of geographic WGS84, as ArcGIS and QGIS write it. */
export const WGS84_PRJ =
  'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
/** WKT of geographic CGCS2000 (EPSG:4490). */
export const CGCS2000_PRJ =
  'GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
/** WKT of a projected CRS (CGCS2000 / 3-degree Gauss-Kruger CM 105E, EPSG:4543). */
export const PROJECTED_PRJ =
  'PROJCS["CGCS2000_3_Degree_GK_CM_105E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'

/** Writes <base>.shp, <base>.shx, <base>.dbf (and .prj, .cpg); returns the .shp's path. */
export function writeShapefile(base: string, options: ShapefileOptions): string {
  const contents = options.records.map((r) => polygonRecord(r.polygons))
  const bbox = contents.reduce(
    (b, c) => [Math.min(b[0], c.bbox[0]), Math.min(b[1], c.bbox[1]), Math.max(b[2], c.bbox[2]), Math.max(b[3], c.bbox[3])],
    [Infinity, Infinity, -Infinity, -Infinity],
  )
  const shpLength = 100 + contents.reduce((sum, c) => sum + 8 + c.bytes.length, 0)
  const shp = Buffer.alloc(shpLength)
  const shx = Buffer.alloc(100 + 8 * contents.length)
  fileHeader(shp, shpLength, bbox)
  fileHeader(shx, shx.length, bbox)
  let offset = 100
  contents.forEach((content, i) => {
    shx.writeInt32BE(offset / 2, 100 + 8 * i)
    shx.writeInt32BE(content.bytes.length / 2, 104 + 8 * i)
    shp.writeInt32BE(i + 1, offset)
    shp.writeInt32BE(content.bytes.length / 2, offset + 4)
    content.bytes.copy(shp, offset + 8)
    offset += 8 + content.bytes.length
  })
  writeFileSync(`${base}.shp`, shp)
  writeFileSync(`${base}.shx`, shx)
  writeFileSync(`${base}.dbf`, dbfFile(options))
  if (options.prj !== undefined) writeFileSync(`${base}.prj`, options.prj)
  if (options.cpg !== undefined) writeFileSync(`${base}.cpg`, options.cpg)
  return `${base}.shp`
}

function fileHeader(buffer: Buffer, length: number, bbox: number[]): void {
  buffer.writeInt32BE(9994, 0)
  buffer.writeInt32BE(length / 2, 24)
  buffer.writeInt32LE(1000, 28)
  buffer.writeInt32LE(5, 32) // Polygon
  bbox.forEach((v, i) => buffer.writeDoubleLE(v, 36 + 8 * i))
}

function polygonRecord(polygons: PolygonCoords[]): { bytes: Buffer; bbox: number[] } {
  const rings: [number, number][][] = []
  for (const polygon of polygons) {
    polygon.forEach((ring, r) => {
      const closed = ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1] ? [...ring] : [...ring, ring[0]!]
      const clockwise = area2(closed) < 0
      rings.push(clockwise === (r === 0) ? closed : closed.reverse())
    })
  }
  const points = rings.flat()
  const bbox = [Math.min(...points.map((p) => p[0])), Math.min(...points.map((p) => p[1])), Math.max(...points.map((p) => p[0])), Math.max(...points.map((p) => p[1]))]
  const bytes = Buffer.alloc(44 + 4 * rings.length + 16 * points.length)
  bytes.writeInt32LE(5, 0)
  bbox.forEach((v, i) => bytes.writeDoubleLE(v, 4 + 8 * i))
  bytes.writeInt32LE(rings.length, 36)
  bytes.writeInt32LE(points.length, 40)
  let start = 0
  rings.forEach((ring, i) => {
    bytes.writeInt32LE(start, 44 + 4 * i)
    start += ring.length
  })
  points.forEach(([x, y], i) => {
    const at = 44 + 4 * rings.length + 16 * i
    bytes.writeDoubleLE(x, at)
    bytes.writeDoubleLE(y, at + 8)
  })
  return { bytes, bbox }
}

function area2(ring: [number, number][]): number {
  let sum = 0
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1]
  return sum
}

function dbfFile(options: ShapefileOptions): Buffer {
  const encode = options.encoding === 'gbk' ? encodeGbk : (text: string) => Buffer.from(text, 'utf8')
  const { fields, records } = options
  const headerLength = 32 + 32 * fields.length + 1
  const recordLength = 1 + fields.reduce((sum, f) => sum + f.length, 0)
  const buffer = Buffer.alloc(headerLength + recordLength * records.length + 1, 0x20)
  buffer.fill(0, 0, headerLength)
  buffer.writeUInt8(0x03, 0)
  buffer.writeUInt8(124, 1)
  buffer.writeUInt8(1, 2)
  buffer.writeUInt8(1, 3)
  buffer.writeUInt32LE(records.length, 4)
  buffer.writeUInt16LE(headerLength, 8)
  buffer.writeUInt16LE(recordLength, 10)
  fields.forEach((field, i) => {
    const at = 32 + 32 * i
    Buffer.from(field.name, 'ascii').copy(buffer, at, 0, 10)
    buffer.write(field.type, at + 11, 'ascii')
    buffer.writeUInt8(field.length, at + 16)
  })
  buffer.writeUInt8(0x0d, headerLength - 1)
  records.forEach((record, r) => {
    let at = headerLength + recordLength * r + 1
    for (const field of fields) {
      const value = record.attributes[field.name]
      const bytes = value === null || value === undefined ? Buffer.alloc(0) : encode(String(value))
      if (bytes.length > field.length) throw new Error(`${field.name}: ${String(value)} is longer than ${field.length} bytes`)
      // Numbers are right-aligned, text left-aligned; the rest stays spaces.
      bytes.copy(buffer, field.type === 'N' ? at + field.length - bytes.length : at)
      at += field.length
    }
  })
  buffer.writeUInt8(0x1a, buffer.length - 1)
  return buffer
}

let gbkTable: Map<string, number> | undefined

/** GBK bytes of a text; Node decodes GBK (TextDecoder) but does not encode it, so the table is read off the decoder. */
export function encodeGbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map()
    const decoder = new TextDecoder('gbk')
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue
        const char = decoder.decode(new Uint8Array([lead, trail]))
        if (char.length === 1 && char !== '\uFFFD' && !gbkTable.has(char)) gbkTable.set(char, (lead << 8) | trail)
      }
    }
  }
  const bytes: number[] = []
  for (const char of text) {
    const code = char.codePointAt(0)!
    if (code < 0x80) bytes.push(code)
    else {
      const pair = gbkTable.get(char)
      if (pair === undefined) throw new Error(`${char} has no GBK code`)
      bytes.push(pair >> 8, pair & 0xff)
    }
  }
  return Buffer.from(bytes)
}
