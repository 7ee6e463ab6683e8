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
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000))
}

/** Local calendar date of an instant: 'YYYY-MM-DD'. */
export function localDate(ms: number, timeZone: string): string {
  return new Date(ms + zoneOffset(ms, timeZone)).toISOString().slice(0, 10)
}

/** The instant a local date begins (00:00 local). */
export function startOfLocalDate(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const guess = Date.UTC(y, m - 1, d)
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
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}

/** [start of today, start of tomorrow) in the zone. */
export function todayWindow(now: number, timeZone: string): { from: number; to: number } {
  const date = localDate(now, timeZone)
  return { from: startOfLocalDate(date, timeZone), to: startOfLocalDate(addDays(date, 1), timeZone) }
}

export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000
