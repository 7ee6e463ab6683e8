// Clients that subscribe to `/live` (or watch on `/public`) and then stop reading, spoken over the Engine.IO/Socket.IO
// protocol by hand (socket.io-client always reads): what the server sends them piles up in its
// buffers, as it would for a frozen screen or a client behind a dead link.
import type { Socket as NetSocket } from 'node:net'
import { WebSocket } from 'ws'

export interface StalledClient {
  /** Sends a Socket.IO EVENT on its namespace (`args` is the JSON array), with a fresh ack id. */
  emit(args: string): void
  close(): void
}

function subscribePacket(unit: string): string {
  return `42/live,1["scope:subscribe",${JSON.stringify({ unit })}]`
}

/**
 * On the WebSocket transport: completes the handshake and its subscribe, then pauses its TCP
 * socket, so the server's frames fill the kernel's buffers, then the server's own.
 */
export function stalledWebSocket(baseUrl: string, cookie: string, unit: string): Promise<StalledClient> {
  return stalledOn(baseUrl, { cookie }, '/live', subscribePacket(unit))
}

async function stalledOn(baseUrl: string, headers: Record<string, string>, nsp: string, firstPacket: string): Promise<StalledClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers, perMessageDeflate: false })
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject)
    ws.on('message', (data: Buffer) => {
      const text = data.toString()
      if (text.startsWith('0')) ws.send(`40${nsp},`)
      else if (text.startsWith(`40${nsp},`)) ws.send(firstPacket)
      else if (text.startsWith(`43${nsp},1`)) {
        if (text.includes('"ok":true')) resolve()
        else reject(new Error(`refused: ${text}`))
      }
    })
  })
  ws.removeAllListeners('message')
  ws.removeAllListeners('error')
  ws.on('error', () => undefined) // the server resets the connection when it drops it
  ;(ws as unknown as { _socket: NetSocket })._socket.pause()
  let ackId = 1
  return {
    emit: (args) => ws.send(`42${nsp},${++ackId}${args}`),
    close: () => ws.terminate(),
  }
}

/**
 * On the polling transport: completes the handshake and its subscribe, then never polls again, so
 * what the server sends waits in Engine.IO's write buffer.
 */
export function stalledPoller(baseUrl: string, cookie: string, unit: string): Promise<void> {
  return stalledPollerOn(baseUrl, { cookie }, '/live', subscribePacket(unit))
}

/** The same on the kiosk's `/public` namespace (no cookie), after its `stats:watch`. */
export function stalledKioskPoller(baseUrl: string, unit: string): Promise<void> {
  return stalledPollerOn(baseUrl, {}, '/public', `42/public,1["stats:watch",${JSON.stringify({ unit })}]`)
}

async function stalledPollerOn(baseUrl: string, headers: Record<string, string>, nsp: string, firstPacket: string): Promise<void> {
  const base = `${baseUrl}/socket.io/?EIO=4&transport=polling`
  const opened = await (await fetch(base, { headers })).text()
  const sid = (JSON.parse(opened.slice(1)) as { sid: string }).sid
  const url = `${base}&sid=${sid}`
  const post = async (body: string) => {
    const res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8' }, body })
    if (!res.ok) throw new Error(`poll POST answered ${res.status}`)
  }
  await post(`40${nsp},`)
  // Packets of one poll are separated by the record separator.
  let received = ''
  while (!received.includes(`40${nsp},`)) received += await (await fetch(url, { headers })).text()
  await post(firstPacket)
  while (!received.includes(`43${nsp},1`)) received += '\x1e' + (await (await fetch(url, { headers })).text())
  if (!received.includes('"ok":true')) throw new Error(`refused: ${received.slice(0, 200)}`)
}
