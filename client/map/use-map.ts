import 'maplibre-gl/dist/maplibre-gl.css'
import { Map as MapLibreMap, setWorkerUrl, type MapOptions } from 'maplibre-gl'
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'
import { markRaw, onBeforeUnmount, onMounted, ref, shallowRef, type Ref } from 'vue'
import { buildOfflineStyle } from './style'

// Vite does not put MapLibre's worker next to its script; without this `load` never fires.
setWorkerUrl(workerUrl)

/** Where the sample district lies, so the first frame is not the whole world. */
const INITIAL_VIEW = { center: [106.175, 38.46] as [number, number], zoom: 9.5 }

/**
 * Creates the MapLibre map on mount and removes it on unmount. The map is held outside Vue's
 * reactivity (markRaw in a shallowRef): proxying it would be slow and break its internals.
 * The instance is also put on `window.__outpostMap`, and `<html data-map-loaded="true">` is set on
 * its `load`, for the browser tests and for debugging a wall from the console.
 */
export function useMap(container: Readonly<Ref<HTMLElement | null>>, options: Partial<MapOptions> = {}) {
  const map = shallowRef<MapLibreMap | null>(null)
  const loaded = ref(false)

  onMounted(() => {
    const element = container.value
    if (!element) throw new Error('useMap: the container is not mounted')
    const instance = markRaw(
      new MapLibreMap({
        container: element,
        style: buildOfflineStyle(),
        attributionControl: false,
        ...INITIAL_VIEW,
        ...options,
      }),
    )
    instance.once('load', () => {
      loaded.value = true
      document.documentElement.dataset.mapLoaded = 'true'
    })
    window.__outpostMap = instance
    map.value = instance
  })

  onBeforeUnmount(() => {
    const instance = map.value
    if (!instance) return
    if (window.__outpostMap === instance) delete window.__outpostMap
    delete document.documentElement.dataset.mapLoaded
    loaded.value = false
    map.value = null
    instance.remove()
  })

  return { map, loaded }
}
