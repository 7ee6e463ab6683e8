import type { LiveEvent, LiveEventType } from '../../shared/events'
import { fetchEvents, fetchMetrics, getJson, isNotFound, API, type FetchLike, type GridMetricsReply } from '../api'
import { gridFiguresOf, type GridFigures } from './grid-figures'

/** Events of [from, to) (whole hours), with the route's `truncated` flag. */
export async function loadEvents(
  unit: string,
  from: number,
  to: number,
  options: { types?: readonly LiveEventType[]; fetchImpl?: FetchLike; signal?: AbortSignal } = {},
): Promise<{ events: LiveEvent[]; truncated: boolean }> {
  const reply = await fetchEvents(unit, from, to, options.types, options.fetchImpl, options.signal)
  return { events: reply.events, truncated: reply.truncated ?? false }
}

/** Runs `fn` over `items`, at most `concurrency` at a time, results in item order. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return out
}

/** Remembered once seen: an older server without the compact route is not asked again. */
let gridsRouteMissing = false

/**
 * Today's figures of every grid in the scene. Asks the compact route; without it, asks
 * `/api/v1/metrics` for each community holding the scene's grids (their children are grids).
 */
export async function loadGridFigures(
  unit: string,
  communitiesOf: (unit: string) => string[],
  options: { fetchImpl?: FetchLike; signal?: AbortSignal; gridFilter?: (gridId: string) => boolean } = {},
): Promise<GridFigures[]> {
  if (!gridsRouteMissing) {
    try {
      const reply = await getJson<GridMetricsReply>(API.grids, { unit }, options.fetchImpl, options.signal)
      return reply.grids
    } catch (error) {
      if (!isNotFound(error)) throw error
      // Scenes are units of the geography, so a 404 here means an older server without the route.
      gridsRouteMissing = true
    }
  }
  const replies = await mapLimit(communitiesOf(unit), 6, (c) => fetchMetrics(c, {}, options.fetchImpl, options.signal))
  const grids = replies.flatMap((r) => r.children.map((c) => gridFiguresOf(c.unit, c.figures)))
  return options.gridFilter ? grids.filter((g) => options.gridFilter!(g.unit)) : grids
}

/** For tests: forget that the compact route was missing. */
export function resetGridsRouteProbe(): void {
  gridsRouteMissing = false
}
