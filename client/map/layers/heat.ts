import { LAYER_IDS, SOURCE_IDS } from '../layer-ids'
import type { HeatmapLayerSpecification } from '../spec'

/** Requests of the last 24 h as a heat haze over the grid colours, fading as the map zooms in. */
export function buildHeatLayer(): HeatmapLayerSpecification {
  return {
    id: LAYER_IDS.heat,
    type: 'heatmap',
    source: SOURCE_IDS.heat,
    paint: {
      'heatmap-weight': 1,
      'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 9, 0.5, 15, 1.5],
      'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 9, 10, 12, 22, 15, 40],
      'heatmap-opacity': ['interpolate', ['linear'], ['zoom'], 10, 0.7, 16, 0.35],
      'heatmap-color': [
        'interpolate',
        ['linear'],
        ['heatmap-density'],
        0,
        'rgba(0, 0, 0, 0)',
        0.15,
        'rgba(103, 232, 249, 0.35)',
        0.4,
        'rgba(250, 204, 21, 0.6)',
        0.7,
        'rgba(251, 146, 60, 0.8)',
        1,
        'rgba(239, 68, 68, 0.9)',
      ],
    },
  }
}
