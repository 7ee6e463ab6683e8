import type { LiveEvent, LiveEventType } from '../../shared/events'
import { fetchEvents, API, type GridMetricsReply } from '../api'
import { getJson, type FetchLike } from '../http'
import type { GridFigures } from '../lib/grid-figures'

/** Events of [from, to) (whole hours), with the route's `truncated` flag. */
export async function loadEvents(
  unit: string,
  from: number,
  to: number,
  options: { types?: readonly LiveEventType[]; fetchImpl?: FetchLike; signal?: AbortSignal } = {},
): Promise<{ events: LiveEvent[]; truncated: boolean }> {
  const reply = await fetchEvents(unit, from, to, options.types, options.fetchImpl, options.signal)
  return { events: reply.events, truncated: reply.truncated }
}

/** Today's figures of every grid in the scene (a grid scene: that grid alone). */
export async function loadGridFigures(unit: string, options: { fetchImpl?: FetchLike; signal?: AbortSignal } = {}): Promise<GridFigures[]> {
  const reply = await getJson<GridMetricsReply>(API.grids, { unit }, options)
  return reply.grids
}
