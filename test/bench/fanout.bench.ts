// Fan-out: 1,000 live clients over 20 rooms (every street and 12 communities), events at rising
// rates. Per rate: deliveries/s, ingest→client latency, server CPU and RSS, for
//   outpost-http  events through POST /api/v1/patrols: the whole live path (ingest, durable store,
//                 live bus, Socket.IO);
//   outpost-bus   the baseline's generated events published straight into Outpost's live bus:
//                 fan-out alone;
//   raw-ws        a plain `ws` server broadcasting pre-serialised frames of the same batches (same
//                 events, rooms and tick) to the same clients: the baseline, in the same run.
// The figure is server CPU per delivery, outpost-bus / raw-ws (and outpost-http / raw-ws beside it).
//
//   npx tsx test/bench/fanout.bench.ts [--clients 1000] [--rates 1000,10000,20000,25000] [--seconds 3] [--tick ms] [--rounds 3]
import { DEFAULT_TICK_MS } from '../../server/live/bus'
import { coresBetween, cpuSecondsBetween, ServerProcess } from './lib/child'
import { KeepAliveClient } from './lib/http-client'
import type { SeqRecord, Usage } from './lib/ipc'
import { BatchLog, LiveClients } from './lib/live-clients'
import { analyse, drivePatrols, scene as makeScene, unitsFor, type Delivery } from './lib/load'
import { clock, emit, machine, median, note, round, selfCpu, sleep } from './lib/stats'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const CLIENTS = Number(arg('clients', '1000'))
const RATES = arg('rates', '1000,10000,20000,25000').split(',').map(Number)
const MEASURE_MS = Number(arg('seconds', '3')) * 1000
const WARM_MS = 1000
const TICK_MS = Number(arg('tick', String(DEFAULT_TICK_MS)))
const ROUNDS = Number(arg('rounds', '3'))
const ROUND_WARM_MS = 700
const ROUND_MS = 1500
const BENCH = 'fanout'

const scene = makeScene()
const units = unitsFor(CLIENTS, scene.rooms)
const clientRooms = units.map((u) => scene.rooms.indexOf(u))

interface Step {
  rate: number
  cores: number
  cpuSeconds: number
  rssMb: number
  delivery: Delivery
  loadGenCores: number
  achievedEventsPerSec: number
}

emit(BENCH, {
  figure: 'setup',
  clients: CLIENTS,
  rooms: scene.rooms.length,
  clients_per_room: CLIENTS / scene.rooms.length,
  deliveries_per_event: (CLIENTS / scene.rooms.length) * 2,
  tick_ms: TICK_MS,
  load_generator: 'Socket.IO protocol (Engine.IO v4 websocket) spoken over raw ws; ingest by a lean keep-alive HTTP/1.1 client',
  latency: 'oldest event of each batch: arrival at the client minus when its POST was sent',
  ...machine(),
})

type Drive = (durationMs: number) => Promise<{ achieved: number; records: SeqRecord[] }>

/** Measures one rate: drive it, let it settle, then sample the server's CPU around a fixed window. */
async function measure(server: ServerProcess, rate: number, drive: Drive, clients?: LiveClients, warmMs = WARM_MS, measureMs = MEASURE_MS): Promise<Step> {
  const driving = drive(warmMs + measureMs)
  await sleep(warmMs)
  const u0: Usage = await server.usage()
  const t0 = clock()
  const self = selfCpu()
  await sleep(measureMs)
  const u1 = await server.usage()
  const t1 = clock()
  const loadGenCores = self()
  const { achieved, records } = await driving
  // Batches of the window's last tick are still on their way.
  await sleep(300)
  const delivery = analyse(clients?.log ?? new BatchLog(), records, scene, clientRooms, t0, t1)
  return { rate, cores: coresBetween(u0, u1), cpuSeconds: cpuSecondsBetween(u0, u1), rssMb: u1.rss / 2 ** 20, delivery, loadGenCores, achievedEventsPerSec: achieved }
}

const perDelivery = (s: Step) => s.cpuSeconds / s.delivery.deliveries

/** Several short rounds of one variant as one step: CPU and deliveries summed, the worst p99. */
function pooled(rounds: Step[]): Step {
  const sum = (f: (s: Step) => number) => rounds.reduce((a, s) => a + f(s), 0)
  const mean = (f: (s: Step) => number) => sum(f) / rounds.length
  const d = (f: (x: Delivery) => number) => rounds.map((s) => f(s.delivery))
  return {
    rate: rounds[0]!.rate,
    cores: mean((s) => s.cores),
    cpuSeconds: sum((s) => s.cpuSeconds),
    rssMb: rounds[rounds.length - 1]!.rssMb,
    loadGenCores: mean((s) => s.loadGenCores),
    achievedEventsPerSec: mean((s) => s.achievedEventsPerSec),
    delivery: {
      batches: sum((s) => s.delivery.batches),
      deliveries: sum((s) => s.delivery.deliveries),
      deliveriesPerSec: mean((s) => s.delivery.deliveriesPerSec),
      latencyP50Ms: median(d((x) => x.latencyP50Ms)),
      latencyP99Ms: Math.max(...d((x) => x.latencyP99Ms)),
      latencyMaxMs: Math.max(...d((x) => x.latencyMaxMs)),
      counted: sum((s) => s.delivery.counted),
      countedExpected: sum((s) => s.delivery.countedExpected),
    },
  }
}

/** Patrol ingest through the real API into `records`. */
function httpDrive(http: KeepAliveClient, rate: number, records: SeqRecord[], cursor: { pool: number }): Drive {
  return async (durationMs) => {
    const started = clock()
    const result = await drivePatrols({ client: http, scene, eventsPerSec: rate, durationMs, records, cursor })
    if (result.failed) throw new Error(`ingest failed: ${result.errors.join('; ')}`)
    return { achieved: result.accepted / ((clock() - started) / 1000), records }
  }
}

function report(variant: string, step: Step, extra: Record<string, unknown> = {}) {
  const d = step.delivery
  emit(BENCH, {
    figure: 'step',
    variant,
    events_per_s: step.rate,
    achieved_events_per_s: Math.round(step.achievedEventsPerSec),
    deliveries_per_s: Math.round(d.deliveriesPerSec),
    batches: d.batches,
    latency_p50_ms: round(d.latencyP50Ms, 1),
    latency_p99_ms: round(d.latencyP99Ms, 1),
    latency_max_ms: round(d.latencyMaxMs, 1),
    server_cores: round(step.cores, 3),
    server_rss_mb: Math.round(step.rssMb),
    cpu_ns_per_delivery: d.deliveries > 0 ? round((step.cpuSeconds / d.deliveries) * 1e9, 1) : null,
    load_generator_cores: round(step.loadGenCores, 2),
    ...(d.counted || d.countedExpected ? { counted_check: d.counted === d.countedExpected ? 'exact' : `counted ${d.counted} vs ${d.countedExpected} expected` } : {}),
    ...extra,
  })
}

// Both servers up at once, measured one at a time and in turn at every rate, so that the
// machine's drifting background load falls on both alike. Outpost runs twice per rate: events
// through the HTTP API (the whole live path), and the same generated events as the baseline's
// published straight into its live bus (fan-out alone, the like-for-like comparison).
note(`starting Outpost and the raw ws baseline, connecting ${CLIENTS} clients to each`)
const ours = await ServerProcess.start('server-entry.ts', ['--tick', String(TICK_MS)])
const raw = await ServerProcess.start('baseline-entry.ts', ['--mode', 'raw-ws'])
await ours.request({ type: 'configure', pool: scene.pool, tickMs: TICK_MS, rooms: scene.rooms })
await raw.request({ type: 'configure', pool: scene.pool, tickMs: TICK_MS, rooms: scene.rooms })
const ourClients = new LiveClients({ port: ours.port, headers: ours.ready.socketHeaders, counts: (i) => i < scene.rooms.length })
await ourClients.connect(units)
const rawClients = new LiveClients({ port: raw.port, counts: (i) => i < scene.rooms.length })
await rawClients.connect(units)
const ourHttp = new KeepAliveClient('127.0.0.1', ours.port, 8, ours.ready.ingestHeaders)
const httpRecords: SeqRecord[] = []
const cursor = { pool: 0 }

/** Generated events at `rate` inside `server` (raw ws, or Outpost's bus). */
function generated(server: ServerProcess, rate: number, records: SeqRecord[]): Drive {
  return async (durationMs) => {
    await server.request({ type: 'rate', eventsPerSec: rate, intervalMs: 10 })
    await sleep(durationMs)
    await server.request({ type: 'rate', eventsPerSec: 0, intervalMs: 10 })
    records.push(...(await server.records()))
    return { achieved: rate, records }
  }
}

const busRecords: SeqRecord[] = []
const rawRecords: SeqRecord[] = []
const httpSteps: Step[] = []
const busSteps: Step[] = []
const rawSteps: Step[] = []
const ratios: number[][] = []
for (const rate of RATES) {
  note(`${rate} events/s: outpost, through the HTTP API`)
  const h = await measure(ours, rate, httpDrive(ourHttp, rate, httpRecords, cursor), ourClients)
  report('outpost-http', h)
  // The like-for-like pair in short alternating rounds; the ratio is their median.
  const busRounds: Step[] = []
  const rawRounds: Step[] = []
  for (let round = 0; round < ROUNDS; round++) {
    note(`${rate} events/s: outpost bus / raw ws, round ${round + 1} of ${ROUNDS}`)
    busRounds.push(await measure(ours, rate, generated(ours, rate, busRecords), ourClients, ROUND_WARM_MS, ROUND_MS))
    rawRounds.push(await measure(raw, rate, generated(raw, rate, rawRecords), rawClients, ROUND_WARM_MS, ROUND_MS))
  }
  const [b, r] = [pooled(busRounds), pooled(rawRounds)]
  report('outpost-bus', b, { rounds: ROUNDS })
  report('raw-ws', r, { rounds: ROUNDS })
  httpSteps.push(h)
  busSteps.push(b)
  rawSteps.push(r)
  ratios.push(busRounds.map((x, i) => perDelivery(x) / perDelivery(rawRounds[i]!)))
}
ourHttp.close()
await ourClients.close()
await rawClients.close()
await Promise.all([ours.stop(), raw.stop()])

// ---- the figures --------------------------------------------------------------------------------
for (let i = 0; i < RATES.length; i++) {
  const [h, b, r] = [httpSteps[i]!, busSteps[i]!, rawSteps[i]!]
  const ratio = median(ratios[i]!)
  emit(BENCH, {
    figure: 'cpu_per_delivery_ratio',
    events_per_s: RATES[i],
    deliveries_per_s: Math.round(b.delivery.deliveriesPerSec),
    ratio: round(ratio, 2),
    round_ratios: ratios[i]!.map((x) => round(x, 2)),
    outpost_bus_ns_per_delivery: round(perDelivery(b) * 1e9, 1),
    raw_ws_ns_per_delivery: round(perDelivery(r) * 1e9, 1),
    ratio_with_http_ingest: round(perDelivery(h) / perDelivery(r), 2),
    goal: 'fan-out CPU per delivery <= 1.1x raw ws (median of alternating rounds)',
    met: ratio <= 1.1,
  })
}
const best = httpSteps.filter((s) => s.cores <= 0.75).sort((a, b) => b.delivery.deliveriesPerSec - a.delivery.deliveriesPerSec)[0]
const bestBus = busSteps.filter((s) => s.cores <= 0.75).sort((a, b) => b.delivery.deliveriesPerSec - a.delivery.deliveriesPerSec)[0]
emit(BENCH, {
  figure: 'deliveries_at_075_core',
  deliveries_per_s: best ? Math.round(best.delivery.deliveriesPerSec) : 0,
  at_events_per_s: best?.rate ?? null,
  server_cores: best ? round(best.cores, 3) : null,
  max_deliveries_per_s: Math.round(Math.max(...httpSteps.map((s) => s.delivery.deliveriesPerSec))),
  fanout_only_deliveries_per_s: bestBus ? Math.round(bestBus.delivery.deliveriesPerSec) : 0,
  fanout_only_cores: bestBus ? round(bestBus.cores, 3) : null,
  goal: '>= 2,000,000 deliveries/s at <= 0.75 core (events through the HTTP API)',
  met: (best?.delivery.deliveriesPerSec ?? 0) >= 2_000_000,
})
const at1000 = RATES.indexOf(1000)
if (at1000 >= 0) {
  const h = httpSteps[at1000]!
  emit(BENCH, {
    figure: 'latency_at_1000_events_per_s',
    p50_ms: round(h.delivery.latencyP50Ms, 1),
    p99_ms: round(h.delivery.latencyP99Ms, 1),
    raw_ws_p99_ms: round(rawSteps[at1000]!.delivery.latencyP99Ms, 1),
    goal: 'p99 <= 100 ms',
    met: h.delivery.latencyP99Ms <= 100,
  })
}
