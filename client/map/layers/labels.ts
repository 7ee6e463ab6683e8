import { LAYER_IDS, SOURCE_IDS } from '../layer-ids'
import type { SymbolLayerSpecification } from '../spec'

/** Community names appear from this zoom on (a street scene); street names always. */
export const COMMUNITY_LABEL_MINZOOM = 12.2

/**
 * Names as icons: each is a canvas-drawn image (`images.ts`) so no glyph file is needed. Street
 * names are placed first (the layer above wins), and labels that would collide are left out.
 */
export function buildLabelLayers(): SymbolLayerSpecification[] {
  const layer = (id: string, level: string, minzoom = 0): SymbolLayerSpecification => ({
    id,
    type: 'symbol',
    source: SOURCE_IDS.labels,
    filter: ['==', ['get', 'level'], level],
    minzoom,
    layout: {
      'icon-image': ['get', 'image'],
      'icon-allow-overlap': false,
      'icon-ignore-placement': false,
      'icon-padding': 4,
    },
  })
  return [layer(LAYER_IDS.communityLabels, 'community', COMMUNITY_LABEL_MINZOOM), layer(LAYER_IDS.streetLabels, 'street')]
}
