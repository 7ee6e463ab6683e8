import type { BasemapConfig } from '../api'
import { LAYER_IDS, SOURCE_IDS } from './layer-ids'
import type { FillLayerSpecification, LayerSpecification, SourceSpecification, StyleSpecification } from './spec'

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
 * works), with the project's layers added on top once it loads; the offline style otherwise. A
 * PMTiles base map starts from the offline style too: its layers (`buildPmtilesBasemap`) are put
 * under the project's once the archive's header has been read.
 */
export function buildMapStyle(basemap: BasemapConfig | null | undefined, origin: string): StyleSpecification | string {
  if (basemap && 'style' in basemap) return new URL(basemap.style, origin).href
  return buildOfflineStyle()
}

// ---- a local PMTiles archive ---------------------------------------------------------------------

/** What the style needs of an archive: its URL, and from its header and metadata what it holds. */
export interface PmtilesArchive {
  /** Absolute URL of the archive on this server. */
  url: string
  tileType: 'mvt' | 'png' | 'jpg' | 'webp' | 'other'
  minZoom: number
  maxZoom: number
  bounds: [number, number, number, number]
  /** Vector archives: the ids of the metadata's `vector_layers`. */
  vectorLayers: string[]
}

/** PMTiles v3 tile types (header byte 99). */
const TILE_TYPES: Record<number, PmtilesArchive['tileType']> = { 1: 'mvt', 2: 'png', 3: 'jpg', 4: 'webp' }

/** The archive as the style sees it, from pmtiles' `getHeader()` and `getMetadata()`. */
export function pmtilesArchiveOf(
  url: string,
  header: { tileType: number; minZoom: number; maxZoom: number; minLon: number; minLat: number; maxLon: number; maxLat: number },
  metadata: unknown,
): PmtilesArchive {
  const layers = (metadata as { vector_layers?: unknown } | null)?.vector_layers
  const vectorLayers = Array.isArray(layers) ? layers.flatMap((l: unknown) => (typeof (l as { id?: unknown })?.id === 'string' ? [(l as { id: string }).id] : [])) : []
  const valid = header.minLon < header.maxLon && header.minLat < header.maxLat
  return {
    url,
    tileType: TILE_TYPES[header.tileType] ?? 'other',
    minZoom: header.minZoom,
    maxZoom: header.maxZoom,
    bounds: valid ? [header.minLon, header.minLat, header.maxLon, header.maxLat] : [-180, -85.051129, 180, 85.051129],
    vectorLayers,
  }
}

/** The wall's dark theme for vector base maps: quiet enough that the coloured grids stay readable. */
export const BASEMAP_COLORS = {
  land: '#111c2e',
  landLine: '#22324a',
  water: '#0c2239',
  waterLine: '#164066',
  building: '#182538',
  road: '#2c3e58',
} as const

type Theme = { fill: string | null; line: string; width: number }

function themeOf(layerId: string): Theme {
  const id = layerId.toLowerCase()
  if (/water|ocean|sea|lake|river|hydro/.test(id)) return { fill: BASEMAP_COLORS.water, line: BASEMAP_COLORS.waterLine, width: 0.8 }
  if (/road|street|transport|highway|rail|path/.test(id)) return { fill: null, line: BASEMAP_COLORS.road, width: 1.2 }
  if (/building/.test(id)) return { fill: BASEMAP_COLORS.building, line: BASEMAP_COLORS.landLine, width: 0.4 }
  return { fill: BASEMAP_COLORS.land, line: BASEMAP_COLORS.landLine, width: 0.6 }
}

type Filter = NonNullable<FillLayerSpecification['filter']>
const isType = (...types: string[]): Filter => ['match', ['geometry-type'], types, true, false]

/**
 * The base map's source and layers, drawn under the project's: raster tiles as one image layer;
 * vector tiles as a fill (polygons) and a line (lines and outlines) per layer of the metadata's
 * `vector_layers`, in the wall's dark theme. Tiles are read through the `pmtiles://` protocol.
 */
export function buildPmtilesBasemap(archive: PmtilesArchive): { source: SourceSpecification; layers: LayerSpecification[] } {
  const tiles = [`pmtiles://${archive.url}/{z}/{x}/{y}`]
  const range = { minzoom: archive.minZoom, maxzoom: archive.maxZoom, bounds: archive.bounds }
  if (archive.tileType === 'mvt') {
    const layers: LayerSpecification[] = []
    for (const id of archive.vectorLayers) {
      const theme = themeOf(id)
      if (theme.fill) {
        layers.push({
          id: `${LAYER_IDS.basemap}-${id}-fill`,
          type: 'fill',
          source: SOURCE_IDS.basemap,
          'source-layer': id,
          filter: isType('Polygon', 'MultiPolygon'),
          paint: { 'fill-color': theme.fill, 'fill-opacity': 0.9 },
        })
      }
      layers.push({
        id: `${LAYER_IDS.basemap}-${id}-line`,
        type: 'line',
        source: SOURCE_IDS.basemap,
        'source-layer': id,
        filter: theme.fill ? isType('Polygon', 'MultiPolygon', 'LineString', 'MultiLineString') : isType('LineString', 'MultiLineString'),
        paint: { 'line-color': theme.line, 'line-width': theme.width },
      })
    }
    return { source: { type: 'vector', tiles, ...range }, layers }
  }
  if (archive.tileType === 'other') return { source: { type: 'raster', tiles, ...range }, layers: [] }
  // Raster archives are nearly always 256-pixel tiles (converted from MBTiles or an XYZ service).
  return {
    source: { type: 'raster', tiles, tileSize: 256, ...range },
    layers: [{ id: LAYER_IDS.basemap, type: 'raster', source: SOURCE_IDS.basemap }],
  }
}
