import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import type { HotspotItem, HotspotsReply } from '../../shared/schemas/hotspots'
import { distanceMetres } from '../../shared/geo'
import { LAYER_IDS, SOURCE_IDS, IMAGE_PREFIX } from '../../client/map/layer-ids'
import { HOTSPOT_COLOR, HOTSPOT_MIN_RING_PX, buildHotspotLayers, hotspotRingRadius } from '../../client/map/layers/hotspots'
import { buildHotspotsData, buildHotspotsSource } from '../../client/map/sources/hotspots'
import { displayTransform } from '../../client/map/transform'
import { useHotspots } from '../../client/composables/use-hotspots'
import type { FetchLike } from '../../client/http'

const item = (id: string, count: number, lat = 38.48): HotspotItem => ({
  id,
  category: 'noise',
  count,
  center: { lon: 106.23, lat },
  radiusM: 50,
  first: '2026-11-01T02:00:00.000Z',
  last: '2026-11-20T02:00:00.000Z',
  requestIds: Array.from({ length: count }, (_, i) => `${id}-r${i}`),
  alertIds: [],
  gridIds: ['64010600100101'],
})

/** The few expression operators the ring's radius uses, evaluated as MapLibre does. */
function evaluate(expr: unknown, properties: Record<string, number>): number {
  if (typeof expr === 'number') return expr
  const [op, ...args] = expr as [string, ...unknown[]]
  const v = (i: number) => evaluate(args[i], properties)
  switch (op) {
    case 'get':
      return properties[args[0] as string]!
    case 'max':
      return Math.max(v(0), v(1))
    case '*':
      return v(0) * v(1)
    case '/':
      return v(0) / v(1)
  }
  throw new Error(`operator ${op}`)
}

describe('hotspot map builders', () => {
  it('makes one feature a hotspot at its centre, with its id, count and ground scale', () => {
    const data = buildHotspotsData([item('noise:r:a', 5), item('noise:r:b', 3, 38.5)])
    expect(data.features.map((f) => f.id)).toEqual(['noise:r:a', 'noise:r:b'])
    expect(data.features[0]!.geometry.coordinates).toEqual([106.23, 38.48])
    expect(data.features[0]!.properties).toMatchObject({ id: 'noise:r:a', category: 'noise', count: 5, radiusM: 50 })
    // Metres per CSS pixel at zoom 0 shrink with the cosine of the latitude.
    expect(data.features[0]!.properties.metresPerPixelZ0).toBeCloseTo((40_075_016.686 / 512) * Math.cos((38.48 * Math.PI) / 180), 6)
    // On a GCJ-02 base map the centre is shifted like every other point.
    const shifted = buildHotspotsData([item('x', 3)], displayTransform('gcj02')).features[0]!.geometry.coordinates
    expect(shifted).not.toEqual([106.23, 38.48])
    expect(buildHotspotsSource()).toMatchObject({ type: 'geojson', promoteId: 'id' })
  })

  it('draws a ring of the true ground radius where it is large enough, never smaller than the minimum', () => {
    const { metresPerPixelZ0 } = buildHotspotsData([item('a', 3)]).features[0]!.properties
    // District scale: 50 m would be a few pixels; the ring keeps its minimum.
    expect(hotspotRingRadius(50, metresPerPixelZ0, 11)).toBe(HOTSPOT_MIN_RING_PX)
    // Up close the ring is the radius on the ground: 50 m east of the centre lies on the ring.
    const z = 18
    const px = hotspotRingRadius(50, metresPerPixelZ0, z)
    const metresPerPx = metresPerPixelZ0 / 2 ** z
    expect(px * metresPerPx).toBeCloseTo(50, 6)
    const east = { lon: 106.23 + (px * metresPerPx) / (6_371_008.8 * Math.cos((38.48 * Math.PI) / 180)) * (180 / Math.PI), lat: 38.48 }
    expect(distanceMetres({ lon: 106.23, lat: 38.48 }, east)).toBeCloseTo(50, 1)
  })

  it('builds the ring and its count over the hotspots source, the ring sized by the same rule at every stop', () => {
    const [ring, count] = buildHotspotLayers()
    expect(ring).toMatchObject({ id: LAYER_IDS.hotspotRings, type: 'circle', source: SOURCE_IDS.hotspots })
    expect(ring.paint!['circle-stroke-color']).toBe(HOTSPOT_COLOR)
    expect(count).toMatchObject({ id: LAYER_IDS.hotspotCounts, type: 'symbol', source: SOURCE_IDS.hotspots })
    expect(count.layout!['icon-image']).toEqual(['concat', IMAGE_PREFIX.count, ['to-string', ['get', 'count']]])
    const radius = ring.paint!['circle-radius'] as unknown[]
    expect(radius.slice(0, 3)).toEqual(['interpolate', ['exponential', 2], ['zoom']])
    const properties = { radiusM: 50, metresPerPixelZ0: 61_250 }
    const stops = radius.slice(3)
    expect(stops.length).toBeGreaterThanOrEqual(8)
    for (let i = 0; i < stops.length; i += 2) {
      const zoom = stops[i] as number
      expect(evaluate(stops[i + 1], properties)).toBeCloseTo(hotspotRingRadius(50, 61_250, zoom), 9)
    }
  })
})

describe('useHotspots', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())
  const flush = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve()
    await nextTick()
  }

  it('asks for the unit at once, again every minute, and at once for another unit', async () => {
    const asked: string[] = []
    let count = 3
    const fetchImpl: FetchLike = async (input) => {
      asked.push(String(input))
      const reply: HotspotsReply = { unit: '640106', from: '', to: '', radiusM: 50, minCount: 3, total: 1, truncated: false, hotspots: [item('h', count)] }
      return new Response(JSON.stringify(reply), { status: 200, headers: { 'content-type': 'application/json' } })
    }
    const unit = ref('640106001')
    const scope = effectScope()
    const hotspots = scope.run(() => useHotspots(() => unit.value, { fetchImpl }))!
    await flush()
    expect(asked).toEqual(['/api/v1/hotspots?unit=640106001'])
    expect(hotspots.value[0]!.count).toBe(3)
    count = 4
    await vi.advanceTimersByTimeAsync(60_000)
    await flush()
    expect(asked).toHaveLength(2)
    expect(hotspots.value[0]!.count).toBe(4)
    unit.value = '640106002'
    await flush()
    expect(asked.at(-1)).toBe('/api/v1/hotspots?unit=640106002')
    scope.stop()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(asked).toHaveLength(3)
  })

  it('keeps what it shows when a refresh fails', async () => {
    let fail = false
    const fetchImpl: FetchLike = async () =>
      fail
        ? new Response('{"message":"down"}', { status: 503 })
        : new Response(JSON.stringify({ hotspots: [item('h', 5)] }), { status: 200, headers: { 'content-type': 'application/json' } })
    const scope = effectScope()
    const hotspots = scope.run(() => useHotspots(() => '640106', { fetchImpl }))!
    await flush()
    expect(hotspots.value).toHaveLength(1)
    fail = true
    await vi.advanceTimersByTimeAsync(60_000)
    await flush()
    expect(hotspots.value).toHaveLength(1)
    scope.stop()
  })
})
