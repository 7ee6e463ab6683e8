import type { Map as MapLibreMap } from 'maplibre-gl'

declare global {
  interface Window {
    /** The wall's map, for browser tests and console debugging (set by `useMap`). */
    __outpostMap?: MapLibreMap
  }
}

export {}
