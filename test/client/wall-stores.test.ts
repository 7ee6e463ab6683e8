import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { HttpError } from '../../client/http'
import type { HeatPoint } from '../../client/lib/live-types'
import { HEAT_LIMIT, HEAT_WINDOW_MS, trimHeat, useLiveStore } from '../../client/stores/live'
import { useGeographyStore } from '../../client/stores/geography'
import { useMetricsStore } from '../../client/stores/metrics'
import { buildSampleGeography } from '../../shared/sample-geography'
import { loadGridFigures } from '../../client/wall/load'
import { computeFigures, DEFAULT_POLICY, type Figures } from '../../shared/metrics'
import { GRID, T0, openRequest, patrol, raised, received, transitioned } from '../fixtures/live-fixtures'

function figures(requests: number): Figures {
  const f = computeFigures({ requests: [], open: [], alerts: [], cells: 0, visitedCells: 0, workersOnline: 0, population: null, now: T0, policy: DEFAULT_POLICY })
  return { ...f, requests }
}

describe('live store: heat and replay', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('keeps the requests of the last 24 hours for the heatmap, oldest first', () => {
    const live = useLiveStore()
    live.resetHeat('640106')
    live.applyEvents([received(1, 'r1', { at: T0 }), patrol(2, 'w1', 106.2), received(3, 'r3', { at: T0 + 60_000 })], undefined, T0 + 60_000)
    expect(live.heat.map((p) => p.id)).toEqual(['r1', 'r3'])
    // A day later r1 has left the window, r3 not yet.
    live.applyEvents([patrol(4, 'w1', 106.21)], undefined, T0 + HEAT_WINDOW_MS + 1)
    expect(live.heat.map((p) => p.id)).toEqual(['r3'])
  })

  it('merges a scope\'s history with what the stream already brought, each request once', () => {
    const live = useLiveStore()
    live.resetHeat('640106')
    live.applyEvents([received(5, 'r5', { at: T0 + 5_000 })], undefined, T0 + 10_000)
    live.mergeHeat('640106', [{ id: 'r4', lon: 106, lat: 38, at: T0 }, { id: 'r5', lon: 106, lat: 38, at: T0 + 5_000 }], T0 + 10_000)
    expect(live.heat.map((p) => p.id)).toEqual(['r4', 'r5'])
    // A history that arrives after the scene changed is dropped.
    live.resetHeat('640106001')
    live.mergeHeat('640106', [{ id: 'r6', lon: 106, lat: 38, at: T0 }], T0)
    expect(live.heat).toEqual([])
  })

  it('starts a scope\'s heat from the open requests of its snapshot', () => {
    const live = useLiveStore()
    live.resetHeat('640106')
    live.applySnapshot(
      5,
      { requests: [openRequest('r1', { receivedAt: T0 }), openRequest('old', { receivedAt: T0 - HEAT_WINDOW_MS - 1 })], alerts: [], workers: [], alarms: [] },
      T0 + 1_000,
    )
    expect(live.heat.map((p) => p.id)).toEqual(['r1'])
  })

  it('never holds more than HEAT_LIMIT points', () => {
    const points: HeatPoint[] = Array.from({ length: HEAT_LIMIT + 10 }, (_, i) => ({ id: `r${i}`, lon: 106, lat: 38, at: T0 + i }))
    const kept = trimHeat(points, T0 + HEAT_LIMIT + 10)
    expect(kept).toHaveLength(HEAT_LIMIT)
    expect(kept[0]!.id).toBe('r10')
  })

  it('replays events in the order given, a late seq before an early one, and resets for a new day', () => {
    const live = useLiveStore()
    // In time order, request r1 (seq 9) comes before the transition of seq 10, and a ping of seq 2 after both.
    live.replayEvents([received(9, 'r1'), transitioned(10, 'r1', 'dispatched'), patrol(2, 'w1', 106.2)], T0)
    expect(live.openRequests.get('r1')?.stage).toBe('dispatched')
    expect(live.workers.has('w1')).toBe(true)
    expect(live.recent.map((e) => e.seq)).toEqual([10, 9])
    live.replayEvents([raised(3, 'a1')], T0 + 1)
    expect(live.alerts.has('a1')).toBe(true)
    expect(live.lastEventAt).toBe(T0 + 1)
    live.reset()
    expect(live.openRequests.size + live.alerts.size + live.workers.size + live.recent.length + live.heat.length).toBe(0)
    expect(live.seq).toBe(0)
  })
})

describe('geography store: the tree', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('finds units of a level under a unit, and a unit\'s ancestors', () => {
    const geography = useGeographyStore()
    geography.setGeography({
      type: 'FeatureCollection',
      features: buildSampleGeography().map((u) => ({ type: 'Feature', id: u.id, properties: { id: u.id, level: u.level, parentId: u.parentId, name: u.name }, geometry: u.geometry })),
    })
    expect(geography.unitsUnder('640106', 'community')).toHaveLength(50)
    expect(geography.unitsUnder('640106001', 'community').map((c) => c.id)).toEqual(['640106001001', '640106001002', '640106001003', '640106001004', '640106001005', '640106001006', '640106001007'])
    expect(geography.unitsUnder('640106001001', 'community').map((c) => c.id)).toEqual(['640106001001'])
    expect(geography.unitsUnder('640106001001', 'grid').every((g) => g.parentId === '640106001001')).toBe(true)
    expect(geography.unitsUnder('nowhere', 'grid')).toEqual([])
    expect(geography.lineage(GRID).map((u) => u.level)).toEqual(['grid', 'community', 'street', 'district'])
    expect(geography.children('640106').map((c) => c.level)).toEqual(Array(8).fill('street'))
  })
})

describe('metrics store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('takes figures only for the scene on screen, and never older than what it holds', () => {
    const metrics = useMetricsStore()
    metrics.reset('640106')
    expect(metrics.setFigures('640106001', figures(1), 10)).toBe(false)
    expect(metrics.figures).toBeNull()
    expect(metrics.setFigures('640106', figures(5), 20)).toBe(true)
    expect(metrics.setFigures('640106', figures(4), 15)).toBe(false)
    expect(metrics.figures?.requests).toBe(5)
    expect(metrics.asOf).toBe(20)
    metrics.setGrids('640106', [{ unit: GRID, requests: 1, perThousand: 0.5, onTimeResponse: figures(0).onTimeResponse, overdue: { response: 0, resolution: 1 }, coverage: figures(0).patrol.coverage }])
    expect(metrics.grids.get(GRID)?.overdue.resolution).toBe(1)
    metrics.reset('640106002')
    expect(metrics.figures).toBeNull()
    expect(metrics.grids.size).toBe(0)
  })
})

describe('loadGridFigures', () => {
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

  it('asks the compact route for every grid of the scene', async () => {
    const calls: string[] = []
    const grid = { unit: GRID, requests: 2, perThousand: 1, onTimeResponse: figures(0).onTimeResponse, overdue: { response: 0, resolution: 0 }, coverage: figures(0).patrol.coverage }
    const fetchImpl = async (url: string) => {
      calls.push(url)
      return json({ unit: '640106', from: '', to: '', now: '', grids: [grid] })
    }
    expect(await loadGridFigures('640106', { fetchImpl })).toEqual([grid])
    expect(calls).toEqual(['/api/v1/metrics/grids?unit=640106'])
  })

  it('passes other errors on (a 401 is for the wall to handle)', async () => {
    const fetchImpl = async () => json({ message: 'log in first' }, 401)
    await expect(loadGridFigures('640106', { fetchImpl })).rejects.toBeInstanceOf(HttpError)
  })
})
