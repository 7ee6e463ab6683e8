import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client'
import { PUBLIC_NAMESPACE, type PublicClientToServerEvents, type PublicServerToClientEvents } from '../../shared/public'

/** The kiosk's socket: the public namespace only, never `/live`. */
export type PublicSocket = Socket<PublicServerToClientEvents, PublicClientToServerEvents>

/**
 * Not yet connected: the feed puts its handlers on first. Socket.IO's default transports (long-polling,
 * upgraded to a WebSocket) get through a lobby's proxy that lets no WebSocket through; it
 * reconnects forever, as a kiosk has no one to press reload.
 */
export function createPublicSocket(url: string = PUBLIC_NAMESPACE, options: Partial<ManagerOptions & SocketOptions> = {}): PublicSocket {
  return io(url, {
    autoConnect: false,
    reconnectionDelayMax: 30_000,
    withCredentials: false,
    ...options,
  })
}
