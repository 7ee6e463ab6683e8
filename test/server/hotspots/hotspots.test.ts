// Recurring hotspots on the server: the points kept from the log (hotspot-index.ts, inside the
// rollups and their checkpoint) and GET /api/v1/hotspots (scope, window, reply).
import { afterEach, describe, expect, it } from 'vitest'
import type { LiveEvent } from '../../../shared/events'
import { DEFAULT_POLICY } from '../../../shared/metrics'
import { findHotspots } from '../../../shared/hotspots'
import { HotspotsReplySchema } from '../../../shared/schemas/hotspots'
import { Rollups } from '../../../server/metrics/rollups'
import { decodeCheckpoint, encodeCheckpoint } from '../../../server/metrics/checkpoint'
import { createAjv } from '../../../server/validate'
import { buildTestApp, firstGrid, pointIn, sampleGeography, type TestApp, type TestUser } from '../../helpers/build-app'

const geography = sampleGeography()
const STREET_A = '640106001'
const STREET_B = '640106002'
const GRID = firstGrid(geography, STREET_A)
const PLACE = pointIn(geography, STREET_A)
const T0 = Date.parse('2026-11-20T00:00:00Z')
const everywhere = () => true

let seq = 0
function received(requestId: string, at: number, extra: Partial<Extract<LiveEvent, { type: 'request.received' }>> = {}): LiveEvent {
  return { type: 'request.received', seq: ++seq, at, gridId: GRID, requestId, source: 'hotline', category: 'noise', priority: 'general', ...PLACE, ...extra }
}
function raised(alertId: string, at: number): LiveEvent {
  return { type: 'alert.raised', seq: ++seq, at, gridId: GRID, alertId, cameraId: 'c1', kind: 'flying_wire_charging', confidence: 0.9, ...PLACE }
}
function reviewed(alertId: string, verdict: 'confirmed' | 'false_positive', requestId?: string): LiveEvent {
  return { type: 'alert.reviewed', seq: ++seq, at: T0 + 99_000, gridId: GRID, alertId, verdict, ...(requestId ? { requestId } : {}) }
}
const rollups = () => new Rollups({ geography, policy: DEFAULT_POLICY, timeZone: 'Asia/Shanghai' })
const settings = { radiusM: 50, minCount: 3 }

describe('hotspot points from the log', () => {
  it('counts [from, to): a point at `from` is in, one at `to` is out', () => {
    const r = rollups()
    r.apply([received('q1', T0), received('q2', T0 + 1000), received('q3', T0 + 2000)])
    expect(r.hotspots.hotspots(T0, T0 + 2001, everywhere, settings).map((h) => h.count)).toEqual([3])
    expect(r.hotspots.hotspots(T0, T0 + 2000, everywhere, settings)).toEqual([])
    expect(r.hotspots.hotspots(T0 + 1, T0 + 5000, everywhere, settings)).toEqual([])
    // Across UTC days: the buckets of both days are read.
    const late = rollups()
    late.apply([received('d1', T0 - 1), received('d2', T0), received('d3', T0 + 86_400_000)])
    expect(late.hotspots.hotspots(T0 - 1, T0 + 86_400_001, everywhere, settings).map((h) => h.requestIds)).toEqual([['d1', 'd2', 'd3']])
  })

  it('takes a confirmed alert as a point, a dismissed one not, and a confirmed one that raised a request once (as the request)', () => {
    const confirmed = rollups()
    confirmed.apply([received('q1', T0, { category: 'safety_hazard' }), received('q2', T0 + 1, { category: 'safety_hazard' }), raised('a1', T0 + 2), reviewed('a1', 'confirmed')])
    const [h] = confirmed.hotspots.hotspots(T0, T0 + 10, everywhere, settings)
    expect(h).toMatchObject({ category: 'safety_hazard', count: 3, requestIds: ['q1', 'q2'], alertIds: ['a1'] })

    const dismissed = rollups()
    dismissed.apply([received('q1', T0, { category: 'safety_hazard' }), received('q2', T0 + 1, { category: 'safety_hazard' }), raised('a1', T0 + 2), reviewed('a1', 'false_positive')])
    expect(dismissed.hotspots.hotspots(T0, T0 + 10, everywhere, settings)).toEqual([])

    const unreviewed = rollups()
    unreviewed.apply([received('q1', T0, { category: 'safety_hazard' }), received('q2', T0 + 1, { category: 'safety_hazard' }), raised('a1', T0 + 2)])
    expect(unreviewed.hotspots.hotspots(T0, T0 + 10, everywhere, settings)).toEqual([])

    const raisedRequest = rollups()
    raisedRequest.apply([
      received('q1', T0, { category: 'safety_hazard' }),
      raised('a1', T0 + 2),
      reviewed('a1', 'confirmed', 'cam-q'),
      received('cam-q', T0 + 3, { category: 'safety_hazard', source: 'camera' }),
    ])
    // Two points (q1 and the raised request), not three.
    expect(raisedRequest.hotspots.hotspots(T0, T0 + 10, everywhere, { radiusM: 50, minCount: 2 }).map((x) => [x.requestIds, x.alertIds])).toEqual([[['q1', 'cam-q'], []]])
    expect(raisedRequest.hotspots.hotspots(T0, T0 + 10, everywhere, settings)).toEqual([])
  })

  it('takes a request id once, and only the grids in scope', () => {
    const r = rollups()
    r.apply([received('q1', T0), received('q1', T0 + 5), received('q2', T0 + 1)])
    expect(r.hotspots.size).toBe(2)
    const other = firstGrid(geography, STREET_B)
    r.apply([received('q3', T0 + 2, { gridId: other })])
    expect(r.hotspots.hotspots(T0, T0 + 10, everywhere, settings)).toHaveLength(1)
    expect(r.hotspots.hotspots(T0, T0 + 10, (g) => geography.isWithin(g, STREET_A), settings)).toEqual([])
  })

  it('survives a checkpoint: restored rollups give the same points and go on from there', () => {
    const r = rollups()
    const hazard = { category: 'safety_hazard' } as const
    r.apply([received('q1', T0, hazard), received('q2', T0 + 1, hazard), raised('a1', T0 + 2), raised('a2', T0 + 3), reviewed('a1', 'confirmed')])
    const restored = rollups()
    decodeCheckpoint(restored, encodeCheckpoint(r))
    expect(restored.hotspots.points(0, T0 + 10, everywhere)).toEqual(r.hotspots.points(0, T0 + 10, everywhere))
    expect(restored.hotspots.size).toBe(3)
    // The pending alert came along: its confirmation after the restore still counts.
    const more = [reviewed('a2', 'confirmed'), received('q1', T0 + 4, hazard)]
    r.apply(more)
    restored.apply(more)
    expect(restored.hotspots.hotspots(0, T0 + 10, everywhere, settings)).toEqual(r.hotspots.hotspots(0, T0 + 10, everywhere, settings))
    expect(restored.hotspots.hotspots(0, T0 + 10, everywhere, settings)[0]).toMatchObject({ count: 4, alertIds: ['a1', 'a2'] })
    expect(findHotspots(restored.hotspots.points(0, T0 + 10, everywhere), settings)).toHaveLength(1)
  })
})

const LEADER_A: TestUser = { username: 'leader-a', password: 'leader-pass-a', role: 'leader', unit: STREET_A }
const LEADER_B: TestUser = { username: 'leader-b', password: 'leader-pass-b', role: 'leader', unit: STREET_B }
const NOW = Date.parse('2026-11-28T06:30:00Z')
const validReply = createAjv(false).compile(HotspotsReplySchema)

describe('GET /api/v1/hotspots', () => {
  let t: TestApp
  afterEach(async () => {
    await t?.close()
  })

  /** Two grids side by side and a place on each side of their shared edge, 10 m apart. */
  function acrossTwoGrids(): [{ lon: number; lat: number }, { lon: number; lat: number }] {
    const grid = geography.get(GRID)!
    const [, south, east, north] = grid.geometry.type === 'Polygon' ? bbox(grid.geometry.coordinates[0]!) : [0, 0, 0, 0]
    const lat = (south + north) / 2
    const west = { lon: east - 0.00006, lat }
    const eastSide = { lon: east + 0.00006, lat }
    expect(geography.locate(west)?.gridId).toBe(GRID)
    expect(geography.locate(eastSide)?.gridId).not.toBe(GRID)
    return [west, eastSide]
  }

  async function post(id: string, location: { lon: number; lat: number }, receivedAt: number, reporter = true) {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: {
        id,
        source: 'hotline',
        category: 'noise',
        priority: 'general',
        location,
        receivedAt: new Date(receivedAt).toISOString(),
        description: 'loud music every night',
        ...(reporter ? { reporter: { name: '张三', phone: '13800000000' } } : {}),
      },
    })
    expect(res.statusCode).toBe(201)
  }

  it('answers the hotspots of the last window with ids, counts and places only', async () => {
    t = await buildTestApp({ now: () => NOW, users: [LEADER_A, LEADER_B] })
    const [west, east] = acrossTwoGrids()
    await post('n1', west, NOW - 3 * 86_400_000)
    await post('n2', east, NOW - 2 * 86_400_000)
    await post('n3', west, NOW - 86_400_000)
    // Older than the 30-day window: not counted by default.
    await post('n0', west, NOW - 31 * 86_400_000)
    const res = await t.inject({ method: 'GET', url: '/api/v1/hotspots' })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(validReply(body)).toBe(true)
    expect(body).toMatchObject({ unit: '640106', to: new Date(NOW).toISOString(), from: new Date(NOW - 30 * 86_400_000).toISOString(), radiusM: 50, minCount: 3, total: 1, truncated: false })
    expect(body.hotspots).toHaveLength(1)
    const [h] = body.hotspots
    expect(h).toMatchObject({ id: 'noise:r:n1', category: 'noise', count: 3, requestIds: ['n1', 'n2', 'n3'], alertIds: [], radiusM: 50 })
    // The centre is n1's place as stored (ingest keeps 6 decimals).
    expect(h.center.lon).toBeCloseTo(west.lon, 6)
    expect(h.center.lat).toBeCloseTo(west.lat, 6)
    expect(h.gridIds).toHaveLength(2)
    expect(h.first).toBe(new Date(NOW - 3 * 86_400_000).toISOString())
    expect(res.body).not.toContain('张三')
    expect(res.body).not.toContain('13800000000')
    expect(res.body).not.toContain('loud music')

    // A window naming the old request too: four.
    const wide = (await t.inject({ method: 'GET', url: '/api/v1/hotspots?from=2026-10-01' })).json()
    expect(wide.hotspots[0].count).toBe(4)
    // A `to` after now is cut to now.
    expect((await t.inject({ method: 'GET', url: '/api/v1/hotspots?to=2026-12-31' })).json().to).toBe(new Date(NOW).toISOString())
  })

  it('keeps a leader to their own subtree: 403 outside it, their own unit by default', async () => {
    t = await buildTestApp({ now: () => NOW, users: [LEADER_A, LEADER_B] })
    for (const [i, day] of [3, 2, 1].entries()) await post(`s${i}`, PLACE, NOW - day * 86_400_000, false)
    const b = await t.login(LEADER_B)
    const denied = await t.inject({ method: 'GET', url: `/api/v1/hotspots?unit=${STREET_A}`, headers: { cookie: b } })
    expect(denied.statusCode).toBe(403)
    expect(denied.json()).toMatchObject({ field: 'query/unit', rule: 'scope' })
    const own = (await t.inject({ method: 'GET', url: '/api/v1/hotspots', headers: { cookie: b } })).json()
    expect(own).toMatchObject({ unit: STREET_B, total: 0, hotspots: [] })
    const a = await t.login(LEADER_A)
    const mine = (await t.inject({ method: 'GET', url: '/api/v1/hotspots', headers: { cookie: a } })).json()
    expect(mine).toMatchObject({ unit: STREET_A, total: 1 })
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/hotspots' })).statusCode).toBe(401)
  })

  it('answers 400 naming the field for a bad window or parameter', async () => {
    t = await buildTestApp({ now: () => NOW })
    const cases: [string, string, string][] = [
      ['from=2026-11-30', 'query/from', 'before-to'],
      ['from=2026-11-20&to=2026-11-10', 'query/from', 'before-to'],
      ['from=2025-01-01', 'query/from', 'max-window'],
      ['from=2026-02-30', 'query/from', 'format'],
      ['from=2026-11-20T10:30:00Z', 'query/from', 'pattern'],
      ['to=2026-11-20T10:00:00.5Z', 'query/to', 'pattern'],
      ['radius=100', 'query/radius', 'additionalProperties'],
      ['unit=64', 'query/unit', 'minLength'],
    ]
    for (const [query, field, rule] of cases) {
      const res = await t.inject({ method: 'GET', url: `/api/v1/hotspots?${query}` })
      expect(res.statusCode, query).toBe(400)
      expect(res.json(), query).toMatchObject({ field, rule })
    }
    expect((await t.inject({ method: 'GET', url: '/api/v1/hotspots?unit=64010699' })).statusCode).toBe(400)
  })

  it('uses the configured radius, least count and window', async () => {
    t = await buildTestApp({ now: () => NOW, hotspots: { radiusM: 5, minCount: 2, windowDays: 2 } })
    const [west, east] = acrossTwoGrids()
    await post('c1', west, NOW - 86_400_000)
    await post('c2', west, NOW - 3600_000)
    await post('c3', east, NOW - 1800_000)
    await post('c4', west, NOW - 3 * 86_400_000)
    const body = (await t.inject({ method: 'GET', url: '/api/v1/hotspots' })).json()
    expect(body).toMatchObject({ radiusM: 5, minCount: 2, from: new Date(NOW - 2 * 86_400_000).toISOString() })
    // c3 is 10 m away (beyond 5 m), c4 before the 2-day window.
    expect(body.hotspots.map((h: { requestIds: string[] }) => h.requestIds)).toEqual([['c1', 'c2']])
  })
})

function bbox(ring: [number, number][]): [number, number, number, number] {
  const xs = ring.map((p) => p[0])
  const ys = ring.map((p) => p[1])
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]
}
