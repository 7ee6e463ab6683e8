import type { GeoJSON } from 'geojson'

interface GeoJSONSourceLike {
  setData(data: GeoJSON): unknown
}

/** What `setSourceData` needs of a map: MapLibre's `getSource` (a test passes a fake). */
export interface SourceHolder {
  getSource(id: string): unknown
}

/**
 * Live data goes through `setData` on an existing GeoJSON source, never by re-creating it.
 * False when the map has no such source (yet): the caller adds it, or waits for its layers.
 */
export function setSourceData(map: SourceHolder | null | undefined, id: string, data: GeoJSON): boolean {
  const source = map?.getSource(id) as Partial<GeoJSONSourceLike> | undefined
  if (typeof source?.setData !== 'function') return false
  source.setData(data)
  return true
}
