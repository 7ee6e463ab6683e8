// Socket.IO encodes a broadcast once per room, but before serialising it walks the whole payload
// looking for binary attachments (socket.io-parser's hasBinary). For a live batch of hundreds of
// events that walk costs about a third of the JSON.stringify itself, in every room at every tick
// (about a tenth of the server's fan-out CPU at 2M deliveries/s). The events named here are plain
// JSON by construction (shared/events.ts), so their packets skip the walk and are written exactly
// as socket.io-parser writes a non-binary EVENT; every other packet is encoded as before.
import type { Server } from 'socket.io'

type Encoder = Server['encoder']
type Packet = Parameters<Encoder['encode']>[0]

/** socket.io-parser's PacketType.EVENT. */
const EVENT = 2

export function encodeWithoutBinaryScan(encoder: Encoder, plainEvents: readonly string[]): void {
  const plain = new Set(plainEvents)
  const encode = encoder.encode.bind(encoder)
  encoder.encode = (packet: Packet) => {
    if (packet.type !== EVENT || !Array.isArray(packet.data) || !plain.has(packet.data[0] as string)) return encode(packet)
    const nsp = packet.nsp && packet.nsp !== '/' ? `${packet.nsp},` : ''
    return [`${EVENT}${nsp}${packet.id ?? ''}${JSON.stringify(packet.data)}`]
  }
}
