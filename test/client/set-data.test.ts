import type { GeoJSON } from 'geojson'
import { describe, expect, it } from 'vitest'
import { setSourceData } from '../../client/map/set-data'

describe('setSourceData', () => {
  const data: GeoJSON = { type: 'FeatureCollection', features: [] }

  it('hands the data to an existing GeoJSON source', () => {
    const received: unknown[] = []
    const sources: Record<string, unknown> = { points: { setData: (d: unknown) => received.push(d) } }
    expect(setSourceData({ getSource: (id) => sources[id] }, 'points', data)).toBe(true)
    expect(received).toEqual([data])
  })

  it('says false, touching nothing, for a missing source, one without setData, or no map', () => {
    const sources: Record<string, unknown> = { raster: { tiles: [] } }
    const map = { getSource: (id: string) => sources[id] }
    expect(setSourceData(map, 'points', data)).toBe(false)
    expect(setSourceData(map, 'raster', data)).toBe(false)
    expect(setSourceData(null, 'points', data)).toBe(false)
  })
})
