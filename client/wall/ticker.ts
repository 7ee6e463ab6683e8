// What the wall's ticker says: news, not the routine. Pure, so a unit test reads it without a DOM.
import type { LiveEvent } from '../../shared/events'

/** Rows drawn: more than the panel shows at this type size, far fewer than the store keeps. */
export const TICKER_ROWS = 30
/** An urgent request stays pinned at the top of the ticker this long (on the wall's clock)… */
export const TICKER_PIN_MS = 15 * 60_000
/** …at most this many at once (the alarm panel over the map lists every open one). */
export const TICKER_MAX_PINNED = 2

/**
 * Whether an event is news on the wall. A patrol's check-in or visit is routine (counted in the
 * coverage figures, a green dot on the map) and flooded the ticker; so are the middle steps of a
 * request (dispatched, accepted, on site). An urgent request's or a camera alert's alarm is the
 * same news as the request or alert itself, which has its own row; an overdue alarm is news.
 */
export function isTickerWorthy(e: LiveEvent): boolean {
  switch (e.type) {
    case 'patrol.reported':
      return false
    case 'request.transitioned':
      return e.stage === 'resolved' || e.stage === 'returned' || e.stage === 'reopened'
    case 'alarm.raised':
      return e.reason === 'overdue'
    default:
      return true
  }
}

/** An urgent request: pinned while it is recent, so it does not scroll away in seconds. */
export function isPinWorthy(e: LiveEvent): boolean {
  return e.type === 'request.received' && e.priority === 'urgent'
}

export interface TickerRows {
  /** Urgent events of the last `TICKER_PIN_MS`, newest first. */
  pinned: LiveEvent[]
  /** The other notable events, newest first. */
  rolling: LiveEvent[]
}

/** `events` newest first (the live store's `recent`); `now` the wall's clock. */
export function tickerRows(events: readonly LiveEvent[], now: number, rows = TICKER_ROWS): TickerRows {
  const pinned: LiveEvent[] = []
  const rolling: LiveEvent[] = []
  for (const e of events) {
    if (!isTickerWorthy(e)) continue
    if (pinned.length < TICKER_MAX_PINNED && isPinWorthy(e) && now - e.at < TICKER_PIN_MS) pinned.push(e)
    else if (rolling.length < rows) rolling.push(e)
    if (rolling.length >= rows && (pinned.length >= TICKER_MAX_PINNED || now - e.at >= TICKER_PIN_MS)) break
  }
  return { pinned, rolling }
}
