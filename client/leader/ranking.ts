// The order of the children table. Rates are ranked as the API ranks them (Wilson lower bound,
// then n), so a community with two requests does not top the list; a child without a sample has
// no rank. Times rank shortest first, overdue fewest first, loads (requests, per 1,000) largest first.
import { RANKED_RATES, type Figures, type Rate, type RankedRate } from '../../shared/metrics'
import type { ChildFigures } from './api'
import type { LeaderFigure } from './params'

export type FigureKind = 'rate' | 'duration' | 'count' | 'perThousand'

export interface FigureSpec {
  kind: FigureKind
  /** 'desc': the largest value ranks first. */
  order: 'asc' | 'desc'
  value(figures: Figures): number | null
  /** For rates: the rate itself, whose n is always shown. */
  rate?(figures: Figures): Rate
  /** The sample size behind the value. */
  n(figures: Figures): number
}

const rateSpec = (pick: (f: Figures) => Rate): FigureSpec => ({
  kind: 'rate',
  order: 'desc',
  value: (f) => pick(f).value,
  rate: pick,
  n: (f) => pick(f).n,
})

export const FIGURE_SPECS: Readonly<Record<LeaderFigure, FigureSpec>> = {
  onTimeResponse: rateSpec((f) => f.onTimeResponse),
  resolution: rateSpec((f) => f.resolution),
  satisfaction: rateSpec((f) => f.satisfaction),
  proactive: rateSpec((f) => f.proactive),
  coverage: rateSpec((f) => f.patrol.coverage),
  responseP50: { kind: 'duration', order: 'asc', value: (f) => f.responseTime.p50, n: (f) => f.responseTime.n },
  responseP90: { kind: 'duration', order: 'asc', value: (f) => f.responseTime.p90, n: (f) => f.responseTime.n },
  resolutionP50: { kind: 'duration', order: 'asc', value: (f) => f.resolutionTime.p50, n: (f) => f.resolutionTime.n },
  resolutionP90: { kind: 'duration', order: 'asc', value: (f) => f.resolutionTime.p90, n: (f) => f.resolutionTime.n },
  overdue: { kind: 'count', order: 'asc', value: (f) => f.overdue.response + f.overdue.resolution, n: (f) => f.requests },
  perThousand: { kind: 'perThousand', order: 'desc', value: (f) => f.perThousand, n: (f) => f.requests },
  requests: { kind: 'count', order: 'desc', value: (f) => f.requests, n: (f) => f.requests },
}

export interface RankedRow extends ChildFigures {
  /** 1-based; null when the child has no value to rank by (no sample, no population). */
  rank: number | null
}

const isRankedRate = (figure: LeaderFigure): figure is RankedRate => (RANKED_RATES as readonly string[]).includes(figure)

/** Lower bound first, then n, then id: the same rule as the API's `rankings`. */
function byLowerBound(children: readonly ChildFigures[], pick: (f: Figures) => Rate): ChildFigures[] {
  return [...children].sort((a, b) => {
    const la = pick(a.figures).lower ?? -1
    const lb = pick(b.figures).lower ?? -1
    if (la !== lb) return lb - la
    const na = pick(a.figures).n
    const nb = pick(b.figures).n
    if (na !== nb) return nb - na
    return a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0
  })
}

function byValue(children: readonly ChildFigures[], spec: FigureSpec): ChildFigures[] {
  return [...children].sort((a, b) => {
    const va = spec.value(a.figures)
    const vb = spec.value(b.figures)
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1
    } else if (va !== vb) return spec.order === 'desc' ? vb - va : va - vb
    return a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0
  })
}

/** The children in ranking order for a figure, each with its rank. */
export function rankChildren(
  reply: { children: readonly ChildFigures[]; rankings?: Partial<Record<RankedRate, readonly string[]>> },
  figure: LeaderFigure,
): RankedRow[] {
  const spec = FIGURE_SPECS[figure]
  let ordered: ChildFigures[]
  const given = isRankedRate(figure) ? reply.rankings?.[figure] : undefined
  if (given) {
    // The API's order; a child it left out (an older server, a race) goes after, by the same rule.
    const byId = new Map(reply.children.map((c) => [c.unit, c]))
    ordered = given.flatMap((id) => byId.get(id) ?? [])
    const seen = new Set(ordered.map((c) => c.unit))
    ordered.push(...byLowerBound(reply.children.filter((c) => !seen.has(c.unit)), spec.rate!))
  } else if (spec.rate) {
    ordered = byLowerBound(reply.children, spec.rate)
  } else {
    ordered = byValue(reply.children, spec)
  }
  let next = 1
  return ordered.map((child) => {
    const hasValue = spec.rate ? spec.rate(child.figures).n > 0 : spec.value(child.figures) !== null
    return { ...child, rank: hasValue ? next++ : null }
  })
}
