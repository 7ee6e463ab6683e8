import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { DISTRICT_ID } from '../../shared/domain'
import { buildSampleGeography } from '../../shared/sample-geography'
import type { Geography } from '../../shared/schemas/geography'
import { GEOGRAPHY_URL, useGeographyStore } from '../../client/stores/geography'

function sampleGeography(): Geography {
  return {
    type: 'FeatureCollection',
    features: buildSampleGeography().map((u) => ({
      type: 'Feature',
      id: u.id,
      properties: { id: u.id, level: u.level, parentId: u.parentId, name: u.name, population: u.population, households: u.households },
      geometry: u.geometry,
    })),
  }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('useGeographyStore', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
  })

  it('loads the geography once and answers by id and level', async () => {
    const geography = sampleGeography()
    const fetchMock = vi.fn(async () => json(geography))
    const store = useGeographyStore()
    expect(store.$id).toBe('geography')

    await Promise.all([store.load(fetchMock), store.load(fetchMock)])
    await store.load(fetchMock)
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(fetchMock.mock.calls[0]).toEqual([GEOGRAPHY_URL, expect.anything()])
    expect(store.status).toBe('ready')

    expect(store.district?.name).toBe('金凤区')
    expect(store.district?.id).toBe(DISTRICT_ID)
    expect(store.streets.map((s) => s.name)).toContain('良田镇')
    expect(store.streets).toHaveLength(8)
    const gridCount = geography.features.filter((f) => f.properties.level === 'grid').length
    expect(store.grids).toHaveLength(gridCount)
    const grid = store.grids[0]
    expect(store.unit(grid.id)?.name).toMatch(/网格$/)
    expect(store.feature(grid.id)?.geometry.type).toBe('Polygon')
    expect(store.unit('nope')).toBeUndefined()
  })

  it('records a failed load and can try again', async () => {
    const store = useGeographyStore()
    await store.load(async () => json({ error: 'x' }, 503))
    expect(store.status).toBe('error')
    expect(store.error).toContain('503')
    expect(store.grids).toEqual([])

    await store.load(async () => json(sampleGeography()))
    expect(store.status).toBe('ready')
    expect(store.error).toBeNull()
  })

  it('rejects a body that is not a FeatureCollection', async () => {
    const store = useGeographyStore()
    await store.load(async () => json({ type: 'Feature' }))
    expect(store.status).toBe('error')
  })
})
