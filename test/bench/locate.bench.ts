// Point-in-grid placement (Geography.locate) on the sample and on a large generated district
// (3,000 grids of ~500 vertices a ring), in µs per point, beside two baselines of the same run on
// the same points: the bounding-box lookup alone (the floor: what any answer costs before looking at
// a ring) and the straightforward way (the same lookup, then turf's booleanPointInPolygon on each
// box that holds the point, lowest grid id on a shared edge). The two answers must agree point for
// point, or the speed means nothing.
//
//   npx tsx test/bench/locate.bench.ts [--points 20000] [--rounds 7]
import { performance } from 'node:perf_hooks'
import Flatbush from 'flatbush'
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { geometryBbox, polygonsOf, type GeoUnit, type LonLat } from '../../shared/domain'
import { mulberry32 } from '../../shared/random'
import { buildSampleGeography } from '../../shared/sample-geography'
import { Geography } from '../../server/geo/geography'
import { generateDistrict, LARGE_DISTRICT } from '../helpers/generated-district'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const pointCount = arg('points', 20_000)
const rounds = arg('rounds', 7)
/**
 * The goal: on the large district, locate() costs at most this many times the box lookup alone (a
 * few edges of each candidate ring, not all of them; the turf way is 15–20 times).
 */
const GOAL_VS_BBOX = 5

function emit(figure: Record<string, unknown>) {
  console.log(JSON.stringify({ bench: 'locate', ...figure }))
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)]!
}

/** This process's CPU time in µs: on two shared cores, a neighbour's load stretches wall time far more. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

/** CPU µs per point, median over the rounds; each round runs every point once. */
function perPoint(points: readonly LonLat[], fn: (p: LonLat) => unknown): number {
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    const t0 = cpuMicros()
    for (const p of points) fn(p)
    times.push((cpuMicros() - t0) / points.length)
  }
  return median(times)
}

/** The JS heap and the typed arrays' buffers, which live outside it. */
function heldBytes(): number {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

function measure(name: string, units: GeoUnit[]) {
  global.gc?.()
  const heapBefore = heldBytes()
  const t0 = performance.now()
  const geography = new Geography(units)
  const buildMs = performance.now() - t0
  const grids = units.filter((u) => u.level === 'grid')
  // Each grid's ring index is built when a point first falls in its box: one point in each.
  const t1 = performance.now()
  for (const grid of grids) {
    const [lon, lat] = polygonsOf(grid.geometry)[0]![0]![0]!
    geography.locate({ lon, lat })
  }
  const firstTouchMs = performance.now() - t1
  global.gc?.()
  // What the Geography holds beyond the units themselves (its indexes); with --expose-gc.
  const indexMb = global.gc ? Math.round((heldBytes() - heapBefore) / 2 ** 20) : undefined
  const boxes = new Flatbush(grids.length)
  for (const grid of grids) boxes.add(...geometryBbox(grid.geometry))
  boxes.finish()
  const turfLocate = (p: LonLat): string | undefined => {
    let found: GeoUnit | undefined
    for (const i of boxes.search(p.lon, p.lat, p.lon, p.lat)) {
      const grid = grids[i]!
      if (found && found.id < grid.id) continue
      if (booleanPointInPolygon([p.lon, p.lat], grid.geometry)) found = grid
    }
    return found?.id
  }

  const [west, south, east, north] = geometryBbox(geography.district.geometry)
  const rand = mulberry32(0x10ca7e)
  const points = Array.from({ length: pointCount }, () => ({ lon: west + rand() * (east - west), lat: south + rand() * (north - south) }))

  let disagree = 0
  let located = 0
  let hits = 0
  for (const p of points) {
    const mine = geography.locate(p)?.gridId
    if (mine !== turfLocate(p)) disagree++
    if (mine) located++
    hits += boxes.search(p.lon, p.lat, p.lon, p.lat).length
  }

  // Interleaved, so that a neighbour's load on the machine falls on all three alike.
  const bbox: number[] = []
  const turf: number[] = []
  const locate: number[] = []
  for (let r = 0; r < 3; r++) {
    bbox.push(perPoint(points, (p) => boxes.search(p.lon, p.lat, p.lon, p.lat)))
    turf.push(perPoint(points, turfLocate))
    locate.push(perPoint(points, (p) => geography.locate(p)))
  }
  const vertices = grids.map((g) => polygonsOf(g.geometry).reduce((n, polygon) => n + polygon.reduce((m, ring) => m + ring.length - 1, 0), 0))
  const figure = {
    figure: 'locate_us_per_point',
    district: name,
    grids: grids.length,
    vertices_per_grid: Math.round(median(vertices)),
    points: pointCount,
    located,
    bbox_hits_per_point: round3(hits / pointCount),
    build_ms: Math.round(buildMs),
    first_touch_ms: Math.round(firstTouchMs),
    geography_heap_mb: indexMb,
    bbox_only_us: round3(median(bbox)),
    turf_us: round3(median(turf)),
    locate_us: round3(median(locate)),
    locate_vs_bbox: round3(median(locate) / median(bbox)),
    turf_vs_locate: round3(median(turf) / median(locate)),
    disagree,
  }
  process.stderr.write(`locate: ${name} done\n`)
  return figure
}

const sample = measure('sample', buildSampleGeography())
emit(sample)
const large = measure('large', generateDistrict(LARGE_DISTRICT))
emit({ ...large, goal: `locate_us ≤ ${GOAL_VS_BBOX} × bbox_only_us`, met: large.locate_vs_bbox <= GOAL_VS_BBOX })
emit({ figure: 'locate_large_vs_sample', ratio: round3(large.locate_us / sample.locate_us), large_us: large.locate_us, sample_us: sample.locate_us })
if (sample.disagree + large.disagree > 0) {
  process.stderr.write(`locate: locate() and turf disagree on ${sample.disagree + large.disagree} points\n`)
  process.exitCode = 1
}
