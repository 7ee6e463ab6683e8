// The one-frame-per-room broadcast: the bytes are what `ws` itself would frame, real socket.io
// clients on the WebSocket and on the polling transport receive the same batches, a frame sent
// straight to a socket never overtakes a packet Engine.IO still holds for it, and a member that
// stopped reading is dropped once more than the cap waits for it, on either path.
import { createRequire } from 'node:module'
import { afterEach, describe, expect, it } from 'vitest'
import { io } from 'socket.io-client'
import { LIVE_NAMESPACE, type EventBatch } from '../../../shared/events'
import { unitRoom } from '../../../shared/rooms'
import { broadcastFrame, textFrame, type QueueCap } from '../../../server/realtime/frame-broadcast'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { startTestServer } from '../../helpers/build-app'
import { connectLive, subscribe, type LiveClient } from '../../helpers/connect-client'
import { stalledPoller, stalledWebSocket } from '../../helpers/stalled-client'
import { waitFor } from '../../helpers/wait-for'

const DISTRICT = '640106'
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function start() {
  // No figures pushed on their own timer: a push that lands between two broadcasts would count.
  const server = await startTestServer({ store: new SqliteStore({ filename: ':memory:' }), realtime: { tickMs: 50, metricsIntervalMs: 3_600_000 } })
  cleanups.push(() => server.close())
  return server
}

function batch(seq: number): EventBatch {
  return { seq, events: [] }
}

describe('textFrame', () => {
  it('frames exactly as ws does, for every length encoding', () => {
    const { Sender } = createRequire(import.meta.url)('ws') as { Sender: { frame(data: Buffer, o: object): Buffer[] } }
    // Byte lengths at each edge of the three length encodings; multi-byte characters count in bytes.
    const texts = [0, 5, 125, 126, 200, 65_535, 65_536, 300_000].map((n) => 'x'.repeat(n))
    texts.push('网'.repeat(41) + 'xx' /* 125 bytes */, '网'.repeat(42) /* 126 */, '网'.repeat(21_845) /* 65,535 */, '网'.repeat(21_845) + 'x')
    for (const text of texts) {
      const n = Buffer.byteLength(text)
      const ours = textFrame(text)
      const theirs = Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }))
      expect(ours.equals(theirs), `length ${n}`).toBe(true)
    }
  })
})

describe('broadcastFrame', () => {
  it('reaches WebSocket members directly and polling members by emit, with the same batches', async () => {
    const server = await start()
    const ws = await connectLive(server.url, server.headers.cookie)
    cleanups.push(() => void ws.socket.disconnect())
    const polling: LiveClient = io(`${server.url}/live`, { transports: ['polling'], reconnection: false, forceNew: true, extraHeaders: { cookie: server.headers.cookie } })
    cleanups.push(() => void polling.disconnect())
    const polled: EventBatch[] = []
    polling.on('events:batched', (b) => polled.push(b))
    await new Promise<void>((resolve, reject) => {
      polling.once('connect', () => resolve())
      polling.once('connect_error', reject)
    })
    expect((await subscribe(ws.socket, DISTRICT)).ok).toBe(true)
    expect((await subscribe(polling, DISTRICT)).ok).toBe(true)

    const nsp = server.app.io.of(LIVE_NAMESPACE)
    const sent = [1001, 1002, 1003].map((seq) => broadcastFrame(nsp, unitRoom(DISTRICT), 'events:batched', batch(seq)))
    // The WebSocket member took the short cut every time; the polling one never did.
    expect(sent.every((s) => s.direct === 1 && s.emitted === 1)).toBe(true)
    await waitFor(() => ws.batches.length >= 3 && polled.length >= 3, 'both clients to get three batches')
    expect(ws.batches.map((b) => b.seq)).toEqual([1001, 1002, 1003])
    expect(polled).toEqual(ws.batches)
    // Leave nothing for the server's close to wait on (a polling socket lingers otherwise).
    polling.disconnect()
    await waitFor(() => nsp.sockets.size === 1, 'the polling socket to be gone')
  })

  it('never overtakes a packet Engine.IO still holds for the socket', async () => {
    const server = await start()
    const client = await connectLive(server.url, server.headers.cookie)
    cleanups.push(() => void client.socket.disconnect())
    expect((await subscribe(client.socket, DISTRICT)).ok).toBe(true)
    const nsp = server.app.io.of(LIVE_NAMESPACE)
    const socket = [...nsp.sockets.values()][0]!
    const room = unitRoom(DISTRICT)
    // In one turn: an ordinary emit (sent, the transport now waits for its callback), another
    // (held in Engine.IO's write buffer), a frame (must queue behind it, so it goes by emit too),
    // then, once everything has drained, frames again go straight to the socket.
    socket.emit('events:batched', batch(2001))
    socket.emit('events:batched', batch(2002))
    const held = broadcastFrame(nsp, room, 'events:batched', batch(2003))
    socket.emit('events:batched', batch(2004))
    expect(held).toEqual({ direct: 0, emitted: 1, dropped: 0 })
    await waitFor(() => client.batches.length >= 4, 'four batches')
    const after = broadcastFrame(nsp, room, 'events:batched', batch(2005))
    expect(after).toEqual({ direct: 1, emitted: 0, dropped: 0 })
    socket.emit('events:batched', batch(2006))
    await waitFor(() => client.batches.length >= 6, 'six batches')
    expect(client.batches.map((b) => b.seq)).toEqual([2001, 2002, 2003, 2004, 2005, 2006])
  })

  describe('with a queue cap', () => {
    /** A cap that records each drop. */
    function cap(maxBytes: number): QueueCap & { drops: { id: string; queued: number }[] } {
      const drops: { id: string; queued: number }[] = []
      return { maxBytes, drops, dropped: (socket, queued) => void drops.push({ id: socket.id, queued }) }
    }
    /** A batch of about `bytes` of JSON. */
    function bigBatch(seq: number, bytes: number): EventBatch {
      const event = { type: 'patrol.reported', at: 0, gridId: 'g', workerId: 'w', kind: 'ping', lon: 0, lat: 0, seq } as const
      return { seq, events: Array.from({ length: Math.ceil(bytes / 100) }, () => event) }
    }

    it('drops a WebSocket member whose TCP buffer passed the cap, and only it', async () => {
      const server = await start()
      const reader = await connectLive(server.url, server.headers.cookie)
      cleanups.push(() => void reader.socket.disconnect())
      expect((await subscribe(reader.socket, DISTRICT)).ok).toBe(true)
      const stalled = await stalledWebSocket(server.url, server.headers.cookie, DISTRICT)
      cleanups.push(() => stalled.close())
      const nsp = server.app.io.of(LIVE_NAMESPACE)
      const limit = cap(256 * 1024)
      // 256 KB a batch until the stalled member is dropped: the kernel's buffers take a few MB first.
      let sent = 0
      let dropped = 0
      while (dropped === 0 && sent < 200) {
        const result = broadcastFrame(nsp, unitRoom(DISTRICT), 'events:batched', bigBatch(++sent, 256 * 1024), { queueCap: limit })
        dropped = result.dropped
        if (dropped === 0) expect(result).toEqual({ direct: 2, emitted: 0, dropped: 0 })
        else expect(result).toEqual({ direct: 1, emitted: 0, dropped: 1 })
        await new Promise((r) => setTimeout(r, 5))
      }
      expect(limit.drops).toHaveLength(1)
      expect(limit.drops[0]!.queued).toBeGreaterThan(256 * 1024)
      expect(limit.drops[0]!.id).not.toBe(reader.socket.id)
      expect([...nsp.sockets.keys()]).toEqual([reader.socket.id])
      // The reading member got every batch, the one the other was dropped on included.
      await waitFor(() => reader.batches.length === sent, `the reading client to get ${sent} batches`)
      expect(reader.batches.map((b) => b.seq)).toEqual(Array.from({ length: sent }, (_, i) => i + 1))
    })

    it('drops a polling member whose packets wait in Engine.IO past the cap', async () => {
      const server = await start()
      await stalledPoller(server.url, server.headers.cookie, DISTRICT)
      const nsp = server.app.io.of(LIVE_NAMESPACE)
      expect(nsp.sockets.size).toBe(1)
      const socket = [...nsp.sockets.values()][0]!
      expect(socket.conn.transport.name).toBe('polling')
      const limit = cap(64 * 1024)
      const results = []
      for (let seq = 1; seq <= 8; seq++) results.push(broadcastFrame(nsp, unitRoom(DISTRICT), 'events:batched', bigBatch(seq, 20 * 1024), { queueCap: limit }))
      // Four batches of ~20 KB wait within 64 KiB; the fifth finds more than the cap waiting.
      expect(results.map((r) => r.emitted)).toEqual([1, 1, 1, 1, 0, 0, 0, 0])
      expect(results[4]).toEqual({ direct: 0, emitted: 0, dropped: 1 })
      expect(limit.drops).toEqual([{ id: socket.id, queued: expect.any(Number) }])
      expect(limit.drops[0]!.queued).toBeGreaterThan(64 * 1024)
      expect(nsp.sockets.size).toBe(0)
      // Engine.IO let the connection go at once, buffer and all, instead of waiting for a poll.
      expect(server.app.io.engine.clientsCount).toBe(0)
    })
  })
})
