// Every source and layer id in one place, so the builders, the map code and the browser tests agree.

export const SOURCE_IDS = {
  grids: 'grids',
  events: 'events',
} as const

export const LAYER_IDS = {
  background: 'background',
  gridFill: 'grids-fill',
  gridLine: 'grids-line',
  communityLine: 'communities-line',
  streetLine: 'streets-line',
  workers: 'events-workers',
  requests: 'events-requests',
  alerts: 'events-alerts',
} as const

/** The layers that draw live events, bottom to top. */
export const EVENT_LAYER_IDS = [LAYER_IDS.workers, LAYER_IDS.requests, LAYER_IDS.alerts] as const
