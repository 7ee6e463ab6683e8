import type { Figures } from '../../shared/metrics'
import type { GridMetricsReply } from '../../shared/schemas/metrics'

/**
 * The few figures the map colours grids by, for one grid: the item of the compact route
 * `GET /api/v1/metrics/grids`, and what playback computes itself from a full `Figures`.
 * `perThousand` is null without a population.
 */
export type GridFigures = GridMetricsReply['grids'][number]

/** What colours the grids: today's requests per 1,000 residents, 响应率, overdue count, patrol coverage. */
export const GRID_FIGURES = ['perThousand', 'onTimeResponse', 'overdue', 'coverage'] as const
export type GridFigure = (typeof GRID_FIGURES)[number]

export function gridFiguresOf(unit: string, figures: Figures): GridFigures {
  return {
    unit,
    requests: figures.requests,
    perThousand: figures.perThousand,
    onTimeResponse: figures.onTimeResponse,
    overdue: { response: figures.overdue.response, resolution: figures.overdue.resolution },
    coverage: figures.patrol.coverage,
  }
}

export function overdueTotal(g: Pick<GridFigures, 'overdue'>): number {
  return g.overdue.response + g.overdue.resolution
}

/** The value a grid is coloured by; null when the figure has no meaning there (no sample). */
export function gridFigureValue(g: GridFigures, figure: GridFigure): number | null {
  switch (figure) {
    case 'perThousand':
      return g.perThousand
    case 'onTimeResponse':
      return g.onTimeResponse.value
    case 'overdue':
      return overdueTotal(g)
    case 'coverage':
      return g.coverage.value
  }
}

/** Grids with overdue requests, most first (ties: more overdue resolutions, then id), at most `limit`. */
export function mostOverdue(grids: Iterable<GridFigures>, limit: number): GridFigures[] {
  return [...grids]
    .filter((g) => overdueTotal(g) > 0)
    .sort((a, b) => overdueTotal(b) - overdueTotal(a) || b.overdue.resolution - a.overdue.resolution || (a.unit < b.unit ? -1 : 1))
    .slice(0, limit)
}
