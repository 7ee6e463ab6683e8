import { describe, expect, it } from 'vitest'
import { buildSampleGeography } from '../../shared/sample-geography'
import type { Geography } from '../../shared/schemas/geography'
import { polygonBounds } from '../../client/map/bounds'
import { EVENT_LAYER_IDS, LAYER_IDS, SOURCE_IDS } from '../../client/map/layer-ids'
import { ALERT_COLOR, PRIORITY_COLORS, buildEventLayers } from '../../client/map/layers/events'
import { buildGridLayers } from '../../client/map/layers/grids'
import { buildEventsData, buildEventsSource, eventFeatureId } from '../../client/map/sources/events'
import { buildGridsSource } from '../../client/map/sources/grids'
import { buildOfflineStyle } from '../../client/map/style'
import { WORKER_ONLINE_MS, type WorkerTrack } from '../../client/stores/live'
import { GRID, T0, openAlert, openRequest, worker } from './live-fixtures'

function track(id: string, at: number): WorkerTrack {
  const w = worker(id, { at })
  return { ...w, trail: [{ lon: w.lon, lat: w.lat, at }] }
}

describe('buildEventsData', () => {
  const now = T0 + 10 * 60_000
  const state = {
    openRequests: new Map([
      ['r1', openRequest('r1', { priority: 'urgent', category: 'noise', stage: 'onsite', lon: 106.1, lat: 38.4 })],
      ['r2', openRequest('r2', { priority: 'general' })],
    ]),
    alerts: new Map([['a1', openAlert('a1', { kind: 'smoke_fire', confidence: 0.93, lon: 106.2, lat: 38.5 })]]),
    workers: new Map([
      ['w1', track('w1', now - 60_000)],
      ['w2', track('w2', now - WORKER_ONLINE_MS - 1)],
    ]),
  }

  it('turns open requests, alerts and workers into points with their properties', () => {
    const fc = buildEventsData(state, now)
    expect(fc.type).toBe('FeatureCollection')
    expect(fc.features).toHaveLength(5)

    const r1 = fc.features.find((f) => f.id === 'request:r1')
    expect(r1?.geometry).toEqual({ type: 'Point', coordinates: [106.1, 38.4] })
    expect(r1?.properties).toEqual({ fid: 'request:r1', kind: 'request', id: 'r1', gridId: GRID, priority: 'urgent', category: 'noise', stage: 'onsite' })

    const a1 = fc.features.find((f) => f.id === 'alert:a1')
    expect(a1?.geometry.coordinates).toEqual([106.2, 38.5])
    expect(a1?.properties).toEqual({ fid: 'alert:a1', kind: 'alert', id: 'a1', gridId: GRID, alertKind: 'smoke_fire', confidence: 0.93 })

    const online = Object.fromEntries(fc.features.filter((f) => f.properties.kind === 'worker').map((f) => [f.properties.id, f.properties.kind === 'worker' && f.properties.online]))
    expect(online).toEqual({ w1: true, w2: false })
  })

  it('gives every feature a unique, stable id equal to its promoted fid', () => {
    const a = buildEventsData(state, now)
    const b = buildEventsData({ ...state, openRequests: new Map(state.openRequests) }, now)
    const ids = a.features.map((f) => f.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(b.features.map((f) => f.id)).toEqual(ids)
    for (const f of a.features) expect(f.id).toBe(f.properties.fid)
    // Ids are namespaced by kind, so a request and an alert with the same raw id never collide.
    expect(eventFeatureId('request', 'x')).not.toBe(eventFeatureId('alert', 'x'))
    expect(buildEventsSource().promoteId).toBe('fid')
  })

  it('carries no personal data and nothing the map cannot style', () => {
    const fc = buildEventsData(state, now)
    for (const f of fc.features) {
      for (const value of Object.values(f.properties)) expect(['string', 'number', 'boolean']).toContain(typeof value)
    }
  })

  it('returns an empty collection for empty state', () => {
    expect(buildEventsData({ openRequests: new Map(), alerts: new Map(), workers: new Map() }, now).features).toEqual([])
  })
})

describe('map style and layers', () => {
  it('the offline style reaches nothing outside: background only, no glyphs, sprite or URLs', () => {
    const style = buildOfflineStyle()
    expect(style.version).toBe(8)
    expect(style.glyphs).toBeUndefined()
    expect(style.sprite).toBeUndefined()
    expect(style.sources).toEqual({})
    expect(style.layers.map((l) => l.type)).toEqual(['background'])
    expect(JSON.stringify(style)).not.toMatch(/https?:|\/\//)
  })

  it('the grids source holds the geography, keyed by unit id', () => {
    const units = buildSampleGeography()
    const geography: Geography = {
      type: 'FeatureCollection',
      features: units.map((u) => ({
        type: 'Feature',
        id: u.id,
        properties: { id: u.id, level: u.level, parentId: u.parentId, name: u.name },
        geometry: { type: 'Polygon', coordinates: u.polygon },
      })),
    }
    const source = buildGridsSource(geography)
    expect(source.type).toBe('geojson')
    expect(source.promoteId).toBe('id')
    expect(source.data).toBe(geography)
  })

  it('draws street boundaries thicker than grid lines, all from the grids source', () => {
    const layers = buildGridLayers()
    expect(layers.every((l) => l.source === SOURCE_IDS.grids)).toBe(true)
    const byId = Object.fromEntries(layers.map((l) => [l.id, l]))
    const width = (id: string) => (byId[id] as { paint: { 'line-width': number } }).paint['line-width']
    expect(width(LAYER_IDS.streetLine)).toBeGreaterThan(width(LAYER_IDS.communityLine))
    expect(width(LAYER_IDS.communityLine)).toBeGreaterThan(width(LAYER_IDS.gridLine))
    expect(byId[LAYER_IDS.gridFill].type).toBe('fill')
    expect(byId[LAYER_IDS.gridFill].filter).toEqual(['==', ['get', 'level'], 'grid'])
  })

  it('draws events as circles: requests by priority, alerts distinct and larger, workers smallest', () => {
    const layers = buildEventLayers()
    expect(layers.map((l) => l.id)).toEqual([...EVENT_LAYER_IDS])
    expect(layers.every((l) => l.type === 'circle' && l.source === SOURCE_IDS.events)).toBe(true)
    const paint = Object.fromEntries(layers.map((l) => [l.id, l.paint ?? {}]))

    const requestColor = JSON.stringify(paint[LAYER_IDS.requests]['circle-color'])
    for (const color of Object.values(PRIORITY_COLORS)) expect(requestColor).toContain(color)
    expect(paint[LAYER_IDS.alerts]['circle-color']).toBe(ALERT_COLOR)
    expect(Object.values(PRIORITY_COLORS)).not.toContain(ALERT_COLOR)

    // Radii are zoom curves [interpolate, linear, zoom, z0, r0, z1, r1]: compare at both ends.
    const radii = (id: string) => (paint[id]['circle-radius'] as unknown[]).filter((_, i) => i === 4 || i === 6) as number[]
    for (const i of [0, 1]) {
      expect(radii(LAYER_IDS.alerts)[i]).toBeGreaterThan(radii(LAYER_IDS.requests)[i])
      expect(radii(LAYER_IDS.requests)[i]).toBeGreaterThan(radii(LAYER_IDS.workers)[i])
    }
  })

  it('polygonBounds gives west-south and east-north corners', () => {
    expect(
      polygonBounds([
        [
          [106.05, 38.28],
          [106.3, 38.28],
          [106.3, 38.64],
          [106.05, 38.64],
          [106.05, 38.28],
        ],
      ]),
    ).toEqual([
      [106.05, 38.28],
      [106.3, 38.64],
    ])
  })
})
