// A small PMTiles v3 writer for tests: a 127-byte header, an uncompressed root directory
// (varint-encoded: count, tile id deltas, run lengths, lengths, offsets), JSON metadata and the
// tile data, with identical tiles stored once. Enough for a handful of tiles; no leaf directories.
// See https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md
import { deflateSync } from 'node:zlib'
import { TileType, zxyToTileId } from 'pmtiles'

export interface Tile {
  z: number
  x: number
  y: number
  data: Uint8Array
}

export interface ArchiveOptions {
  tileType: TileType
  tiles: Tile[]
  metadata?: Record<string, unknown>
  /** Defaults to the tiles' own zoom range. */
  minZoom?: number
  maxZoom?: number
  bounds?: [number, number, number, number]
  /** Compression of the tiles' bytes (1 = none); the directory and metadata are never compressed. */
  tileCompression?: number
}

const HEADER_BYTES = 127

function varint(out: number[], value: number): void {
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
}

export function writePmtiles(options: ArchiveOptions): Buffer {
  const byId = new Map<number, Uint8Array>()
  for (const t of options.tiles) byId.set(zxyToTileId(t.z, t.x, t.y), t.data)
  const ids = [...byId.keys()].sort((a, b) => a - b)

  // Tile data: each distinct content once, in the order first met.
  const contents = new Map<string, { offset: number; length: number }>()
  const chunks: Buffer[] = []
  let dataLength = 0
  const entries = ids.map((id) => {
    const data = Buffer.from(byId.get(id)!)
    const key = data.toString('base64')
    let place = contents.get(key)
    if (!place) {
      place = { offset: dataLength, length: data.length }
      contents.set(key, place)
      chunks.push(data)
      dataLength += data.length
    }
    return { id, ...place }
  })

  const dir: number[] = []
  varint(dir, entries.length)
  let lastId = 0
  for (const e of entries) {
    varint(dir, e.id - lastId)
    lastId = e.id
  }
  for (const _ of entries) varint(dir, 1)
  for (const e of entries) varint(dir, e.length)
  entries.forEach((e, i) => {
    const previous = entries[i - 1]
    // 0 means "right after the previous entry's bytes"; otherwise offset + 1.
    varint(dir, previous && e.offset === previous.offset + previous.length ? 0 : e.offset + 1)
  })
  const directory = Buffer.from(dir)
  const metadata = Buffer.from(JSON.stringify(options.metadata ?? {}), 'utf8')
  const tileData = Buffer.concat(chunks)

  const zooms = options.tiles.map((t) => t.z)
  const minZoom = options.minZoom ?? Math.min(...zooms)
  const maxZoom = options.maxZoom ?? Math.max(...zooms)
  const [minLon, minLat, maxLon, maxLat] = options.bounds ?? [-180, -85, 180, 85]

  const header = Buffer.alloc(HEADER_BYTES)
  header.write('PMTiles', 0, 'latin1')
  header.writeUInt8(3, 7)
  const rootOffset = HEADER_BYTES
  const metadataOffset = rootOffset + directory.length
  const dataOffset = metadataOffset + metadata.length
  const u64 = (value: number, at: number) => header.writeBigUInt64LE(BigInt(value), at)
  u64(rootOffset, 8)
  u64(directory.length, 16)
  u64(metadataOffset, 24)
  u64(metadata.length, 32)
  u64(dataOffset, 40) // no leaf directories: an empty section where the tile data starts
  u64(0, 48)
  u64(dataOffset, 56)
  u64(tileData.length, 64)
  u64(entries.length, 72)
  u64(entries.length, 80)
  u64(contents.size, 88)
  header.writeUInt8(0, 96) // not clustered: identical tiles share one content
  header.writeUInt8(1, 97) // internal compression: none
  header.writeUInt8(options.tileCompression ?? 1, 98)
  header.writeUInt8(options.tileType, 99)
  header.writeUInt8(minZoom, 100)
  header.writeUInt8(maxZoom, 101)
  const e7 = (deg: number) => Math.round(deg * 1e7)
  header.writeInt32LE(e7(minLon), 102)
  header.writeInt32LE(e7(minLat), 106)
  header.writeInt32LE(e7(maxLon), 110)
  header.writeInt32LE(e7(maxLat), 114)
  header.writeUInt8(minZoom, 118)
  header.writeInt32LE(e7((minLon + maxLon) / 2), 119)
  header.writeInt32LE(e7((minLat + maxLat) / 2), 123)
  return Buffer.concat([header, directory, metadata, tileData])
}

// ---- a solid-colour PNG, for raster archives -------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Buffer): number {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A `size`×`size` opaque RGB PNG of one colour. */
export function solidPng(rgb: [number, number, number], size = 256): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr.writeUInt8(8, 8) // bit depth
  ihdr.writeUInt8(2, 9) // colour type: RGB
  const row = Buffer.alloc(1 + size * 3) // filter byte 0, then the pixels
  for (let x = 0; x < size; x++) row.set(rgb, 1 + x * 3)
  const raw = Buffer.concat(Array.from({ length: size }, () => row))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** The web-mercator tiles of zoom `z` that cover a lon/lat box. */
export function tilesCovering(bounds: [number, number, number, number], z: number): { z: number; x: number; y: number }[] {
  const n = 2 ** z
  const x = (lon: number) => Math.min(n - 1, Math.floor(((lon + 180) / 360) * n))
  const y = (lat: number) => {
    const r = (lat * Math.PI) / 180
    return Math.min(n - 1, Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n))
  }
  const out: { z: number; x: number; y: number }[] = []
  for (let tx = x(bounds[0]); tx <= x(bounds[2]); tx++) for (let ty = y(bounds[3]); ty <= y(bounds[1]); ty++) out.push({ z, x: tx, y: ty })
  return out
}

/** A raster archive of one solid colour over `bounds`, at zooms `minZoom`..`maxZoom`. */
export function solidRasterArchive(rgb: [number, number, number], bounds: [number, number, number, number], minZoom: number, maxZoom: number): Buffer {
  const png = solidPng(rgb)
  const tiles: Tile[] = []
  for (let z = minZoom; z <= maxZoom; z++) for (const t of tilesCovering(bounds, z)) tiles.push({ ...t, data: png })
  return writePmtiles({ tileType: TileType.Png, tiles, bounds, minZoom, maxZoom, metadata: { name: 'test raster', format: 'png' } })
}
