// Hotspots worked out in slices (the server never holds its event loop for a whole district's
// worth), and the service's one piece of work per unit and window however many ask.
import { describe, expect, it } from 'vitest'
import type { LiveEvent } from '../../../shared/events'
import { DEFAULT_POLICY } from '../../../shared/metrics'
import { CATEGORIES } from '../../../shared/domain'
import { findHotspots, findHotspotsInSlices } from '../../../shared/hotspots'
import { mulberry32 } from '../../../shared/random'
import { Rollups } from '../../../server/metrics/rollups'
import { HotspotService, HOTSPOT_QUEUE_LIMIT } from '../../../server/metrics/hotspots'
import { HttpError } from '../../../server/errors'
import { sampleGeography } from '../../helpers/build-app'

const geography = sampleGeography()
const GRIDS = geography.units.filter((u) => u.level === 'grid').slice(0, 6)
const T0 = Date.parse('2026-11-01T00:00:00Z')
const DAY = 86_400_000
const settings = { radiusM: 50, minCount: 3 }

/** Requests over 20 days, clustered around a few places of each of six grids (seeded). */
function rollupsWithPoints(n: number): Rollups {
  const r = new Rollups({ geography, policy: DEFAULT_POLICY, timeZone: 'Asia/Shanghai' })
  const random = mulberry32(42)
  const events: LiveEvent[] = []
  for (let i = 0; i < n; i++) {
    const grid = GRIDS[i % GRIDS.length]!
    const ring = grid.geometry.type === 'Polygon' ? grid.geometry.coordinates[0]! : []
    const [lon, lat] = ring[0]! as [number, number]
    events.push({
      type: 'request.received',
      seq: i + 1,
      at: T0 + Math.floor(random() * 20 * DAY),
      gridId: grid.id,
      requestId: `q${i}`,
      source: 'hotline',
      category: CATEGORIES[Math.floor(random() * 3)]!,
      priority: 'general',
      lon: lon + (Math.floor(random() * 8) * 0.0003 + random() * 0.0004),
      lat: lat + (Math.floor(random() * 8) * 0.0003 + random() * 0.0004),
    })
  }
  events.sort((a, b) => a.at - b.at)
  events.forEach((e, i) => (e.seq = i + 1))
  r.apply(events)
  return r
}

describe('hotspots in slices', () => {
  it('gives the same answer as the one-piece form, pausing between slices', async () => {
    const r = rollupsWithPoints(6000)
    const points = r.hotspots.points(T0, T0 + 20 * DAY, () => true)
    const whole = findHotspots(points, settings)
    expect(whole.length).toBeGreaterThan(10)
    let pauses = 0
    const sliced = await findHotspotsInSlices(points, settings, async () => void pauses++, 0)
    expect(sliced).toEqual(whole)
    // A slice of 0 ms pauses at every step: at least once per category and per few thousand points.
    expect(pauses).toBeGreaterThan(5)
    pauses = 0
    expect(await r.hotspots.hotspotsInSlices(T0, T0 + 20 * DAY, () => true, settings, async () => void pauses++, 0)).toEqual(whole)
    expect(pauses).toBeGreaterThan(20)
  })

  it('one piece of work per unit and window: asked at once, answered by the same reply; one window at a time; a bounded queue', async () => {
    const r = rollupsWithPoints(3000)
    const now = T0 + 20 * DAY
    const service = new HotspotService(r, geography, () => now, { ...settings, windowDays: 30 })
    const window = service.window({})
    const district = geography.district.id
    const first = service.reply(district, window)
    const second = service.reply(district, window)
    expect(second).toBe(first)
    const reply = await first
    expect(reply.total).toBe(findHotspots(r.hotspots.points(window.from, window.to, () => true), settings).length)
    // Kept: asked again, the same reply without new work.
    expect(service.reply(district, window)).toBe(first)
    // Distinct windows queue, one at a time; beyond the limit a clear 503.
    const others = Array.from({ length: HOTSPOT_QUEUE_LIMIT }, (_, i) => service.reply(district, { from: window.from + (i + 1) * 3_600_000, to: window.to }))
    const refused = service.reply(district, { from: window.from - 3_600_000, to: window.to })
    await expect(refused).rejects.toBeInstanceOf(HttpError)
    await expect(refused).rejects.toMatchObject({ statusCode: 503, detail: { field: 'query', rule: 'busy' } })
    const answers = await Promise.all(others)
    expect(answers.every((a) => a.unit === district)).toBe(true)
  })
})
