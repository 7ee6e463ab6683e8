// Days in the center's time zone, without a date library: Intl gives the wall-clock time of an
// instant in any IANA zone, and the offset follows from it.

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone)
    return true
  } catch {
    return false
  }
}

/** Offset of the zone from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
export function zoneOffset(ms: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(ms))
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  const asUtc = utc(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000))
}

/** Date.UTC, except that years 0–99 stay themselves (Date.UTC reads them as 1900–1999). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  if (year >= 100) return Date.UTC(year, month, day, hour, minute, second)
  const date = new Date(0)
  date.setUTCFullYear(year, month, day)
  date.setUTCHours(hour, minute, second)
  return date.getTime()
}

/** 'YYYY-MM-DD' of an instant in UTC; a RangeError outside years 0–9999, which have no such form. */
function isoDate(ms: number): string {
  const iso = new Date(ms).toISOString()
  if (iso.length !== 24) throw new RangeError(`${iso} is outside the years 0000–9999`)
  return iso.slice(0, 10)
}

/** Local calendar date of an instant: 'YYYY-MM-DD'. */
export function localDate(ms: number, timeZone: string): string {
  return isoDate(ms + zoneOffset(ms, timeZone))
}

/** Whether a 'YYYY-MM-DD' names a day of the calendar: not 2026-02-30, which Date.UTC would roll on. */
export function isCalendarDate(date: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  return match !== null && isoDate(utc(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) === date
}

/** The instant a local date begins (00:00 local). */
export function startOfLocalDate(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const guess = utc(y, m - 1, d)
  // Two rounds settle the offset even across a DST change on that day.
  let ms = guess - zoneOffset(guess, timeZone)
  ms = guess - zoneOffset(ms, timeZone)
  return ms
}

/** Start of the local day containing `ms`. */
export function startOfDay(ms: number, timeZone: string): number {
  return startOfLocalDate(localDate(ms, timeZone), timeZone)
}

/** The local date `days` after `date`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return isoDate(utc(y, m - 1, d + days))
}

/** [start of today, start of tomorrow) in the zone. */
export function todayWindow(now: number, timeZone: string): { from: number; to: number } {
  const date = localDate(now, timeZone)
  return { from: startOfLocalDate(date, timeZone), to: startOfLocalDate(addDays(date, 1), timeZone) }
}

export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

/**
 * The first and last local dates a query may name (a window's bounds, a replay's moment): outside
 * them a date is a typo or a probe, not the center's history, and the years past 9999 cannot be
 * written as dates at all.
 */
export const FIRST_DATE = '2000-01-01'
export const LAST_DATE = '2100-01-01'

/** Whether an instant lies from FIRST_DATE to LAST_DATE, both at 00:00 in the zone, both included. */
export function inDateRange(ms: number, timeZone: string): boolean {
  return ms >= startOfLocalDate(FIRST_DATE, timeZone) && ms <= startOfLocalDate(LAST_DATE, timeZone)
}
