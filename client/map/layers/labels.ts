import type { UnitLevel } from '../../../shared/domain'
import type { LabelLevel } from '../label-text'
import { LAYER_IDS, SOURCE_IDS } from '../layer-ids'
import type { SymbolLayerSpecification } from '../spec'

export const LABEL_LAYER_IDS: Record<LabelLevel, string> = {
  street: LAYER_IDS.streetLabels,
  community: LAYER_IDS.communityLabels,
  grid: LAYER_IDS.gridLabels,
}

/**
 * Names as icons: each is a canvas-drawn image (`images.ts`) so no glyph file is needed. One layer
 * a level, so streets are placed before communities and communities before grids (MapLibre places
 * the upper layer's symbols first); within a level the most populous first (`symbol-sort-key`).
 * A name that would collide with one already placed is left out, never drawn over it. A community's
 * or grid's name shows from the zoom at which it fits in its unit (the feature's `minzoom`, see
 * `buildLabelsData` and `labelFilter`): a district of 3,000 grids shows its streets' names, a
 * street scene its communities', a community scene the grids large enough to hold theirs.
 */
export function buildLabelLayers(): Record<LabelLevel, SymbolLayerSpecification> {
  const layer = (level: LabelLevel): SymbolLayerSpecification => ({
    id: LABEL_LAYER_IDS[level],
    type: 'symbol',
    source: SOURCE_IDS.labels,
    filter: labelFilter(level),
    layout: {
      'icon-image': ['get', 'image'],
      'icon-allow-overlap': false,
      'icon-ignore-placement': false,
      'icon-padding': level === 'street' ? 6 : 4,
      'symbol-sort-key': ['get', 'rank'],
    },
  })
  return { street: layer('street'), community: layer('community'), grid: layer('grid') }
}

/**
 * The levels a wall's scene names: its own level and the one below (a street scene its street
 * and communities, a community scene its community and grids), the streets for the district.
 * What is named then tells the scene's parts apart, at the size read from across the room.
 */
export function sceneLabelLevels(sceneLevel: UnitLevel): LabelLevel[] {
  if (sceneLevel === 'district') return ['street']
  if (sceneLevel === 'street') return ['street', 'community']
  if (sceneLevel === 'community') return ['community', 'grid']
  return ['grid']
}

type Filter = NonNullable<SymbolLayerSpecification['filter']>

export interface LabelScope {
  /**
   * The map's zoom now. MapLibre evaluates `['zoom']` in a filter at the tile's whole zoom (13 at
   * 13.98: a name would need twice the room it should), so a map that knows its zoom (a wall's
   * scene, the leader map after each zoom) sets it as a number; without it, the whole zoom.
   */
  zoom?: number
  /**
   * Only the names of what lies in this unit, itself included: a wall's street scene names its
   * street and its communities, not the neighbours', whose names would take its place.
   */
  within?: string
  /** Only this unit's children (the leader map's clickable units). */
  parentId?: string
}

/** Which of a level's names a map shows (see `LabelScope`). */
export function labelFilter(level: LabelLevel, scope: LabelScope = {}): Filter {
  const fits = scope.zoom === undefined ? ['>=', ['zoom'], ['get', 'minzoom']] : ['<=', ['get', 'minzoom'], scope.zoom]
  const filter: unknown[] = ['all', ['==', ['get', 'level'], level], fits]
  if (scope.within !== undefined) {
    filter.push(['any', ['==', ['get', 'id'], scope.within], ['==', ['get', 'street'], scope.within], ['==', ['get', 'community'], scope.within]])
  }
  if (scope.parentId !== undefined) filter.push(['==', ['get', 'parentId'], scope.parentId])
  return filter as Filter
}
