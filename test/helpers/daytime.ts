// Tests whose figures depend on the hour: "today" in the center's zone, or the simulator's
// arrivals at the clock's hour (a few an hour at night). Run at any hour, they must see a day.
import { DEFAULT_TIME_ZONE } from '../../shared/domain'
import { DAY_MS, HOUR_MS, zoneOffset } from '../../shared/time'

/** Hours since local midnight in a zone, fractional. */
export function localHour(ms: number, timeZone: string): number {
  return (((ms + zoneOffset(ms, timeZone)) % DAY_MS) + DAY_MS) % DAY_MS / HOUR_MS
}

/**
 * A zone in which `now` is between 06:00 and 22:00: the center's own when it is, else another.
 * The three are eight hours apart, so at any moment at least two of them qualify. For a server
 * and a browser that share the real clock but must both see a day with a morning behind it.
 */
export function daytimeZone(now: number = Date.now()): string {
  for (const zone of [DEFAULT_TIME_ZONE, 'Europe/London', 'America/Los_Angeles']) {
    const hour = localHour(now, zone)
    if (hour >= 6 && hour < 22) return zone
  }
  throw new Error('no zone of the three is in daytime: their offsets have changed')
}

/**
 * The real clock, moved back (never forward: a time ahead of the server is refused) to about
 * 12:00 in the zone when it is now outside 09:00–18:00 there; otherwise unmoved.
 */
export function daytimeClock(timeZone: string = DEFAULT_TIME_ZONE, now: number = Date.now()): () => number {
  const hour = localHour(now, timeZone)
  const shift = hour >= 9 && hour < 18 ? 0 : -(((hour - 12 + 24) % 24) * HOUR_MS)
  return () => Date.now() + shift
}
