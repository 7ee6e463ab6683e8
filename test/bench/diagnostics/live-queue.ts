// What healthy walls leave unread on the server: the built wall in Chromium (district scene, the
// default bus tick) while patrol pings arrive at a steady rate, each `/live` socket's queue (its
// TCP buffer plus Engine.IO's write buffer, as the queue cap reads it) sampled every 5 ms. A wall
// that keeps up leaves nothing there; the largest sample of one that falls behind and catches up
// is what the cap (RealtimeOptions.maxQueuedBytes) must stay above. Needs `npm run build` first.
//
//   npx tsx test/bench/diagnostics/live-queue.ts [--rate 5000] [--seconds 20] [--walls 1] [--series]
//
// --series prints every socket's queue every 50 ms on stderr (time in ms, then id:bytes per socket).
import { launchChromium, openWall } from '../../helpers/browser'
import { pointIn, sampleGeography, startTestServer } from '../../helpers/build-app'
import { clientDir } from '../../helpers/serve-built-app'
import { queuedBytes } from '../../../server/realtime/frame-broadcast'
import { LIVE_NAMESPACE } from '../../../shared/events'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const RATE = Number(arg('rate', '5000'))
const SECONDS = Number(arg('seconds', '20'))
const WALLS = Number(arg('walls', '1'))
const SERIES = process.argv.includes('--series')
const STEP_MS = 100

const geography = sampleGeography()
const grids = geography.featureCollection().features.filter((f) => f.properties.level === 'grid').map((f) => f.properties.id)
const points = grids.map((g) => pointIn(geography, g))

const server = await startTestServer({ clientDir, realtime: {} })
const browser = await launchChromium()
const walls = []
for (let i = 0; i < WALLS; i++) walls.push(await openWall(browser, server))
const nsp = server.app.io.of(LIVE_NAMESPACE)
process.stderr.write(`${WALLS} walls; ${RATE} events/s for ${SECONDS} s\n`)

const samples: number[] = []
const t0 = performance.now()
let tick = 0
const sampler = setInterval(() => {
  const row: string[] = []
  for (const socket of nsp.sockets.values()) {
    const q = queuedBytes(socket)
    samples.push(q)
    row.push(`${socket.id.slice(0, 4)}:${q}`)
  }
  if (SERIES && ++tick % 10 === 0) process.stderr.write(`${Math.round(performance.now() - t0)} ${row.join(' ')}\n`)
}, 5)

const perStep = Math.round((RATE * STEP_MS) / 1000)
let sent = 0
let k = 0
const started = performance.now()
while (performance.now() - started < SECONDS * 1000) {
  const stepStart = performance.now()
  for (let left = perStep; left > 0; left -= 1000) {
    const pings = Array.from({ length: Math.min(1000, left) }, () => ({ workerId: `w-${k % 400}`, kind: 'ping', location: points[k++ % points.length]! }))
    const res = await server.inject({ method: 'POST', url: '/api/v1/patrols', payload: { pings } })
    if (res.statusCode !== 202) throw new Error(`patrols: ${res.statusCode} ${res.body}`)
    sent += pings.length
  }
  await new Promise((r) => setTimeout(r, Math.max(0, STEP_MS - (performance.now() - stepStart))))
}
const elapsed = (performance.now() - started) / 1000
await new Promise((r) => setTimeout(r, 1000))
clearInterval(sampler)

samples.sort((a, b) => a - b)
const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0
console.log(
  JSON.stringify({
    diagnostic: 'live-queue',
    walls: WALLS,
    events_per_s: Math.round(sent / elapsed),
    samples: samples.length,
    queued_p50: at(0.5),
    queued_p99: at(0.99),
    queued_max: samples[samples.length - 1] ?? 0,
    nonzero_share: Number((samples.filter((s) => s > 0).length / Math.max(1, samples.length)).toFixed(3)),
    dropped: server.app.liveStats.slowSocketsDropped,
    sockets_left: nsp.sockets.size,
    page_errors: walls.flatMap((w) => w.errors),
  }),
)
await browser.close()
await server.close()
