// Recurring hotspots for the API: the window a query names, the scope, the cap on the reply.
import { HOTSPOT_REPLY_LIMIT, DEFAULT_HOTSPOT_MIN_COUNT, DEFAULT_HOTSPOT_RADIUS_M, DEFAULT_HOTSPOT_WINDOW_DAYS } from '../../shared/hotspots'
import type { HotspotsReply } from '../../shared/schemas/hotspots'
import { DAY_MS, FIRST_DATE, HOUR_MS, LAST_DATE, inDateRange, isCalendarDate, startOfLocalDate } from '../../shared/time'
import { HttpError } from '../errors'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Geography } from '../geo/geography'
import type { Rollups } from './rollups'

export interface HotspotConfig {
  radiusM: number
  minCount: number
  windowDays: number
}

export const DEFAULT_HOTSPOT_CONFIG: HotspotConfig = {
  radiusM: DEFAULT_HOTSPOT_RADIUS_M,
  minCount: DEFAULT_HOTSPOT_MIN_COUNT,
  windowDays: DEFAULT_HOTSPOT_WINDOW_DAYS,
}

/** The longest window a query may name (as for /api/v1/metrics). */
const MAX_WINDOW_MS = 400 * DAY_MS
/**
 * A reply is kept this long and given to every query of the same unit and window meanwhile: a
 * recurrence over 30 days is not changed by the last minute, and a district of a million points
 * takes seconds to work out (`npm run bench -- hotspots`). The default window ends on the minute,
 * so that every wall's minute-by-minute refresh asks the same one.
 */
export const HOTSPOT_REPLY_TTL_MS = 60_000
/** Replies kept at most (the least recently made go first). */
const CACHE_ENTRIES = 64
/** Distinct windows waiting to be worked out, one at a time; more are refused (503) until some are done. */
export const HOTSPOT_QUEUE_LIMIT = 16

export class HotspotService {
  /** Replies made or being made, by unit and window: one piece of work however many ask at once. */
  private readonly replies = new Map<string, { at: number; reply: Promise<HotspotsReply> }>()
  /** The work, one window at a time (each in slices that leave the event loop free between them). */
  private queue: Promise<unknown> = Promise.resolve()
  private waiting = 0

  constructor(
    private readonly rollups: Rollups,
    private readonly geography: Geography,
    private readonly now: () => number,
    readonly config: HotspotConfig = DEFAULT_HOTSPOT_CONFIG,
  ) {}

  /**
   * [from, to): `to` defaults to now and is never later (a later one is cut to now); `from`
   * defaults to the configured window before `to`.
   */
  window(query: { from?: string; to?: string }): { from: number; to: number } {
    const now = this.now()
    const to = Math.min(now, query.to === undefined ? Math.floor(now / 60_000) * 60_000 : this.bound(query.to, 'query/to'))
    const from = query.from === undefined ? to - this.config.windowDays * DAY_MS : this.bound(query.from, 'query/from')
    if (to <= from) throw new HttpError(400, 'query/from must be before query/to and before now', { field: 'query/from', rule: 'before-to' })
    if (to - from > MAX_WINDOW_MS) {
      throw new HttpError(400, `query/from: the window may span at most ${MAX_WINDOW_MS / DAY_MS} days`, { field: 'query/from', rule: 'max-window' })
    }
    return { from, to }
  }

  /**
   * The unit's hotspots in the window, the HOTSPOT_REPLY_LIMIT largest: the reply made for the same
   * unit and window within HOTSPOT_REPLY_TTL_MS, or one worked out in slices, one window at a time.
   */
  reply(unitId: string, window: { from: number; to: number }): Promise<HotspotsReply> {
    const key = `${unitId}|${window.from}|${window.to}`
    const now = performance.now()
    const kept = this.replies.get(key)
    if (kept && now - kept.at < HOTSPOT_REPLY_TTL_MS) {
      // Most recently used last.
      this.replies.delete(key)
      this.replies.set(key, kept)
      return kept.reply
    }
    if (this.waiting >= HOTSPOT_QUEUE_LIMIT) {
      return Promise.reject(new HttpError(503, 'hotspots: too many windows are being worked out; try again in a minute', { field: 'query', rule: 'busy' }))
    }
    this.waiting++
    const reply = this.queue.then(() => this.make(unitId, window)).finally(() => this.waiting--)
    this.queue = reply.catch(() => undefined)
    this.replies.delete(key)
    this.replies.set(key, { at: now, reply })
    // A failed piece of work is not kept.
    reply.catch(() => this.replies.get(key)?.reply === reply && this.replies.delete(key))
    while (this.replies.size > CACHE_ENTRIES) this.replies.delete(this.replies.keys().next().value!)
    return reply
  }

  private async make(unitId: string, window: { from: number; to: number }): Promise<HotspotsReply> {
    const { radiusM, minCount } = this.config
    const all = await this.rollups.hotspots.hotspotsInSlices(window.from, window.to, (grid) => this.geography.isWithin(grid, unitId), { radiusM, minCount }, () => nextTurn())
    const iso = (ms: number) => new Date(ms).toISOString()
    return {
      unit: unitId,
      from: iso(window.from),
      to: iso(window.to),
      radiusM,
      minCount,
      total: all.length,
      truncated: all.length > HOTSPOT_REPLY_LIMIT,
      hotspots: all.slice(0, HOTSPOT_REPLY_LIMIT).map((h) => ({ ...h, first: iso(h.first), last: iso(h.last) })),
    }
  }

  private bound(value: string, field: string): number {
    const tz = this.rollups.timeZone
    const ms = !isCalendarDate(value.slice(0, 10)) ? NaN : value.length === 10 ? startOfLocalDate(value, tz) : Date.parse(value)
    if (!Number.isFinite(ms)) throw new HttpError(400, `${field} is not a valid date or time`, { field, rule: 'format' })
    if (!inDateRange(ms, tz)) throw new HttpError(400, `${field} must lie from ${FIRST_DATE} to ${LAST_DATE}`, { field, rule: 'range' })
    if (ms % HOUR_MS !== 0) throw new HttpError(400, `${field} must fall on a whole hour`, { field, rule: 'whole-hour' })
    return ms
  }
}
