// The test oracle for the metrics: read the raw rows of a window and compute the figures from them
// with the shared definitions. Slow by design; it is what the rollups are tested against
// (test/server/metrics/rollups-property.test.ts, windows.test.ts) and benchmarked against
// (test/bench/metrics.bench.ts). No server code uses it.
//
// It reads through three Store methods that only tests use (`requestsReceived`, `alertsRaised`,
// `patrolsBetween`). They stay in the contract: the oracle must read every engine the same way, from
// the projections it keeps and along its unit indexes, not from the log that the rollups themselves
// follow (a second, test-only door into each engine would be a second contract to keep), and the
// contract suite tests them; `requestsReceived` shares its query with `openRequests`, which the
// metrics use.
import { computeFigures, ONLINE_WINDOW_MS, type Figures, type Policy } from '../../shared/metrics'
import { cellKey, cellsOf } from '../../shared/cells'
import type { Geography, UnitRef } from '../../server/geo/geography'
import type { Store } from '../../server/store/types'

export async function scanFigures(
  store: Store,
  geography: Geography,
  unit: UnitRef,
  window: { from: number; to: number; now: number },
  policy: Policy,
): Promise<Figures> {
  const { from, to, now } = window
  const [requests, open, alerts, pings, recent] = await Promise.all([
    store.requestsReceived(unit, from, to),
    store.openRequests(unit),
    store.alertsRaised(unit, from, to),
    store.patrolsBetween(unit, from, to),
    store.patrolsBetween(geography.ref(geography.district.id)!, now - ONLINE_WINDOW_MS + 1, now + 1),
  ])
  const grids = geography.units.filter((u) => u.level === 'grid' && geography.isWithin(u.id, unit.id))
  const cellsByGrid = new Map(grids.map((g) => [g.id, cellsOf(g.geometry)]))
  let cells = 0
  for (const c of cellsByGrid.values()) cells += c.count
  const visited = new Set<string>()
  for (const p of pings) {
    const key = cellKey(p.lon, p.lat)
    if (cellsByGrid.get(p.gridId)?.index.has(key)) visited.add(`${p.gridId}:${key}`)
  }
  // A worker is online in the unit of their latest ping.
  const latest = new Map<string, { at: number; gridId: string }>()
  for (const p of recent) {
    const seen = latest.get(p.workerId)
    if (!seen || p.at >= seen.at) latest.set(p.workerId, p)
  }
  let workersOnline = 0
  for (const w of latest.values()) if (geography.isWithin(w.gridId, unit.id)) workersOnline++
  return computeFigures({
    requests,
    open,
    alerts,
    cells,
    visitedCells: visited.size,
    workersOnline,
    population: geography.get(unit.id)?.population ?? null,
    now,
    policy,
  })
}
