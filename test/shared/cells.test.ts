import { describe, expect, it } from 'vitest'
import { cellKey, cellsOf } from '../../shared/cells'
import type { PolygonCoords } from '../../shared/domain'
import { CELL_LAT, CELL_LON } from '../../shared/metrics'

describe('patrol coverage cells', () => {
  // A rectangle of 4 × 3 whole cells, its corners on the lattice.
  const col = 84_940
  const row = 38_460
  const rect: PolygonCoords = [[
    [col * CELL_LON, row * CELL_LAT],
    [(col + 4) * CELL_LON, row * CELL_LAT],
    [(col + 4) * CELL_LON, (row + 3) * CELL_LAT],
    [col * CELL_LON, (row + 3) * CELL_LAT],
    [col * CELL_LON, row * CELL_LAT],
  ]]

  it('are the lattice cells whose centre lies inside the grid', () => {
    const cells = cellsOf({ type: 'Polygon', coordinates: rect })
    expect(cells.count).toBe(12)
    expect(cells.words).toBe(1)
    // Every point of a cell has the cell's key; a point just outside has none of the grid's.
    const inside = cellKey((col + 2.5) * CELL_LON, (row + 1.2) * CELL_LAT)
    expect(cells.index.has(inside)).toBe(true)
    expect(cellKey((col + 2.01) * CELL_LON, (row + 1.99) * CELL_LAT)).toBe(inside)
    expect(cells.index.has(cellKey((col + 4.5) * CELL_LON, (row + 1.5) * CELL_LAT))).toBe(false)
    // Bit indices are 0..count-1, each once.
    expect([...cells.index.values()].sort((a, b) => a - b)).toEqual([...Array(12).keys()])
  })
})
