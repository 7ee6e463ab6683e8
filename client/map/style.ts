import type { BasemapConfig } from '../api'
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

/**
 * The map's style: a configured base map's style URL (resolved against the page, so `/basemap/…`
 * works), with the project's layers added on top once it loads; the offline style otherwise.
 */
export function buildMapStyle(basemap: BasemapConfig | null | undefined, origin: string): StyleSpecification | string {
  if (basemap?.style) return new URL(basemap.style, origin).href
  return buildOfflineStyle()
}
