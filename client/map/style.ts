import { LAYER_IDS } from './layer-ids'
import type { StyleSpecification } from './spec'

export const MAP_BACKGROUND = '#0b1320'

/**
 * The default style: a background and nothing else. No glyphs, sprite or tile URLs, so the map
 * reaches nothing outside this server; the project's own sources are added once it loads.
 */
export function buildOfflineStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {},
    layers: [{ id: LAYER_IDS.background, type: 'background', paint: { 'background-color': MAP_BACKGROUND } }],
  }
}
