// Recurring hotspots: a ring of the hotspot's radius around its centre, with its count in it. The
// ring is its true ground size where that is large enough to see, and never smaller than
// HOTSPOT_MIN_RING_PX (a 50 m ring is 3 px at the district's zoom: a wall is read from 5 m).
import { IMAGE_PREFIX, LAYER_IDS, SOURCE_IDS } from '../layer-ids'
import type { CircleLayerSpecification, SymbolLayerSpecification } from '../spec'

type CircleRadius = NonNullable<NonNullable<CircleLayerSpecification['paint']>['circle-radius']>

export const HOTSPOT_COLOR = '#fde047'
/** The wall rings the largest this many (the reply is largest first): a district of rings read from 5 m is no map. */
export const WALL_HOTSPOT_LIMIT = 50
/** The smallest ring drawn, in CSS px: room for a two-digit count inside. */
export const HOTSPOT_MIN_RING_PX = 18
/** How far the count sits from the ring's centre (right and up), in CSS px. */
export const HOTSPOT_COUNT_OFFSET_PX = 10
/** Zooms at which the ring's size is computed; MapLibre interpolates (base 2) between them. */
const ZOOMS = [8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20] as const

/** The ring's radius in px at a zoom: the ground radius over metres per pixel there, at least the minimum. */
export function hotspotRingRadius(radiusM: number, metresPerPixelZ0: number, zoom: number): number {
  return Math.max(HOTSPOT_MIN_RING_PX, (radiusM * 2 ** zoom) / metresPerPixelZ0)
}

function ringRadiusExpression(): CircleRadius {
  const stops: unknown[] = []
  for (const z of ZOOMS) {
    stops.push(z, ['max', HOTSPOT_MIN_RING_PX, ['/', ['*', ['get', 'radiusM'], 2 ** z], ['get', 'metresPerPixelZ0']]])
  }
  return ['interpolate', ['exponential', 2], ['zoom'], ...stops] as unknown as CircleRadius
}

/** The ring (under the live markers) and its count (drawn with the cluster counts' image). */
export function buildHotspotLayers(): [CircleLayerSpecification, SymbolLayerSpecification] {
  return [
    {
      id: LAYER_IDS.hotspotRings,
      type: 'circle',
      source: SOURCE_IDS.hotspots,
      paint: {
        'circle-color': HOTSPOT_COLOR,
        'circle-opacity': 0.16,
        'circle-radius': ringRadiusExpression(),
        'circle-stroke-color': HOTSPOT_COLOR,
        'circle-stroke-width': 3,
        'circle-pitch-alignment': 'map',
      },
    },
    {
      id: LAYER_IDS.hotspotCounts,
      type: 'symbol',
      source: SOURCE_IDS.hotspots,
      layout: {
        'icon-image': ['concat', IMAGE_PREFIX.count, ['to-string', ['get', 'count']]],
        // Beside the centre, up and to the right: open requests cluster where a place recurs,
        // and their count badge sits on the centre itself.
        'icon-anchor': 'bottom-left',
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
      },
      paint: { 'icon-translate': [HOTSPOT_COUNT_OFFSET_PX, -HOTSPOT_COUNT_OFFSET_PX] },
    },
  ]
}
