// Figures at scale: about 1,000,000 requests over 30 days with their transitions. Prints the time
// to answer district metrics with every child and a 30-day daily series from the rollups, beside
// the straightforward scan of the raw rows (the same definitions, `scanFigures`) in the same run.
//
//   npx tsx test/bench/metrics.bench.ts [--requests 1000000]
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { DEFAULT_POLICY } from '../../shared/metrics'
import { buildSampleGeography } from '../../shared/sample-geography'
import { addDays, localDate, startOfLocalDate } from '../../shared/time'
import { Geography } from '../../server/geo/geography'
import { followStore } from '../../server/metrics/load'
import { Rollups } from '../../server/metrics/rollups'
import { scanFigures } from '../helpers/scan-oracle'
import { MetricsService } from '../../server/metrics/service'
import { backfill } from '../../server/sim/backfill'
import { SqliteStore } from '../../server/store/sqlite-store'

const TZ = 'Asia/Shanghai'
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const target = arg('requests', 1_000_000)
const repeats = arg('repeats', 9)

function emit(figure: Record<string, unknown>) {
  console.log(JSON.stringify({ bench: 'metrics', ...figure }))
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)]!
}

async function timed<T>(fn: () => Promise<T> | T, n: number): Promise<{ ms: number; value: T }> {
  const times: number[] = []
  let value!: T
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    value = await fn()
    times.push(performance.now() - t0)
  }
  return { ms: median(times), value }
}

const geography = new Geography(buildSampleGeography())
const district = geography.ref(geography.district.id)!

// The data set is built once (minutes at a million requests) and kept under bench-results/, which
// git ignores; its `now` is fixed so that a rerun asks the same questions of the same data.
const now = Date.parse('2026-11-29T04:00:00Z')
mkdirSync('bench-results', { recursive: true })
const file = `bench-results/metrics-${target}.db`
let t0 = performance.now()
if (!existsSync(file)) {
  // A build that was stopped half-way leaves its temporary file: start that one afresh.
  for (const suffix of ['.tmp', '.tmp-wal', '.tmp-shm']) rmSync(`${file}${suffix}`, { force: true })
  const building = new SqliteStore({ filename: `${file}.tmp`, synchronous: 'normal' })
  // The sample district gets ~400 requests a day; scale the rates to reach the target in 30 days.
  const filled = await backfill({ store: building, geography, days: 30, now, seed: 1, scale: target / 12_000, chunkSize: 20_000 })
  await building.close()
  renameSync(`${file}.tmp`, file)
  rmSync(`${file}.tmp-wal`, { force: true })
  rmSync(`${file}.tmp-shm`, { force: true })
  emit({ figure: 'dataset_built', requests: filled.requests, transitions: filled.transitions, alerts: filled.alerts, pings: filled.pings, events: filled.seq, build_s: +((performance.now() - t0) / 1000).toFixed(1) })
}
const store = new SqliteStore({ filename: file, synchronous: 'normal' })

global.gc?.()
const heapBefore = process.memoryUsage().heapUsed
t0 = performance.now()
const rollups = new Rollups({ geography, policy: DEFAULT_POLICY, timeZone: TZ })
await followStore(rollups, store)
const loadMs = performance.now() - t0
global.gc?.()
const heapAfter = process.memoryUsage().heapUsed
emit({ figure: 'rollup_load', requests: rollups.size.requests, alerts: rollups.size.alerts, events: rollups.seq, load_s: +(loadMs / 1000).toFixed(1), rollup_heap_mb: Math.round((heapAfter - heapBefore) / 2 ** 20), rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20) })

const service = new MetricsService(rollups, geography, () => now)
const today = localDate(now, TZ)
const window = { from: startOfLocalDate(addDays(today, -29), TZ), to: startOfLocalDate(addDays(today, 1), TZ) }

// Warm once (the first read sorts every day bag: ~3 s at a million requests, once after start),
// collect what that left behind, then take the median of several answers: the steady state of a
// running server, which answers these again and again.
t0 = performance.now()
service.metrics(district.id, window)
const coldMs = performance.now() - t0
service.series(district.id, 'responseP90', 'day', window)
global.gc?.()
const rollupMetrics = await timed(() => service.metrics(district.id, window), repeats)
const rollupSeries = await timed(() => service.series(district.id, 'responseP90', 'day', window), repeats)

const scanMetrics = await timed(async () => {
  const figures = await scanFigures(store, geography, district, { ...window, now }, DEFAULT_POLICY)
  const children = []
  for (const child of geography.children(district.id)) {
    children.push(await scanFigures(store, geography, geography.ref(child.id)!, { ...window, now }, DEFAULT_POLICY))
  }
  return { figures, children }
}, 1)
const scanSeries = await timed(async () => {
  const points = []
  for (let day = 0; day < 30; day++) {
    const from = startOfLocalDate(addDays(today, day - 29), TZ)
    const to = startOfLocalDate(addDays(today, day - 28), TZ)
    points.push((await scanFigures(store, geography, district, { from, to, now }, DEFAULT_POLICY)).responseTime.p90)
  }
  return points
}, 1)

// The two must agree, or the speed means nothing.
const same = JSON.stringify(rollupMetrics.value.figures) === JSON.stringify(scanMetrics.value.figures)
const sameSeries = JSON.stringify(rollupSeries.value.map((p) => p.value)) === JSON.stringify(scanSeries.value)

emit({
  figure: 'district_metrics_with_children',
  requests_in_window: rollupMetrics.value.figures.requests,
  children: rollupMetrics.value.children.length,
  rollup_ms: +rollupMetrics.ms.toFixed(2),
  first_answer_after_load_ms: Math.round(coldMs),
  scan_ms: +scanMetrics.ms.toFixed(0),
  speedup: +(scanMetrics.ms / rollupMetrics.ms).toFixed(1),
  identical: same,
  goal: 'rollup_ms <= 50 and speedup >= 20',
  met: rollupMetrics.ms <= 50 && scanMetrics.ms / rollupMetrics.ms >= 20 && same,
})
emit({
  figure: 'daily_series_30d',
  points: rollupSeries.value.length,
  rollup_ms: +rollupSeries.ms.toFixed(2),
  scan_ms: +scanSeries.ms.toFixed(0),
  speedup: +(scanSeries.ms / rollupSeries.ms).toFixed(1),
  identical: sameSeries,
  goal: 'rollup_ms <= 50 and speedup >= 20',
  met: rollupSeries.ms <= 50 && scanSeries.ms / rollupSeries.ms >= 20 && sameSeries,
})
emit({ figure: 'memory', rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20), heap_mb: Math.round(process.memoryUsage().heapUsed / 2 ** 20) })
await store.close()
