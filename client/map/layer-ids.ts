// Every source and layer id in one place, so the builders, the map code and the browser tests agree.

export const SOURCE_IDS = {
  grids: 'grids',
  heat: 'heat',
  labels: 'labels',
  trails: 'trails',
  workers: 'workers',
  requests: 'requests',
  alerts: 'alerts',
  hotspots: 'hotspots',
  basemap: 'basemap',
} as const

export const LAYER_IDS = {
  background: 'background',
  basemap: 'basemap',
  gridFill: 'grids-fill',
  heat: 'heat',
  gridLine: 'grids-line',
  communityLine: 'communities-line',
  streetLine: 'streets-line',
  sceneLine: 'scene-line',
  hotspotRings: 'hotspots-rings',
  hotspotCounts: 'hotspots-counts',
  gridLabels: 'labels-grids',
  communityLabels: 'labels-communities',
  streetLabels: 'labels-streets',
  trails: 'events-trails',
  workers: 'events-workers',
  requestClusters: 'events-request-clusters',
  requestClusterCounts: 'events-request-cluster-counts',
  requests: 'events-requests',
  alertHalos: 'events-alert-halos',
  alerts: 'events-alerts',
} as const

/** The layers that draw live events, bottom to top. */
export const EVENT_LAYER_IDS = [
  LAYER_IDS.trails,
  LAYER_IDS.workers,
  LAYER_IDS.requestClusters,
  LAYER_IDS.requestClusterCounts,
  LAYER_IDS.requests,
  LAYER_IDS.alertHalos,
  LAYER_IDS.alerts,
] as const

/** Image ids: drawn on a canvas in the browser (no sprite, no glyphs), see `images.ts`. */
export const IMAGE_PREFIX = {
  alert: 'alert:',
  label: 'label:',
  count: 'count:',
} as const
