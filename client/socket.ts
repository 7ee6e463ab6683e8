import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client'
import { LIVE_NAMESPACE, type ClientToServerEvents, type ServerToClientEvents } from '../shared/events'

/** The live socket, typed once from the shared contract. */
export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>

/**
 * Creates a live socket, not yet connected: its owner connects it once its handlers are on, so the
 * first `connect` is never missed. `url` defaults to the namespace on the page's own origin; tests
 * pass a full URL to a server on port 0.
 */
export function createLiveSocket(url: string = LIVE_NAMESPACE, options: Partial<ManagerOptions & SocketOptions> = {}): LiveSocket {
  return io(url, { autoConnect: false, transports: ['websocket'], ...options })
}

/** The `disconnect` reason when the server closed the socket; socket.io-client does not reconnect then. */
export const SERVER_CLOSED = 'io server disconnect'

/** Whether a `connect_error` is the server refusing the socket for want of a valid session. */
export function isSessionRefused(err: Error): boolean {
  return /unauthori[sz]ed|log in/i.test(err.message)
}
