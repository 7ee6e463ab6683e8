// What the kiosk's address configures: `/kiosk?unit=<street or community id>&every=<seconds>&lang=en`.

export const DEFAULT_EVERY_SEC = 12
export const MIN_EVERY_SEC = 3
export const MAX_EVERY_SEC = 600

/** Unit ids are statistical codes; anything else is refused before it reaches the server. */
const UNIT_PATTERN = /^[0-9A-Za-z_-]{1,32}$/

export interface KioskParams {
  /** The street or community to show; null when the address does not say a usable one. */
  unit: string | null
  unitProblem: 'missing' | 'invalid' | null
  /** How long each card stays, in ms. */
  everyMs: number
}

type QueryValue = string | null | (string | null)[] | undefined

const first = (value: QueryValue): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v.trim() : undefined
}

/** Seconds between cards: 12 by default, kept between 3 s and 10 min. */
export function parseEvery(value: QueryValue): number {
  const raw = first(value)
  const seconds = raw ? Number(raw) : NaN
  if (!Number.isFinite(seconds) || seconds <= 0) return DEFAULT_EVERY_SEC
  return Math.min(MAX_EVERY_SEC, Math.max(MIN_EVERY_SEC, seconds))
}

export function parseKioskQuery(query: Record<string, QueryValue>): KioskParams {
  const raw = first(query.unit)
  const everyMs = Math.round(parseEvery(query.every) * 1000)
  if (!raw) return { unit: null, unitProblem: 'missing', everyMs }
  if (!UNIT_PATTERN.test(raw)) return { unit: null, unitProblem: 'invalid', everyMs }
  return { unit: raw, unitProblem: null, everyMs }
}
