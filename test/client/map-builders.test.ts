import { polygonsOf } from '../../shared/domain'
import { describe, expect, it } from 'vitest'
import { buildSampleGeography } from '../../shared/sample-geography'
import type { Geography } from '../../shared/schemas/geography'
import { focusBounds, geometryBounds, polygonBounds } from '../../client/map/bounds'
import { EVENT_LAYER_IDS, IMAGE_PREFIX, LAYER_IDS, SOURCE_IDS } from '../../client/map/layer-ids'
import { ALERT_COLOR, PRIORITY_COLORS, buildEventLayers } from '../../client/map/layers/events'
import { buildGridLayers } from '../../client/map/layers/grids'
import { buildHeatLayer } from '../../client/map/layers/heat'
import { COMMUNITY_LABEL_MINZOOM, buildLabelLayers } from '../../client/map/layers/labels'
import {
  REQUEST_CLUSTER_MAX_ZOOM,
  buildAlertsData,
  buildPointSource,
  buildRequestsData,
  buildRequestsSource,
  buildTrailsData,
  buildWorkersData,
  eventFeatureId,
} from '../../client/map/sources/events'
import { buildGridsSource } from '../../client/map/sources/grids'
import { buildHeatData } from '../../client/map/sources/heat'
import { buildLabelsData, insideRing, labelPoint } from '../../client/map/sources/labels'
import { BASEMAP_COLORS, buildMapStyle, buildOfflineStyle, buildPmtilesBasemap, pmtilesArchiveOf } from '../../client/map/style'
import { displayTransform, identity, transformGeography } from '../../client/map/transform'
import { WORKER_ONLINE_MS, type WorkerTrack } from '../../client/stores/live'
import { GRID, T0, openAlert, openRequest, worker } from './live-fixtures'

function track(id: string, at: number, trail: [number, number][] = []): WorkerTrack {
  const w = worker(id, { at })
  return { ...w, trail: [...trail.map(([lon, lat], i) => ({ lon, lat, at: at - (trail.length - i) * 30_000 })), { lon: w.lon, lat: w.lat, at }] }
}

function sampleCollection(): Geography {
  return {
    type: 'FeatureCollection',
    features: buildSampleGeography().map((u) => ({
      type: 'Feature',
      id: u.id,
      properties: { id: u.id, level: u.level, parentId: u.parentId, name: u.name, ...(u.population ? { population: u.population } : {}) },
      geometry: u.geometry,
    })),
  }
}

describe('live point sources', () => {
  const now = T0 + 10 * 60_000
  const requests = new Map([
    ['r1', openRequest('r1', { priority: 'urgent', category: 'noise', stage: 'onsite', lon: 106.1, lat: 38.4 })],
    ['r2', openRequest('r2', { priority: 'general' })],
  ])
  const alerts = new Map([['a1', openAlert('a1', { kind: 'smoke_fire', confidence: 0.93, lon: 106.2, lat: 38.5 })]])
  const workers = new Map([
    ['w1', track('w1', now - 60_000, [[106.229, 38.449], [106.2295, 38.4495]])],
    ['w2', track('w2', now - WORKER_ONLINE_MS - 1, [[106.2295, 38.4495]])],
    ['w3', track('w3', now)],
  ])

  it('turns open requests, alerts and workers into points with their properties', () => {
    const r1 = buildRequestsData(requests).features.find((f) => f.id === 'request:r1')
    expect(r1?.geometry).toEqual({ type: 'Point', coordinates: [106.1, 38.4] })
    expect(r1?.properties).toEqual({ fid: 'request:r1', kind: 'request', id: 'r1', gridId: GRID, priority: 'urgent', category: 'noise', stage: 'onsite' })

    const [a1] = buildAlertsData(alerts).features
    expect(a1?.geometry.coordinates).toEqual([106.2, 38.5])
    expect(a1?.properties).toEqual({ fid: 'alert:a1', kind: 'alert', id: 'a1', gridId: GRID, alertKind: 'smoke_fire', confidence: 0.93 })

    const online = Object.fromEntries(buildWorkersData(workers, now).features.map((f) => [f.properties.id, f.properties.online]))
    expect(online).toEqual({ w1: true, w2: false, w3: true })
  })

  it('draws a short trail behind each online worker that has moved', () => {
    const trails = buildTrailsData(workers, now).features
    expect(trails.map((f) => f.id)).toEqual(['trail:w1'])
    expect(trails[0]!.geometry.coordinates).toEqual([
      [106.229, 38.449],
      [106.2295, 38.4495],
      [106.23, 38.45],
    ])
  })

  it('cuts a trail at a jump and at pings more than ten minutes old', () => {
    const w = (trail: { lon: number; lat: number; at: number }[]): WorkerTrack => ({ ...worker('w9'), ...trail[trail.length - 1]!, trail })
    const walk = w([
      { lon: 106.1, lat: 38.4, at: now - 20 * 60_000 },
      { lon: 106.2, lat: 38.45, at: now - 3 * 60_000 },
      { lon: 106.2005, lat: 38.4504, at: now - 2 * 60_000 },
      { lon: 106.201, lat: 38.4508, at: now - 60_000 },
    ])
    expect(buildTrailsData(new Map([['w9', walk]]), now).features[0]!.geometry.coordinates).toEqual([
      [106.2, 38.45],
      [106.2005, 38.4504],
      [106.201, 38.4508],
    ])
    const jumped = w([
      { lon: 106.2, lat: 38.45, at: now - 2 * 60_000 },
      { lon: 106.25, lat: 38.45, at: now - 60_000 },
    ])
    expect(buildTrailsData(new Map([['w9', jumped]]), now).features).toEqual([])
  })

  it('gives every feature a unique, stable id equal to its promoted fid', () => {
    const a = buildRequestsData(requests).features.map((f) => f.id)
    const b = buildRequestsData(new Map(requests)).features.map((f) => f.id)
    expect(new Set(a).size).toBe(a.length)
    expect(b).toEqual(a)
    for (const f of [...buildRequestsData(requests).features, ...buildAlertsData(alerts).features, ...buildWorkersData(workers, now).features]) expect(f.id).toBe(f.properties.fid)
    // Ids are namespaced by kind, so a request and an alert with the same raw id never collide.
    expect(eventFeatureId('request', 'x')).not.toBe(eventFeatureId('alert', 'x'))
    expect(buildPointSource().promoteId).toBe('fid')
  })

  it('clusters requests only at district-with-fields zoom', () => {
    const source = buildRequestsSource()
    expect(source).toMatchObject({ type: 'geojson', cluster: true, clusterMaxZoom: REQUEST_CLUSTER_MAX_ZOOM, promoteId: 'fid' })
  })

  it('carries no personal data and nothing the map cannot style', () => {
    for (const f of [...buildRequestsData(requests).features, ...buildAlertsData(alerts).features, ...buildWorkersData(workers, now).features]) {
      for (const value of Object.values(f.properties)) expect(['string', 'number', 'boolean']).toContain(typeof value)
    }
  })

  it('returns empty collections for empty state', () => {
    expect(buildRequestsData(new Map()).features).toEqual([])
    expect(buildAlertsData(new Map()).features).toEqual([])
    expect(buildTrailsData(new Map(), now).features).toEqual([])
  })

  it('shifts every point into a GCJ-02 base map, and only then', () => {
    const gcj = displayTransform('gcj02')
    const [shifted] = buildRequestsData(requests, gcj).features
    const [plain] = buildRequestsData(requests).features
    expect(shifted!.geometry.coordinates).not.toEqual(plain!.geometry.coordinates)
    // GCJ-02 is offset by a few hundred metres here, not more.
    expect(Math.abs(shifted!.geometry.coordinates[0]! - plain!.geometry.coordinates[0]!)).toBeLessThan(0.01)
    expect(displayTransform('wgs84')).toBe(identity)
    expect(displayTransform(undefined)).toBe(identity)
    const collection = sampleCollection()
    expect(transformGeography(collection, identity)).toBe(collection)
  })

  it('builds heat points from the received requests', () => {
    const heat = buildHeatData([{ id: 'r1', lon: 106.2, lat: 38.4, at: T0 }])
    expect(heat.features).toEqual([{ type: 'Feature', id: 'r1', geometry: { type: 'Point', coordinates: [106.2, 38.4] }, properties: { id: 'r1' } }])
  })
})

describe('labels', () => {
  it('names every street and community, at a point inside it, with the image of its name', () => {
    const collection = sampleCollection()
    const labels = buildLabelsData(collection).features
    const units = collection.features.filter((f) => f.properties.level === 'street' || f.properties.level === 'community')
    expect(labels).toHaveLength(units.length)
    for (const label of labels) {
      const unit = units.find((u) => u.properties.id === label.properties.id)!
      const [x, y] = label.geometry.coordinates as [number, number]
      expect(insideRing(x, y, polygonsOf(unit.geometry)[0]![0]!), unit.properties.name).toBe(true)
      expect(label.properties.image).toBe(`${IMAGE_PREFIX.label}${label.properties.level}:${label.properties.name}`)
    }
    expect(labels.find((l) => l.properties.id === '640106001')?.properties.name).toBe('满城北街街道')
  })

  it('puts an L-shaped unit\'s name in its body, not in the notch its box centre falls into', () => {
    // An L: the box centre (1, 1) lies in the cut-out corner.
    const ring = [
      [0, 0],
      [2, 0],
      [2, 0.5],
      [0.5, 0.5],
      [0.5, 2],
      [0, 2],
      [0, 0],
    ]
    expect(insideRing(1, 1, ring)).toBe(false)
    const [x, y] = labelPoint(ring)
    expect(insideRing(x, y, ring)).toBe(true)
    expect(labelPoint([[0, 0], [4, 0], [4, 2], [0, 2], [0, 0]])).toEqual([2, 1])
  })

  it('shows street names on top and community names only from street-scene zoom', () => {
    const [communities, streets] = buildLabelLayers()
    expect(communities!.id).toBe(LAYER_IDS.communityLabels)
    expect(communities!.minzoom).toBe(COMMUNITY_LABEL_MINZOOM)
    expect(streets!.id).toBe(LAYER_IDS.streetLabels)
    expect(streets!.minzoom ?? 0).toBe(0)
    for (const l of [communities!, streets!]) {
      expect(l.type).toBe('symbol')
      expect(l.layout?.['icon-image']).toEqual(['get', 'image'])
      // No text: MapLibre would need glyph files for it.
      expect(l.layout).not.toHaveProperty('text-field')
    }
  })
})

describe('focusBounds', () => {
  const unit: [[number, number], [number, number]] = [
    [0, 0],
    [10, 10],
  ]

  it('frames where most people live when that is a small part of the unit', () => {
    const city = { bounds: [[4, 4], [6, 6]] as [[number, number], [number, number]], population: 900 }
    const fields = { bounds: [[0, 0], [10, 4]] as [[number, number], [number, number]], population: 100 }
    expect(focusBounds(unit, [city, fields])).toEqual(city.bounds)
  })

  it('frames the whole unit when people are spread out, or nothing is known of them', () => {
    const halves = [
      { bounds: [[0, 0], [5, 10]] as [[number, number], [number, number]], population: 500 },
      { bounds: [[5, 0], [10, 10]] as [[number, number], [number, number]], population: 500 },
    ]
    expect(focusBounds(unit, halves)).toEqual(unit)
    expect(focusBounds(unit, halves.map((h) => ({ ...h, population: 0 })))).toEqual(unit)
    expect(focusBounds(unit, [])).toEqual(unit)
  })

  it('frames the sample district on its six city streets', () => {
    const collection = sampleCollection()
    const bounds = (id: string) => geometryBounds(collection.features.find((f) => f.id === id)!.geometry)
    const district = bounds('640106')
    const streets = collection.features.filter((f) => f.properties.level === 'street')
    const framed = focusBounds(
      district,
      streets.map((s) => ({ bounds: bounds(s.id), population: s.properties.population ?? 0 })),
    )
    expect(framed[0][0]).toBeCloseTo(106.17, 2)
    expect(framed[1][0]).toBeCloseTo(106.28, 2)
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
        geometry: u.geometry,
      })),
    }
    const source = buildGridsSource(geography)
    expect(source.type).toBe('geojson')
    expect(source.promoteId).toBe('id')
    expect(source.data).toBe(geography)
  })

  it('uses a configured base map style, the offline style otherwise', () => {
    expect(buildMapStyle({ style: '/basemap/style.json' }, 'http://wall.local')).toBe('http://wall.local/basemap/style.json')
    expect(buildMapStyle(null, 'http://wall.local')).toEqual(buildOfflineStyle())
    // A PMTiles base map starts offline; its layers come once its header is read.
    expect(buildMapStyle({ pmtiles: '/basemap/base.pmtiles', crs: 'gcj02' }, 'http://wall.local')).toEqual(buildOfflineStyle())
  })

  describe('a PMTiles base map', () => {
    const url = 'http://wall.local/basemap/base.pmtiles'
    const header = { tileType: 2, minZoom: 0, maxZoom: 9, minLon: 105.9, minLat: 38.3, maxLon: 106.4, maxLat: 38.7 }

    it('reads the tile type, zooms, bounds and vector layers from the header and metadata', () => {
      expect(pmtilesArchiveOf(url, header, {})).toEqual({ url, tileType: 'png', minZoom: 0, maxZoom: 9, bounds: [105.9, 38.3, 106.4, 38.7], vectorLayers: [] })
      const vector = pmtilesArchiveOf(url, { ...header, tileType: 1 }, { vector_layers: [{ id: 'water' }, { id: 'roads', fields: {} }, { nope: 1 }, null] })
      expect(vector).toMatchObject({ tileType: 'mvt', vectorLayers: ['water', 'roads'] })
      expect(pmtilesArchiveOf(url, { ...header, tileType: 3 }, null).tileType).toBe('jpg')
      expect(pmtilesArchiveOf(url, { ...header, tileType: 4 }, 'not json').tileType).toBe('webp')
      expect(pmtilesArchiveOf(url, { ...header, tileType: 5 }, {}).tileType).toBe('other')
      // Bounds of zero area (some tools leave them empty): the whole world.
      expect(pmtilesArchiveOf(url, { ...header, minLon: 0, maxLon: 0 }, {}).bounds).toEqual([-180, -85.051129, 180, 85.051129])
    })

    it('draws raster tiles as one image layer through the pmtiles protocol', () => {
      const { source, layers } = buildPmtilesBasemap(pmtilesArchiveOf(url, header, {}))
      expect(source).toEqual({ type: 'raster', tiles: [`pmtiles://${url}/{z}/{x}/{y}`], tileSize: 256, minzoom: 0, maxzoom: 9, bounds: [105.9, 38.3, 106.4, 38.7] })
      expect(layers).toEqual([{ id: LAYER_IDS.basemap, type: 'raster', source: SOURCE_IDS.basemap }])
    })

    it('draws each vector layer as dark fills and lines, water and roads apart', () => {
      const { source, layers } = buildPmtilesBasemap(pmtilesArchiveOf(url, { ...header, tileType: 1 }, { vector_layers: [{ id: 'landuse' }, { id: 'water' }, { id: 'roads' }] }))
      expect(source).toMatchObject({ type: 'vector', tiles: [`pmtiles://${url}/{z}/{x}/{y}`], maxzoom: 9 })
      expect(layers.map((l) => l.id)).toEqual(['basemap-landuse-fill', 'basemap-landuse-line', 'basemap-water-fill', 'basemap-water-line', 'basemap-roads-line'])
      for (const layer of layers) expect(layer).toMatchObject({ source: SOURCE_IDS.basemap, 'source-layer': layer.id.split('-')[1] })
      const byId = Object.fromEntries(layers.map((l) => [l.id, l as { paint: Record<string, unknown>; filter: unknown }]))
      expect(byId['basemap-water-fill']!.paint['fill-color']).toBe(BASEMAP_COLORS.water)
      expect(byId['basemap-landuse-fill']!.paint['fill-color']).toBe(BASEMAP_COLORS.land)
      expect(byId['basemap-roads-line']!.paint['line-color']).toBe(BASEMAP_COLORS.road)
      // Fills only for polygons; a road layer's lines only for lines.
      expect(byId['basemap-water-fill']!.filter).toEqual(['match', ['geometry-type'], ['Polygon', 'MultiPolygon'], true, false])
      expect(byId['basemap-roads-line']!.filter).toEqual(['match', ['geometry-type'], ['LineString', 'MultiLineString'], true, false])
      // Darker than the grids drawn over them.
      for (const colour of Object.values(BASEMAP_COLORS)) expect(parseInt(colour.slice(1, 3), 16)).toBeLessThan(0x40)
    })

    it('draws nothing for a tile type MapLibre cannot show', () => {
      expect(buildPmtilesBasemap(pmtilesArchiveOf(url, { ...header, tileType: 6 }, {})).layers).toEqual([])
    })
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

  it('colours grid fills by feature state, and heat from its own source', () => {
    const [fill] = buildGridLayers('overdue')
    expect(JSON.stringify(fill.paint?.['fill-color'])).toContain('feature-state')
    // Without a figure (the leader pages) the fills stay plain.
    expect(JSON.stringify(buildGridLayers()[0].paint?.['fill-color'])).not.toContain('feature-state')
    expect(buildHeatLayer()).toMatchObject({ id: LAYER_IDS.heat, type: 'heatmap', source: SOURCE_IDS.heat })
  })

  it('draws events bottom to top: trails, workers, request clusters, requests by priority, alerts with icons', () => {
    const layers = buildEventLayers()
    expect(layers.map((l) => l.id)).toEqual([...EVENT_LAYER_IDS])
    const byId = Object.fromEntries(layers.map((l) => [l.id, l])) as Record<string, (typeof layers)[number]>
    const paint = (id: string) => (byId[id]!.paint ?? {}) as Record<string, unknown>

    const requestColor = JSON.stringify(paint(LAYER_IDS.requests)['circle-color'])
    for (const color of Object.values(PRIORITY_COLORS)) expect(requestColor).toContain(color)
    expect(paint(LAYER_IDS.alertHalos)['circle-color']).toBe(ALERT_COLOR)
    expect(Object.values(PRIORITY_COLORS)).not.toContain(ALERT_COLOR)
    // Single requests and clusters share the source, split by the cluster property.
    expect(byId[LAYER_IDS.requests]!.filter).toEqual(['!', ['has', 'point_count']])
    expect(byId[LAYER_IDS.requestClusters]!.filter).toEqual(['has', 'point_count'])
    // One icon per alert kind, drawn on a canvas: the image id names the kind.
    expect(byId[LAYER_IDS.alerts]!.layout).toMatchObject({ 'icon-image': ['concat', IMAGE_PREFIX.alert, ['get', 'alertKind']] })

    // Radii are zoom curves [interpolate, linear, zoom, z0, r0, z1, r1]: compare at both ends.
    const radii = (id: string) => (paint(id)['circle-radius'] as unknown[]).filter((_, i) => i === 4 || i === 6) as number[]
    for (const i of [0, 1]) {
      expect(radii(LAYER_IDS.alertHalos)[i]).toBeGreaterThan(radii(LAYER_IDS.requests)[i]!)
      expect(radii(LAYER_IDS.requests)[i]).toBeGreaterThan(radii(LAYER_IDS.workers)[i]!)
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
