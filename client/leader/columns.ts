// Which columns the children table shows. At 1440 px every figure side by side does not fit, so the
// table starts with the ones a leader reads first and a chooser adds the rest; the column the table
// is ranked by is always shown. The choice is kept in the browser (localStorage), per user agent.
import type { LeaderFigure } from './params'

/** Every column, in the table's order. */
export const CHILD_COLUMNS = [
  'requests',
  'onTimeResponse',
  'resolution',
  'satisfaction',
  'proactive',
  'responseP50',
  'responseP90',
  'resolutionP50',
  'resolutionP90',
  'overdue',
  'perThousand',
  'coverage',
] as const satisfies readonly LeaderFigure[]

/** What fits 1440 px beside the map. */
export const DEFAULT_CHILD_COLUMNS: readonly LeaderFigure[] = ['requests', 'onTimeResponse', 'resolution', 'satisfaction', 'responseP50', 'resolutionP50', 'overdue', 'perThousand', 'coverage']

export const COLUMNS_STORAGE_KEY = 'outpost.leader.columns'

/** A stored choice, or the default when there is none or it is not a list of known columns. */
export function parseColumns(stored: string | null): LeaderFigure[] {
  if (!stored) return [...DEFAULT_CHILD_COLUMNS]
  try {
    const value: unknown = JSON.parse(stored)
    if (!Array.isArray(value)) return [...DEFAULT_CHILD_COLUMNS]
    const known = value.filter((v): v is LeaderFigure => (CHILD_COLUMNS as readonly string[]).includes(v as string))
    return known.length > 0 ? CHILD_COLUMNS.filter((c) => known.includes(c)) : [...DEFAULT_CHILD_COLUMNS]
  } catch {
    return [...DEFAULT_CHILD_COLUMNS]
  }
}

/** The columns shown: the chosen ones and the ranking figure, in the table's order. */
export function visibleColumns(chosen: readonly LeaderFigure[], figure: LeaderFigure): LeaderFigure[] {
  return CHILD_COLUMNS.filter((c) => c === figure || chosen.includes(c))
}

/** Adds or removes a column; the last one cannot be removed. */
export function toggleColumn(chosen: readonly LeaderFigure[], column: LeaderFigure): LeaderFigure[] {
  if (chosen.includes(column)) return chosen.length > 1 ? chosen.filter((c) => c !== column) : [...chosen]
  return CHILD_COLUMNS.filter((c) => c === column || chosen.includes(c))
}
