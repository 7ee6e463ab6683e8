// The kiosk's one REST call. No cookie goes with it: the kiosk is anonymous even in a browser
// where someone once logged in.
import { PUBLIC_STATS_PATH, type PublicStats } from '../../shared/public'
import { fetchJson, messageOf, type FetchLike } from '../http'

export type StatsResult = { ok: true; stats: PublicStats } | { ok: false; status: number; message?: string }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/**
 * Enough of the shape to render without throwing: a screen that runs for months must survive a
 * server that answers something else (a proxy's error page, an older version).
 */
export function isPublicStats(value: unknown): value is PublicStats {
  if (!isObject(value)) return false
  const { unit, name, updatedAt, month, year, rates, topCategories, comparison, activities } = value
  return (
    typeof unit === 'string' &&
    typeof name === 'string' &&
    typeof updatedAt === 'string' &&
    isObject(month) &&
    isObject(year) &&
    isObject(rates) &&
    Array.isArray(topCategories) &&
    isObject(comparison) &&
    Array.isArray(comparison.units) &&
    Array.isArray(activities)
  )
}

/** `GET /api/v1/public/stats?unit=`; a network failure is status 0. */
export async function fetchPublicStats(unit: string, fetchImpl?: FetchLike): Promise<StatsResult> {
  try {
    const { ok, status, body } = await fetchJson(PUBLIC_STATS_PATH, { unit }, { fetchImpl, credentials: 'omit', cache: 'no-store' })
    if (!ok) {
      const message = messageOf(body)
      return message === undefined ? { ok: false, status } : { ok: false, status, message }
    }
    return isPublicStats(body) ? { ok: true, stats: body } : { ok: false, status, message: 'unexpected answer' }
  } catch {
    return { ok: false, status: 0 }
  }
}
