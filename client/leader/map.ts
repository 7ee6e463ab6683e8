// The leader map's own layers, on top of the shared grid outlines (client/map): a clickable fill
// for the children of the unit on screen, the unit's outline, and (on a grid's page) its workers
// and open alerts. Pure builders; the filters change with `setFilter` on a drill, never by
// re-creating layers.
import type { Feature, FeatureCollection, Point } from 'geojson'
import { SOURCE_IDS } from '../map/layer-ids'
import type { CircleLayerSpecification, FillLayerSpecification, GeoJSONSourceSpecification, LineLayerSpecification } from '../map/spec'
import type { AlertItem, WorkerItem } from './api'

export const LEADER_SOURCE_IDS = { points: 'leader-points' } as const

export const LEADER_LAYER_IDS = {
  children: 'leader-children-fill',
  selected: 'leader-selected-line',
  points: 'leader-points',
} as const

export const LEADER_COLOURS = {
  child: '#38bdf8',
  selected: '#fbbf24',
  worker: '#22c55e',
  alert: '#f43f5e',
} as const

type Filter = NonNullable<FillLayerSpecification['filter']>

export function childrenFilter(unitId: string): Filter {
  return ['==', ['get', 'parentId'], unitId] as Filter
}

export function selectedFilter(unitId: string): Filter {
  return ['==', ['get', 'id'], unitId] as Filter
}

export function buildLeaderUnitLayers(unitId: string): [FillLayerSpecification, LineLayerSpecification] {
  return [
    {
      id: LEADER_LAYER_IDS.children,
      type: 'fill',
      source: SOURCE_IDS.grids,
      filter: childrenFilter(unitId),
      paint: {
        'fill-color': LEADER_COLOURS.child,
        'fill-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 0.4, 0.12],
        'fill-outline-color': LEADER_COLOURS.child,
      },
    },
    {
      id: LEADER_LAYER_IDS.selected,
      type: 'line',
      source: SOURCE_IDS.grids,
      filter: selectedFilter(unitId),
      paint: { 'line-color': LEADER_COLOURS.selected, 'line-width': 2.5 },
    },
  ]
}

export function buildPointsSource(): GeoJSONSourceSpecification {
  return { type: 'geojson', data: { type: 'FeatureCollection', features: [] } }
}

export type PointKind = 'worker' | 'alert'

/** Workers' last positions and open alerts as points; ids only, nothing about a person. */
export function buildPointsData(workers: readonly WorkerItem[], alerts: readonly AlertItem[]): FeatureCollection<Point, { kind: PointKind; id: string }> {
  const point = (kind: PointKind, id: string, lon: number, lat: number): Feature<Point, { kind: PointKind; id: string }> => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { kind, id },
  })
  return {
    type: 'FeatureCollection',
    features: [...workers.map((w) => point('worker', w.workerId, w.lon, w.lat)), ...alerts.map((a) => point('alert', a.alertId, a.lon, a.lat))],
  }
}

export function buildPointsLayer(): CircleLayerSpecification {
  return {
    id: LEADER_LAYER_IDS.points,
    type: 'circle',
    source: LEADER_SOURCE_IDS.points,
    paint: {
      'circle-radius': 6,
      'circle-color': ['match', ['get', 'kind'], 'alert', LEADER_COLOURS.alert, LEADER_COLOURS.worker],
      'circle-stroke-color': '#0b1320',
      'circle-stroke-width': 1.5,
    },
  }
}
