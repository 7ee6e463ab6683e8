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
//
// A member that stops reading would make the server hold everything sent to it: the frames in its
// TCP socket's buffer, the emits in Engine.IO's write buffer. Before each send its queue is read
// (on the short cut one getter, no allocation) and past the cap it is dropped; its client
// reconnects and resyncs from its last seq. The check comes before the send, not after it, so a
// single large batch or subscribe answer never drops a client that reads: only bytes a client
// has left unread until the next send count.
import type { Namespace, Socket } from 'socket.io'

/** What this module reads of Engine.IO's socket and WebSocket transport (not in their typings). */
interface EngineSocket {
  readyState: string
  upgrading: boolean
  writeBuffer: { data?: string | Buffer }[]
  transport?: { name: string; perMessageDeflate?: unknown; opts?: { perMessageDeflate?: unknown }; socket?: WsSocket }
  close(discard?: boolean): void
}
/** The `ws` WebSocket under Engine.IO's websocket transport. */
interface WsSocket {
  _sender?: FrameSender
  /** Bytes written and not yet taken by the kernel (`ws`'s own getter: its TCP socket's buffer). */
  bufferedAmount: number
  terminate(): void
}
interface FrameSender {
  sendFrame(list: Buffer[], cb?: (err?: Error) => void): void
}

/** How many bytes a socket may leave unread before it is dropped, and who is told of a drop. */
export interface QueueCap {
  readonly maxBytes: number
  /** Called after `socket` was dropped with `queued` bytes waiting for it. */
  dropped(socket: Socket, queued: number): void
}

/** Bytes waiting for a socket: in its WebSocket's TCP buffer and in Engine.IO's write buffer. */
export function queuedBytes(socket: Socket): number {
  const conn = socket.conn as unknown as EngineSocket
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0
  for (const packet of conn.writeBuffer) {
    const data = packet.data
    if (data !== undefined) bytes += typeof data === 'string' ? data.length : data.byteLength
  }
  return bytes
}

/** Drops `socket` when more than the cap waits for it; true when it did. */
export function dropIfOverCap(socket: Socket, cap: QueueCap): boolean {
  const queued = queuedBytes(socket)
  if (queued <= cap.maxBytes) return false
  drop(socket, queued, cap)
  return true
}

function drop(socket: Socket, queued: number, cap: QueueCap): void {
  const conn = socket.conn as unknown as EngineSocket
  // Leaves its rooms and the namespace at once. Engine.IO would then wait for its write buffer to
  // drain and `ws` for the peer's close frame, neither of which a client that stopped reading
  // sends: discard the buffer and reset the TCP connection, so that what it held is freed now.
  socket.disconnect(true)
  conn.close(true)
  conn.transport?.socket?.terminate()
  cap.dropped(socket, queued)
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

/** The member's `ws` WebSocket when the frame can go straight to its sender, else undefined. */
function directSocket(conn: EngineSocket): (WsSocket & { _sender: FrameSender }) | undefined {
  if (conn.readyState !== 'open' || conn.upgrading || conn.writeBuffer.length > 0) return undefined
  const transport = conn.transport
  if (!transport || transport.name !== 'websocket' || transport.opts?.perMessageDeflate) return undefined
  const ws = transport.socket
  return ws && typeof ws._sender?.sendFrame === 'function' ? (ws as WsSocket & { _sender: FrameSender }) : undefined
}

/**
 * Emits `event` with `payload` (plain JSON, no binary, no acknowledgement) to every socket in
 * `room` of the namespace. `options.json`, when given, must be `JSON.stringify(payload)` (the live
 * bus builds it from each event's JSON, made once for all of its rooms). With `options.queueCap`,
 * a member with more than the cap still unread is dropped instead of sent to. Returns how many
 * members got the frame directly, how many by `emit`, and how many were dropped.
 */
export function broadcastFrame(
  nsp: Namespace,
  room: string,
  event: string,
  payload: unknown,
  options: { json?: string; queueCap?: QueueCap } = {},
): { direct: number; emitted: number; dropped: number } {
  const members = nsp.adapter.rooms.get(room)
  let direct = 0
  let emitted = 0
  let dropped = 0
  if (!members || members.size === 0) return { direct, emitted, dropped }
  const cap = options.queueCap
  let frame: Buffer[] | undefined
  for (const id of members) {
    const socket = nsp.sockets.get(id)
    if (!socket) continue
    const ws = directSocket(socket.conn as unknown as EngineSocket)
    if (ws) {
      // Nothing waits in Engine.IO here: the TCP buffer is the whole queue.
      if (cap && ws.bufferedAmount > cap.maxBytes) {
        drop(socket, ws.bufferedAmount, cap)
        dropped++
        continue
      }
      // Engine.IO message "4", Socket.IO EVENT "2", the namespace, then the JSON array.
      frame ??= [textFrame(`42${nsp.name},[${JSON.stringify(event)},${options.json ?? JSON.stringify(payload)}]`)]
      ws._sender.sendFrame(frame)
      direct++
    } else if (cap && dropIfOverCap(socket, cap)) {
      dropped++
    } else {
      ;(socket.emit as (event: string, payload: unknown) => boolean)(event, payload)
      emitted++
    }
  }
  return { direct, emitted, dropped }
}
