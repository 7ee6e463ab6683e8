// One computation per unit per interval, whoever asks: ten thousand kiosks cost what one does.
import { createHash } from 'node:crypto'
import type { PublicStats } from '../../shared/public'
import type { Geography } from '../geo/geography'
import type { Rollups } from '../metrics/rollups'
import type { Store } from '../store/types'
import { buildPublicStats, calendarWindows } from './stats'

export interface CachedStats {
  stats: PublicStats
  json: string
  etag: string
  at: number
}

export class PublicStatsService {
  private readonly cache = new Map<string, CachedStats>()
  private readonly pending = new Map<string, Promise<CachedStats>>()

  constructor(
    private readonly deps: { store: Store; geography: Geography; rollups: Rollups; now: () => number; threshold: number; maxAgeMs: number },
  ) {}

  get threshold(): number {
    return this.deps.threshold
  }

  async get(unitId: string): Promise<CachedStats> {
    const now = this.deps.now()
    const cached = this.cache.get(unitId)
    if (cached && now - cached.at < this.deps.maxAgeMs) return cached
    // Concurrent askers share one computation.
    let pending = this.pending.get(unitId)
    if (!pending) {
      pending = this.compute(unitId, now).finally(() => this.pending.delete(unitId))
      this.pending.set(unitId, pending)
    }
    return pending
  }

  private async compute(unitId: string, now: number): Promise<CachedStats> {
    const { store, geography, rollups, threshold } = this.deps
    const { month } = calendarWindows(now, rollups.timeZone)
    const activities = await store.activityTotals(geography.ref(unitId)!, month.from, month.to)
    const stats = buildPublicStats({ unitId, geography, rollups, activities, now, threshold })
    const json = JSON.stringify(stats)
    const entry = { stats, json, etag: `"${createHash('sha1').update(json).digest('base64url')}"`, at: now }
    this.cache.set(unitId, entry)
    return entry
  }
}
