// The leader page's state lives in its URL, so that a link can be shared and a reload shows the
// same thing: /leader?unit=640106001&window=7d&figure=resolution
//             /leader?unit=640106001001&window=custom&from=2026-11-01&to=2026-11-15&figure=overdue
// `from` and `to` are the dates the leader picked, both included; the API gets `to` + 1 day.
import { addDays, localDate } from '../../shared/time'

export const LEADER_WINDOWS = ['today', '7d', '30d', 'custom'] as const
export type LeaderWindow = (typeof LEADER_WINDOWS)[number]

/** What the children are ranked by. Rates are ranked by the API's order (Wilson lower bound). */
export const LEADER_FIGURES = [
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
  'requests',
] as const
export type LeaderFigure = (typeof LEADER_FIGURES)[number]

export const DEFAULT_FIGURE: LeaderFigure = 'onTimeResponse'

export interface LeaderParams {
  /** null: the user's own unit. */
  unit: string | null
  window: LeaderWindow
  /** Only with `custom`: the first and last day shown, both included (YYYY-MM-DD). */
  from: string | null
  to: string | null
  figure: LeaderFigure
}

/** Statistical codes: 6, 9, 12 or 14 digits (the API's UnitIdSchema). */
const UNIT_ID = /^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{14})$/

type QueryValue = string | null | undefined | (string | null)[]

function first(value: QueryValue): string | undefined {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v.trim() : undefined
}

export function isValidDate(value: string | null | undefined): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const [y, m, d] = value.split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

export function isUnitId(value: string | null | undefined): value is string {
  return typeof value === 'string' && UNIT_ID.test(value)
}

/** Reads the query; anything missing or malformed falls back (a custom window without two good dates is today). */
export function parseLeaderParams(query: Record<string, QueryValue>): LeaderParams {
  const unit = first(query.unit)
  const windowValue = first(query.window)
  const figureValue = first(query.figure)
  const figure = (LEADER_FIGURES as readonly string[]).includes(figureValue ?? '') ? (figureValue as LeaderFigure) : DEFAULT_FIGURE
  let window = (LEADER_WINDOWS as readonly string[]).includes(windowValue ?? '') ? (windowValue as LeaderWindow) : 'today'
  let from: string | null = null
  let to: string | null = null
  if (window === 'custom') {
    const f = first(query.from)
    const t = first(query.to)
    if (isValidDate(f) && isValidDate(t)) [from, to] = f <= t ? [f, t] : [t, f]
    else window = 'today'
  }
  return { unit: isUnitId(unit) ? unit : null, window, from, to, figure }
}

/**
 * The query for a state, keeping keys the page does not own (`lang`). Every owned key is written
 * out, so a shared link means the same thing even if a default changes.
 */
export function leaderQuery(params: LeaderParams, keep: Record<string, QueryValue> = {}): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(keep)) {
    if (['unit', 'window', 'from', 'to', 'figure'].includes(k)) continue
    const value = first(v)
    if (value !== undefined) out[k] = value
  }
  if (params.unit) out.unit = params.unit
  out.window = params.window
  if (params.window === 'custom' && params.from && params.to) {
    out.from = params.from
    out.to = params.to
  }
  out.figure = params.figure
  return out
}

/** The window as the API takes it: local dates, `to` excluded. */
export function apiWindow(params: Pick<LeaderParams, 'window' | 'from' | 'to'>, now: number, timeZone: string): { from: string; to: string } {
  const today = localDate(now, timeZone)
  const tomorrow = addDays(today, 1)
  switch (params.window) {
    case '7d':
      return { from: addDays(today, -6), to: tomorrow }
    case '30d':
      return { from: addDays(today, -29), to: tomorrow }
    case 'custom':
      if (params.from && params.to) return { from: params.from, to: addDays(params.to, 1) }
      return { from: today, to: tomorrow }
    default:
      return { from: today, to: tomorrow }
  }
}

/** Whether the window reaches the present: only then do live events change its figures. */
export function windowIsLive(params: Pick<LeaderParams, 'window' | 'from' | 'to'>, now: number, timeZone: string): boolean {
  return apiWindow(params, now, timeZone).to > localDate(now, timeZone)
}
