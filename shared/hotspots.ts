// 重复热点 — recurring hotspots: the same place coming back across requests.
//
// THE DEFINITION (README "Hotspots" says the same):
//
// - Points. Every service request received in the window [from, to) (its `receivedAt`, its
//   place, its category), and every camera alert raised in the window (its `at`) whose review
//   CONFIRMED it and that did not raise a request (an alert that raised one is that request: it is
//   counted once, as the request). A dismissed (false positive) or unreviewed alert is no point.
//   An alert's category is the category a confirmed alert of its kind raises (`ALERT_RAISES` in
//   domain.ts: flying-wire charging → safety_hazard, manhole → municipal, …); a kind that had no
//   category there would be a category of its own (its kind). Points of different categories never
//   share a hotspot. Windows are half-open: `from` counts, `to` does not.
// - Distance: great-circle metres on a sphere of radius 6,371,008.8 m (haversine,
//   `distanceMetres` in geo.ts): exact on that sphere, no planar approximation.
// - Clustering: greedy discs by density. Within one category, a point's neighbourhood is every
//   remaining point at a distance ≤ radiusM from it (inclusive: a point exactly at the radius is
//   in), itself included. Repeat: take as seed the remaining point with the largest neighbourhood,
//   ties to the earliest point (time, then requests before alerts, then id); if that neighbourhood
//   holds fewer than minCount points, stop; otherwise its neighbourhood is a hotspot and its points
//   are removed. So every point of a hotspot lies within radiusM of its centre, which is the seed's
//   own reported position (a real place, not an average): a chain A–B–C with A–B and B–C ≤ radius
//   but A–C > radius is ONE hotspot when B is within the radius of both (centre B), and a long
//   chain is cut into discs — never a 2 km string of points. A point belongs to at most one hotspot.
// - Id: `<category>:<seed kind r|a>:<seed id>` — the place named by the point at its centre, the
//   same for as long as the same seed leads it.
// - Scope: the points of the unit asked about (grids within it) only; a hotspot may span several
//   grids (`gridIds` lists each grid one of its points lies in).
//
// Defaults: 50 m, 3 points, 30 days (OUTPOST_HOTSPOT_RADIUS_M, _MIN_COUNT, _WINDOW_DAYS).
// `findHotspots` is the fast form (a grid of cells of the radius' size, a heap); a brute force of the
// same definition (test/helpers/hotspots-oracle.ts) must give the identical answer.
import { ALERT_RAISES, type AlertKind, type Category } from './domain'
import { distanceMetres } from './geo'

export const DEFAULT_HOTSPOT_RADIUS_M = 50
export const DEFAULT_HOTSPOT_MIN_COUNT = 3
export const DEFAULT_HOTSPOT_WINDOW_DAYS = 30
/** A reply lists at most this many hotspots, the largest first (`truncated` says when more were found). */
export const HOTSPOT_REPLY_LIMIT = 500

/** A request category, or an alert kind that raises none. */
export type HotspotCategory = Category | AlertKind

export interface HotspotSettings {
  radiusM: number
  minCount: number
}

/** What category a confirmed alert of this kind counts under. */
export function hotspotCategoryOfAlert(kind: AlertKind): HotspotCategory {
  return (ALERT_RAISES as Partial<Record<AlertKind, { category: Category }>>)[kind]?.category ?? kind
}

export interface HotspotPoint {
  kind: 'request' | 'alert'
  id: string
  category: HotspotCategory
  lon: number
  lat: number
  /** Epoch ms: a request's receipt, an alert's raising. */
  at: number
  gridId: string
}

export interface Hotspot {
  id: string
  category: HotspotCategory
  count: number
  center: { lon: number; lat: number }
  radiusM: number
  /** Earliest and latest point, epoch ms. */
  first: number
  last: number
  /** Its requests and confirmed alerts, by time then id. */
  requestIds: string[]
  alertIds: string[]
  /** The grids its points lie in, sorted. */
  gridIds: string[]
}

/** The order that breaks ties between seeds, and lists a hotspot's points: time, requests first, id. */
export function comparePoints(a: HotspotPoint, b: HotspotPoint): number {
  if (a.at !== b.at) return a.at - b.at
  if (a.kind !== b.kind) return a.kind === 'request' ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** The order of a reply: most points first, then the earliest first point, then id. */
export function compareHotspots(a: Hotspot, b: Hotspot): number {
  if (a.count !== b.count) return b.count - a.count
  if (a.first !== b.first) return a.first - b.first
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** A hotspot from its seed and members (any order). */
export function makeHotspot(seed: HotspotPoint, members: HotspotPoint[], radiusM: number): Hotspot {
  const sorted = [...members].sort(comparePoints)
  return {
    id: `${seed.category}:${seed.kind === 'request' ? 'r' : 'a'}:${seed.id}`,
    category: seed.category,
    count: sorted.length,
    center: { lon: seed.lon, lat: seed.lat },
    radiusM,
    first: sorted[0]!.at,
    last: sorted[sorted.length - 1]!.at,
    requestIds: sorted.filter((p) => p.kind === 'request').map((p) => p.id),
    alertIds: sorted.filter((p) => p.kind === 'alert').map((p) => p.id),
    gridIds: [...new Set(sorted.map((p) => p.gridId))].sort(),
  }
}

const EARTH_RADIUS_M = 6_371_008.8
const DEG = 180 / Math.PI
/** Float slack on the cell sizes, so that rounding never puts a neighbour two cells away. */
const SLACK = 1 + 1e-9
const RANK_BITS = 2 ** 27

/** Every hotspot of the points (the definition above), in reply order (`compareHotspots`). */
export function findHotspots(points: readonly HotspotPoint[], settings: HotspotSettings): Hotspot[] {
  const steps = hotspotSteps(points, settings)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
  }
}

/**
 * The same answer as `findHotspots`, in slices: after about `sliceMs` of work it awaits `pause()`
 * (on the server, the next turn of the event loop), so that a district of a million points keeps
 * the server answering while it is worked out.
 */
export async function findHotspotsInSlices(points: readonly HotspotPoint[], settings: HotspotSettings, pause: () => Promise<void>, sliceMs = 10): Promise<Hotspot[]> {
  const steps = hotspotSteps(points, settings)
  let sliceStart = performance.now()
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
    if (performance.now() - sliceStart >= sliceMs) {
      await pause()
      sliceStart = performance.now()
    }
  }
}

/** Work between two chances to pause (`yield`): a few thousand points or pairs. */
const STEP = 4096

function* hotspotSteps(points: readonly HotspotPoint[], settings: HotspotSettings): Generator<void, Hotspot[]> {
  const byCategory = new Map<HotspotCategory, HotspotPoint[]>()
  for (const p of points) {
    const list = byCategory.get(p.category)
    if (list) list.push(p)
    else byCategory.set(p.category, [p])
  }
  yield
  const out: Hotspot[] = []
  for (const list of byCategory.values()) {
    if (list.length >= settings.minCount) out.push(...(yield* categoryHotspots(list, settings)))
  }
  return out.sort(compareHotspots)
}

function* categoryHotspots(unsorted: HotspotPoint[], { radiusM, minCount }: HotspotSettings): Generator<void, Hotspot[]> {
  // Rank = position in the tie-break order: the heap orders by (count desc, rank asc).
  const pts = [...unsorted].sort(comparePoints)
  yield
  const n = pts.length
  if (n >= RANK_BITS) throw new Error('too many points for one category')
  // Cells: a neighbour within radiusM is at most one cell away in latitude (Δφ ≤ r/R) and in
  // longitude (haversine: sin(Δλ/2) ≤ sin(r/2R) / cos φmax, φmax the largest |latitude| here).
  let maxAbsLat = 0
  for (const p of pts) maxAbsLat = Math.max(maxAbsLat, Math.abs(p.lat))
  const cellLat = (radiusM / EARTH_RADIUS_M) * DEG * SLACK
  const s = Math.sin(radiusM / (2 * EARTH_RADIUS_M)) / Math.cos(maxAbsLat / DEG)
  const cellLon = s >= 1 ? 360 : 2 * Math.asin(s) * DEG * SLACK
  const cx = new Float64Array(n)
  const cy = new Float64Array(n)
  const cells = new Map<number, number[]>()
  const OFF = 2 ** 25
  for (let i = 0; i < n; i++) {
    const x = Math.floor(pts[i]!.lon / cellLon)
    const y = Math.floor(pts[i]!.lat / cellLat)
    cx[i] = x
    cy[i] = y
    const key = (x + OFF) * 2 ** 26 + (y + OFF)
    const cell = cells.get(key)
    if (cell) cell.push(i)
    else cells.set(key, [i])
  }
  // Every pair within the radius, measured once (j after i), into lists per point (CSR). The
  // decision is the haversine's (`distanceMetres`); a small-angle form decides first where it is
  // far from the edge: R·√(Δφ² + cosφ1·cosφ2·Δλ²) differs from the haversine by a relative
  // O(Δ²) for angles Δ ≤ 1e-4 rad (under 1e-8), so outside ±1e-6 of the squared radius both agree.
  const lat = new Float64Array(n)
  const lon = new Float64Array(n)
  const cos = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    lat[i] = pts[i]!.lat / DEG
    lon[i] = pts[i]!.lon / DEG
    cos[i] = Math.cos(lat[i]!)
  }
  const inner = (radiusM / EARTH_RADIUS_M) ** 2 * (1 - 1e-6)
  const outer = (radiusM / EARTH_RADIUS_M) ** 2 * (1 + 1e-6)
  const within = (i: number, j: number): boolean => {
    const dp = lat[j]! - lat[i]!
    const dl = lon[j]! - lon[i]!
    // Only for small angles (1e-4 rad is 640 m): near a pole a cell may span many degrees of longitude.
    if (Math.abs(dl) > 1e-4 || Math.abs(dp) > 1e-4) return distanceMetres(pts[i]!, pts[j]!) <= radiusM
    const q = dp * dp + cos[i]! * cos[j]! * dl * dl
    if (q < inner) return true
    if (q > outer) return false
    return distanceMetres(pts[i]!, pts[j]!) <= radiusM
  }
  let pairs = new Int32Array(1024)
  let np = 0
  for (let i = 0; i < n; i++) {
    if (i % STEP === STEP - 1) yield
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const cell = cells.get((cx[i]! + dx + OFF) * 2 ** 26 + (cy[i]! + dy + OFF))
        if (!cell) continue
        for (const j of cell) {
          if (j <= i || !within(i, j)) continue
          if (np + 2 > pairs.length) {
            const grown = new Int32Array(pairs.length * 2)
            grown.set(pairs)
            pairs = grown
          }
          pairs[np++] = i
          pairs[np++] = j
        }
      }
    }
  }
  yield
  const start = new Int32Array(n + 1)
  for (let k = 0; k < np; k++) start[pairs[k]! + 1]!++
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!
  const near = new Int32Array(np)
  const fill = start.slice(0, n)
  for (let k = 0; k < np; k += 2) {
    const i = pairs[k]!
    const j = pairs[k + 1]!
    near[fill[i]!++] = j
    near[fill[j]!++] = i
  }
  yield
  const alive = new Uint8Array(n).fill(1)
  /** The live points within the radius of i, itself included. */
  const neighbours = (i: number, visit: (j: number) => void) => {
    if (alive[i]) visit(i)
    for (let k = start[i]!; k < start[i + 1]!; k++) if (alive[near[k]!]) visit(near[k]!)
  }
  const count = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    if (i % STEP === STEP - 1) yield
    neighbours(i, () => count[i]!++)
  }
  const heap = new Heap()
  const keyOf = (i: number) => (n - count[i]!) * RANK_BITS + i
  for (let i = 0; i < n; i++) if (count[i]! >= minCount) heap.push(keyOf(i))
  yield
  const out: Hotspot[] = []
  const touched = new Set<number>()
  let popped = 0
  while (heap.size > 0) {
    if (++popped % STEP === 0) yield
    const key = heap.pop()
    const i = key % RANK_BITS
    // A stale entry: the point is gone, or its count has dropped since.
    if (!alive[i] || key !== keyOf(i)) continue
    if (count[i]! < minCount) break
    const members: number[] = []
    neighbours(i, (j) => members.push(j))
    for (const m of members) alive[m] = 0
    touched.clear()
    for (const m of members) {
      neighbours(m, (q) => {
        count[q]!--
        touched.add(q)
      })
    }
    for (const q of touched) if (count[q]! >= minCount) heap.push(keyOf(q))
    out.push(makeHotspot(pts[i]!, members.map((m) => pts[m]!), radiusM))
  }
  return out
}

/** A binary min-heap of numbers. */
class Heap {
  private a: number[] = []
  get size(): number {
    return this.a.length
  }
  push(v: number): void {
    const a = this.a
    let i = a.length
    a.push(v)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (a[parent]! <= v) break
      a[i] = a[parent]!
      i = parent
    }
    a[i] = v
  }
  pop(): number {
    const a = this.a
    const top = a[0]!
    const last = a.pop()!
    if (a.length > 0) {
      let i = 0
      const n = a.length
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && a[r]! < a[l]! ? r : l
        if (a[c]! >= last) break
        a[i] = a[c]!
        i = c
      }
      a[i] = last
    }
    return top
  }
}
