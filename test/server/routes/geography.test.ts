import { describe, expect, it } from 'vitest'
import { STREET_A, useTestApp } from '../../helpers/route-app'

const app = useTestApp()
const { post, seq } = app

describe('GET /api/v1/geography and /health', () => {
  it('GET /api/v1/geography is a FeatureCollection of every unit', async () => {
    const res = await app.t.inject({ method: 'GET', url: '/api/v1/geography' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('application/geo+json')
    const fc = res.json()
    expect(fc.type).toBe('FeatureCollection')
    expect(fc.features.length).toBe(app.t.geography.units.length)
    const street = fc.features.find((f: { id: string }) => f.id === STREET_A)
    expect(street.properties).toMatchObject({ id: STREET_A, level: 'street', parentId: '640106', name: '满城北街街道' })
    expect(street.properties.population).toBeGreaterThan(0)
    expect(street.geometry.type).toBe('Polygon')
  })

  it('GET /api/v1/health reports the last seq', async () => {
    expect(await seq()).toBe(0)
    await post('/api/v1/requests', { source: 'hotline', category: 'noise', priority: 'general', location: { lon: 106.2265, lat: 38.4867 } })
    expect(await seq()).toBe(1)
  })
})
