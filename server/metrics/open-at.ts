// The requests of a unit that were open at a past moment, as they stood then: what a replay of a
// day starts from, so its overdue counts include requests received on earlier days.
import { currentStage, isOpenStage } from '../../shared/metrics'
import { DAY_MS } from '../../shared/time'
import type { UnitRef } from '../geo/geography'
import type { PlacedRequestFacts, Store } from '../store/types'

/** A request open at the moment, as it stood then, and where it is (WGS84). */
export type OpenRequestAt = PlacedRequestFacts

/** Events read at once while looking for requests closed since the moment. */
const PAGE_LIMIT = 50_000

/**
 * Requests received before `at` whose stage at `at` was not resolved or reviewed, with only the
 * stages they had by then. Such a request is either still open now, or was resolved at or after
 * `at`: the first kind comes from the store's open set, the second from the resolutions logged
 * since `at`, read day by day. A day with nothing for the unit skips ahead to the store's next
 * event, so the reads grow with the days since `at` that hold events, not with how far back `at` is.
 */
export async function openRequestsAt(store: Store, unit: UnitRef, at: number, now: number): Promise<OpenRequestAt[]> {
  const candidates = new Map<string, PlacedRequestFacts>()
  for (const r of await store.openRequests(unit)) if (r.receivedAt < at) candidates.set(r.id, r)

  const receivedSince = new Set<string>()
  const resolvedSince = new Set<string>()
  /** Reads the events of [from, to); answers how many there were. */
  const scan = async (from: number, to: number): Promise<number> => {
    const events = await store.eventsBetween(unit, from, to, PAGE_LIMIT, ['request.received', 'request.transitioned'])
    // A busy page: halve it rather than miss the events past the limit.
    if (events.length >= PAGE_LIMIT && to - from > 1000) {
      const mid = from + Math.floor((to - from) / 2)
      return (await scan(from, mid)) + (await scan(mid, to))
    }
    for (const e of events) {
      if (e.type === 'request.received') receivedSince.add(e.requestId)
      else if (e.type === 'request.transitioned' && e.stage === 'resolved') resolvedSince.add(e.requestId)
    }
    return events.length
  }
  const end = Math.max(at, now) + DAY_MS
  let from = at
  while (from < end) {
    const to = Math.min(end, from + DAY_MS)
    const found = await scan(from, to)
    from = to
    if (found === 0) {
      const next = await store.firstEventAt(from)
      if (next === undefined) break
      from = Math.max(from, next)
    }
  }

  for (const id of resolvedSince) {
    if (candidates.has(id) || receivedSince.has(id)) continue
    const detail = await store.getRequest(id)
    if (!detail) continue
    const receivedAt = Date.parse(detail.receivedAt)
    if (receivedAt >= at) continue
    candidates.set(id, {
      id,
      lon: detail.location.lon,
      lat: detail.location.lat,
      source: detail.source,
      category: detail.category,
      priority: detail.priority,
      gridId: detail.gridId,
      receivedAt,
      stages: detail.stages.flatMap((s) =>
        s.stage === 'received'
          ? []
          : [{ stage: s.stage, at: Date.parse(s.at), ...(s.review ? { resolved: s.review.resolved, satisfaction: s.review.satisfaction } : {}) }],
      ),
    })
  }

  const out: OpenRequestAt[] = []
  for (const r of candidates.values()) {
    const then: OpenRequestAt = { ...r, stages: r.stages.filter((s) => s.at < at) }
    if (isOpenStage(currentStage(then))) out.push(then)
  }
  return out.sort((a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : 1))
}
