import { GRID_FILL_OPACITY, colourScale, fillColourExpression } from '../colour-scale'
import { LAYER_IDS, SOURCE_IDS } from '../layer-ids'
import type { FillLayerSpecification, LineLayerSpecification } from '../spec'
import type { GridFigure } from '../../lib/grid-figures'

export const GRID_COLORS = {
  fill: '#1d3557',
  grid: '#335c81',
  community: '#4f7cac',
  street: '#8ecae6',
  /** The outline of the unit a wall's scene shows: every part of it, told apart from its neighbours. */
  scene: '#fbbf24',
} as const

const level = (name: string) => ['==', ['get', 'level'], name] as ['==', ['get', string], string]

/**
 * Grid fills, then outlines from fine to coarse: street boundaries are drawn thickest, on top.
 * With a figure (the wall), each grid is coloured by it through feature state, on the figure's
 * fixed scale; without (the leader pages), the fills are plain.
 */
export function buildGridLayers(figure?: GridFigure): [FillLayerSpecification, ...LineLayerSpecification[]] {
  return [
    {
      id: LAYER_IDS.gridFill,
      type: 'fill',
      source: SOURCE_IDS.grids,
      filter: level('grid'),
      paint: figure ? { 'fill-color': fillColourExpression(colourScale(figure)), 'fill-opacity': GRID_FILL_OPACITY } : { 'fill-color': GRID_COLORS.fill, 'fill-opacity': 0.35 },
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

/** The scene's unit outlined on top of every boundary (its filter follows the scene). */
export function buildSceneLineLayer(unitId: string): LineLayerSpecification {
  return {
    id: LAYER_IDS.sceneLine,
    type: 'line',
    source: SOURCE_IDS.grids,
    filter: sceneFilter(unitId),
    paint: { 'line-color': GRID_COLORS.scene, 'line-width': 3.5 },
  }
}

export function sceneFilter(unitId: string): NonNullable<LineLayerSpecification['filter']> {
  return ['==', ['get', 'id'], unitId]
}
