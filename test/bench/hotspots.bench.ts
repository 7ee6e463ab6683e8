// Recurring hotspots at scale: the metrics bench's data set (about 1,000,000 requests over 30 days,
// built once and kept under bench-results/). Times GET /api/v1/hotspots' work — the points kept in
// the rollups (server/metrics/hotspot-index.ts) clustered by `findHotspots` — for the district and
// one street over the 30 days, beside the brute force in the same run: the points taken straight
// from the raw log (every event read back from the store) and clustered by every pair
// (test/helpers/hotspots-oracle.ts). The two must be identical.
//
//   npx tsx test/bench/hotspots.bench.ts [--requests 1000000] [--repeats 5]
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { DEFAULT_POLICY } from '../../shared/metrics'
import { buildSampleGeography } from '../../shared/sample-geography'
import { hotspotCategoryOfAlert, type Hotspot, type HotspotPoint } from '../../shared/hotspots'
import type { AlertKind } from '../../shared/domain'
import { DAY_MS } from '../../shared/time'
import { Geography } from '../../server/geo/geography'
import { followStore } from '../../server/metrics/load'
import { Rollups } from '../../server/metrics/rollups'
import { DEFAULT_HOTSPOT_CONFIG } from '../../server/metrics/hotspots'
import { backfill } from '../../server/sim/backfill'
import { SqliteStore } from '../../server/store/sqlite-store'
import { bruteForceHotspots } from '../helpers/hotspots-oracle'

const TZ = 'Asia/Shanghai'
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const target = arg('requests', 1_000_000)
const repeats = arg('repeats', 5)

function emit(figure: Record<string, unknown>) {
  console.log(JSON.stringify({ bench: 'hotspots', ...figure }))
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)]!
}

const geography = new Geography(buildSampleGeography())
// The same data set and `now` as metrics.bench.ts (whichever runs first builds it).
const now = Date.parse('2026-11-29T04:00:00Z')
mkdirSync('bench-results', { recursive: true })
const file = `bench-results/metrics-${target}.db`
let t0 = performance.now()
if (!existsSync(file)) {
  for (const suffix of ['.tmp', '.tmp-wal', '.tmp-shm']) rmSync(`${file}${suffix}`, { force: true })
  const building = new SqliteStore({ filename: `${file}.tmp`, synchronous: 'normal' })
  const filled = await backfill({ store: building, geography, days: 30, now, seed: 1, scale: target / 12_000, chunkSize: 20_000 })
  await building.close()
  renameSync(`${file}.tmp`, file)
  rmSync(`${file}.tmp-wal`, { force: true })
  rmSync(`${file}.tmp-shm`, { force: true })
  emit({ figure: 'dataset_built', requests: filled.requests, alerts: filled.alerts, events: filled.seq, build_s: +((performance.now() - t0) / 1000).toFixed(1) })
}
const store = new SqliteStore({ filename: file, synchronous: 'normal' })

t0 = performance.now()
const rollups = new Rollups({ geography, policy: DEFAULT_POLICY, timeZone: TZ })
await followStore(rollups, store)
emit({ figure: 'load', events: rollups.seq, hotspot_points: rollups.hotspots.size, load_s: +((performance.now() - t0) / 1000).toFixed(1) })

// The brute force's points: the raw log read back from the store, taken the obvious way.
t0 = performance.now()
const raw: HotspotPoint[] = []
{
  const seen = new Set<string>()
  const alerts = new Map<string, { kind: AlertKind; lon: number; lat: number; at: number; gridId: string; reviewed: boolean }>()
  for (let after = 0; ; ) {
    const events = await store.readLog(after, 50_000)
    if (events.length === 0) break
    after = events[events.length - 1]!.seq
    for (const e of events) {
      if (e.type === 'request.received' && !seen.has(e.requestId)) {
        seen.add(e.requestId)
        raw.push({ kind: 'request', id: e.requestId, category: e.category, lon: e.lon, lat: e.lat, at: e.at, gridId: e.gridId })
      } else if (e.type === 'alert.raised' && !alerts.has(e.alertId)) {
        alerts.set(e.alertId, { kind: e.kind, lon: e.lon, lat: e.lat, at: e.at, gridId: e.gridId, reviewed: false })
      } else if (e.type === 'alert.reviewed') {
        const a = alerts.get(e.alertId)
        if (!a || a.reviewed) continue
        a.reviewed = true
        if (e.verdict === 'confirmed' && e.requestId === undefined) {
          raw.push({ kind: 'alert', id: e.alertId, category: hotspotCategoryOfAlert(a.kind), lon: a.lon, lat: a.lat, at: a.at, gridId: a.gridId })
        }
      }
    }
  }
}
const rawReadMs = performance.now() - t0

const settings = { radiusM: DEFAULT_HOTSPOT_CONFIG.radiusM, minCount: DEFAULT_HOTSPOT_CONFIG.minCount }
const window = { from: now - 30 * DAY_MS, to: now }
const street = geography.children(geography.district.id)[0]!

for (const unit of [geography.district, street]) {
  const inScope = (grid: string) => geography.isWithin(grid, unit.id)
  let indexed: Hotspot[] = []
  const times: number[] = []
  for (let i = 0; i < repeats; i++) {
    const t = performance.now()
    indexed = rollups.hotspots.hotspots(window.from, window.to, inScope, settings)
    times.push(performance.now() - t)
  }
  const points = raw.filter((p) => p.at >= window.from && p.at < window.to && inScope(p.gridId))
  t0 = performance.now()
  const brute = bruteForceHotspots(points, settings)
  const bruteMs = performance.now() - t0
  const identical = JSON.stringify(indexed) === JSON.stringify(brute)
  emit({
    figure: `${unit.level}_30d`,
    unit: unit.id,
    points: points.length,
    hotspots: indexed.length,
    largest: indexed[0]?.count ?? 0,
    indexed_ms: +median(times).toFixed(1),
    brute_force_ms: Math.round(bruteMs),
    raw_log_read_ms: Math.round(rawReadMs),
    speedup: +(bruteMs / median(times)).toFixed(1),
    identical,
  })
  if (!identical) process.exitCode = 1
}
emit({ figure: 'memory', rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20), heap_mb: Math.round(process.memoryUsage().heapUsed / 2 ** 20) })
await store.close()
