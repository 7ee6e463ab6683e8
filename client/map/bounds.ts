import { geometryBbox, polygonsOf, type UnitGeometry } from '../../shared/domain'
import type { Geography } from '../../shared/schemas/geography'

/** [[west, south], [east, north]] of a polygon's outer ring, for `fitBounds`. */
export type Bounds = [[number, number], [number, number]]

export function polygonBounds(coordinates: readonly (readonly (readonly number[])[])[]): Bounds {
  let west = Infinity
  let south = Infinity
  let east = -Infinity
  let north = -Infinity
  for (const [lon, lat] of coordinates[0] ?? []) {
    if (lon < west) west = lon
    if (lon > east) east = lon
    if (lat < south) south = lat
    if (lat > north) north = lat
  }
  if (!Number.isFinite(west)) throw new Error('polygonBounds: empty polygon')
  return [
    [west, south],
    [east, north],
  ]
}

/** Bounds over every part of a unit's geometry, optionally projected (the base map's datum). */
export function geometryBounds(geometry: UnitGeometry, project?: (lon: number, lat: number) => [number, number]): Bounds {
  if (project) return polygonBounds([polygonsOf(geometry).flatMap((polygon) => (polygon[0] ?? []).map(([lon, lat]) => project(lon, lat)))])
  const [west, south, east, north] = geometryBbox(geometry)
  if (!Number.isFinite(west)) throw new Error('geometryBounds: empty geometry')
  return [
    [west, south],
    [east, north],
  ]
}

function union(a: Bounds, b: Bounds): Bounds {
  return [
    [Math.min(a[0][0], b[0][0]), Math.min(a[0][1], b[0][1])],
    [Math.max(a[1][0], b[1][0]), Math.max(a[1][1], b[1][1])],
  ]
}

/**
 * What each unit's scene frames: the bounds of its own outline and of everything under it (a grid
 * drawn a little past its community is still on screen), over every part of a MultiPolygon, in
 * the base map's datum. The whole district for the district: its far towns and exclaves too.
 * Computed once per geography (each unit's box is added to its ancestors').
 */
export function unitExtents(geography: Geography, project?: (lon: number, lat: number) => [number, number]): Map<string, Bounds> {
  const extents = new Map<string, Bounds>()
  const parents = new Map<string, string | null>()
  for (const f of geography.features) parents.set(f.properties.id, f.properties.parentId)
  for (const f of geography.features) {
    const own = project ? geometryBounds(f.geometry, project) : outerBounds(f.geometry)
    // Up the tree; a parent missing from the file (a leader's geography starts at their unit) ends it.
    const seen = new Set<string>()
    for (let id: string | null | undefined = f.properties.id; id && !seen.has(id) && parents.has(id); id = parents.get(id)) {
      seen.add(id)
      const known = extents.get(id)
      extents.set(id, known ? union(known, own) : own)
    }
  }
  return extents
}

/** `geometryBounds` in indexed loops: a district of 3,000 grids has millions of points. */
function outerBounds(geometry: UnitGeometry): Bounds {
  let west = Infinity
  let south = Infinity
  let east = -Infinity
  let north = -Infinity
  for (const polygon of polygonsOf(geometry)) {
    const ring = polygon[0] ?? []
    for (let k = 0; k < ring.length; k++) {
      const x = ring[k]![0]
      const y = ring[k]![1]
      if (x < west) west = x
      if (x > east) east = x
      if (y < south) south = y
      if (y > north) north = y
    }
  }
  if (!Number.isFinite(west)) throw new Error('unitExtents: a unit with an empty geometry')
  return [
    [west, south],
    [east, north],
  ]
}

/** A box on screen, in CSS px (`getBoundingClientRect`). */
export interface ScreenRect {
  left: number
  top: number
  right: number
  bottom: number
}

export interface Padding {
  top: number
  right: number
  bottom: number
  left: number
}

/**
 * The map's padding so that nothing framed lies under a panel drawn over it (the legend along
 * the bottom, a note in a corner): each overlay that covers part of the map pushes in one side,
 * plus `margin` all round. `scale` is screen pixels per map pixel (a wall's stage is scaled as a
 * whole). The map keeps at least `minShare` of each dimension to frame in.
 *
 * Which side an overlay pushes: without `content`, the side it takes least from. With `content`
 * (the framed bounds' size on screen at any zoom: only its shape counts), the choice of sides
 * that frames the content largest: a tall district beside a short panel in the top-left corner
 * is framed to the panel's right, not shrunk below it.
 */
export function overlayPadding(
  map: ScreenRect,
  overlays: readonly ScreenRect[],
  margin: number,
  scale = 1,
  minShare = 0.3,
  content?: { width: number; height: number },
): Padding {
  const width = map.right - map.left
  const height = map.bottom - map.top
  type Side = keyof Padding
  // Each covering overlay's four ways out: the side and the map pixels it takes from it.
  const options: [Side, number][][] = []
  for (const o of overlays) {
    if (o.right <= map.left || o.left >= map.right || o.bottom <= map.top || o.top >= map.bottom || width <= 0 || height <= 0) continue
    const sides: [Side, number][] = [
      ['top', (o.bottom - map.top) / scale],
      ['bottom', (map.bottom - o.top) / scale],
      ['left', (o.right - map.left) / scale],
      ['right', (map.right - o.left) / scale],
    ]
    // The side it takes least from (as a share of the map's size) first: the choice without content.
    sides.sort((p, q) => p[1] / (p[0] === 'top' || p[0] === 'bottom' ? height : width) - q[1] / (q[0] === 'top' || q[0] === 'bottom' ? height : width))
    options.push(sides)
  }
  const fit = (a: number, b: number, size: number): [number, number] => {
    const room = size / scale
    const most = room * (1 - minShare)
    const total = a + b + 2 * margin
    if (total <= most) return [a + margin, b + margin]
    const k = most / total
    return [(a + margin) * k, (b + margin) * k]
  }
  const paddingOf = (choice: readonly number[]): Padding => {
    const raw: Padding = { top: 0, right: 0, bottom: 0, left: 0 }
    choice.forEach((c, i) => {
      const [side, px] = options[i]![c]!
      raw[side] = Math.max(raw[side], px)
    })
    const [top, bottom] = fit(raw.top, raw.bottom, height)
    const [left, right] = fit(raw.left, raw.right, width)
    return { top: Math.round(top), right: Math.round(right), bottom: Math.round(bottom), left: Math.round(left) }
  }
  let best = paddingOf(options.map(() => 0))
  // A few panels at most (4^n choices): each choice's framed size, the largest kept.
  if (content && content.width > 0 && content.height > 0 && options.length > 0 && options.length <= 5) {
    const framed = (p: Padding) => Math.min((width / scale - p.left - p.right) / content.width, (height / scale - p.top - p.bottom) / content.height)
    let bestSize = framed(best)
    const choice = options.map(() => 0)
    for (let n = 0; n < 4 ** options.length; n++) {
      for (let i = 0, k = n; i < options.length; i++, k = Math.floor(k / 4)) choice[i] = k % 4
      const p = paddingOf(choice)
      const size = framed(p)
      if (size > bestSize + 1e-9) {
        best = p
        bestSize = size
      }
    }
  }
  return best
}
