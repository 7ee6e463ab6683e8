import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { LiveEvent, SubscribeReply } from '../../../shared/events'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { firstGrid, pointIn, sampleGeography, startTestServer } from '../../helpers/build-app'
import { connectLive, subscribe } from '../../helpers/connect-client'
import { waitFor } from '../../helpers/wait-for'

const geography = sampleGeography()
const STREET_A = '640106001'
const STREET_B = '640106002'

type Running = Awaited<ReturnType<typeof startTestServer>>

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function start(filename = ':memory:', realtime: { tickMs: number; replayLimit?: number } = { tickMs: 50 }): Promise<Running> {
  const server = await startTestServer({ store: new SqliteStore({ filename }), realtime })
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await server.close()
  }
  cleanups.push(close)
  return { ...server, close }
}

async function client(server: Running): Promise<ReturnType<typeof connectLive> extends Promise<infer C> ? C : never> {
  const c = await connectLive(server.url, server.headers.cookie)
  cleanups.push(() => void c.socket.disconnect())
  return c
}

async function postRequest(server: Running, unit: string, id: string) {
  const res = await fetch(`${server.url}/api/v1/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: server.headers.authorization },
    body: JSON.stringify({ id, source: 'app', category: 'environment', priority: 'general', location: pointIn(geography, unit) }),
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { id: string; seq: number; gridId: string }
}

function okData(reply: Awaited<ReturnType<typeof subscribe>>): SubscribeReply {
  if (!reply.ok) throw new Error(`subscribe failed: ${reply.error}`)
  return reply.data
}

describe('/live', () => {
  it('a street subscriber receives its street’s events and none from another street', async () => {
    const server = await start()
    const a = await client(server)
    const b = await client(server)
    const district = await client(server)
    const snapA = okData(await subscribe(a.socket, STREET_A))
    expect(snapA).toMatchObject({ seq: 0, snapshot: { requests: [], alerts: [], workers: [] } })
    okData(await subscribe(b.socket, STREET_B))
    okData(await subscribe(district.socket, '640106'))

    const inA = await postRequest(server, STREET_A, 'in-a')
    const inB = await postRequest(server, STREET_B, 'in-b')
    await waitFor(() => district.events().length === 2, 'district to see both')
    await waitFor(() => a.events().length >= 1 && b.events().length >= 1, 'both streets to see theirs')
    // Give a stray cross-street batch time to arrive before asserting there is none.
    await new Promise((r) => setTimeout(r, 200))
    expect(a.events().map((e) => e.seq)).toEqual([inA.seq])
    expect(b.events().map((e) => e.seq)).toEqual([inB.seq])
    expect(a.events()[0]).toMatchObject({ type: 'request.received', requestId: 'in-a', gridId: inA.gridId, category: 'environment' })
    // Personal data never travels on the stream.
    expect(JSON.stringify(district.batches)).not.toMatch(/reporter|description/)
  })

  it('a grid subscriber gets a snapshot of open requests, alerts and workers in its grid', async () => {
    const server = await start()
    const grid = firstGrid(geography, STREET_A)
    await postRequest(server, STREET_A, 'open-1')
    await postRequest(server, STREET_B, 'elsewhere')
    await fetch(`${server.url}/api/v1/patrols`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: server.headers.authorization },
      body: JSON.stringify({ pings: [{ workerId: 'w-x', kind: 'ping', location: pointIn(geography, grid) }] }),
    })
    const c = await client(server)
    const data = okData(await subscribe(c.socket, grid))
    if (!('snapshot' in data)) throw new Error('expected a snapshot')
    expect(data.seq).toBe(3)
    expect(data.snapshot.requests.map((r) => r.requestId)).toEqual(['open-1'])
    expect(data.snapshot.workers.map((w) => w.workerId)).toEqual(['w-x'])
  })

  it('refuses an unknown unit and a malformed request with { ok: false }', async () => {
    const server = await start()
    const c = await client(server)
    expect(await subscribe(c.socket, '640199')).toEqual({ ok: false, error: 'unknown unit 640199' })
    const bad = await c.socket.timeout(5000).emitWithAck('scope:subscribe', { unit: STREET_A, sinceSeq: -1 })
    expect(bad.ok).toBe(false)
  })

  it('a client that misses 100 events gets exactly those 100, in seq order, on resubscribe', async () => {
    const server = await start()
    const first = await client(server)
    okData(await subscribe(first.socket, STREET_A))
    await postRequest(server, STREET_A, 'before')
    await waitFor(() => first.events().length === 1, 'first event')
    const lastSeen = first.events()[0]!.seq
    first.socket.disconnect()

    const missed: number[] = []
    for (let i = 0; i < 100; i++) missed.push((await postRequest(server, STREET_A, `missed-${i}`)).seq)
    // Events elsewhere are not part of the scope and must not be replayed.
    await postRequest(server, STREET_B, 'other-street')

    const again = await client(server)
    const data = okData(await subscribe(again.socket, STREET_A, lastSeen))
    if (!('events' in data)) throw new Error('expected events')
    expect(data.events.map((e: LiveEvent) => e.seq)).toEqual(missed)
    expect(data.events.every((e) => e.type === 'request.received' && e.requestId.startsWith('missed-'))).toBe(true)
  })

  it('the same holds across a server restart on the same data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-live-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'outpost.db')

    let server = await start(file)
    let c: Awaited<ReturnType<typeof client>> = await client(server)
    okData(await subscribe(c.socket, STREET_A))
    await postRequest(server, STREET_A, 'r-0')
    await waitFor(() => c.events().length === 1, 'first event')
    const lastSeen = c.events()[0]!.seq
    c.socket.disconnect()

    const missed: number[] = []
    for (let i = 0; i < 100; i++) missed.push((await postRequest(server, STREET_A, `m-${i}`)).seq)
    await server.close()

    server = await start(file)
    c = await client(server)
    const data = okData(await subscribe(c.socket, STREET_A, lastSeen))
    if (!('events' in data)) throw new Error('expected events')
    expect(data.events.map((e) => e.seq)).toEqual(missed)
    // And seq keeps growing after the restart.
    const next = await postRequest(server, STREET_A, 'after-restart')
    expect(next.seq).toBe(missed[99]! + 1)
    await waitFor(() => c.events().some((e) => e.seq === next.seq), 'live event after restart')
  })

  it('a gap larger than the replay limit is answered with a snapshot', async () => {
    const server = await start(':memory:', { tickMs: 50, replayLimit: 5 })
    for (let i = 0; i < 6; i++) await postRequest(server, STREET_A, `g-${i}`)
    const c = await client(server)
    const data = okData(await subscribe(c.socket, STREET_A, 0))
    expect('snapshot' in data).toBe(true)
    expect(data.seq).toBe(6)
  })

  it('camera alerts skip the tick: they are flushed at once', async () => {
    const server = await start()
    const c = await client(server)
    okData(await subscribe(c.socket, STREET_A))
    const res = await fetch(`${server.url}/api/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: server.headers.authorization },
      body: JSON.stringify({ id: 'al-1', cameraId: 'cam-9', kind: 'smoke_fire', confidence: 0.9, location: pointIn(geography, STREET_A) }),
    })
    expect(res.status).toBe(201)
    const batch = await waitFor(() => c.batches.find((b) => b.events.some((e) => e.type === 'alert.raised')), 'alert batch')
    expect(batch.events[0]).toMatchObject({ type: 'alert.raised', alertId: 'al-1', kind: 'smoke_fire' })
  })
})

