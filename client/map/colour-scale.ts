import type { GridFigure } from '../lib/grid-figures'
import type { ColorValue } from './spec'
import { MAP_BACKGROUND } from './style'

/**
 * A fixed colour scale: `colours[i]` for values in [breaks[i-1], breaks[i]). Fixed, not fitted to
 * the data, so a colour means the same thing at 08:00 and at 20:00, on every wall and every scene.
 */
export interface ColourScale {
  figure: GridFigure
  breaks: readonly number[]
  colours: readonly string[]
  /** Rates are shown as percentages, counts and per-thousand values as numbers. */
  unit: 'rate' | 'count' | 'perThousand'
}

/** Grids without a value (no population, no sample yet): dark, so they do not read as "good". */
export const NO_DATA_COLOUR = '#1b2433'

export const COLOUR_SCALES: Readonly<Record<GridFigure, ColourScale>> = {
  // Today's requests per 1,000 residents: a grid of 3,000 with 3 requests is at 1.
  perThousand: { figure: 'perThousand', unit: 'perThousand', breaks: [0.25, 0.5, 1, 2], colours: ['#1e5a8c', '#3b82f6', '#7dd3fc', '#fbbf24', '#f43f5e'] },
  // 响应率: higher is better, red to green.
  onTimeResponse: { figure: 'onTimeResponse', unit: 'rate', breaks: [0.6, 0.8, 0.9, 0.95], colours: ['#dc2626', '#f97316', '#facc15', '#84cc16', '#16a34a'] },
  // Overdue requests: none is calm, ten or more is a grid in trouble.
  overdue: { figure: 'overdue', unit: 'count', breaks: [1, 3, 6, 10], colours: ['#1f5e45', '#eab308', '#f97316', '#dc2626', '#a21caf'] },
  // Patrol coverage today: share of the grid's cells visited.
  coverage: { figure: 'coverage', unit: 'rate', breaks: [0.2, 0.4, 0.6, 0.8], colours: ['#3b3499', '#6d5cf0', '#0e7490', '#10b981', '#bbf7d0'] },
}

/**
 * How opaque the grid fills are on the wall: enough that each class reads as its swatch from
 * across the room (at 0.6 "≥ 80%" looked like "60–80%"), a little below 1 so a base map's roads
 * still show through. Every scale's classes, and the no-data colour, stay at least ΔE 25 apart
 * over the map's background at this opacity (`test/client/wall-legibility.test.ts`; the browser
 * test measures the rendered pixels).
 */
export const GRID_FILL_OPACITY = 0.88

/** A colour as the map draws it: `colour` at `opacity` over the map's background, as #rrggbb. */
export function onMapColour(colour: string, opacity = GRID_FILL_OPACITY, background = MAP_BACKGROUND): string {
  const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16))
  const [fg, bg] = [rgb(colour), rgb(background)]
  return `#${fg.map((c, i) => Math.round(opacity * c + (1 - opacity) * bg[i]!).toString(16).padStart(2, '0')).join('')}`
}

export function colourScale(figure: GridFigure): ColourScale {
  return COLOUR_SCALES[figure]
}

/** The colour of a value, exactly as the map's `step` expression picks it. */
export function colourFor(scale: ColourScale, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_DATA_COLOUR
  let i = 0
  while (i < scale.breaks.length && value >= scale.breaks[i]!) i++
  return scale.colours[i]!
}

/**
 * The grid fill colour: a step over the grid's `value` feature-state, the no-data colour when it
 * has none. Feature state changes the colour without touching the grids' (large) GeoJSON.
 */
export function fillColourExpression(scale: ColourScale): ColorValue {
  const steps: (string | number)[] = [scale.colours[0]!]
  scale.breaks.forEach((b, i) => steps.push(b, scale.colours[i + 1]!))
  const value = ['feature-state', 'value']
  return ['case', ['==', ['typeof', value], 'number'], ['step', value, ...steps], NO_DATA_COLOUR] as unknown as ColorValue
}

export interface LegendEntry {
  colour: string
  /** Inclusive lower bound; null for the first class. */
  from: number | null
  /** Exclusive upper bound; null for the last class. */
  to: number | null
}

/** One entry per class, lowest first. */
export function legendEntries(scale: ColourScale): LegendEntry[] {
  return scale.colours.map((colour, i) => ({ colour, from: i === 0 ? null : scale.breaks[i - 1]!, to: i < scale.breaks.length ? scale.breaks[i]! : null }))
}
