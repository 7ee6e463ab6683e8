// From the public figures to the cards the kiosk shows in turn. Pure: the view renders, this decides
// what there is to render, in which order, and leaves out a card that would have nothing on it.
import { ACTIVITY_KINDS, type Count, type PublicComparisonUnit, type PublicStats } from '../../shared/public'
import { countValue, isSuppressed, isWithheld } from './format'

/** Rows of the comparison table on one card: more go onto a second card, so nothing scrolls. */
export const COMPARISON_ROWS_PER_CARD = 8

export const RATE_KEYS = ['onTimeResponse', 'resolution', 'satisfaction'] as const
export type RateKey = (typeof RATE_KEYS)[number]

export interface VolumeCard {
  kind: 'volume'
  id: 'volume'
  month: PublicStats['month']
  year: PublicStats['year']
}

/** The three rates and the median response time: this month's quality of service, on one card. */
export interface RatesCard {
  kind: 'rates'
  id: 'rates'
  rates: { key: RateKey; value: number | null }[]
  medianResponseSec: number | null
}

export interface CategoriesCard {
  kind: 'categories'
  id: 'categories'
  /** `share` is the bar's length, 0–1 of the largest count; a suppressed count has none. */
  items: { category: string; handled: Count; share: number }[]
}

export interface ComparisonCard {
  kind: 'comparison'
  id: string
  level: 'street' | 'community'
  /** The unit the kiosk stands in, marked in the table when it is one of the rows. */
  current: string
  page: number
  pages: number
  units: PublicComparisonUnit[]
}

export interface ActivitiesCard {
  kind: 'activities'
  id: 'activities'
  items: PublicStats['activities']
  /**
   * At community level, the street's activities by kind (its own kiosk's answer): what there was to
   * join nearby. The community's own counts then show only where they are numbers, not "<5".
   */
  area?: { unit: string; name: string; items: PublicStats['activities'] }
}

export type KioskCard = VolumeCard | RatesCard | CategoriesCard | ComparisonCard | ActivitiesCard

function shares(items: PublicStats['topCategories']): CategoriesCard['items'] {
  const max = Math.max(0, ...items.map((i) => countValue(i.handled) ?? 0))
  return items.map((i) => ({ ...i, share: max > 0 ? (countValue(i.handled) ?? 0) / max : 0 }))
}

/** The six kinds in their fixed order, then any kind this client does not know yet. */
function orderActivities(items: PublicStats['activities']): PublicStats['activities'] {
  const rank = (kind: string) => {
    const i = (ACTIVITY_KINDS as readonly string[]).indexOf(kind)
    return i === -1 ? ACTIVITY_KINDS.length : i
  }
  return [...items].sort((a, b) => rank(a.kind) - rank(b.kind))
}

/**
 * Requests (month and year), the three rates with the median response time, the categories most
 * solved, the comparison (one card per eight units) and the service activities. The volume and
 * rates cards are always there (a "—" says "too few" better than a missing card); the lists only
 * when they have something in them, and a comparison only with two units or more.
 */
export function buildCards(stats: PublicStats): KioskCard[] {
  const cards: KioskCard[] = [
    { kind: 'volume', id: 'volume', month: stats.month, year: stats.year },
    { kind: 'rates', id: 'rates', rates: RATE_KEYS.map((key) => ({ key, value: stats.rates[key] })), medianResponseSec: stats.medianResponseSec },
  ]
  const categories = stats.topCategories.slice(0, 5)
  if (categories.length > 0) cards.push({ kind: 'categories', id: 'categories', items: shares(categories) })

  const units = stats.comparison.units
  if (units.length >= 2) {
    const pages = Math.ceil(units.length / COMPARISON_ROWS_PER_CARD)
    for (let page = 1; page <= pages; page++) {
      cards.push({
        kind: 'comparison',
        id: page === 1 ? 'comparison' : `comparison-${page}`,
        level: stats.comparison.level,
        current: stats.unit,
        page,
        pages,
        units: units.slice((page - 1) * COMPARISON_ROWS_PER_CARD, page * COMPARISON_ROWS_PER_CARD),
      })
    }
  }

  const area = stats.level === 'community' ? stats.activitiesArea : undefined
  if (area && area.items.length > 0) {
    cards.push({ kind: 'activities', id: 'activities', items: orderActivities(stats.activities), area: { ...area, items: orderActivities(area.items) } })
  } else if (stats.activities.length > 0) {
    cards.push({ kind: 'activities', id: 'activities', items: orderActivities(stats.activities) })
  }
  return cards
}

function countsOf(stats: PublicStats): Count[] {
  return [
    stats.month.received,
    stats.month.handled,
    stats.year.received,
    stats.year.handled,
    ...stats.topCategories.map((c) => c.handled),
    ...stats.comparison.units.map((u) => u.handled),
    ...stats.activities.flatMap((a) => [a.activities, a.participants]),
    ...(stats.level === 'community' ? (stats.activitiesArea?.items ?? []) : []).flatMap((a) => [a.activities, a.participants]),
  ]
}

/** Whether any count on the screen is suppressed ("<5"), so the footer explains what that means. */
export function hasSuppressed(stats: PublicStats): boolean {
  return countsOf(stats).some(isSuppressed)
}

/** Whether any count on the screen is withheld ("*"), so the footer explains that too. */
export function hasWithheld(stats: PublicStats): boolean {
  return countsOf(stats).some(isWithheld)
}
