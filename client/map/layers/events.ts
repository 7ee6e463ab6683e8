import type { Priority } from '../../../shared/domain'
import { LAYER_IDS, SOURCE_IDS } from '../layer-ids'
import type { CircleLayerSpecification } from '../spec'

export const PRIORITY_COLORS: Readonly<Record<Priority, string>> = {
  urgent: '#ef4444',
  utilities: '#f59e0b',
  general: '#38bdf8',
  complex: '#a78bfa',
}
export const ALERT_COLOR = '#ff3dbb'
export const WORKER_COLOR = '#34d399'

const kind = (name: string) => ['==', ['get', 'kind'], name] as ['==', ['get', string], string]

/** Radius growing with zoom: readable from across the room at district scale, not blobs up close. */
const radius = (atDistrict: number, atGrid: number) => ['interpolate', ['linear'], ['zoom'], 10, atDistrict, 16, atGrid] as ['interpolate', ['linear'], ['zoom'], number, number, number, number]

/** Workers small at the bottom, requests by priority, camera alerts largest on top. */
export function buildEventLayers(): CircleLayerSpecification[] {
  return [
    {
      id: LAYER_IDS.workers,
      type: 'circle',
      source: SOURCE_IDS.events,
      filter: kind('worker'),
      paint: {
        'circle-color': WORKER_COLOR,
        'circle-radius': radius(2.5, 5),
        'circle-opacity': ['case', ['get', 'online'], 0.9, 0.3],
      },
    },
    {
      id: LAYER_IDS.requests,
      type: 'circle',
      source: SOURCE_IDS.events,
      filter: kind('request'),
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
        'circle-radius': radius(4.5, 9),
        'circle-stroke-color': '#0b1320',
        'circle-stroke-width': 1,
      },
    },
    {
      id: LAYER_IDS.alerts,
      type: 'circle',
      source: SOURCE_IDS.events,
      filter: kind('alert'),
      paint: {
        'circle-color': ALERT_COLOR,
        'circle-radius': radius(8, 14),
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
  ]
}
