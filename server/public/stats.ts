// The kiosk's figures: aggregates only, built from the rollups. No event, request, worker, camera
// or coordinate ever enters them; counts under the threshold are suppressed at community level and
// rates over fewer requests than the threshold are not shown.
import { CATEGORIES, type Category } from '../../shared/domain'
import type { Rate } from '../../shared/metrics'
import { ACTIVITY_KINDS, type Count, type PublicStats } from '../../shared/public'
import { localDate, startOfLocalDate } from '../../shared/time'
import type { Geography } from '../geo/geography'
import type { Rollups } from '../metrics/rollups'

export interface ActivityTotal {
  kind: string
  activities: number
  participants: number
}

export interface PublicStatsInput {
  unitId: string
  geography: Geography
  rollups: Rollups
  /** This month's activities of the unit's subtree, by kind. */
  activities: ActivityTotal[]
  now: number
  threshold: number
}

/** [start of this month, start of next month) and the same for the year, in the zone. */
export function calendarWindows(now: number, timeZone: string) {
  const today = localDate(now, timeZone)
  const [y, m] = today.split('-').map(Number) as [number, number]
  const pad = (n: number) => String(n).padStart(2, '0')
  const monthStart = `${y}-${pad(m)}-01`
  const nextMonth = m === 12 ? `${y + 1}-01-01` : `${y}-${pad(m + 1)}-01`
  return {
    month: { from: startOfLocalDate(monthStart, timeZone), to: startOfLocalDate(nextMonth, timeZone) },
    year: { from: startOfLocalDate(`${y}-01-01`, timeZone), to: startOfLocalDate(`${y + 1}-01-01`, timeZone) },
  }
}

export function buildPublicStats(input: PublicStatsInput): PublicStats {
  const { geography, rollups, now, threshold, unitId } = input
  const unit = geography.get(unitId)!
  if (unit.level === 'grid') throw new Error('the kiosk shows streets, communities or the district')
  const { month, year } = calendarWindows(now, rollups.timeZone)
  const community = unit.level === 'community'
  const count = (n: number, atCommunity = community): Count => (atCommunity && n < threshold ? `<${threshold}` : n)
  const shown = (r: Rate): number | null => (r.n >= threshold ? r.value : null)

  const m = rollups.figures(unitId, month.from, month.to, now)
  const y = rollups.figures(unitId, year.from, year.to, now)
  const handled = (f: typeof m) => Object.values(f.handledByCategory).reduce((a, b) => a + b, 0)

  const topCategories = (Object.entries(m.handledByCategory) as [Category, number][])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || CATEGORIES.indexOf(a[0]) - CATEGORIES.indexOf(b[0]))
    .slice(0, 5)
    .map(([category, n]) => ({ category, handled: count(n) }))

  // A street's kiosk compares the streets; a community's, the communities of its street.
  const peersOf = unit.level === 'district' ? unit.id : unit.parentId!
  const peers = unit.level === 'district' ? geography.children(unit.id) : geography.children(peersOf)
  const comparison = {
    level: (community ? 'community' : 'street') as 'street' | 'community',
    units: peers.map((peer) => {
      const f = rollups.figures(peer.id, month.from, month.to, now)
      return {
        unit: peer.id,
        name: peer.name,
        handled: count(handled(f), peer.level === 'community'),
        onTimeResponse: shown(f.onTimeResponse),
        satisfaction: shown(f.satisfaction),
      }
    }),
  }

  const byKind = new Map(input.activities.map((a) => [a.kind, a]))
  return {
    unit: unit.id,
    name: unit.name,
    level: unit.level,
    updatedAt: new Date(now).toISOString(),
    threshold,
    month: { received: count(m.requests), handled: count(handled(m)) },
    year: { received: count(y.requests), handled: count(handled(y)) },
    rates: { onTimeResponse: shown(m.onTimeResponse), resolution: shown(m.resolution), satisfaction: shown(m.satisfaction) },
    medianResponseSec: m.responseTime.n >= threshold ? m.responseTime.p50 : null,
    topCategories,
    comparison,
    activities: ACTIVITY_KINDS.map((kind) => {
      const a = byKind.get(kind)
      return { kind, activities: count(a?.activities ?? 0), participants: count(a?.participants ?? 0) }
    }),
  }
}
