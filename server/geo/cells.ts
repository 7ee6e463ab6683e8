// The cells are defined once in shared/ (the wall's playback counts coverage with them too).
export { cellKey, cellsOf, type GridCells } from '../../shared/cells'
