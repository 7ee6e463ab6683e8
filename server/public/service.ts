// One computation per interval, whoever asks: ten thousand kiosks cost what one does. Every unit's
// figures come from the same reading, so that no two answers disagree on what is withheld.
import { createHash } from 'node:crypto'
import type { PublicStats } from '../../shared/public'
import type { Geography } from '../geo/geography'
import type { Rollups } from '../metrics/rollups'
import type { Store } from '../store/types'
import { calendarWindows, publicSnapshot, type UnitFigures } from './stats'

export interface CachedStats {
  stats: PublicStats
  json: string
  etag: string
  at: number
}

type Snapshot = (unitId: string) => PublicStats

export class PublicStatsService {
  private current: { at: number; stats: Snapshot; entries: Map<string, CachedStats> } | undefined
  private pending: Promise<NonNullable<PublicStatsService['current']>> | undefined
  /** How each earlier month of this year ended on the kiosk, by the month's start. */
  private readonly ended = new Map<number, Promise<Snapshot>>()

  constructor(
    private readonly deps: { store: Store; geography: Geography; rollups: Rollups; now: () => number; threshold: number; maxAgeMs: number },
  ) {}

  get threshold(): number {
    return this.deps.threshold
  }

  async get(unitId: string): Promise<CachedStats> {
    const snapshot = await this.snapshot()
    let entry = snapshot.entries.get(unitId)
    if (!entry) {
      const stats = snapshot.stats(unitId)
      const json = JSON.stringify(stats)
      entry = { stats, json, etag: `"${createHash('sha1').update(json).digest('base64url')}"`, at: snapshot.at }
      snapshot.entries.set(unitId, entry)
    }
    return entry
  }

  private snapshot(): Promise<NonNullable<PublicStatsService['current']>> {
    const now = this.deps.now()
    if (this.current && now - this.current.at < this.deps.maxAgeMs) return Promise.resolve(this.current)
    // Concurrent askers share one computation.
    this.pending ??= this.figuresAt(now)
      .then((stats) => (this.current = { at: now, stats, entries: new Map() }))
      .finally(() => (this.pending = undefined))
    return this.pending
  }

  /** Every unit's public figures at `now`. */
  private async figuresAt(now: number): Promise<Snapshot> {
    const { store, geography, rollups, threshold } = this.deps
    const { month, year } = calendarWindows(now, rollups.timeZone)
    const yearIsMonth = month.from === year.from
    const lastMonth = yearIsMonth ? undefined : await this.monthEnd(month.from - 1, year.from)
    const units = geography.units.filter((u) => u.level !== 'grid')
    // All asked at once, and the rollups read with no await between them: one moment's figures.
    const activities = await Promise.all(units.map((u) => store.activityTotals(geography.ref(u.id)!, month.from, month.to)))
    const figures = new Map<string, UnitFigures>()
    units.forEach((u, i) => {
      // The year up to this month's end: worked out again later, a past month's figures must not
      // take in what came after it.
      figures.set(u.id, { month: rollups.figures(u.id, month.from, month.to, now), year: rollups.figures(u.id, year.from, month.to, now), activities: activities[i]! })
    })
    return publicSnapshot({ geography, figures, now, threshold, yearIsMonth, ...(lastMonth ? { lastMonth } : {}) })
  }

  /**
   * The figures a kiosk showed as the month holding `at` ended: what a reader may have noted then,
   * to subtract from this month's year. Worked out once per month (each from the one before).
   */
  private monthEnd(at: number, yearStart: number): Promise<Snapshot> {
    const { month } = calendarWindows(at, this.deps.rollups.timeZone)
    for (const key of this.ended.keys()) if (key < yearStart) this.ended.delete(key)
    let ended = this.ended.get(month.from)
    if (!ended) {
      ended = this.figuresAt(month.to - 1)
      this.ended.set(month.from, ended)
      // A failed reading is asked again next time, not remembered.
      ended.catch(() => this.ended.delete(month.from))
    }
    return ended
  }
}
