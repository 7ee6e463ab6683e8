// A leader of street A, during a simulator run, receives nothing that names a unit, request or
// worker outside A: not by REST, not by socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backfill } from '../../../server/sim/backfill'
import { startSimulator } from '../../../server/sim/simulator'
import { pointIn, sampleGeography, startTestServer, type TestUser } from '../../helpers/build-app'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { connectLive, subscribe } from '../../helpers/connect-client'
import { daytimeClock } from '../../helpers/daytime'

const A = '640106001'
const LEADER_A: TestUser = { username: 'leader-a', password: 'leader-pass-a', role: 'leader', unit: A }

let server: Awaited<ReturnType<typeof startTestServer>>
const payloads: string[] = []

beforeAll(async () => {
  // A day of history first (the rollups load it at start), then the simulator live.
  const store = new SqliteStore({ filename: ':memory:' })
  await backfill({ store, geography: sampleGeography(), days: 1, now: Date.now(), seed: 9 })
  server = await startTestServer({ store, users: [LEADER_A], realtime: { tickMs: 50, metricsIntervalMs: 200 } })
  const cookie = await server.login(LEADER_A)
  const client = await connectLive(server.url, cookie)
  client.socket.onAny((event, payload) => payloads.push(`${event} ${JSON.stringify(payload)}`))
  const reply = await subscribe(client.socket, A)
  payloads.push(JSON.stringify(reply))
  expect(reply.ok).toBe(true)

  // One request of A with a reporter, to read back by id: the simulator's land anywhere.
  const own = await server.inject({
    method: 'POST',
    url: '/api/v1/requests',
    payload: { source: 'hotline', category: 'noise', priority: 'general', location: pointIn(server.geography, A), reporter: { name: '张三', phone: '13800138000' }, description: '楼上噪音' },
  })
  expect(own.statusCode, own.body).toBe(201)
  const someRequest = (own.json() as { id: string }).id

  // Residents call a few times an hour at night: the simulator runs on a clock at midday (moved
  // back, so its times are never ahead of the server's), with a seed, until it has made requests.
  const sim = startSimulator({
    inject: (request) => server.app.inject(request),
    geography: server.geography,
    speed: 600,
    seed: 20261129,
    now: daytimeClock(),
    autoTick: false,
    headers: { authorization: server.headers.authorization },
  })
  for (let i = 0; i < 20 || (sim.stats().requests < 3 && i < 400); i++) {
    await sim.tick()
    await new Promise((r) => setTimeout(r, 60))
  }
  await sim.stop()
  expect(sim.stats().requests).toBeGreaterThanOrEqual(3)
  expect(sim.stats().errors).toBe(0)
  await new Promise((r) => setTimeout(r, 400))

  const get = async (url: string) => {
    const res = await server.app.inject({ method: 'GET', url, headers: { cookie } })
    expect(res.statusCode, url).toBe(200)
    payloads.push(res.body)
  }
  for (const url of [
    '/api/v1/session',
    '/api/v1/geography',
    '/api/v1/metrics',
    '/api/v1/metrics?from=2026-01-01&to=2027-01-01',
    '/api/v1/metrics/series?metric=requests&bucket=day',
    '/api/v1/overdue',
    '/api/v1/requests',
    `/api/v1/requests/${someRequest}`,
    '/api/v1/workers',
    '/api/v1/alerts',
    '/api/v1/alerts?open=false',
    `/api/v1/events?from=${new Date(Date.now() - 86_400_000).toISOString().slice(0, 13)}:00:00Z&to=${new Date(Date.now() + 3_600_000).toISOString().slice(0, 13)}:00:00Z`,
  ]) {
    await get(url)
  }
  client.socket.disconnect()
}, 120_000)

afterAll(async () => {
  await server?.close()
})

describe('what a street leader receives', () => {
  it('recorded a real amount of traffic', () => {
    const text = payloads.join('\n')
    expect(payloads.some((p) => p.startsWith('events:batched'))).toBe(true)
    expect(payloads.some((p) => p.startsWith('metrics:updated'))).toBe(true)
    expect(text.length).toBeGreaterThan(10_000)
  })

  it('names no unit outside A', () => {
    const text = payloads.join('\n')
    // Unit ids are 6, 9, 12 or 14 digits; ids inside A all start with A's code.
    const unitIds = new Set(text.match(/(?<![0-9])(?:\d{14}|\d{12}|\d{9}|\d{6})(?![0-9])/g) ?? [])
    expect(unitIds.size).toBeGreaterThan(3)
    const outside = [...unitIds].filter((id) => server.geography.get(id) && !server.geography.isWithin(id, A))
    const where = outside.map((id) => {
      const at = new RegExp(`(?<![0-9])${id}(?![0-9])`).exec(text)!.index
      return text.slice(Math.max(0, at - 160), at + 40)
    })
    expect(outside, where.join('\n')).toEqual([])
  })

  it('names no request, alert or worker outside A', async () => {
    const text = payloads.join('\n')
    const requestIds = new Set(text.match(/(?:hist|sim)-[a-z0-9]+-(?:[a-z0-9]+-)?[ra]-\d+|req-[0-9a-f-]{36}|req-from-[^"]+/g) ?? [])
    expect(requestIds.size).toBeGreaterThan(0)
    for (const id of requestIds) {
      const request = await server.store.getRequest(id)
      const alert = request ? undefined : await server.store.getAlert(id)
      const gridId = request?.gridId ?? alert?.gridId
      if (gridId) expect(server.geography.isWithin(gridId, A), id).toBe(true)
    }
    const workers = new Set(text.match(/w-\d{14}/g) ?? [])
    expect(workers.size).toBeGreaterThan(0)
    for (const w of workers) expect(server.geography.isWithin(w.slice(2), A), w).toBe(true)
  })

  it('carries no reporter in clear', () => {
    const text = payloads.join('\n')
    // A mainland mobile number standing alone (epoch-ms times are longer digit runs; a long
    // fraction, such as a rate's bound, may hold such a run after its point).
    expect(text).not.toMatch(/(?<![0-9.])1[3-9]\d{9}(?![0-9])/)
  })
})
