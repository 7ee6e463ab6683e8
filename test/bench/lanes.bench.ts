// Latency lanes: camera alerts are few and urgent. With 1,000 live clients over the 20 rooms,
// alerts are posted one at a time (POST /api/v1/alerts) first on a quiet stream (the baseline),
// then while the general stream carries patrol pings at a high rate, all in the same run; each
// alert's ingest→client latency is taken at every client watching its street or community, and
// the general stream's own latency is reported beside it.
//
//   npx tsx test/bench/lanes.bench.ts [--clients 1000] [--rate 3000] [--seconds 6]
import { ServerProcess } from './lib/child'
import { KeepAliveClient } from './lib/http-client'
import type { SeqRecord } from './lib/ipc'
import { LiveClients } from './lib/live-clients'
import { analyse, drivePatrols, scene as makeScene, unitsFor, urgentLatencies, type Urgent } from './lib/load'
import { clock, emit, machine, note, percentile, round, sleep } from './lib/stats'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const CLIENTS = Number(arg('clients', '1000'))
const RATE = Number(arg('rate', '3000'))
const MEASURE_MS = Number(arg('seconds', '6')) * 1000
const ALERT_EVERY_MS = 100
const BENCH = 'lanes'

const scene = makeScene()
const units = unitsFor(CLIENTS, scene.rooms)
const clientRooms = units.map((u) => scene.rooms.indexOf(u))
const KINDS = ['smoke_fire', 'high_altitude_throwing', 'crowd_gathering', 'flying_wire_charging'] as const

emit(BENCH, {
  figure: 'setup',
  clients: CLIENTS,
  rooms: scene.rooms.length,
  general_events_per_s: RATE,
  alerts_per_s: 1000 / ALERT_EVERY_MS,
  latency: 'alert: arrival of the batch holding it at each client of its rooms minus when its POST was sent',
  ...machine(),
})

const server = await ServerProcess.start('server-entry.ts')
const clients = new LiveClients({ port: server.port, headers: server.ready.socketHeaders })
note(`connecting ${CLIENTS} clients`)
await clients.connect(units)
const http = new KeepAliveClient('127.0.0.1', server.port, 4, server.ready.ingestHeaders)
const general = new KeepAliveClient('127.0.0.1', server.port, 8, server.ready.ingestHeaders)

/** Alerts one after another for `ms`, each at a pool point (a watched street and community). */
async function postAlerts(ms: number, urgent: Urgent[]): Promise<void> {
  const end = clock() + ms
  let k = 0
  const pending: Promise<void>[] = []
  while (clock() < end) {
    const p = scene.pool[(k * 131) % scene.pool.length]!
    const body = JSON.stringify({ cameraId: `cam-bench-${k % 50}`, kind: KINDS[k % KINDS.length], confidence: 0.9, location: { lon: p.lon, lat: p.lat } })
    k++
    const sentAt = clock()
    pending.push(
      http.post('/api/v1/alerts', body).then((answer) => {
        if (answer.status !== 201) throw new Error(`alert refused: ${answer.status} ${answer.body}`)
        urgent.push({ seq: (JSON.parse(answer.body) as { seq: number }).seq, rooms: p.rooms, sentAt })
      }),
    )
    await sleep(ALERT_EVERY_MS)
  }
  await Promise.all(pending)
}

function reportAlerts(variant: string, urgent: Urgent[], extra: Record<string, unknown> = {}) {
  const { latencies, missing } = urgentLatencies(clients.log, urgent, clientRooms)
  emit(BENCH, {
    figure: 'camera_alerts',
    variant,
    alerts: urgent.length,
    deliveries: latencies.length,
    missing,
    p50_ms: round(percentile(latencies, 50), 1),
    p99_ms: round(percentile(latencies, 99), 1),
    max_ms: round(latencies[latencies.length - 1] ?? NaN, 1),
    ...extra,
  })
  return percentile(latencies, 99)
}

// Connecting a thousand sockets leaves the server's young generation full of survivors: its next
// scavenges take 20–30 ms (seen with --trace-gc). The alert path is warmed and that garbage
// collected before anything is measured.
note('warming up')
await postAlerts(1000, [])
await sleep(1000)

note('alerts on a quiet stream')
const quiet: Urgent[] = []
await postAlerts(Math.min(4000, MEASURE_MS), quiet)
await sleep(500)
const quietP99 = reportAlerts('quiet-stream', quiet)

note(`alerts while the general stream carries ${RATE} events/s`)
const records: SeqRecord[] = []
const loaded: Urgent[] = []
const driving = drivePatrols({ client: general, scene, eventsPerSec: RATE, durationMs: MEASURE_MS + 1500, records })
await sleep(1000)
const from = clock()
await postAlerts(MEASURE_MS, loaded)
const to = clock()
const drove = await driving
await sleep(500)
const stream = analyse(clients.log, records, scene, clientRooms, from, to)
const loadedP99 = reportAlerts('under-load', loaded, { general_events_per_s: Math.round(drove.accepted / ((MEASURE_MS + 1500) / 1000)) })
emit(BENCH, {
  figure: 'general_stream_during_alerts',
  deliveries_per_s: Math.round(stream.deliveriesPerSec),
  p50_ms: round(stream.latencyP50Ms, 1),
  p99_ms: round(stream.latencyP99Ms, 1),
  skipped_events: drove.skipped,
})
emit(BENCH, {
  figure: 'camera_alert_p99',
  under_load_ms: round(loadedP99, 1),
  quiet_ms: round(quietP99, 1),
  general_stream_p99_ms: round(stream.latencyP99Ms, 1),
  goal: 'camera alerts p99 <= 25 ms while the general stream is under load',
  met: loadedP99 <= 25,
})

http.close()
general.close()
await clients.close()
await server.stop()
