import 'maplibre-gl/dist/maplibre-gl.css'
import { Map as MapLibreMap, addProtocol, setWorkerUrl, type MapOptions } from 'maplibre-gl'
import type { PMTiles, Protocol } from 'pmtiles'
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'
import { markRaw, onBeforeUnmount, onMounted, ref, shallowRef, type Ref } from 'vue'
import { buildOfflineStyle } from './style'

// Vite does not put MapLibre's worker next to its script; without this `load` never fires.
setWorkerUrl(workerUrl)

/**
 * The first frame when the caller knows nothing yet: the whole world, over the plain background.
 * A caller that already has its geography passes `bounds` (a MapLibre option), which wins; every
 * map is framed on its unit once its layers are in place, wherever its district lies.
 */
const INITIAL_VIEW = { center: [0, 20] as [number, number], zoom: 1 }

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

let pmtilesProtocol: Promise<{ protocol: Protocol; PMTiles: typeof PMTiles }> | undefined

/**
 * Opens a PMTiles archive (an absolute URL on this server) and lets MapLibre read its tiles as
 * `pmtiles://<url>/{z}/{x}/{y}`: the `pmtiles` protocol is registered once, and the archive is
 * shared with it, so the header and directories are fetched once. pmtiles is loaded only by a
 * wall that has such a base map.
 */
export async function openPmtiles(url: string): Promise<PMTiles> {
  pmtilesProtocol ??= import('pmtiles').then(({ PMTiles, Protocol }) => {
    const protocol = new Protocol()
    addProtocol('pmtiles', protocol.tile)
    return { protocol, PMTiles }
  })
  const { protocol, PMTiles: Archive } = await pmtilesProtocol
  const existing = protocol.get(url)
  if (existing) return existing
  const archive = new Archive(url)
  protocol.add(archive)
  return archive
}
