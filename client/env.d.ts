import type { Map as MapLibreMap } from 'maplibre-gl'
import type { LiveSocket } from './socket'

declare global {
  interface Window {
    /** The wall's map, for browser tests and console debugging (set by `useMap`). */
    __outpostMap?: MapLibreMap
    /** The wall's live socket, for console debugging (set by `useWallLive`). */
    __outpostSocket?: LiveSocket
  }
}

export {}
