import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Geography, UnitProperties } from '../../shared/schemas/geography'
import { getJson, type FetchLike } from '../http'

export const GEOGRAPHY_URL = '/api/v1/geography'

export type GeographyFeature = Geography['features'][number]
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'

/**
 * The unit tree (区 → 街道/镇 → 社区/村 → 网格) as the server serves it. Loaded once: it changes
 * only when a center imports new grids, and a reload picks that up.
 */
export const useGeographyStore = defineStore('geography', () => {
  // Thousands of polygons: never deep-reactive.
  const collection = shallowRef<Geography | null>(null)
  const status = ref<LoadStatus>('idle')
  const error = ref<string | null>(null)
  let pending: Promise<void> | null = null

  const features = computed<readonly GeographyFeature[]>(() => collection.value?.features ?? [])
  const featuresById = computed(() => new Map(features.value.map((f) => [f.properties.id, f])))
  const grids = computed(() => features.value.filter((f) => f.properties.level === 'grid').map((f) => f.properties))
  const streets = computed(() => features.value.filter((f) => f.properties.level === 'street').map((f) => f.properties))
  const district = computed(() => features.value.find((f) => f.properties.level === 'district')?.properties ?? null)
  const childrenById = computed(() => {
    const index = new Map<string, UnitProperties[]>()
    for (const f of features.value) {
      const parent = f.properties.parentId
      if (parent === null) continue
      let list = index.get(parent)
      if (!list) index.set(parent, (list = []))
      list.push(f.properties)
    }
    return index
  })

  function children(id: string): readonly UnitProperties[] {
    return childrenById.value.get(id) ?? []
  }

  /** The unit itself (when of that level) or its descendants of `level`, in tree order. */
  function unitsUnder(id: string, level: UnitProperties['level']): UnitProperties[] {
    const root = unit(id)
    if (!root) return []
    const out: UnitProperties[] = []
    const visit = (u: UnitProperties) => {
      if (u.level === level) {
        out.push(u)
        return
      }
      for (const c of children(u.id)) visit(c)
    }
    visit(root)
    return out
  }

  /** The unit and its ancestors, the unit first. */
  function lineage(id: string): UnitProperties[] {
    const out: UnitProperties[] = []
    for (let u = unit(id); u; u = u.parentId === null ? undefined : unit(u.parentId)) out.push(u)
    return out
  }

  function unit(id: string): UnitProperties | undefined {
    return featuresById.value.get(id)?.properties
  }

  function feature(id: string): GeographyFeature | undefined {
    return featuresById.value.get(id)
  }

  function setGeography(geography: Geography): void {
    collection.value = geography
    status.value = 'ready'
    error.value = null
  }

  /** Fetches the geography once; later calls share the first request (or return at once). */
  function load(fetchImpl?: FetchLike): Promise<void> {
    if (status.value === 'ready') return Promise.resolve()
    pending ??= (async () => {
      status.value = 'loading'
      try {
        const body = await getJson<Geography>(GEOGRAPHY_URL, {}, { fetchImpl })
        if (body?.type !== 'FeatureCollection' || !Array.isArray(body.features)) {
          throw new Error(`GET ${GEOGRAPHY_URL}: not a FeatureCollection`)
        }
        setGeography(body)
      } catch (e) {
        status.value = 'error'
        error.value = e instanceof Error ? e.message : String(e)
      } finally {
        pending = null
      }
    })()
    return pending
  }

  return { collection, status, error, features, grids, streets, district, unit, feature, children, unitsUnder, lineage, setGeography, load }
})
