import { io, type Socket } from 'socket.io-client'
import type {
  Ack,
  ClientToServerEvents,
  EventBatch,
  LiveEvent,
  ServerToClientEvents,
  SubscribeReply,
} from '../../shared/events'

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>

/**
 * A real socket.io-client on `/live` that records every batch it receives. Node sends no Origin
 * unless `headers` has one (as a browser page of that origin would); a refused one is closed.
 */
export async function connectLive(
  baseUrl: string,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<{ socket: LiveClient; batches: EventBatch[]; events(): LiveEvent[] }> {
  const socket: LiveClient = io(`${baseUrl}/live`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { ...(cookie ? { cookie } : {}), ...headers },
  })
  const batches: EventBatch[] = []
  socket.on('events:batched', (batch) => batches.push(batch))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', (error) => {
      socket.close()
      reject(error)
    })
  })
  return { socket, batches, events: () => batches.flatMap((b) => b.events) }
}

export function subscribe(socket: LiveClient, unit: string, sinceSeq?: number): Promise<Ack<SubscribeReply>> {
  return socket.timeout(10_000).emitWithAck('scope:subscribe', sinceSeq === undefined ? { unit } : { unit, sinceSeq })
}
