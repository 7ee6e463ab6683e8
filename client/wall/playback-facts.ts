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
import { HOUR_MS } from '../../shared/time'
import { gridFiguresOf, type GridFigures } from './grid-figures'

/**
 * What a replay has seen so far, as the facts `shared/metrics.ts` computes figures from: so a
 * replayed day's panels follow the same definitions as the live ones, at the replay's clock.
 * Only events of the replayed day are known: a request received the day before and still open
 * does not count towards overdue here (the live figures include it).
 */
export class PlaybackFacts {
  private readonly requests = new Map<string, RequestFacts>()
  private readonly alerts = new Map<string, AlertFacts>()

  constructor(
    /** Start of the replayed day: requests received before it are not the day's. */
    readonly from: number,
  ) {}

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
          const facts = this.requests.get(e.requestId)
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
        case 'patrol.reported':
          break
      }
    }
  }

  get requestCount(): number {
    return this.requests.size
  }

  /** The scope's figures from the start of the day to `now`. Coverage needs the server's cells: left empty. */
  figures(now: number, options: { population: number | null; workersOnline: number; policy: Policy; gridId?: string }): Figures {
    const requests: RequestFacts[] = []
    for (const r of this.requests.values()) {
      if (r.receivedAt <= now && (options.gridId === undefined || r.gridId === options.gridId)) requests.push(r)
    }
    const alerts: AlertFacts[] = []
    for (const a of this.alerts.values()) {
      if (a.at <= now && (options.gridId === undefined || a.gridId === options.gridId)) alerts.push(a)
    }
    const open = requests.filter((r) => isOpenStage(contributionOf(r, options.policy).stage))
    return computeFigures({
      requests,
      open,
      alerts,
      cells: 0,
      visitedCells: 0,
      workersOnline: options.workersOnline,
      population: options.population,
      now,
      policy: options.policy,
    })
  }

  /** Per-grid figures at `now`, for every grid with a request or a population in `populations`. */
  gridFigures(now: number, populations: ReadonlyMap<string, number | null>, policy: Policy): GridFigures[] {
    const byGrid = new Map<string, RequestFacts[]>()
    for (const r of this.requests.values()) {
      if (r.receivedAt > now) continue
      let list = byGrid.get(r.gridId)
      if (!list) byGrid.set(r.gridId, (list = []))
      list.push(r)
    }
    const out: GridFigures[] = []
    for (const [gridId, population] of populations) {
      const requests = byGrid.get(gridId) ?? []
      const open = requests.filter((r) => isOpenStage(contributionOf(r, policy).stage))
      const figures = computeFigures({ requests, open, alerts: [], cells: 0, visitedCells: 0, workersOnline: 0, population, now, policy })
      out.push(gridFiguresOf(gridId, figures))
    }
    return out
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
