// The kiosk's one REST call. No cookie goes with it: the kiosk is anonymous even in a browser
// where someone once logged in.
import { PUBLIC_STATS_PATH, type PublicStats } from '../../shared/public'

export type StatsResult = { ok: true; stats: PublicStats } | { ok: false; status: number; message?: string }

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>
const globalFetch: FetchLike = (input, init) => fetch(input, init)

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

export function statsUrl(unit: string): string {
  return `${PUBLIC_STATS_PATH}?unit=${encodeURIComponent(unit)}`
}

/** `GET /api/v1/public/stats?unit=`; a network failure is status 0. */
export async function fetchPublicStats(unit: string, fetchImpl: FetchLike = globalFetch): Promise<StatsResult> {
  try {
    const res = await fetchImpl(statsUrl(unit), { credentials: 'omit', cache: 'no-store', headers: { accept: 'application/json' } })
    const body: unknown = await res.json().catch(() => undefined)
    if (!res.ok) {
      const message = isObject(body) && typeof body.message === 'string' ? body.message : undefined
      return message === undefined ? { ok: false, status: res.status } : { ok: false, status: res.status, message }
    }
    return isPublicStats(body) ? { ok: true, stats: body } : { ok: false, status: res.status, message: 'unexpected answer' }
  } catch {
    return { ok: false, status: 0 }
  }
}
