// The leader map colours the children of the unit on screen by the figure the table is ranked by.
// Each figure has a fixed scale (a colour means the same thing on every unit and every day), except
// the two loads: requests per 1,000 residents scale with the window's length, and a plain count of
// requests has no natural scale, so its classes are fitted to the children shown (and say so).
import { MIN_RATE_SAMPLE } from '../../shared/display'
import type { Figures } from '../../shared/metrics'
import { NO_DATA_COLOUR } from '../map/colour-scale'
import type { LeaderFigure } from './params'
import { FIGURE_SPECS, type FigureKind } from './ranking'

export { NO_DATA_COLOUR }

/** A rate over fewer than MIN_RATE_SAMPLE cases: grey, apart from both the scale and "no data". */
export const THIN_COLOUR = '#64748b'

/** Red (bad) to green (good), low to high: for rates where more is better. */
const HIGH_GOOD = ['#dc2626', '#f97316', '#facc15', '#84cc16', '#16a34a'] as const
/** Green (good) to red (bad), low to high: for times where less is better. */
const LOW_GOOD = [...HIGH_GOOD].reverse()
/** Blue, light for more: loads and shares that are neither good nor bad. */
const LOAD = ['#1e5a8c', '#3b82f6', '#7dd3fc', '#fbbf24', '#f43f5e'] as const
const NEUTRAL = ['#1e3a8a', '#1d4ed8', '#3b82f6', '#60a5fa', '#bfdbfe'] as const
const OVERDUE = ['#1f5e45', '#eab308', '#f97316', '#dc2626', '#a21caf'] as const
const COVERAGE = ['#3b3499', '#6d5cf0', '#0e7490', '#10b981', '#bbf7d0'] as const

const MIN = 60
const HOUR = 3600
const DAY = 86400

export interface LeaderScale {
  figure: LeaderFigure
  kind: FigureKind
  /** `colours[i]` for values in [breaks[i-1], breaks[i]). */
  breaks: readonly number[]
  colours: readonly string[]
  /** The classes were fitted to the children on screen (a plain count has no fixed scale). */
  fitted: boolean
  /** Rates: a child with fewer cases than this is drawn grey (THIN_COLOUR). */
  minSample: number | null
}

const fixed = (figure: LeaderFigure, breaks: readonly number[], colours: readonly string[]): LeaderScale => ({
  figure,
  kind: FIGURE_SPECS[figure].kind,
  breaks,
  colours,
  fitted: false,
  minSample: FIGURE_SPECS[figure].kind === 'rate' ? MIN_RATE_SAMPLE : null,
})

/** Round a break to a number that reads well in a legend (1, 2, 5 × 10^k). */
export function niceBreak(value: number): number {
  if (!(value > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(value))
  const m = value / p
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p
}

/** Four breaks at the children's quintiles, rounded and strictly increasing (at least 1 apart for counts). */
export function fittedBreaks(values: readonly number[]): number[] {
  const sorted = values.filter((v) => Number.isFinite(v) && v > 0).sort((a, b) => a - b)
  const out: number[] = []
  for (const q of [0.2, 0.4, 0.6, 0.8]) {
    const raw = sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
    let b = Math.max(1, niceBreak(raw))
    const prev = out[out.length - 1]
    if (prev !== undefined && b <= prev) b = niceBreak(prev * 2)
    out.push(b)
  }
  return out
}

/**
 * The scale for a figure. `days` is the window's length (per-1,000 breaks are per day times days);
 * `values` are the children's values, used only by the fitted scale of `requests`.
 */
export function leaderScale(figure: LeaderFigure, days: number, values: readonly number[] = []): LeaderScale {
  const d = Math.max(1, days)
  switch (figure) {
    case 'onTimeResponse':
    case 'resolution':
    case 'satisfaction':
      return fixed(figure, [0.6, 0.8, 0.9, 0.95], HIGH_GOOD)
    case 'proactive':
      return fixed(figure, [0.1, 0.2, 0.3, 0.5], NEUTRAL)
    case 'coverage':
      return fixed(figure, [0.2, 0.4, 0.6, 0.8], COVERAGE)
    case 'responseP50':
      return fixed(figure, [15 * MIN, 30 * MIN, HOUR, 2 * HOUR], LOW_GOOD)
    case 'responseP90':
      return fixed(figure, [30 * MIN, HOUR, 2 * HOUR, 4 * HOUR], LOW_GOOD)
    case 'resolutionP50':
      return fixed(figure, [2 * HOUR, 8 * HOUR, DAY, 3 * DAY], LOW_GOOD)
    case 'resolutionP90':
      return fixed(figure, [8 * HOUR, DAY, 3 * DAY, 7 * DAY], LOW_GOOD)
    case 'overdue':
      return fixed(figure, [1, 3, 6, 10], OVERDUE)
    case 'perThousand':
      // The wall's daily classes (0.25, 0.5, 1, 2 a day), over the window's days.
      return fixed(figure, [0.25, 0.5, 1, 2].map((b) => Number((b * d).toPrecision(3))), LOAD)
    case 'requests':
      return { ...fixed(figure, fittedBreaks(values), LOAD), fitted: true }
  }
}

/** What a child's polygon shows: its value, and whether that value rests on too few cases. */
export interface ChildShade {
  value: number | null
  thin: boolean
}

export function childShade(figure: LeaderFigure, figures: Figures): ChildShade {
  const spec = FIGURE_SPECS[figure]
  const value = spec.value(figures)
  const n = spec.rate ? spec.rate(figures).n : null
  return { value, thin: n !== null && n > 0 && n < MIN_RATE_SAMPLE }
}

/** The colour of a child exactly as the map's expression picks it. */
export function shadeColour(scale: LeaderScale, shade: ChildShade): string {
  if (shade.thin) return THIN_COLOUR
  const v = shade.value
  if (v === null || !Number.isFinite(v)) return NO_DATA_COLOUR
  let i = 0
  while (i < scale.breaks.length && v >= scale.breaks[i]!) i++
  return scale.colours[i]!
}

export interface ScaleEntry {
  colour: string
  /** Inclusive lower bound; null for the first class. */
  from: number | null
  /** Exclusive upper bound; null for the last class. */
  to: number | null
}

/** One entry per class, lowest first. */
export function scaleEntries(scale: LeaderScale): ScaleEntry[] {
  return scale.colours.map((colour, i) => ({ colour, from: i === 0 ? null : scale.breaks[i - 1]!, to: i < scale.breaks.length ? scale.breaks[i]! : null }))
}

/** The fill colour expression: grey when thin, the step over `value` when it has one, else no data. */
export function shadeExpression(scale: LeaderScale): unknown[] {
  const steps: (string | number)[] = [scale.colours[0]!]
  scale.breaks.forEach((b, i) => steps.push(b, scale.colours[i + 1]!))
  const value = ['feature-state', 'value']
  return [
    'case',
    ['boolean', ['feature-state', 'thin'], false],
    THIN_COLOUR,
    ['==', ['typeof', value], 'number'],
    ['step', value, ...steps],
    NO_DATA_COLOUR,
  ]
}

/** "< a", "a–b", "≥ b" with each bound formatted; integer counts as "a–(b−1)". */
export function rangeLabel(entry: ScaleEntry, kind: FigureKind, format: (value: number) => string): string {
  const { from, to } = entry
  if (kind === 'count') {
    const lo = from ?? 0
    if (to === null) return `≥ ${format(lo)}`
    const hi = to - 1
    return hi <= lo ? format(lo) : `${format(lo)}–${format(hi)}`
  }
  if (from === null) return `< ${format(to!)}`
  if (to === null) return `≥ ${format(from)}`
  return `${format(from)}–${format(to)}`
}
