// Clients that subscribe to `/live` and then stop reading, spoken over the Engine.IO/Socket.IO
// protocol by hand (socket.io-client always reads): what the server sends them piles up in its
// buffers, as it would for a frozen screen or a client behind a dead link.
import type { Socket as NetSocket } from 'node:net'
import { WebSocket } from 'ws'

export interface StalledClient {
  /** Sends a Socket.IO EVENT on `/live` (`args` is the JSON array), with a fresh ack id. */
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
export async function stalledWebSocket(baseUrl: string, cookie: string, unit: string): Promise<StalledClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { cookie }, perMessageDeflate: false })
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject)
    ws.on('message', (data: Buffer) => {
      const text = data.toString()
      if (text.startsWith('0')) ws.send('40/live,')
      else if (text.startsWith('40/live,')) ws.send(subscribePacket(unit))
      else if (text.startsWith('43/live,1')) {
        if (text.includes('"ok":true')) resolve()
        else reject(new Error(`subscribe refused: ${text}`))
      }
    })
  })
  ws.removeAllListeners('message')
  ws.removeAllListeners('error')
  ws.on('error', () => undefined) // the server resets the connection when it drops it
  ;(ws as unknown as { _socket: NetSocket })._socket.pause()
  let ackId = 1
  return {
    emit: (args) => ws.send(`42/live,${++ackId}${args}`),
    close: () => ws.terminate(),
  }
}

/**
 * On the polling transport: completes the handshake and its subscribe, then never polls again, so
 * what the server sends waits in Engine.IO's write buffer.
 */
export async function stalledPoller(baseUrl: string, cookie: string, unit: string): Promise<void> {
  const base = `${baseUrl}/socket.io/?EIO=4&transport=polling`
  const opened = await (await fetch(base, { headers: { cookie } })).text()
  const sid = (JSON.parse(opened.slice(1)) as { sid: string }).sid
  const url = `${base}&sid=${sid}`
  const post = async (body: string) => {
    const res = await fetch(url, { method: 'POST', headers: { cookie, 'content-type': 'text/plain;charset=UTF-8' }, body })
    if (!res.ok) throw new Error(`poll POST answered ${res.status}`)
  }
  await post('40/live,')
  // Packets of one poll are separated by the record separator.
  let received = ''
  while (!received.includes('40/live,')) received += await (await fetch(url, { headers: { cookie } })).text()
  await post(subscribePacket(unit))
  while (!received.includes('43/live,1')) received += '\x1e' + (await (await fetch(url, { headers: { cookie } })).text())
  if (!received.includes('"ok":true')) throw new Error(`subscribe refused: ${received.slice(0, 200)}`)
}
