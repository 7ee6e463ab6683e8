import { polygonsOf } from '../../shared/domain'
import { describe, expect, it } from 'vitest'
import { buildSampleGeography } from '../../shared/sample-geography'
import type { Geography } from '../../shared/schemas/geography'
import { geometryBounds, overlayPadding, polygonBounds, unitExtents } from '../../client/map/bounds'
import { LABEL_LINE_EM, labelLines, labelSize, labelText } from '../../client/map/label-text'
import { EVENT_LAYER_IDS, IMAGE_PREFIX, LAYER_IDS, SOURCE_IDS } from '../../client/map/layer-ids'
import { ALERT_COLOR, PRIORITY_COLORS, buildEventLayers } from '../../client/map/layers/events'
import { buildGridLayers, buildSceneLineLayer, sceneFilter } from '../../client/map/layers/grids'
import { buildHeatLayer } from '../../client/map/layers/heat'
import { buildLabelLayers, labelFilter, sceneLabelLevels } from '../../client/map/layers/labels'
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
import { LABEL_ROOM, buildLabelsData, insideRing, labelPoint, zoomToFit } from '../../client/map/sources/labels'
import { BASEMAP_COLORS, buildMapStyle, buildOfflineStyle, buildPmtilesBasemap, pmtilesArchiveOf } from '../../client/map/style'
import { displayTransform, identity, transformGeography } from '../../client/map/transform'
import type { WorkerTrack } from '../../client/lib/live-types'
import { ONLINE_WINDOW_MS } from '../../shared/metrics'
import { GRID, T0, openAlert, openRequest, worker } from '../fixtures/live-fixtures'

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
    ['w2', track('w2', now - ONLINE_WINDOW_MS - 1, [[106.2295, 38.4495]])],
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
  it('names every street, community and grid, at a point inside it, with the image of its name', () => {
    const collection = sampleCollection()
    const labels = buildLabelsData(collection).features
    const units = collection.features.filter((f) => f.properties.level !== 'district')
    expect(labels).toHaveLength(units.length)
    for (const label of labels) {
      const unit = units.find((u) => u.properties.id === label.properties.id)!
      const [x, y] = label.geometry.coordinates as [number, number]
      expect(insideRing(x, y, polygonsOf(unit.geometry)[0]![0]!), unit.properties.name).toBe(true)
      expect(label.properties.name).toBe(unit.properties.name)
      expect(label.properties.image).toBe(`${IMAGE_PREFIX.label}${label.properties.level}:${label.properties.text}`)
      expect(label.properties.rank).toBe(-(unit.properties.population ?? 0))
      expect(label.properties.parentId).toBe(unit.properties.parentId)
    }
    // Each name knows the street and community it lies in, for a scene's filter.
    const grid = labels.find((l) => l.properties.id === '640106001001' + '01')!
    expect(grid.properties).toMatchObject({ street: '640106001', community: '640106001001' })
    expect(labels.find((l) => l.properties.id === '640106001')!.properties).toMatchObject({ street: '640106001', community: null })
    expect(labels.find((l) => l.properties.id === '640106001')?.properties.text).toBe('满城北街街道')
    // A grid's name is said without its community's in front, which the map shows already.
    const community = collection.features.find((f) => f.id === '640106001001')!.properties.name
    expect(grid.properties.name).toBe(`${community}第1网格`)
    expect(grid.properties.text).toBe('第1网格')
  })

  it("puts a MultiPolygon's name on its largest part", () => {
    const square = (x: number, y: number, size: number): [number, number][][] => [
      [
        [x, y],
        [x + size, y],
        [x + size, y + size],
        [x, y + size],
        [x, y],
      ],
    ]
    const collection: Geography = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          id: '420199001',
          properties: { id: '420199001', level: 'street', parentId: '420199', name: '飞地街道' },
          geometry: { type: 'MultiPolygon', coordinates: [square(114.0, 30.0, 0.01), square(114.1, 30.1, 0.05)] },
        },
      ],
    }
    const [x, y] = buildLabelsData(collection).features[0]!.geometry.coordinates as [number, number]
    expect(x).toBeCloseTo(114.125, 6)
    expect(y).toBeCloseTo(30.125, 6)
  })

  it('names a community or grid only from the zoom at which its name fits in it on screen', () => {
    // A 0.01° square at 30° N: 1,110 m, about 455 px wide at zoom 15 (512 px world at zoom 0).
    expect(zoomToFit([114, 30, 114.01, 30.01], 455, 10)).toBeCloseTo(15, 1)
    expect(zoomToFit([114, 30, 114.01, 30.01], 910, 10)).toBeCloseTo(16, 1)
    // Height matters too: a flat strip needs a closer zoom for a two-line name.
    expect(zoomToFit([114, 30, 114.04, 30.001], 100, 60)).toBeGreaterThan(zoomToFit([114, 30, 114.04, 30.001], 100, 10))

    const collection = sampleCollection()
    const labels = buildLabelsData(collection).features
    const byLevel = (level: string) => labels.filter((l) => l.properties.level === level).map((l) => l.properties.minzoom)
    // Streets at every zoom; communities before grids.
    expect(new Set(byLevel('street'))).toEqual(new Set([0]))
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!
    expect(median(byLevel('grid'))).toBeGreaterThan(median(byLevel('community')))
    // And each is the zoom at which its unit holds its name with room: a grid twice as wide
    // on screen as its name needs one zoom less.
    for (const l of labels.filter((f) => f.properties.level !== 'street')) {
      const unit = collection.features.find((f) => f.id === l.properties.id)!
      const room = LABEL_ROOM[l.properties.level]!
      const size = labelSize(l.properties.text, l.properties.level)
      const bbox = [...geometryBounds(unit.geometry)[0], ...geometryBounds(unit.geometry)[1]]
      const fits = zoomToFit(bbox, size.width * room.width, size.height * room.height)
      expect(l.properties.minzoom).toBeGreaterThanOrEqual(fits)
      expect(l.properties.minzoom).toBeLessThan(fits + 0.011)
    }
  })

  it("drops the parent's name in front of a unit's, and nothing else", () => {
    expect(labelText('金凤区满城北街街道', '金凤区')).toBe('满城北街街道')
    expect(labelText('长城社区第3网格', '长城社区')).toBe('第3网格')
    expect(labelText('长城社区 - 第3网格', '长城社区')).toBe('第3网格')
    // Not a prefix, the whole name, or no parent: the name as it is.
    expect(labelText('第3网格', '长城社区')).toBe('第3网格')
    expect(labelText('长城社区', '长城社区')).toBe('长城社区')
    expect(labelText('满城北街街道', null)).toBe('满城北街街道')
  })

  it('sets a long name on two lines, the rest cut with an ellipsis', () => {
    expect(labelLines('满城北街街道')).toEqual(['满城北街街道'])
    expect(labelLines('金凤区满城北街街道办事处')).toEqual(['金凤区满城北', '街街道办事处'])
    const long = labelLines('宁夏回族自治区银川市金凤区满城北街街道办事处便民服务中心')
    expect(long).toHaveLength(2)
    expect(long[1]!.endsWith('…')).toBe(true)
    for (const line of long) expect(Array.from(line).length).toBeLessThanOrEqual(LABEL_LINE_EM)
    // Latin names break at a space near the middle.
    expect(labelLines('Riverside Garden Street')).toEqual(['Riverside', 'Garden Street'])
    expect(labelLines('Riverside Residential Community')).toEqual(['Riverside', 'Residential…'])
    // The size grows with the lines: a second line, twice the height (less the padding).
    const one = labelSize('满城北街街道', 'street')
    const two = labelSize('宁夏回族自治区银川市金凤区满城北街街道', 'street')
    expect(two.height).toBeGreaterThan(one.height * 1.6)
    expect(two.width).toBeLessThanOrEqual(labelSize('一二三四五六七八', 'street').width)
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

  it('one symbol layer a level, names as images, never drawn over each other, most populous first', () => {
    const layers = buildLabelLayers()
    expect(layers.street.id).toBe(LAYER_IDS.streetLabels)
    expect(layers.community.id).toBe(LAYER_IDS.communityLabels)
    expect(layers.grid.id).toBe(LAYER_IDS.gridLabels)
    for (const [level, l] of Object.entries(layers)) {
      expect(l.type).toBe('symbol')
      expect(l.source).toBe(SOURCE_IDS.labels)
      expect(l.filter).toEqual(['all', ['==', ['get', 'level'], level], ['>=', ['zoom'], ['get', 'minzoom']]])
      expect(l.layout?.['icon-image']).toEqual(['get', 'image'])
      // Collisions leave a name out rather than pile it on another.
      expect(l.layout?.['icon-allow-overlap']).toBe(false)
      expect(l.layout?.['icon-ignore-placement']).toBe(false)
      expect(l.layout?.['symbol-sort-key']).toEqual(['get', 'rank'])
      // No text: MapLibre would need glyph files for it.
      expect(l.layout).not.toHaveProperty('text-field')
    }
  })

  it("a scene names what lies in it; the leader map a unit's children", () => {
    const base = (level: string) => ['==', ['get', 'level'], level]
    const zoom = ['>=', ['zoom'], ['get', 'minzoom']]
    expect(labelFilter('community', { within: '640106001' })).toEqual([
      'all',
      base('community'),
      zoom,
      ['any', ['==', ['get', 'id'], '640106001'], ['==', ['get', 'street'], '640106001'], ['==', ['get', 'community'], '640106001']],
    ])
    expect(labelFilter('grid', { parentId: '640106001001' })).toEqual(['all', base('grid'), zoom, ['==', ['get', 'parentId'], '640106001001']])
    expect(labelFilter('street')).toEqual(buildLabelLayers().street.filter)
    // A wall's scene names its own level and the one below; the district its streets.
    expect(sceneLabelLevels('district')).toEqual(['street'])
    expect(sceneLabelLevels('street')).toEqual(['street', 'community'])
    expect(sceneLabelLevels('community')).toEqual(['community', 'grid'])
    expect(sceneLabelLevels('grid')).toEqual(['grid'])
    // A map that knows its zoom says it: a filter's ['zoom'] is the tile's whole zoom.
    expect(labelFilter('grid', { zoom: 13.98 })).toEqual(['all', base('grid'), ['<=', ['get', 'minzoom'], 13.98]])
  })
})

describe('unitExtents', () => {
  it('frames the whole sample district: its far towns and every street, community and grid', () => {
    const collection = sampleCollection()
    const extents = unitExtents(collection)
    const district = extents.get('640106')!
    for (const f of collection.features) {
      const [[w, s], [e, n]] = geometryBounds(f.geometry)
      expect(w, f.properties.name).toBeGreaterThanOrEqual(district[0][0])
      expect(s, f.properties.name).toBeGreaterThanOrEqual(district[0][1])
      expect(e, f.properties.name).toBeLessThanOrEqual(district[1][0])
      expect(n, f.properties.name).toBeLessThanOrEqual(district[1][1])
    }
    // The two towns (良田镇, 丰登镇) stretch far past the six city streets: all of them is framed.
    const towns = collection.features.filter((f) => f.properties.level === 'street' && f.properties.name.endsWith('镇'))
    expect(towns).toHaveLength(2)
    const streetsBox = collection.features
      .filter((f) => f.properties.level === 'street' && !f.properties.name.endsWith('镇'))
      .map((f) => geometryBounds(f.geometry))
      .reduce((a, b) => [[Math.min(a[0][0], b[0][0]), Math.min(a[0][1], b[0][1])], [Math.max(a[1][0], b[1][0]), Math.max(a[1][1], b[1][1])]])
    const area = ([[w, s], [e, n]]: number[][]) => (e! - w!) * (n! - s!)
    expect(area(district)).toBeGreaterThan(2 * area(streetsBox))
    for (const t of towns) expect(extents.get(t.properties.id)).toEqual(geometryBounds(t.geometry))
  })

  it('takes in a child drawn past its parent, every part of a MultiPolygon, and a scope without the district', () => {
    const square = (x: number, y: number, size = 1): [number, number][][] => [
      [
        [x, y],
        [x + size, y],
        [x + size, y + size],
        [x, y + size],
        [x, y],
      ],
    ]
    const feature = (id: string, level: 'district' | 'street' | 'community' | 'grid', parentId: string | null, geometry: Geography['features'][number]['geometry']) => ({
      type: 'Feature' as const,
      id,
      properties: { id, level, parentId, name: id },
      geometry,
    })
    const collection: Geography = {
      type: 'FeatureCollection',
      features: [
        feature('d', 'district', null, { type: 'Polygon', coordinates: square(0, 0, 4) }),
        feature('s', 'street', 'd', { type: 'MultiPolygon', coordinates: [square(0, 0), square(10, 10)] }),
        feature('c', 'community', 's', { type: 'Polygon', coordinates: square(0, 0) }),
        feature('g', 'grid', 'c', { type: 'Polygon', coordinates: square(-0.5, 0) }),
      ],
    }
    const extents = unitExtents(collection)
    expect(extents.get('g')).toEqual([[-0.5, 0], [0.5, 1]])
    expect(extents.get('c')).toEqual([[-0.5, 0], [1, 1]])
    expect(extents.get('s')).toEqual([[-0.5, 0], [11, 11]])
    expect(extents.get('d')).toEqual([[-0.5, 0], [11, 11]])
    // A leader's geography starts at their street: no parent to climb to.
    expect(unitExtents({ type: 'FeatureCollection', features: collection.features.slice(1) }).get('s')).toEqual([[-0.5, 0], [11, 11]])
  })
})

describe('overlayPadding', () => {
  const map = { left: 100, top: 50, right: 1100, bottom: 850 }

  it('keeps the framed area clear of a legend along the bottom, plus a margin all round', () => {
    const legend = { left: 110, top: 760, right: 1090, bottom: 840 }
    expect(overlayPadding(map, [legend], 20)).toEqual({ top: 20, right: 20, bottom: 110, left: 20 })
  })

  it('pushes in the side an overlay takes least from, and ignores one beside the map', () => {
    const panel = { left: 900, top: 60, right: 1100, bottom: 300 }
    const beside = { left: 1200, top: 60, right: 1400, bottom: 300 }
    expect(overlayPadding(map, [panel, beside], 10)).toEqual({ top: 10, right: 210, bottom: 10, left: 10 })
  })

  it('reads a scaled stage in map pixels, and always leaves room to frame in', () => {
    const legend = { left: 110, top: 760, right: 1090, bottom: 840 }
    // The same legend on a stage drawn at twice the size: half as many map pixels.
    expect(overlayPadding(map, [legend], 20, 2).bottom).toBe(45 + 20)
    const huge = { left: 100, top: 100, right: 1100, bottom: 850 }
    const padding = overlayPadding(map, [huge], 20)
    expect(800 - padding.top - padding.bottom).toBeGreaterThanOrEqual(0.3 * 800 - 1)
  })

  it('given the shape of the scene, pushes in the sides that frame it largest', () => {
    // A panel in the top-left corner, 300 wide and 330 tall: the least share is from the left…
    const panel = { left: 100, top: 50, right: 400, bottom: 380 }
    expect(overlayPadding(map, [panel], 10)).toEqual({ top: 10, right: 10, bottom: 10, left: 310 })
    // …and a tall scene is framed largest beside it too.
    expect(overlayPadding(map, [panel], 10, 1, 0.3, { width: 100, height: 300 })).toEqual({ top: 10, right: 10, bottom: 10, left: 310 })
    // A wide, low scene is framed below the panel instead of squeezed beside it.
    expect(overlayPadding(map, [panel], 10, 1, 0.3, { width: 400, height: 100 })).toEqual({ top: 340, right: 10, bottom: 10, left: 10 })
    // A short panel over a tall scene: beside it, not below it (the sample district at the wall).
    const short = { left: 100, top: 50, right: 430, bottom: 180 }
    expect(overlayPadding(map, [short], 10)).toEqual({ top: 140, right: 10, bottom: 10, left: 10 })
    expect(overlayPadding(map, [short], 10, 1, 0.3, { width: 200, height: 400 })).toEqual({ top: 10, right: 10, bottom: 10, left: 340 })
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
    expect(buildMapStyle({ style: '/basemap/style.json', crs: 'wgs84' }, 'http://wall.local')).toBe('http://wall.local/basemap/style.json')
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
    // The scene's unit, every part of it, outlined over the street lines.
    const scene = buildSceneLineLayer('640106001')
    expect(scene).toMatchObject({ id: LAYER_IDS.sceneLine, type: 'line', source: SOURCE_IDS.grids, filter: sceneFilter('640106001') })
    expect(scene.filter).toEqual(['==', ['get', 'id'], '640106001'])
    expect(scene.paint?.['line-width']).toBeGreaterThan(width(LAYER_IDS.streetLine))
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
