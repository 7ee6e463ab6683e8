// A PMTiles v3 archive given as the base map: checked once at start, so a wrong file is a clear
// configuration error rather than a blank map on every wall.
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { TileType, bytesToHeader, type Header } from 'pmtiles'

/** The fixed size of a PMTiles v3 header. */
export const PMTILES_HEADER_BYTES = 127

/** The tile types the wall can draw: vector (MVT) as simple fills and lines, raster as an image layer. */
export const SUPPORTED_TILE_TYPES: ReadonlyMap<TileType, string> = new Map([
  [TileType.Mvt, 'mvt'],
  [TileType.Png, 'png'],
  [TileType.Jpeg, 'jpg'],
  [TileType.Webp, 'webp'],
])

export interface ArchiveSummary {
  size: number
  tileType: string
  minZoom: number
  maxZoom: number
}

/** Reads and checks the header of `file`; throws an Error saying what is wrong with it. */
export function checkPmtilesArchive(file: string): ArchiveSummary {
  const stat = statSync(file, { throwIfNoEntry: false })
  if (!stat) throw new Error(`${file} does not exist`)
  if (!stat.isFile()) throw new Error(`${file} is not a file`)
  if (stat.size < PMTILES_HEADER_BYTES) throw new Error(`${file} is ${stat.size} bytes, too short for a PMTiles archive`)
  const bytes = Buffer.alloc(PMTILES_HEADER_BYTES)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, bytes, 0, PMTILES_HEADER_BYTES, 0)
  } finally {
    closeSync(fd)
  }
  if (bytes.toString('latin1', 0, 7) !== 'PMTiles') throw new Error(`${file} is not a PMTiles archive (no "PMTiles" magic)`)
  const version = bytes[7]!
  if (version !== 3) throw new Error(`${file} is a PMTiles v${version} archive; only v3 is supported (convert it with \`pmtiles convert\`)`)
  const header: Header = bytesToHeader(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + PMTILES_HEADER_BYTES))
  const tileType = SUPPORTED_TILE_TYPES.get(header.tileType)
  if (!tileType) throw new Error(`${file} holds tiles of type ${header.tileType}; the wall draws mvt, png, jpg or webp tiles`)
  const sections: [string, number, number][] = [
    ['root directory', header.rootDirectoryOffset, header.rootDirectoryLength],
    ['metadata', header.jsonMetadataOffset, header.jsonMetadataLength],
    ['leaf directories', header.leafDirectoryOffset, header.leafDirectoryLength ?? 0],
    ['tile data', header.tileDataOffset, header.tileDataLength ?? 0],
  ]
  for (const [name, offset, length] of sections) {
    if (offset + length > stat.size) throw new Error(`${file} is truncated: its ${name} ends at byte ${offset + length} of ${stat.size}`)
  }
  if (header.rootDirectoryLength === 0) throw new Error(`${file} has an empty root directory`)
  if (header.minZoom > header.maxZoom) throw new Error(`${file} has min zoom ${header.minZoom} above max zoom ${header.maxZoom}`)
  return { size: stat.size, tileType, minZoom: header.minZoom, maxZoom: header.maxZoom }
}
