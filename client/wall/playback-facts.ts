import type { LiveEvent } from '../../shared/events'
import {
  computeFigures,
  contributionOf,
  isOpenStage,
  type AlertFacts,
  type Figures,
  type Policy,
  type RequestFacts,
} from '../../shared/metrics'
import { cellKey, cellsOf, type GridCells } from '../../shared/cells'
import type { UnitGeometry } from '../../shared/domain'
import { HOUR_MS } from '../../shared/time'
import { gridFiguresOf, type GridFigures } from '../lib/grid-figures'

/** A grid of the replayed scope, as the figures need it. */
export interface PlaybackGrid {
  id: string
  population: number | null
  /** WGS84, as the geography serves it: coverage counts the cells inside it (`shared/cells.ts`). */
  geometry: UnitGeometry
}

/**
 * What a replay has seen so far, as the facts `shared/metrics.ts` computes figures from: so a
 * replayed day's panels follow the same definitions as the live ones, at the replay's clock.
 * The day's events come through `add`; the requests still open when the day began (received on
 * earlier days) through `seed`: they are not the day's requests, but they count towards overdue
 * until the replay resolves them, as they did on the live wall that day.
 */
export class PlaybackFacts {
  private readonly requests = new Map<string, RequestFacts>()
  /** Open at the start of the day, received before it. */
  private readonly carried = new Map<string, RequestFacts>()
  private readonly alerts = new Map<string, AlertFacts>()
  /** Grid → cell key → first ping in it (the day's pings only). */
  private readonly visited = new Map<string, Map<number, number>>()
  private readonly cells = new Map<string, GridCells>()

  constructor(
    /** Start of the replayed day: requests received before it are not the day's. */
    readonly from: number,
  ) {}

  /** The requests open at `from`, with their stages until then (`GET /api/v1/open-requests`). */
  seed(open: readonly RequestFacts[]): void {
    for (const r of open) {
      if (r.receivedAt >= this.from || this.requests.has(r.id)) continue
      this.carried.set(r.id, { ...r, stages: [...r.stages] })
    }
  }

  add(events: readonly LiveEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'request.received':
          if (e.at < this.from || this.requests.has(e.requestId)) break
          this.requests.set(e.requestId, {
            id: e.requestId,
            source: e.source,
            category: e.category,
            priority: e.priority,
            gridId: e.gridId,
            receivedAt: e.at,
            stages: [],
          })
          break
        case 'request.transitioned': {
          const facts = this.requests.get(e.requestId) ?? this.carried.get(e.requestId)
          if (!facts) break
          facts.stages.push({ stage: e.stage, at: e.at, resolved: e.resolved, satisfaction: e.satisfaction })
          break
        }
        case 'alert.raised':
          if (e.at < this.from || this.alerts.has(e.alertId)) break
          this.alerts.set(e.alertId, { id: e.alertId, kind: e.kind, gridId: e.gridId, at: e.at, verdict: null, reviewedAt: null })
          break
        case 'alert.reviewed': {
          const facts = this.alerts.get(e.alertId)
          if (!facts || facts.verdict !== null) break
          facts.verdict = e.verdict
          facts.reviewedAt = e.at
          break
        }
        case 'patrol.reported': {
          if (e.at < this.from) break
          let cells = this.visited.get(e.gridId)
          if (!cells) this.visited.set(e.gridId, (cells = new Map()))
          const key = cellKey(e.lon, e.lat)
          const first = cells.get(key)
          if (first === undefined || e.at < first) cells.set(key, e.at)
          break
        }
      }
    }
  }

  get requestCount(): number {
    return this.requests.size
  }

  /** Cells of a grid, and those with a ping by `now`: a ping outside its own grid's cells counts nothing, as on the server. */
  private coverage(grid: Pick<PlaybackGrid, 'id' | 'geometry'>, now: number): { cells: number; visited: number } {
    let cells = this.cells.get(grid.id)
    if (!cells) this.cells.set(grid.id, (cells = cellsOf(grid.geometry)))
    let visited = 0
    for (const [key, at] of this.visited.get(grid.id) ?? []) if (at <= now && cells.index.has(key)) visited++
    return { cells: cells.count, visited }
  }

  /** Requests of the day by `now`, and those open at `now` (the day's and the carried ones), in `inScope`. */
  private requestsAt(now: number, policy: Policy, inScope: (gridId: string) => boolean): { requests: RequestFacts[]; open: RequestFacts[] } {
    const requests: RequestFacts[] = []
    const open: RequestFacts[] = []
    for (const r of this.requests.values()) {
      if (r.receivedAt > now || !inScope(r.gridId)) continue
      requests.push(r)
      if (isOpenStage(contributionOf(r, policy).stage)) open.push(r)
    }
    for (const r of this.carried.values()) {
      if (inScope(r.gridId) && isOpenStage(contributionOf(r, policy).stage)) open.push(r)
    }
    return { requests, open }
  }

  /**
   * The scope's figures from the start of the day to `now`. `grids` are the scope's grids (its
   * patrol cells); with `gridId`, one grid's figures.
   */
  figures(
    now: number,
    options: { population: number | null; workersOnline: number; policy: Policy; grids?: readonly Pick<PlaybackGrid, 'id' | 'geometry'>[]; gridId?: string },
  ): Figures {
    const inScope = (gridId: string) => options.gridId === undefined || gridId === options.gridId
    const { requests, open } = this.requestsAt(now, options.policy, inScope)
    const alerts: AlertFacts[] = []
    for (const a of this.alerts.values()) {
      if (a.at <= now && inScope(a.gridId)) alerts.push(a)
    }
    let cells = 0
    let visitedCells = 0
    for (const grid of options.grids ?? []) {
      if (!inScope(grid.id)) continue
      const c = this.coverage(grid, now)
      cells += c.cells
      visitedCells += c.visited
    }
    return computeFigures({
      requests,
      open,
      alerts,
      cells,
      visitedCells,
      workersOnline: options.workersOnline,
      population: options.population,
      now,
      policy: options.policy,
    })
  }

  /** Per-grid figures at `now`, for every grid of `grids`. */
  gridFigures(now: number, grids: readonly PlaybackGrid[], policy: Policy): GridFigures[] {
    const byGrid = new Map<string, { requests: RequestFacts[]; open: RequestFacts[] }>()
    const { requests, open } = this.requestsAt(now, policy, () => true)
    const of = (gridId: string) => {
      let entry = byGrid.get(gridId)
      if (!entry) byGrid.set(gridId, (entry = { requests: [], open: [] }))
      return entry
    }
    for (const r of requests) of(r.gridId).requests.push(r)
    for (const r of open) of(r.gridId).open.push(r)
    return grids.map((grid) => {
      const { requests: gridRequests, open: gridOpen } = byGrid.get(grid.id) ?? { requests: [], open: [] }
      const c = this.coverage(grid, now)
      const figures = computeFigures({
        requests: gridRequests,
        open: gridOpen,
        alerts: [],
        cells: c.cells,
        visitedCells: c.visited,
        workersOnline: 0,
        population: grid.population,
        now,
        policy,
      })
      return gridFiguresOf(grid.id, figures)
    })
  }

  /**
   * Response-time P50 and P90 (seconds) of the requests received in each hour of the day, as the
   * series API computes them, for the hours that have begun by `now` (null after).
   */
  hourlyResponse(now: number, policy: Policy, hours = 24): { p50: (number | null)[]; p90: (number | null)[] } {
    const buckets: RequestFacts[][] = Array.from({ length: hours }, () => [])
    for (const r of this.requests.values()) {
      const h = Math.floor((r.receivedAt - this.from) / HOUR_MS)
      if (r.receivedAt <= now && h >= 0 && h < hours) buckets[h]!.push(r)
    }
    const p50: (number | null)[] = []
    const p90: (number | null)[] = []
    buckets.forEach((requests, h) => {
      if (this.from + h * HOUR_MS > now) {
        p50.push(null)
        p90.push(null)
        return
      }
      const f = computeFigures({ requests, open: [], alerts: [], cells: 0, visitedCells: 0, workersOnline: 0, population: null, now, policy })
      p50.push(f.responseTime.p50)
      p90.push(f.responseTime.p90)
    })
    return { p50, p90 }
  }
}
