// The kiosk's figures: aggregates only, built from the rollups. No event, request, worker, camera
// or coordinate ever enters them. Counts under the threshold are suppressed at community level
// ("<5"), and since anyone can read every unit and subtract, more are withheld ("*") wherever a
// small count could be worked out from the others (suppression.ts). Rates over fewer requests
// than the threshold are not shown.
import { CATEGORIES, type Category } from '../../shared/domain'
import type { Figures, Rate } from '../../shared/metrics'
import { ACTIVITY_KINDS, WITHHELD, type Count, type PublicPeriod, type PublicReport, type PublicStats } from '../../shared/public'
import { localDate, startOfLocalDate } from '../../shared/time'
import type { Geography } from '../geo/geography'
import { SuppressionTable } from './suppression'

export interface ActivityTotal {
  kind: string
  activities: number
  participants: number
}

export interface UnitFigures {
  month: Figures
  year: Figures
  /** This month's activities of the unit's subtree, by kind. */
  activities: readonly ActivityTotal[]
}

export interface PublicSnapshotInput {
  geography: Geography
  /** Every unit but the grids, all read at one moment: the suppression pattern spans them all. */
  figures: ReadonlyMap<string, UnitFigures>
  now: number
  threshold: number
  /** In January the year so far is this month. */
  yearIsMonth: boolean
  /**
   * How last month ended on the kiosk: its year figures are what a reader knows of the months
   * before this one. Without it, a reader is assumed to know them exactly wherever they were not
   * small.
   */
  lastMonth?: (unitId: string) => PublicStats
  /** The dates the figures cover, the same for every unit. */
  period?: PublicPeriod
  /** The "how to report" card of a unit (report.ts): public office contacts only, no count. */
  report?: (unitId: string) => PublicReport
}

/** The most participants one activity may report (CreateActivitySchema). */
const MAX_PARTICIPANTS = 100_000
const TOP_CATEGORIES = 5

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

const handledOf = (f: Figures) => Object.values(f.handledByCategory).reduce((a, b) => a + b, 0)

/** The unit's categories worth listing, most handled first: at most five. */
function listedCategories(f: Figures, min: number): Category[] {
  return (Object.entries(f.handledByCategory) as [Category, number][])
    .filter(([, n]) => n >= min)
    .sort((a, b) => b[1] - a[1] || CATEGORIES.indexOf(a[0]) - CATEGORIES.indexOf(b[0]))
    .slice(0, TOP_CATEGORIES)
    .map(([category]) => category)
}

interface UnitCells {
  monthReceived: number
  monthHandled: number
  yearReceived: number
  yearHandled: number
  earlierReceived: number
  earlierHandled: number
  categories: Map<Category, number>
  listed: Category[]
  activities: Map<string, { activities: number; participants: number }>
}

/**
 * Every unit's public figures from one reading of the rollups. The suppression pattern is decided
 * once for the whole district, so a street's kiosk and each of its communities' agree on which
 * cells are withheld: no pair of answers can be played against each other.
 */
export function publicSnapshot(input: PublicSnapshotInput): (unitId: string) => PublicStats {
  const { geography, figures, threshold: T, now } = input
  const units = geography.units.filter((u) => u.level !== 'grid')
  const table = new SuppressionTable(T)
  const cells = new Map<string, UnitCells>()

  for (const unit of units) {
    const f = figures.get(unit.id)!
    const community = unit.level === 'community'
    const shown = (value: number) => table.cell({ value, kind: 'shown', primary: community && value < T, labelled: true })
    const before = input.yearIsMonth ? undefined : input.lastMonth?.(unit.id).year
    // The months before this one: the year as last month's answers showed it. What they withheld
    // must stay unknown, unless it was 0 (no one to single out; guarding those too would withhold
    // this year's figures for good wherever a month went by empty); what they showed a reader knows.
    const earlier = (value: number, read: Count | undefined) => {
      if (input.yearIsMonth) return table.cell({ value, kind: 'known' })
      const [lo, hi] =
        read === undefined
          ? community && value < T ? [0, T - 1] : [value, value]
          : typeof read === 'number' ? [read, read] : read === WITHHELD ? [0, Infinity] : [0, T - 1]
      // A late change since then (a request reopened) leaves the reader's figure wrong: assume it known.
      return lo < hi && value >= lo && value <= hi
        ? table.cell({ value, kind: 'hidden', lo, hi, sensitive: value > 0 })
        : table.cell({ value, kind: 'known' })
    }

    const c: UnitCells = {
      monthReceived: shown(f.month.requests),
      monthHandled: shown(handledOf(f.month)),
      yearReceived: shown(f.year.requests),
      yearHandled: shown(handledOf(f.year)),
      earlierReceived: earlier(f.year.requests - f.month.requests, before?.received),
      earlierHandled: earlier(handledOf(f.year) - handledOf(f.month), before?.handled),
      categories: new Map(),
      // A community lists only categories of the threshold or more; a small one is never shown.
      listed: listedCategories(f.month, community ? T : 1),
      activities: new Map(),
    }
    table.sum(c.yearReceived, [c.monthReceived, c.earlierReceived])
    table.sum(c.yearHandled, [c.monthHandled, c.earlierHandled])
    // Handled counts requests received in the window that stand resolved.
    table.atMost(c.monthHandled, c.monthReceived)
    table.atMost(c.yearHandled, c.yearReceived)
    table.atMost(c.earlierHandled, c.earlierReceived)

    for (const category of CATEGORIES) {
      const n = f.month.handledByCategory[category]
      // A listed category withheld as a complement is left out of the list, so it reads as unlisted.
      c.categories.set(
        category,
        c.listed.includes(category) ? table.cell({ value: n, kind: 'shown' }) : table.cell({ value: n, kind: 'hidden', sensitive: community && n > 0 && n < T }),
      )
    }
    table.sum(c.monthHandled, [...c.categories.values()])
    // A unit's requests are tied together (month and year differ by what a reader knows; handled is
    // at most received and at least the listed categories): withholding one withholds them all at
    // first, and the pruning shows again those that need not be withheld.
    table.link([c.monthReceived, c.yearReceived, c.monthHandled, c.yearHandled, ...c.listed.map((category) => c.categories.get(category)!)])

    const byKind = new Map(f.activities.map((a) => [a.kind, a]))
    for (const kind of ACTIVITY_KINDS) {
      const a = byKind.get(kind)
      const pair = { activities: shown(a?.activities ?? 0), participants: shown(a?.participants ?? 0) }
      // No participants without an activity.
      table.atMost(pair.participants, pair.activities, MAX_PARTICIPANTS)
      table.link([pair.activities, pair.participants])
      c.activities.set(kind, pair)
    }
    cells.set(unit.id, c)
  }

  // A total is the sum of its parts, at every level and for every figure.
  for (const unit of units) {
    const children = geography.children(unit.id).filter((child) => cells.has(child.id))
    if (children.length === 0) continue
    const p = cells.get(unit.id)!
    const kids = children.map((child) => cells.get(child.id)!)
    for (const key of ['monthReceived', 'monthHandled', 'yearReceived', 'yearHandled', 'earlierReceived', 'earlierHandled'] as const) {
      table.sum(p[key], kids.map((k) => k[key]))
    }
    for (const category of CATEGORIES) table.sum(p.categories.get(category)!, kids.map((k) => k.categories.get(category)!))
    for (const kind of ACTIVITY_KINDS) {
      for (const key of ['activities', 'participants'] as const) {
        const total = p.activities.get(kind)![key]
        const parts = kids.map((k) => k.activities.get(kind)![key])
        // Activities held by a street itself, in none of its communities: assumed known.
        const own = table.valueOf(total) - parts.reduce((sum, part) => sum + table.valueOf(part), 0)
        table.sum(total, [...parts, table.cell({ value: own, kind: 'known' })])
      }
    }
  }

  const withheld = table.solve()
  const count = (cell: number): Count => {
    const label = table.labelOf(cell, withheld)
    return label === 'exact' ? table.valueOf(cell) : label === 'under' ? `<${T}` : WITHHELD
  }
  const shownRate = (r: Rate): number | null => (r.n >= T ? r.value : null)

  const activitiesOf = (unitId: string) =>
    ACTIVITY_KINDS.map((kind) => {
      const a = cells.get(unitId)!.activities.get(kind)!
      return { kind, activities: count(a.activities), participants: count(a.participants) }
    })

  return (unitId: string): PublicStats => {
    const unit = geography.get(unitId)!
    if (unit.level === 'grid') throw new Error('the kiosk shows streets, communities or the district')
    const f = figures.get(unitId)!
    const c = cells.get(unitId)!
    // A street's kiosk compares the streets; a community's, the communities of its street.
    const peers = geography.children(unit.level === 'district' ? unit.id : unit.parentId!)
    return {
      unit: unit.id,
      name: unit.name,
      level: unit.level,
      updatedAt: new Date(now).toISOString(),
      threshold: T,
      month: { received: count(c.monthReceived), handled: count(c.monthHandled) },
      year: { received: count(c.yearReceived), handled: count(c.yearHandled) },
      rates: { onTimeResponse: shownRate(f.month.onTimeResponse), resolution: shownRate(f.month.resolution), satisfaction: shownRate(f.month.satisfaction) },
      medianResponseSec: f.month.responseTime.n >= T ? f.month.responseTime.p50 : null,
      topCategories: c.listed
        .filter((category) => !withheld.has(c.categories.get(category)!))
        .map((category) => ({ category, handled: count(c.categories.get(category)!) })),
      comparison: {
        level: unit.level === 'community' ? 'community' : 'street',
        units: peers.map((peer) => {
          const pf = figures.get(peer.id)!
          return {
            unit: peer.id,
            name: peer.name,
            handled: count(cells.get(peer.id)!.monthHandled),
            onTimeResponse: shownRate(pf.month.onTimeResponse),
            satisfaction: shownRate(pf.month.satisfaction),
          }
        }),
      },
      activities: activitiesOf(unitId),
      // The street's own cells, read as its kiosk reads them: nothing a reader could not have already.
      ...(unit.level === 'community' && unit.parentId !== null && cells.has(unit.parentId)
        ? { activitiesArea: { unit: unit.parentId, name: geography.get(unit.parentId)!.name, items: activitiesOf(unit.parentId) } }
        : {}),
      ...(input.period ? { period: input.period } : {}),
      ...(input.report ? { report: input.report(unitId) } : {}),
    }
  }
}
