// The bounds of a `/live` socket: how often it may subscribe (one at a time, a small burst, then a
// slow refill), how large a replay may be, and how much may wait for it unread before it is dropped.
// A real server on port 0 and real clients: socket.io-client for the ones that behave, and a raw
// `ws` client that speaks the Engine.IO/Socket.IO handshake and then stops reading
// (test/helpers/stalled-client.ts).
import type { Socket as NetSocket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { io } from 'socket.io-client'
import { LIVE_NAMESPACE, type LiveSnapshot, type SubscribeReply } from '../../../shared/events'
import type { RealtimeOptions } from '../../../server/realtime/index'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { pointIn, sampleGeography, startTestServer } from '../../helpers/build-app'
import { connectLive, subscribe, type LiveClient } from '../../helpers/connect-client'
import { stalledWebSocket } from '../../helpers/stalled-client'
import { waitFor } from '../../helpers/wait-for'

const geography = sampleGeography()
const DISTRICT = '640106'
const STREET_A = '640106001'
const STREET_B = '640106002'
/** A refill slow enough that no subscribe comes back during a test, whatever the machine's speed. */
const NO_REFILL_MS = 3_600_000

type Running = Awaited<ReturnType<typeof startTestServer>>

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function start(realtime: RealtimeOptions = {}): Promise<Running> {
  // No figures on their own timer: the tests count what the sockets are sent.
  const server = await startTestServer({ store: new SqliteStore({ filename: ':memory:' }), realtime: { tickMs: 50, metricsIntervalMs: 3_600_000, ...realtime } })
  cleanups.push(() => server.close())
  return server
}

async function client(server: Running) {
  const c = await connectLive(server.url, server.headers.cookie)
  cleanups.push(() => void c.socket.disconnect())
  return c
}

async function stalled(server: Running, unit: string) {
  const c = await stalledWebSocket(server.url, server.headers.cookie, unit)
  cleanups.push(() => c.close())
  return c
}

async function postRequests(server: Running, unit: string, n: number, prefix: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await server.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { id: `${prefix}-${i}`, source: 'app', category: 'environment', priority: 'general', location: pointIn(geography, unit) },
    })
    expect(res.statusCode).toBe(201)
  }
}

/**
 * A flood of patrol pings, 1,000 a request (~150 KB of batch JSON each), until a socket is dropped;
 * what the kernel's buffers take first varies, so the flood has no fixed size. Returns the events posted.
 */
async function floodUntilDropped(server: Running): Promise<number> {
  const location = pointIn(geography, STREET_A)
  const dropped = server.app.liveStats.slowSocketsDropped
  let posted = 0
  for (let i = 0; i < 400 && server.app.liveStats.slowSocketsDropped === dropped; i++) {
    const pings = Array.from({ length: 1000 }, (_, j) => ({ workerId: `w-${j % 50}`, kind: 'ping', location }))
    const res = await server.inject({ method: 'POST', url: '/api/v1/patrols', payload: { pings } })
    expect(res.statusCode).toBe(202)
    posted += 1000
    // Let the live bus flush and the reading clients read, as between requests on a real server.
    await new Promise((r) => setTimeout(r, 10))
  }
  return posted
}

/** Counts the real store's snapshot reads; a `gate`, when set, holds the next read until it resolves. */
function countSnapshots(server: Running): { calls: number; gate?: Promise<void> } {
  const counter: { calls: number; gate?: Promise<void> } = { calls: 0 }
  const store = server.store
  const snapshot = store.snapshot.bind(store)
  store.snapshot = async (unit) => {
    counter.calls++
    const gate = counter.gate
    counter.gate = undefined
    if (gate) await gate
    return snapshot(unit)
  }
  return counter
}

describe('scope:subscribe bounds', () => {
  it('a socket subscribing in a loop is refused past its burst, naming the limit, and the store reads no more', async () => {
    const server = await start({ subscribeRefillMs: NO_REFILL_MS })
    await postRequests(server, STREET_A, 3, 'r')
    const snapshots = countSnapshots(server)
    const c = await client(server)
    // A normal client's pattern fits the default burst: its subscribe, a resync from its last seq, a scene change.
    const first = await subscribe(c.socket, DISTRICT)
    expect(first.ok).toBe(true)
    expect((await subscribe(c.socket, DISTRICT, (first as { data: SubscribeReply }).data.seq)).ok).toBe(true)
    expect((await subscribe(c.socket, STREET_A)).ok).toBe(true)
    const replies = []
    for (let i = 0; i < 30; i++) replies.push(await subscribe(c.socket, STREET_B))
    expect(replies.slice(0, 2).every((r) => r.ok)).toBe(true)
    const refused = replies.slice(2)
    expect(refused.every((r) => !r.ok)).toBe(true)
    // The wait is the time to the next subscribe back: just under an hour at this refill.
    const error = (refused[0] as { error: string }).error
    expect(error).toMatch(/^too many subscribes: retry in \d+ s$/)
    expect(Number(error.match(/\d+/)![0])).toBeGreaterThan(3500)
    expect(Number(error.match(/\d+/)![0])).toBeLessThanOrEqual(3600)
    // Four snapshots and one replay in the burst, then nothing more read for the refused 28.
    expect(snapshots.calls).toBe(4)
    expect(server.app.liveStats.subscribesRefused).toBe(28)
    // The socket still has its last scope: refusing a subscribe does not drop the stream.
    expect(c.socket.connected).toBe(true)
  })

  it('a second subscribe while the first is still running is refused at once', async () => {
    const server = await start()
    const snapshots = countSnapshots(server)
    let release!: () => void
    snapshots.gate = new Promise<void>((r) => (release = r))
    const c = await client(server)
    cleanups.push(() => release())
    const slow = subscribe(c.socket, STREET_A)
    await waitFor(() => snapshots.calls === 1, 'the first subscribe to reach the store')
    expect(await subscribe(c.socket, STREET_B)).toEqual({ ok: false, error: 'one subscribe at a time: the last one has not been answered yet' })
    release()
    expect((await slow).ok).toBe(true)
    expect(snapshots.calls).toBe(1)
    // Once answered, the next goes through.
    expect((await subscribe(c.socket, STREET_B)).ok).toBe(true)
  })

  it('a replay larger than the byte bound is answered with a snapshot, a smaller one event by event', async () => {
    // Each request.received event is about 200 bytes of JSON: 10 fit in 4 KB, 30 do not.
    const server = await start({ replayBytes: 4_000 })
    await postRequests(server, STREET_A, 10, 'small')
    const c = await client(server)
    const small = await subscribe(c.socket, STREET_A, 0)
    if (!small.ok || !('events' in small.data)) throw new Error(`expected a replay: ${JSON.stringify(small)}`)
    expect(small.data.events).toHaveLength(10)
    await postRequests(server, STREET_A, 20, 'large')
    const large = await subscribe(c.socket, STREET_A, 0)
    if (!large.ok || !('snapshot' in large.data)) throw new Error(`expected a snapshot: ${JSON.stringify(large).slice(0, 200)}`)
    expect(large.data.seq).toBe(30)
    expect((large.data.snapshot as LiveSnapshot).requests).toHaveLength(30)
  })
})

describe('a socket that stops reading', () => {
  it('is dropped once its queue passes the cap, the drop is counted, and a reading client beside it gets everything', async () => {
    const server = await start({ maxQueuedBytes: 512 * 1024 })
    const reader = await client(server)
    expect((await subscribe(reader.socket, DISTRICT)).ok).toBe(true)
    await stalled(server, DISTRICT)
    const nsp = server.app.io.of(LIVE_NAMESPACE)
    expect(nsp.sockets.size).toBe(2)

    const posted = await floodUntilDropped(server)
    expect(server.app.liveStats.slowSocketsDropped).toBe(1)
    await waitFor(() => nsp.sockets.size === 1, 'the stalled socket to be gone')
    await waitFor(() => reader.events().length >= posted, `the reading client to get all ${posted} events`)
    const seqs = reader.events().map((e) => e.seq)
    expect(seqs).toEqual(Array.from({ length: posted }, (_, i) => i + 1))
    expect(reader.socket.connected).toBe(true)
  })

  it('is dropped when the answers to its own subscribes pile up past the cap', async () => {
    const server = await start({ maxQueuedBytes: 256 * 1024, subscribeBurst: 1000 })
    // ~300 open requests: each district snapshot is ~60 KB of JSON.
    await postRequests(server, DISTRICT, 300, 'open')
    const stalledClient = await stalled(server, DISTRICT)
    const snapshots = countSnapshots(server)
    const nsp = server.app.io.of(LIVE_NAMESPACE)
    for (let i = 0; i < 400 && nsp.sockets.size > 0; i++) {
      stalledClient.emit(`["scope:subscribe",${JSON.stringify({ unit: DISTRICT })}]`)
      await new Promise((r) => setTimeout(r, 5))
    }
    await waitFor(() => nsp.sockets.size === 0, 'the stalled socket to be dropped')
    expect(server.app.liveStats.slowSocketsDropped).toBe(1)
    // It was answered until its queue passed the cap, and not after.
    const answered = snapshots.calls
    expect(answered).toBeLessThan(400)
    stalledClient.emit(`["scope:subscribe",${JSON.stringify({ unit: DISTRICT })}]`)
    await new Promise((r) => setTimeout(r, 50))
    expect(snapshots.calls).toBe(answered)
  })

  it('a dropped socket.io-client reconnects and resyncs from its last seq', async () => {
    const server = await start({ maxQueuedBytes: 512 * 1024 })
    const socket: LiveClient = io(`${server.url}/live`, { transports: ['websocket'], forceNew: true, extraHeaders: { cookie: server.headers.cookie } })
    cleanups.push(() => void socket.disconnect())
    let lastSeq = 0
    socket.on('events:batched', (batch) => (lastSeq = Math.max(lastSeq, batch.seq)))
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    const firstId = socket.id
    expect((await subscribe(socket, DISTRICT)).ok).toBe(true)
    // Its reads stop (a frozen screen), then resume once the server has dropped it.
    const tcp = (socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } }).ws._socket
    tcp.pause()
    await floodUntilDropped(server)
    expect(server.app.liveStats.slowSocketsDropped).toBe(1)
    tcp.resume()
    await waitFor(() => socket.connected && socket.id !== firstId, 'the client to reconnect')
    const seq = (await server.inject({ method: 'GET', url: '/api/v1/health' })).json<{ seq: number }>().seq
    const reply = await subscribe(socket, DISTRICT, lastSeq)
    if (!reply.ok) throw new Error(reply.error)
    // The gap is replayed, or answered with a snapshot when it is larger than a replay: either way up to now.
    expect(reply.data.seq).toBe(seq)
    if ('events' in reply.data) expect(reply.data.events.map((e) => e.seq)).toEqual(Array.from({ length: seq - lastSeq }, (_, i) => lastSeq + i + 1))
  })
})
