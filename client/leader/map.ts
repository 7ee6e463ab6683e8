// The leader map's own layers, with the shared grid outlines (client/map): a clickable fill for the
// children of the unit on screen coloured by the ranking figure (feature state `value`/`thin`, see
// scales.ts), the unit's outline, the open requests of the unit as dots by priority, and (on a
// grid's page) its workers and open alerts. Pure builders; the filters change with `setFilter` on a
// drill and the colours with `setPaintProperty`, never by re-creating layers.
import type { Feature, FeatureCollection, Point } from 'geojson'
import type { Priority } from '../../shared/domain'
import { SOURCE_IDS } from '../map/layer-ids'
import { PRIORITY_COLORS } from '../map/layers/events'
import type { CircleLayerSpecification, ColorValue, FillLayerSpecification, GeoJSONSourceSpecification, LineLayerSpecification } from '../map/spec'
import type { AlertItem, RequestListItem, WorkerItem } from './api'
import { shadeExpression, type LeaderScale } from './scales'

export const LEADER_SOURCE_IDS = { points: 'leader-points', requests: 'leader-requests' } as const

export const LEADER_LAYER_IDS = {
  children: 'leader-children-fill',
  selected: 'leader-selected-line',
  requests: 'leader-requests',
  points: 'leader-points',
} as const

/** The fills are nearly opaque, so each legend swatch reads as itself; hover lifts to fully opaque. */
export const CHILD_FILL_OPACITY = 0.85

export { PRIORITY_COLORS }

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

export function childrenColour(scale: LeaderScale): ColorValue {
  return shadeExpression(scale) as unknown as ColorValue
}

/** The children's fill (to go under the outlines) and the unit's outline (on top). */
export function buildLeaderUnitLayers(unitId: string, scale: LeaderScale): [FillLayerSpecification, LineLayerSpecification] {
  return [
    {
      id: LEADER_LAYER_IDS.children,
      type: 'fill',
      source: SOURCE_IDS.grids,
      filter: childrenFilter(unitId),
      paint: {
        'fill-color': childrenColour(scale),
        'fill-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 1, CHILD_FILL_OPACITY],
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

export function buildRequestsSource(): GeoJSONSourceSpecification {
  return { type: 'geojson', data: { type: 'FeatureCollection', features: [] } }
}

export interface RequestPointProperties {
  id: string
  priority: Priority
}

/** The open requests that have a position, as dots; urgent ones last, so they are drawn on top. */
export function buildRequestsData(items: readonly RequestListItem[]): FeatureCollection<Point, RequestPointProperties> {
  const rank = (p: Priority) => (p === 'urgent' ? 1 : 0)
  return {
    type: 'FeatureCollection',
    features: items
      .filter((r) => r.lon !== undefined && r.lat !== undefined)
      .sort((a, b) => rank(a.priority) - rank(b.priority))
      .map((r) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [r.lon!, r.lat!] }, properties: { id: r.id, priority: r.priority } })),
  }
}

export function buildRequestsLayer(): CircleLayerSpecification {
  return {
    id: LEADER_LAYER_IDS.requests,
    type: 'circle',
    source: LEADER_SOURCE_IDS.requests,
    paint: {
      'circle-color': ['match', ['get', 'priority'], 'urgent', PRIORITY_COLORS.urgent, 'utilities', PRIORITY_COLORS.utilities, 'complex', PRIORITY_COLORS.complex, PRIORITY_COLORS.general],
      // Small at a district's scale, where hundreds sit in a few streets; larger as the unit narrows.
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 2.2, 12, 3.5, 16, 7],
      'circle-stroke-color': '#0b1320',
      'circle-stroke-width': 1,
    },
  }
}
