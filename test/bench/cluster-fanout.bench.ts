// Cluster fan-out: ingest → client latency at 1,000 events/s with 1,000 live clients, for
//   one-process   ingest and the clients on the same Outpost process (`server/main.ts` on PostgreSQL);
//   two-process   ingest on process A, the clients on process B, one PostgreSQL: B gets the events by
//                 following the log through LISTEN/NOTIFY.
// Both are the product's entry point started by test/helpers/cluster.ts, each setup on a database of
// its own (test/helpers/postgres.ts), so the two differ only in the second process. The figure is the
// P99 of two-process, with its ratio to one-process; the rounds alternate so that the machine's
// drifting load falls on both alike.
//
//   npx tsx test/bench/cluster-fanout.bench.ts [--clients 1000] [--rate 1000] [--seconds 6] [--rounds 3]
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startOutpost, type OutpostProcess } from '../helpers/cluster'
import { testDatabase, type TestDatabase } from '../helpers/postgres'
import { KeepAliveClient } from './lib/http-client'
import type { SeqRecord } from './lib/ipc'
import { LiveClients } from './lib/live-clients'
import { analyse, drivePatrols, scene as makeScene, unitsFor, type Delivery } from './lib/load'
import { clock, emit, machine, median, note, round, selfCpu, sleep } from './lib/stats'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const CLIENTS = Number(arg('clients', '1000'))
const RATE = Number(arg('rate', '1000'))
const MEASURE_MS = Number(arg('seconds', '6')) * 1000
const ROUNDS = Number(arg('rounds', '3'))
const WARM_MS = 1500
const GOAL_P99_MS = 150
const BENCH = 'cluster-fanout'
const PASSWORD = 'bench-admin-password-1'

process.env.OUTPOST_TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres'

const scene = makeScene()
const units = unitsFor(CLIENTS, scene.rooms)
const clientRooms = units.map((u) => scene.rooms.indexOf(u))

/** A new ingest key in the database, by the product's own CLI (`npm run users -- key add`). */
function addKey(databaseUrl: string): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-bench-cli-'))
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/users.ts', 'key', 'add', 'bench-ingest'], {
      env: { ...process.env, OUTPOST_DATABASE_URL: databaseUrl, OUTPOST_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    child.once('error', reject)
    child.once('exit', (code) => {
      rmSync(dataDir, { recursive: true, force: true })
      const lines = output.trim().split('\n')
      if (code !== 0) reject(new Error(`users key add exited ${code}: ${output}`))
      else resolve(lines[lines.length - 1]!.trim())
    })
  })
}

/** The session cookie of the admin that OUTPOST_ADMIN_PASSWORD created. */
async function login(server: OutpostProcess): Promise<string> {
  const answer = await fetch(`${server.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  })
  const cookie = answer.headers.getSetCookie().map((c) => c.split(';')[0]!)[0]
  if (answer.status !== 200 || !cookie) throw new Error(`login failed: ${answer.status} ${await answer.text()}`)
  return cookie
}

interface Setup {
  variant: 'one-process' | 'two-process'
  db: TestDatabase
  processes: OutpostProcess[]
  clients: LiveClients
  http: KeepAliveClient
  records: SeqRecord[]
  cursor: { pool: number }
}

const setups: Setup[] = []
const databases: TestDatabase[] = []
const processes: OutpostProcess[] = []

async function setUp(variant: Setup['variant']): Promise<Setup> {
  const db = await testDatabase('outpost_bench')
  databases.push(db)
  // The first process makes the schema and the admin; the second starts after it, on the same database.
  const ingest = await startOutpost({ databaseUrl: db.url, env: { OUTPOST_ADMIN_PASSWORD: PASSWORD } })
  processes.push(ingest)
  let live = ingest
  if (variant === 'two-process') {
    live = await startOutpost({ databaseUrl: db.url })
    processes.push(live)
  }
  const key = await addKey(db.url)
  const cookie = await login(ingest)
  const clients = new LiveClients({ port: live.port, headers: { Cookie: cookie } })
  await clients.connect(units)
  const http = new KeepAliveClient('127.0.0.1', ingest.port, 8, { Authorization: `Bearer ${key}` })
  return { variant, db, processes: variant === 'two-process' ? [ingest, live] : [ingest], clients, http, records: [], cursor: { pool: 0 } }
}

interface Step {
  delivery: Delivery
  achieved: number
  loadGenCores: number
}

async function measure(s: Setup): Promise<Step> {
  const started = clock()
  const driving = drivePatrols({ client: s.http, scene, eventsPerSec: RATE, durationMs: WARM_MS + MEASURE_MS, records: s.records, cursor: s.cursor })
  await sleep(WARM_MS)
  const t0 = clock()
  const self = selfCpu()
  await sleep(MEASURE_MS)
  const t1 = clock()
  const loadGenCores = self()
  const result = await driving
  if (result.failed) throw new Error(`${s.variant}: ingest failed: ${result.errors.join('; ')}`)
  // Batches of the window's last events are still on their way.
  await sleep(500)
  const delivery = analyse(s.clients.log, s.records, scene, clientRooms, t0, t1)
  return { delivery, achieved: result.accepted / ((clock() - started - 500) / 1000), loadGenCores }
}

let failed = false
try {
  emit(BENCH, {
    figure: 'setup',
    clients: CLIENTS,
    events_per_s: RATE,
    rooms: scene.rooms.length,
    deliveries_per_event: (CLIENTS / scene.rooms.length) * 2,
    seconds_per_round: MEASURE_MS / 1000,
    rounds: ROUNDS,
    server: 'server/main.ts on PostgreSQL (test/helpers/cluster.ts startOutpost), one database per setup',
    load_generator: 'Socket.IO protocol (Engine.IO v4 websocket) spoken over raw ws (lib/live-clients.ts); ingest by a keep-alive HTTP/1.1 client, POST /api/v1/patrols',
    latency: 'oldest event of each batch: arrival at the client minus when its POST was sent',
    ...machine(),
  })
  for (const variant of ['one-process', 'two-process'] as const) {
    note(`${variant}: starting Outpost, connecting ${CLIENTS} clients`)
    setups.push(await setUp(variant))
  }
  const steps: Record<string, Step[]> = { 'one-process': [], 'two-process': [] }
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of r % 2 === 0 ? setups : [...setups].reverse()) {
      note(`${s.variant}: ${RATE} events/s, round ${r + 1} of ${ROUNDS}`)
      const step = await measure(s)
      steps[s.variant]!.push(step)
      const d = step.delivery
      emit(BENCH, {
        figure: 'round',
        variant: s.variant,
        round: r + 1,
        achieved_events_per_s: Math.round(step.achieved),
        deliveries_per_s: Math.round(d.deliveriesPerSec),
        batches: d.batches,
        latency_p50_ms: round(d.latencyP50Ms, 1),
        latency_p99_ms: round(d.latencyP99Ms, 1),
        latency_max_ms: round(d.latencyMaxMs, 1),
        load_generator_cores: round(step.loadGenCores, 2),
      })
    }
  }
  // Per variant: the worst round's P99 (the goal is a bound), the median of the P50s.
  const summary = (v: string) => {
    const list = steps[v]!
    return {
      p50: median(list.map((x) => x.delivery.latencyP50Ms)),
      p99: Math.max(...list.map((x) => x.delivery.latencyP99Ms)),
      max: Math.max(...list.map((x) => x.delivery.latencyMaxMs)),
      deliveriesPerSec: median(list.map((x) => x.delivery.deliveriesPerSec)),
      achieved: median(list.map((x) => x.achieved)),
    }
  }
  const a = summary('one-process')
  const b = summary('two-process')
  for (const [variant, x] of [
    ['one-process', a],
    ['two-process', b],
  ] as const) {
    emit(BENCH, {
      figure: 'latency',
      variant,
      clients: CLIENTS,
      events_per_s: RATE,
      achieved_events_per_s: Math.round(x.achieved),
      deliveries_per_s: Math.round(x.deliveriesPerSec),
      p50_ms: round(x.p50, 1),
      p99_ms: round(x.p99, 1),
      max_ms: round(x.max, 1),
      ...(variant === 'two-process' ? { goal: `p99 <= ${GOAL_P99_MS} ms`, met: x.p99 <= GOAL_P99_MS } : {}),
    })
  }
  emit(BENCH, {
    figure: 'p99_ratio_two_over_one_process',
    ratio: round(b.p99 / a.p99, 2),
    one_process_p99_ms: round(a.p99, 1),
    two_process_p99_ms: round(b.p99, 1),
    clients: CLIENTS,
    events_per_s: RATE,
  })
} catch (error) {
  failed = true
  process.stderr.write(`${BENCH}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  for (const p of processes) process.stderr.write(`--- outpost :${p.port} said:\n${p.output().slice(-2000)}\n`)
} finally {
  for (const s of setups) {
    s.http.close()
    await s.clients.close().catch(() => undefined)
  }
  await Promise.all(processes.map((p) => p.stop().catch(() => undefined)))
  for (const db of databases) await db.drop().catch((e: unknown) => process.stderr.write(`${BENCH}: dropping ${db.name}: ${String(e)}\n`))
}
// Sockets of a setup that failed half-way may still hold the loop open.
process.exit(failed ? 1 : 0)
