// How the kiosk puts figures into words. Pure, so the cards, the tests and the browser test agree.
import { DEFAULT_TIME_ZONE } from '../../shared/domain'
import { WITHHELD, type Count } from '../../shared/public'
import { zoneOffset } from '../../shared/time'

/** What the kiosk shows for a figure that is too small to show (with an explanation beside it). */
export const NO_VALUE = '—'

/** A count in the page's language (1,234); a suppressed ("<5") or withheld ("*") one exactly as it came. */
export function formatCount(count: Count, locale: string): string {
  if (typeof count === 'string') return count
  return Number.isFinite(count) ? new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(count) : NO_VALUE
}

/** The number behind a count; null for a suppressed one. */
export function countValue(count: Count): number | null {
  return typeof count === 'number' && Number.isFinite(count) ? count : null
}

/** Whether a count was suppressed as too small ("<5"). */
export function isSuppressed(count: Count): boolean {
  return typeof count === 'string' && count !== WITHHELD
}

/** Whether a count was withheld ("*"): small itself, or one a small count could be worked out from. */
export function isWithheld(count: Count): boolean {
  return count === WITHHELD
}

/** 0.9347 → '93.5%'; null (too few to show) → '—'. */
export function formatRate(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NO_VALUE
  return `${(value * 100).toFixed(1)}%`
}

/** A duration as a person says it, to the minute: "42 分钟", "1 小时 5 分", "2 天 3 小时". */
export type DurationParts =
  | { kind: 'underMinute' }
  | { kind: 'minutes'; m: number }
  | { kind: 'hours'; h: number }
  | { kind: 'hoursMinutes'; h: number; m: number }
  | { kind: 'days'; d: number }
  | { kind: 'daysHours'; d: number; h: number }

export function durationParts(seconds: number | null): DurationParts | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null
  const minutes = Math.round(seconds / 60)
  if (minutes === 0) return { kind: 'underMinute' }
  if (minutes < 60) return { kind: 'minutes', m: minutes }
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60)
    const m = minutes % 60
    return m === 0 ? { kind: 'hours', h } : { kind: 'hoursMinutes', h, m }
  }
  // Past a day, minutes are noise: whole hours.
  const hours = Math.round(minutes / 60)
  const d = Math.floor(hours / 24)
  const h = hours % 24
  return h === 0 ? { kind: 'days', d } : { kind: 'daysHours', d, h }
}

type Translate = (key: string, named: Record<string, unknown>) => string

/** The duration in words through the `kiosk.duration.*` messages; '—' when there is none. */
export function formatDuration(seconds: number | null, t: Translate): string {
  const parts = durationParts(seconds)
  if (!parts) return NO_VALUE
  const { kind, ...named } = parts
  return t(`kiosk.duration.${kind}`, named)
}

/** Date and minute of the center's clock, whatever zone the kiosk's computer is set to. */
function zoned(ms: number, timeZone: string): { day: string; time: string } {
  const local = new Date(ms + zoneOffset(ms, timeZone)).toISOString()
  return { day: local.slice(0, 10), time: local.slice(11, 16) }
}

/**
 * When the figures were computed: "14:05" on the day they are shown, with the date on any other
 * ("11月28日 14:05"), so a screen left without data for a day says so.
 */
export function formatUpdatedAt(iso: string, locale: string, now: number = Date.now(), timeZone: string = DEFAULT_TIME_ZONE): string {
  const ms = Date.parse(iso)
  if (!Number.isFinite(ms)) return NO_VALUE
  const at = zoned(ms, timeZone)
  if (at.day === zoned(now, timeZone).day) return at.time
  const date = new Intl.DateTimeFormat(locale, { month: 'long', day: 'numeric', timeZone }).format(new Date(ms))
  return `${date} ${at.time}`
}

/** Month names for English periods ("1 Jan – 5 Dec 2026"): fixed, so every browser words it alike. */
const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * The dates a figure covers, from two local dates (YYYY-MM-DD): "2026年1月1日–12月5日",
 * "2026年12月1日–5日", "2026年12月5日"; in English "1 Jan – 5 Dec 2026", "1–5 Dec 2026".
 */
export function formatPeriod(from: string, to: string, locale: string): string {
  const parse = (iso: string) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
    return m ? { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) } : null
  }
  const a = parse(from)
  const b = parse(to)
  if (!a || !b) return NO_VALUE
  const sameYear = a.y === b.y
  const sameMonth = sameYear && a.m === b.m
  if (locale.startsWith('zh')) {
    const start = `${a.y}年${a.m}月${a.d}日`
    if (sameMonth && a.d === b.d) return start
    const end = sameMonth ? `${b.d}日` : sameYear ? `${b.m}月${b.d}日` : `${b.y}年${b.m}月${b.d}日`
    return `${start}–${end}`
  }
  const month = (n: number) => EN_MONTHS[n - 1] ?? String(n)
  const end = `${b.d} ${month(b.m)} ${b.y}`
  if (sameMonth && a.d === b.d) return end
  if (sameMonth) return `${a.d}–${end}`
  return `${a.d} ${month(a.m)}${sameYear ? '' : ` ${a.y}`} – ${end}`
}
