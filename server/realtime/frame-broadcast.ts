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

/**
 * An unmasked, final WebSocket text frame (RFC 6455 §5.2) of a string, header and UTF-8 payload in
 * one buffer: each member then costs one plain socket write instead of a corked pair.
 */
export function textFrame(text: string): Buffer {
  const n = Buffer.byteLength(text)
  const headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10
  const frame = Buffer.allocUnsafe(headerLength + n)
  frame[0] = 0x81
  if (n < 126) {
    frame[1] = n
  } else if (n < 65_536) {
    frame[1] = 126
    frame.writeUInt16BE(n, 2)
  } else {
    frame[1] = 127
    frame.writeUInt16BE(0, 2) // payloads under 2^48: the top two bytes are 0
    frame.writeUIntBE(n, 4, 6)
  }
  frame.write(text, headerLength)
  return frame
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
 * `room` of the namespace. `payloadJson`, when given, must be `JSON.stringify(payload)` (the live
 * bus builds it from each event's JSON, made once for all of its rooms). Returns how many members
 * got the frame directly and how many by `emit`.
 */
export function broadcastFrame(
  nsp: Namespace,
  room: string,
  event: string,
  payload: unknown,
  payloadJson?: string,
): { direct: number; emitted: number } {
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
      frame ??= [textFrame(`42${nsp.name},[${JSON.stringify(event)},${payloadJson ?? JSON.stringify(payload)}]`)]
      sender.sendFrame(frame)
      direct++
    } else {
      ;(socket.emit as (event: string, payload: unknown) => boolean)(event, payload)
      emitted++
    }
  }
  return { direct, emitted }
}
