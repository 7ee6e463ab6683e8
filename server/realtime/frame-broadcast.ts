// One room, one frame: a live batch is serialised and framed once and the same bytes are handed to
// each member's WebSocket, as a plain `ws` server would do.
//
// Socket.IO's own broadcast also encodes once per room (and precomputes the WebSocket frame), but
// then goes through Engine.IO for every member: a packet object, `packetCreate`/`flush`/`drain`
// events on the socket and the server, a write buffer, a send callback and a `drain` after it. At a
// thousand sockets that bookkeeping cost as much again as the sends themselves (CPU profiles of the
// fan-out bench: ~1.5–1.8× a raw `ws` server per delivery). Here a member whose Engine.IO socket is
// open on the WebSocket transport with nothing waiting in its write buffer gets the frame straight
// from its `ws` sender — the same call Engine.IO itself makes for a precomputed frame — so it lands
// after everything Engine.IO has already written and before anything it writes later. Any other
// member (polling, upgrading, packets waiting, deflate on) gets an ordinary `emit`, so order and
// delivery never depend on the short cut.
import type { Namespace } from 'socket.io'

/** What this module reads of Engine.IO's socket and WebSocket transport (not in their typings). */
interface EngineSocket {
  readyState: string
  upgrading: boolean
  writeBuffer: unknown[]
  transport?: { name: string; perMessageDeflate?: unknown; opts?: { perMessageDeflate?: unknown }; socket?: { _sender?: FrameSender } }
}
interface FrameSender {
  sendFrame(list: Buffer[], cb?: (err?: Error) => void): void
}

/** An unmasked, final WebSocket text frame (RFC 6455 §5.2): header, then the payload as is. */
export function textFrame(payload: Buffer): Buffer[] {
  const n = payload.length
  let header: Buffer
  if (n < 126) {
    header = Buffer.from([0x81, n])
  } else if (n < 65_536) {
    header = Buffer.from([0x81, 126, n >>> 8, n & 0xff])
  } else {
    header = Buffer.alloc(10)
    header[0] = 0x81
    header[1] = 127
    header.writeUIntBE(n, 4, 6) // the top two bytes stay 0: payloads under 2^48
  }
  return [header, payload]
}

/** The member's `ws` sender when the frame can go straight to it, else undefined. */
function directSender(conn: EngineSocket): FrameSender | undefined {
  if (conn.readyState !== 'open' || conn.upgrading || conn.writeBuffer.length > 0) return undefined
  const transport = conn.transport
  if (!transport || transport.name !== 'websocket' || transport.opts?.perMessageDeflate) return undefined
  const sender = transport.socket?._sender
  return sender && typeof sender.sendFrame === 'function' ? sender : undefined
}

/**
 * Emits `event` with `payload` (plain JSON, no binary, no acknowledgement) to every socket in
 * `room` of the namespace. Returns how many members got the frame directly and how many by `emit`.
 */
export function broadcastFrame(nsp: Namespace, room: string, event: string, payload: unknown): { direct: number; emitted: number } {
  const members = nsp.adapter.rooms.get(room)
  let direct = 0
  let emitted = 0
  if (!members || members.size === 0) return { direct, emitted }
  let frame: Buffer[] | undefined
  for (const id of members) {
    const socket = nsp.sockets.get(id)
    if (!socket) continue
    const sender = directSender(socket.conn as unknown as EngineSocket)
    if (sender) {
      // Engine.IO message "4", Socket.IO EVENT "2", the namespace, then the JSON array.
      frame ??= textFrame(Buffer.from(`42${nsp.name},${JSON.stringify([event, payload])}`))
      sender.sendFrame(frame)
      direct++
    } else {
      ;(socket.emit as (event: string, payload: unknown) => boolean)(event, payload)
      emitted++
    }
  }
  return { direct, emitted }
}
