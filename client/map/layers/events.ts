import type { Priority } from '../../../shared/domain'
import { IMAGE_PREFIX, LAYER_IDS, SOURCE_IDS } from '../layer-ids'
import type { CircleLayerSpecification, LineLayerSpecification, SymbolLayerSpecification } from '../spec'

export const PRIORITY_COLORS: Readonly<Record<Priority, string>> = {
  urgent: '#ef4444',
  utilities: '#f59e0b',
  general: '#38bdf8',
  complex: '#a78bfa',
}
export const ALERT_COLOR = '#ff3dbb'
export const WORKER_COLOR = '#34d399'
export const CLUSTER_COLOR = '#0ea5e9'
/** A cluster that holds an urgent request: red, so an urgent case is not lost in a count. */
export const CLUSTER_URGENT_COLOR = PRIORITY_COLORS.urgent
/** Cluster sizes by count: [radius below 10, from 10, from 50] in CSS px. */
export const CLUSTER_RADII = [15, 19, 24] as const

/** Radius growing with zoom: readable from across the room at district scale, not blobs up close. */
const radius = (atDistrict: number, atGrid: number) => ['interpolate', ['linear'], ['zoom'], 10, atDistrict, 16, atGrid] as ['interpolate', ['linear'], ['zoom'], number, number, number, number]

const clustered = ['has', 'point_count'] as ['has', string]
const single = ['!', ['has', 'point_count']] as ['!', ['has', string]]

export type EventLayerSpecification = CircleLayerSpecification | LineLayerSpecification | SymbolLayerSpecification

/**
 * Bottom to top: worker trails and positions, request clusters with their counts, single requests
 * by priority, camera alerts largest and on top, each with the icon of its kind.
 */
export function buildEventLayers(): EventLayerSpecification[] {
  return [
    {
      id: LAYER_IDS.trails,
      type: 'line',
      source: SOURCE_IDS.trails,
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': WORKER_COLOR, 'line-width': 2, 'line-opacity': 0.55 },
    },
    {
      id: LAYER_IDS.workers,
      type: 'circle',
      source: SOURCE_IDS.workers,
      paint: {
        'circle-color': WORKER_COLOR,
        'circle-radius': radius(2.5, 5),
        'circle-opacity': ['case', ['get', 'online'], 0.9, 0.3],
      },
    },
    {
      id: LAYER_IDS.requestClusters,
      type: 'circle',
      source: SOURCE_IDS.requests,
      filter: clustered,
      paint: {
        // `urgent` is summed over the cluster's requests (`buildRequestsSource`).
        'circle-color': ['case', ['>', ['get', 'urgent'], 0], CLUSTER_URGENT_COLOR, CLUSTER_COLOR],
        'circle-opacity': 0.92,
        'circle-radius': ['step', ['get', 'point_count'], CLUSTER_RADII[0], 10, CLUSTER_RADII[1], 50, CLUSTER_RADII[2]],
        'circle-stroke-color': '#e0f2fe',
        'circle-stroke-width': 2,
      },
    },
    {
      id: LAYER_IDS.requestClusterCounts,
      type: 'symbol',
      source: SOURCE_IDS.requests,
      filter: clustered,
      layout: {
        'icon-image': ['concat', IMAGE_PREFIX.count, ['to-string', ['get', 'point_count']]],
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
      },
    },
    {
      id: LAYER_IDS.requests,
      type: 'circle',
      source: SOURCE_IDS.requests,
      filter: single,
      paint: {
        'circle-color': [
          'match',
          ['get', 'priority'],
          'urgent',
          PRIORITY_COLORS.urgent,
          'utilities',
          PRIORITY_COLORS.utilities,
          'complex',
          PRIORITY_COLORS.complex,
          PRIORITY_COLORS.general,
        ],
        'circle-radius': radius(5, 9),
        'circle-stroke-color': '#0b1320',
        'circle-stroke-width': 1.5,
      },
    },
    {
      id: LAYER_IDS.alertHalos,
      type: 'circle',
      source: SOURCE_IDS.alerts,
      paint: {
        'circle-color': ALERT_COLOR,
        'circle-opacity': 0.25,
        'circle-radius': radius(20, 28),
        'circle-stroke-color': ALERT_COLOR,
        'circle-stroke-width': 1.5,
      },
    },
    {
      id: LAYER_IDS.alerts,
      type: 'symbol',
      source: SOURCE_IDS.alerts,
      layout: {
        'icon-image': ['concat', IMAGE_PREFIX.alert, ['get', 'alertKind']],
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
      },
    },
  ]
}
