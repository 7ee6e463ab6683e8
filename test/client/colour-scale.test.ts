import { describe, expect, it } from 'vitest'
import { COLOUR_SCALES, NO_DATA_COLOUR, colourFor, colourScale, fillColourExpression, legendEntries } from '../../client/map/colour-scale'
import { GRID_FIGURES, gridFigureValue, mostOverdue, type GridFigures } from '../../client/lib/grid-figures'
import { rate } from '../../shared/metrics'

/** Evaluates the map's expression the way MapLibre would, for a grid with this feature state. */
function evaluate(expression: unknown, value: unknown): string {
  const [op, [, [, typeofArg]], [stepOp, , ...steps], fallback] = expression as [string, [string, [string, unknown]], unknown[], string]
  expect(op).toBe('case')
  expect(typeofArg).toEqual(['feature-state', 'value'])
  expect(stepOp).toBe('step')
  if (typeof value !== 'number') return fallback
  let colour = steps[0] as string
  for (let i = 1; i < steps.length; i += 2) if (value >= (steps[i] as number)) colour = steps[i + 1] as string
  return colour
}

describe('grid colour scales', () => {
  it('has one fixed scale per figure, breaks increasing, one more colour than breaks', () => {
    for (const figure of GRID_FIGURES) {
      const s = colourScale(figure)
      expect(s.figure).toBe(figure)
      expect(s.colours).toHaveLength(s.breaks.length + 1)
      expect([...s.breaks].sort((a, b) => a - b)).toEqual(s.breaks)
      expect(new Set(s.colours).size).toBe(s.colours.length)
      expect(s.colours).not.toContain(NO_DATA_COLOUR)
    }
  })

  it('colours a value the same way in the legend and on the map', () => {
    for (const figure of GRID_FIGURES) {
      const s = COLOUR_SCALES[figure]
      const expression = fillColourExpression(s)
      const probes = [-1, 0, ...s.breaks.flatMap((b) => [b - 1e-9, b, b + 1e-9]), 1e6]
      for (const v of probes) expect(evaluate(expression, v), `${figure} ${v}`).toBe(colourFor(s, v))
      expect(evaluate(expression, null)).toBe(NO_DATA_COLOUR)
      expect(colourFor(s, null)).toBe(NO_DATA_COLOUR)
      expect(colourFor(s, Number.NaN)).toBe(NO_DATA_COLOUR)
    }
  })

  it('puts the break itself in the class above (step semantics)', () => {
    const s = colourScale('onTimeResponse')
    expect(colourFor(s, 0.9)).toBe(s.colours[3])
    expect(colourFor(s, 0.8999)).toBe(s.colours[2])
    expect(colourFor(s, 1)).toBe(s.colours[4])
    expect(colourFor(s, 0)).toBe(s.colours[0])
  })

  it('does not depend on the data: the same value has the same colour whatever the others are', () => {
    expect(colourFor(colourScale('overdue'), 4)).toBe(colourFor(colourScale('overdue'), 4))
    expect(colourFor(colourScale('overdue'), 0)).toBe(COLOUR_SCALES.overdue.colours[0])
    expect(colourFor(colourScale('overdue'), 12)).toBe(COLOUR_SCALES.overdue.colours[4])
  })

  it('lists legend classes lowest first, with open ends', () => {
    const entries = legendEntries(colourScale('perThousand'))
    expect(entries[0]).toEqual({ colour: COLOUR_SCALES.perThousand.colours[0], from: null, to: 0.25 })
    expect(entries[entries.length - 1]).toEqual({ colour: COLOUR_SCALES.perThousand.colours[4], from: 2, to: null })
    expect(entries.map((e) => e.colour)).toEqual(COLOUR_SCALES.perThousand.colours)
  })
})

describe('grid figures', () => {
  const grid = (unit: string, response: number, resolution: number, over: Partial<GridFigures> = {}): GridFigures => ({
    unit,
    requests: 3,
    perThousand: 1.5,
    onTimeResponse: rate(9, 10),
    overdue: { response, resolution },
    coverage: rate(1, 4),
    ...over,
  })

  it('gives the value each figure colours by', () => {
    const g = grid('g1', 2, 3)
    expect(gridFigureValue(g, 'perThousand')).toBe(1.5)
    expect(gridFigureValue(g, 'onTimeResponse')).toBe(0.9)
    expect(gridFigureValue(g, 'overdue')).toBe(5)
    expect(gridFigureValue(g, 'coverage')).toBe(0.25)
    expect(gridFigureValue(grid('g2', 0, 0, { onTimeResponse: rate(0, 0), perThousand: null }), 'onTimeResponse')).toBeNull()
  })

  it('ranks grids by overdue requests, leaving out those with none', () => {
    const list = [grid('a', 1, 0), grid('b', 0, 4), grid('c', 0, 0), grid('d', 2, 2), grid('e', 3, 1), grid('f', 5, 0)]
    // Most first; a tie goes to more overdue resolutions.
    expect(mostOverdue(list, 3).map((g) => g.unit)).toEqual(['f', 'b', 'd'])
    expect(mostOverdue(list, 10).map((g) => g.unit)).toEqual(['f', 'b', 'd', 'e', 'a'])
  })
})
