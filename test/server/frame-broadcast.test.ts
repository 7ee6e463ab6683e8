// The one-frame-per-room broadcast: the bytes are what `ws` itself would frame, real socket.io
// clients on the WebSocket and on the polling transport receive the same batches, and a frame sent
// straight to a socket never overtakes a packet Engine.IO still holds for it.
import { createRequire } from 'node:module'
import { afterEach, describe, expect, it } from 'vitest'
import { io } from 'socket.io-client'
import { LIVE_NAMESPACE, unitRoom, type EventBatch } from '../../shared/events'
import { broadcastFrame, textFrame } from '../../server/realtime/frame-broadcast'
import { SqliteStore } from '../../server/store/sqlite-store'
import { startTestServer } from '../helpers/build-app'
import { connectLive, subscribe, type LiveClient } from '../helpers/connect-client'
import { waitFor } from '../helpers/wait-for'

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
    expect(held).toEqual({ direct: 0, emitted: 1 })
    await waitFor(() => client.batches.length >= 4, 'four batches')
    const after = broadcastFrame(nsp, room, 'events:batched', batch(2005))
    expect(after).toEqual({ direct: 1, emitted: 0 })
    socket.emit('events:batched', batch(2006))
    await waitFor(() => client.batches.length >= 6, 'six batches')
    expect(client.batches.map((b) => b.seq)).toEqual([2001, 2002, 2003, 2004, 2005, 2006])
  })
})
