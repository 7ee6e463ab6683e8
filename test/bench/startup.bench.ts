// Start-up of the rollups at 6 M events (about 1,000,000 requests over 30 days, the metrics
// bench's data set): a full replay of the log, beside a start from a rollup checkpoint (restore,
// then the log after it), on the same store file in the same run. Both must answer the district's
// figures identically.
//
//   npx tsx test/bench/startup.bench.ts [--requests 1000000]
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { DEFAULT_POLICY } from '../../shared/metrics'
import { buildSampleGeography } from '../../shared/sample-geography'
import { addDays, localDate, startOfLocalDate } from '../../shared/time'
import { Geography } from '../../server/geo/geography'
import { followStore } from '../../server/metrics/load'
import { checkpointBasis, encodeCheckpoint, restoreCheckpoint } from '../../server/metrics/checkpoint'
import { Rollups } from '../../server/metrics/rollups'
import { MetricsService } from '../../server/metrics/service'
import { backfill } from '../../server/sim/backfill'
import { SqliteStore } from '../../server/store/sqlite-store'

const TZ = 'Asia/Shanghai'
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const target = arg('requests', 1_000_000)
const emit = (figure: Record<string, unknown>) => console.log(JSON.stringify({ bench: 'startup', ...figure }))
const seconds = (ms: number) => +(ms / 1000).toFixed(2)

const geography = new Geography(buildSampleGeography())
const now = Date.parse('2026-11-29T04:00:00Z')
mkdirSync('bench-results', { recursive: true })
const file = `bench-results/startup-${target}.db`
if (!existsSync(file)) {
  const t0 = performance.now()
  for (const suffix of ['.tmp', '.tmp-wal', '.tmp-shm']) rmSync(`${file}${suffix}`, { force: true })
  const building = new SqliteStore({ filename: `${file}.tmp`, synchronous: 'normal' })
  const filled = await backfill({ store: building, geography, days: 30, now, seed: 1, scale: target / 12_000, chunkSize: 20_000 })
  await building.close()
  renameSync(`${file}.tmp`, file)
  rmSync(`${file}.tmp-wal`, { force: true })
  rmSync(`${file}.tmp-shm`, { force: true })
  emit({ figure: 'dataset_built', requests: filled.requests, events: filled.seq, build_s: seconds(performance.now() - t0) })
}
// A checkpoint left by an earlier run would make the first start a fast one.
{
  const opened = new SqliteStore({ filename: file, synchronous: 'normal' }) // migrates an older file
  await opened.close()
  const raw = new Database(file)
  raw.exec('DELETE FROM rollup_checkpoints')
  raw.close()
}

const warn = (message: string) => process.stderr.write(`${message}\n`)
const fresh = () => new Rollups({ geography, policy: DEFAULT_POLICY, timeZone: TZ })

/** A start as server/live/index.ts makes it: the checkpoint of the basis if any, then the log. */
async function start(store: SqliteStore): Promise<{ rollups: Rollups; ms: number; checkpointSeq: number; restoreMs: number }> {
  const t0 = performance.now()
  const rollups = fresh()
  const { seq } = await restoreCheckpoint(rollups, geography, store, warn)
  const restoreMs = performance.now() - t0
  await followStore(rollups, store)
  return { rollups, ms: performance.now() - t0, checkpointSeq: seq, restoreMs }
}

let store = new SqliteStore({ filename: file, synchronous: 'normal' })
const full = await start(store)
emit({ figure: 'full_replay', events: full.rollups.seq, requests: full.rollups.size.requests, start_s: seconds(full.ms), checkpoint_seq: full.checkpointSeq })

global.gc?.()
const encodeTimes: number[] = []
let data!: Buffer
for (let i = 0; i < 3; i++) {
  const t0 = performance.now()
  data = encodeCheckpoint(full.rollups)
  encodeTimes.push(performance.now() - t0)
}
const t0 = performance.now()
await store.saveCheckpoint({ seq: full.rollups.seq, basis: checkpointBasis(full.rollups, geography), savedAt: Date.now(), data })
const saveMs = performance.now() - t0
await store.close()
const sortedEncode = [...encodeTimes].sort((a, b) => a - b)
emit({
  figure: 'checkpoint_save',
  bytes: data.length,
  mb: +(data.length / 2 ** 20).toFixed(1),
  bytes_per_event: +(data.length / full.rollups.seq).toFixed(1),
  encode_ms_median_of_3: Math.round(sortedEncode[1]!),
  store_write_ms: Math.round(saveMs),
  store_file_mb: Math.round(statSync(file).size / 2 ** 20),
})

const service = (rollups: Rollups) => new MetricsService(rollups, geography, () => now)
const today = localDate(now, TZ)
const window = { from: startOfLocalDate(addDays(today, -29), TZ), to: startOfLocalDate(addDays(today, 1), TZ) }
const district = geography.district.id
const answer = (rollups: Rollups) =>
  JSON.stringify([
    service(rollups).metrics(district, window),
    service(rollups).series(district, 'responseP90', 'day', window),
    rollups.overdueRequests(district, now),
    rollups.departmentFigures(district, window.from, window.to, now),
  ])
const fullAnswer = answer(full.rollups)
const fullMs = full.ms
const fullSeq = full.rollups.seq
// A new process would start here, without the replayed rollups in its heap: only their answers are
// kept, and the collector runs before the second start.
;(full as { rollups?: Rollups }).rollups = undefined
data = Buffer.alloc(0)
global.gc?.()
store = new SqliteStore({ filename: file, synchronous: 'normal' })
const fast = await start(store)
await store.close()
const identical = answer(fast.rollups) === fullAnswer
emit({
  figure: 'start_from_checkpoint',
  events: fast.rollups.seq,
  checkpoint_seq: fast.checkpointSeq,
  restore_s: seconds(fast.restoreMs),
  start_s: seconds(fast.ms),
  full_replay_s: seconds(fullMs),
  speedup: +(fullMs / fast.ms).toFixed(1),
  identical,
  goal: 'start_s <= 5 from a checkpoint, answers identical',
  met: fast.ms <= 5000 && identical && fast.checkpointSeq === fullSeq,
})
emit({ figure: 'memory', rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20) })
