// Just enough of a socket.io-client Socket on `/public` for the kiosk's tests.
import type { Ack } from '../../shared/events'
import type { PublicStats } from '../../shared/public'
import { FakeSocket } from './fake-socket'

export type PublicAckFn = (err: Error | null, reply: Ack<PublicStats>) => void

export class FakePublicSocket extends FakeSocket {
  readonly watches: { event: string; request: { unit: string }; ack: PublicAckFn }[] = []

  emit(event: string, request: { unit: string }, ack: PublicAckFn): this {
    this.watches.push({ event, request, ack })
    return this
  }
  /** Handlers registered, all events together. */
  count(): number {
    return [...this.handlers.values()].reduce((n, set) => n + set.size, 0)
  }

  push(stats: unknown): void {
    this.fire('stats:updated', stats)
  }
}
