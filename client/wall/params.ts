import { GRID_FIGURES, type GridFigure } from '../lib/grid-figures'

/** What a wall shows, read from its URL: a wall has no UI chrome, so the URL is its only control. */
export interface WallParams {
  /** `?scene=<unit>`: the scope shown; null for the default (the user's home unit). */
  scene: string | null
  /** `?rotate=a,b,c`: scenes to cycle through (empty: no rotation). */
  rotate: string[]
  /** `?every=60`: seconds per scene when rotating. */
  everySec: number
  /** `?playback=YYYY-MM-DD&speed=60`: replay a past day instead of the live stream. */
  playback: { date: string; speed: number } | null
  /** `?chime=on`: a short tone for each new camera alert and each urgent request's alarm. */
  chime: boolean
  /** `?figure=`: what colours the grids. */
  figure: GridFigure
}

export const DEFAULT_ROTATE_EVERY_SEC = 60
export const MIN_ROTATE_EVERY_SEC = 10
export const DEFAULT_PLAYBACK_SPEED = 60
/** A whole day in a second: faster than that, a tick would skip hours. */
export const MAX_PLAYBACK_SPEED = 86_400
/** Unit ids are digits (statistical codes); anything else is ignored rather than sent to the server. */
const UNIT_ID = /^[0-9A-Za-z_-]{1,40}$/

type QueryValue = string | null | undefined | (string | null)[]

function first(value: QueryValue): string | undefined {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v.trim() : undefined
}

function isValidDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const [y, m, d] = value.split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

function number(value: string | undefined, fallback: number, min: number, max: number): number {
  const n = value === undefined || value === '' ? NaN : Number(value)
  if (!Number.isFinite(n)) return fallback
  return Math.min(max, Math.max(min, n))
}

/** Reads the wall's URL query; every missing or malformed value falls back to its default. */
export function parseWallParams(query: Record<string, QueryValue>): WallParams {
  const sceneValue = first(query.scene)
  const scene = sceneValue && UNIT_ID.test(sceneValue) ? sceneValue : null
  const rotate = (first(query.rotate) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => UNIT_ID.test(s))
  const everySec = number(first(query.every), DEFAULT_ROTATE_EVERY_SEC, MIN_ROTATE_EVERY_SEC, 24 * 3600)
  const date = first(query.playback)
  const playback =
    date !== undefined && isValidDate(date)
      ? { date, speed: number(first(query.speed), DEFAULT_PLAYBACK_SPEED, 1, MAX_PLAYBACK_SPEED) }
      : null
  const chime = first(query.chime) === 'on'
  const figureValue = first(query.figure)
  const figure = (GRID_FIGURES as readonly string[]).includes(figureValue ?? '') ? (figureValue as GridFigure) : 'perThousand'
  // A rotation of one is just a scene.
  return { scene: rotate.length === 1 ? rotate[0]! : scene, rotate: rotate.length > 1 ? rotate : [], everySec, playback, chime, figure }
}

/**
 * The wall's own scene when its URL names none, as the server decides it: the district of the
 * geography in use for a center user, a leader's own unit. Without a session answer (an older
 * server) the district, or the top of the geography the server sent (a leader's scope). Null
 * until the geography is known: a wall does not guess a district.
 */
export function homeScene(
  user: { role: string; unit: string } | null | undefined,
  geography: { district: { id: string } | null; features: readonly { properties: { id: string; parentId: string | null } }[] },
): string | null {
  if (user?.role === 'leader') return user.unit
  if (geography.district) return geography.district.id
  const ids = new Set(geography.features.map((f) => f.properties.id))
  const top = geography.features.find((f) => f.properties.parentId === null || !ids.has(f.properties.parentId))
  return top?.properties.id ?? user?.unit ?? null
}

/**
 * The scene on screen `elapsedMs` after the wall started: each scene in turn for `everySec`.
 * Without a rotation (fewer than two scenes) it is the fixed scene, or `home` (`homeScene`: the
 * user's own unit, the district for the center) when the URL names none; null while neither is
 * known.
 */
export function sceneAt(
  params: Pick<WallParams, 'scene' | 'rotate' | 'everySec'>,
  elapsedMs: number,
  home: string | null = null,
): { scene: string | null; index: number; count: number } {
  const { rotate } = params
  if (rotate.length < 2) return { scene: params.scene ?? home, index: 0, count: 1 }
  const everyMs = params.everySec * 1000
  const index = Math.floor(Math.max(0, elapsedMs) / everyMs) % rotate.length
  return { scene: rotate[index]!, index, count: rotate.length }
}

/**
 * Where a replay of `date` starts when its scene changes (a rotation): at the instant the previous
 * scene's replay of the same day had reached, so every scene follows one clock; undefined (the
 * start of the day) for a first replay, another day, or after an error.
 */
export function resumeInstant(previous: { date: string; now: number; status: string } | null, date: string): number | undefined {
  if (!previous || previous.date !== date || previous.status === 'error') return undefined
  return previous.now
}

/** The query without playback: where a finished (or abandoned) replay goes back to live. */
export function liveQuery<Q extends Record<string, unknown>>(query: Q): Omit<Q, 'playback' | 'speed'> {
  const { playback: _playback, speed: _speed, ...rest } = query
  return rest
}
