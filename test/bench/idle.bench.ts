// Idle memory: server RSS (and heap) per 1,000 connected, subscribed, idle live clients, measured
// as the growth from 0 to 1,000 to 2,000 clients after a full GC; beside it, in the same run, the
// raw `ws` server holding the same clients.
//
//   npx tsx test/bench/idle.bench.ts [--clients 1000]
import { ServerProcess } from './lib/child'
import type { Usage } from './lib/ipc'
import { LiveClients } from './lib/live-clients'
import { scene as makeScene, unitsFor } from './lib/load'
import { emit, machine, note, round, sleep } from './lib/stats'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const CLIENTS = Number(arg('clients', '1000'))
const BENCH = 'idle'
const MB = 2 ** 20

const scene = makeScene()
emit(BENCH, { figure: 'setup', clients_per_step: CLIENTS, steps: 2, rooms: scene.rooms.length, measured: 'server RSS and heap after a full GC', ...machine() })

async function settle(server: ServerProcess): Promise<Usage> {
  await sleep(1000)
  return server.usage(true)
}

async function measure(variant: string, server: ServerProcess, configure?: () => Promise<void>) {
  await configure?.()
  // Warm up: the first connections load code and grow pools that are not per-client costs.
  const warm = new LiveClients({ port: server.port, headers: server.ready.socketHeaders })
  await warm.connect(unitsFor(100, scene.rooms))
  await warm.close()
  const u0 = await settle(server)
  const clients = new LiveClients({ port: server.port, headers: server.ready.socketHeaders })
  await clients.connect(unitsFor(CLIENTS, scene.rooms))
  const u1 = await settle(server)
  await clients.connect(unitsFor(CLIENTS, scene.rooms))
  const u2 = await settle(server)
  await clients.close()
  const rssPer = (u2.rss - u0.rss) / 2 / MB
  emit(BENCH, {
    figure: 'rss_per_1000_idle_clients',
    variant,
    rss_mb_per_1000: round((rssPer * 1000) / CLIENTS, 1),
    heap_mb_per_1000: round((((u2.heapUsed - u0.heapUsed) / 2 / MB) * 1000) / CLIENTS, 1),
    first_step_rss_mb: round((u1.rss - u0.rss) / MB, 1),
    second_step_rss_mb: round((u2.rss - u1.rss) / MB, 1),
    rss_mb_at_0: Math.round(u0.rss / MB),
  })
  return (rssPer * 1000) / CLIENTS
}

note('outpost')
const ours = await ServerProcess.start('server-entry.ts', [], ['--expose-gc'])
const oursPer = await measure('outpost', ours)
await ours.stop()

note('raw ws')
const raw = await ServerProcess.start('baseline-entry.ts', ['--mode', 'raw-ws'], ['--expose-gc'])
const rawPer = await measure('raw-ws', raw)
await raw.stop()

emit(BENCH, {
  figure: 'idle_memory',
  outpost_rss_mb_per_1000: round(oursPer, 1),
  raw_ws_rss_mb_per_1000: round(rawPer, 1),
  ratio: round(oursPer / rawPer, 2),
  goal: '<= 20 MB RSS per 1,000 idle clients',
  met: oursPer <= 20,
})
