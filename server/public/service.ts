// One computation per interval, whoever asks: ten thousand kiosks cost what one does. Every unit's
// figures come from the same reading, so that no two answers disagree on what is withheld.
import { createHash } from 'node:crypto'
import type { PublicPeriod, PublicStats } from '../../shared/public'
import type { UnitContact } from '../../shared/schemas/directory'
import { localDate } from '../../shared/time'
import type { Geography } from '../geo/geography'
import type { Rollups } from '../metrics/rollups'
import type { Store } from '../store/types'
import { reportFor } from './report'
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
    private readonly deps: {
      store: Store
      geography: Geography
      rollups: Rollups
      now: () => number
      threshold: number
      maxAgeMs: number
      /** The units' report contacts (directory.db), read afresh at each computation. */
      contacts?: () => readonly UnitContact[]
    },
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
    const period = await this.period(now, month.from, year.from)
    const contacts = new Map((this.deps.contacts?.() ?? []).map((c) => [c.unit, c]))
    const report = (unitId: string) => reportFor(geography, contacts, unitId)
    return publicSnapshot({ geography, figures, now, threshold, yearIsMonth, period, report, ...(lastMonth ? { lastMonth } : {}) })
  }

  /** "This year" says what it covers: from 1 January, or from the first stored day when the history is shorter. */
  private async period(now: number, monthFrom: number, yearFrom: number): Promise<PublicPeriod> {
    const zone = this.deps.rollups.timeZone
    // The earliest event ever stored: a history from before this year covers the year from 1 January.
    const first = await this.deps.store.firstEventAt(0)
    const today = localDate(now, zone)
    const firstDay = first === undefined || first > now ? today : localDate(first, zone)
    const yearStart = localDate(yearFrom, zone)
    const monthStart = localDate(monthFrom, zone)
    const later = (a: string, b: string) => (a > b ? a : b)
    return {
      month: { from: later(monthStart, firstDay), to: today },
      year: { from: later(yearStart, firstDay), to: today },
      yearFromFirstData: firstDay > yearStart,
    }
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
