// Everything the public side sends, recorded during a simulator run whose reporters have names and
// phone numbers: no phone, no name, no description, no request, worker or camera id, no fine
// coordinate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { io } from 'socket.io-client'
import { backfill } from '../../../server/sim/backfill'
import { startSimulator } from '../../../server/sim/simulator'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { sampleGeography, startTestServer } from '../../helpers/build-app'

const UNITS = ['640106', '640106001', '640106001001', '640106100', '640106100002']
let server: Awaited<ReturnType<typeof startTestServer>>
const payloads: string[] = []
const secrets = { names: new Set<string>(), descriptions: new Set<string>(), requestIds: new Set<string>() }

beforeAll(async () => {
  const store = new SqliteStore({ filename: ':memory:' })
  const now = Date.now()
  await backfill({ store, geography: sampleGeography(), days: 3, now, seed: 4 })
  server = await startTestServer({ store, realtime: { tickMs: 50 }, publicPushIntervalMs: 150 })
  const sockets = UNITS.map((unit) => {
    const socket = io(`${server.url}/public`, { transports: ['websocket'], forceNew: true, reconnection: false })
    socket.onAny((event, payload) => payloads.push(`${event} ${JSON.stringify(payload)}`))
    socket.on('connect', () => {
      void socket.emitWithAck('stats:watch', { unit }).then((ack) => payloads.push(JSON.stringify(ack)))
    })
    return socket
  })
  const sim = startSimulator({
    inject: (request) => server.app.inject(request),
    geography: server.geography,
    speed: 1200,
    seed: 5,
    autoTick: false,
    headers: { authorization: server.headers.authorization },
  })
  for (let i = 0; i < 15; i++) {
    await sim.tick()
    for (const unit of UNITS) payloads.push((await server.app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${unit}` })).body)
    await new Promise((r) => setTimeout(r, 60))
  }
  await sim.stop()
  for (const s of sockets) s.disconnect()

  // What must not leak: every reporter name, description and request id in the store.
  const facts = await store.requestsReceived(server.geography.ref('640106')!, now - 4 * 86_400_000, Date.now() + 3_600_000)
  for (const f of facts) {
    secrets.requestIds.add(f.id)
    const detail = await store.getRequest(f.id, { reveal: true })
    if (detail?.reporter?.name) secrets.names.add(detail.reporter.name)
    if (detail?.description) secrets.descriptions.add(detail.description)
  }
}, 120_000)

afterAll(async () => {
  await server?.close()
})

describe('the public side during a simulator run', () => {
  it('recorded pushes, acks and REST replies with real figures', () => {
    expect(payloads.filter((p) => p.startsWith('stats:updated')).length).toBeGreaterThan(5)
    expect(payloads.join('\n')).toMatch(/"handled":[1-9]/)
    expect(secrets.names.size).toBeGreaterThan(50)
    expect(secrets.descriptions.size).toBeGreaterThan(5)
  })

  it('holds no phone number, reporter name or description', () => {
    const text = payloads.join('\n')
    // Not after a point either: a long fraction (a rate's bound) may hold such a run of digits.
    expect(text).not.toMatch(/(?<![0-9.])1[3-9]\d{9}(?![0-9])/)
    // A generated name can also be part of a public place name (贺兰 in 贺兰山中路街道): look for
    // names in what is left once the unit names are taken out.
    const unitNames = sampleGeography().units.map((u) => u.name).sort((a, b) => b.length - a.length)
    const withoutPlaces = unitNames.reduce((t, n) => t.split(n).join(' '), text)
    for (const name of secrets.names) expect(withoutPlaces.includes(name), name).toBe(false)
    for (const d of secrets.descriptions) expect(text.includes(d), d).toBe(false)
  })

  it('holds no request, worker or camera id, and no coordinate finer than 3 decimals', () => {
    const text = payloads.join('\n')
    for (const id of secrets.requestIds) expect(text.includes(id), id).toBe(false)
    expect(text).not.toMatch(/w-\d{14}|cam-|sim-|hist-|req-|alert-/)
    const decimals = text.match(/-?\d+\.\d+/g) ?? []
    // Rates (0–1) may carry more digits; anything that could be a longitude or latitude may not.
    const coordinateLike = decimals.filter((d) => Math.abs(Number(d)) > 1 && d.split('.')[1]!.length > 3)
    expect(coordinateLike).toEqual([])
  })
})
