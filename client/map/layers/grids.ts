import { LAYER_IDS, SOURCE_IDS } from '../layer-ids'
import type { FillLayerSpecification, LineLayerSpecification } from '../spec'

export const GRID_COLORS = {
  fill: '#1d3557',
  grid: '#335c81',
  community: '#4f7cac',
  street: '#8ecae6',
} as const

const level = (name: string) => ['==', ['get', 'level'], name] as ['==', ['get', string], string]

/** Grid fills, then outlines from fine to coarse: street boundaries are drawn thickest, on top. */
export function buildGridLayers(): [FillLayerSpecification, ...LineLayerSpecification[]] {
  return [
    {
      id: LAYER_IDS.gridFill,
      type: 'fill',
      source: SOURCE_IDS.grids,
      filter: level('grid'),
      paint: { 'fill-color': GRID_COLORS.fill, 'fill-opacity': 0.35 },
    },
    {
      id: LAYER_IDS.gridLine,
      type: 'line',
      source: SOURCE_IDS.grids,
      filter: level('grid'),
      paint: { 'line-color': GRID_COLORS.grid, 'line-width': 0.6, 'line-opacity': 0.8 },
    },
    {
      id: LAYER_IDS.communityLine,
      type: 'line',
      source: SOURCE_IDS.grids,
      filter: level('community'),
      paint: { 'line-color': GRID_COLORS.community, 'line-width': 1.2 },
    },
    {
      id: LAYER_IDS.streetLine,
      type: 'line',
      source: SOURCE_IDS.grids,
      filter: ['any', level('street'), level('district')],
      paint: { 'line-color': GRID_COLORS.street, 'line-width': 3 },
    },
  ]
}
