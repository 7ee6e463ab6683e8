// Patrol coverage cells of a grid: the 0.001° × 0.00125° lattice cells whose centre lies inside it.
// One definition for the server's rollups and scan and the client's playback.
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { geometryBbox, type UnitGeometry } from './domain'
import { CELL_LAT, CELL_LON } from './metrics'

export interface GridCells {
  /** Cell key → bit index. */
  index: Map<number, number>
  count: number
  /** 32-bit words a bitset of the cells needs. */
  words: number
}

export function cellKey(lon: number, lat: number): number {
  return Math.floor(lat / CELL_LAT) * 1e6 + Math.floor(lon / CELL_LON)
}

export function cellsOf(geometry: UnitGeometry): GridCells {
  const [minX, minY, maxX, maxY] = geometryBbox(geometry)
  const index = new Map<number, number>()
  for (let row = Math.floor(minY / CELL_LAT); row * CELL_LAT <= maxY; row++) {
    for (let col = Math.floor(minX / CELL_LON); col * CELL_LON <= maxX; col++) {
      const centre: [number, number] = [(col + 0.5) * CELL_LON, (row + 0.5) * CELL_LAT]
      if (booleanPointInPolygon(centre, geometry)) index.set(row * 1e6 + col, index.size)
    }
  }
  return { index, count: index.size, words: Math.max(1, Math.ceil(index.size / 32)) }
}
