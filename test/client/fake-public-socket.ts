// Just enough of a socket.io-client Socket on `/public` for the kiosk's tests.
import type { Ack } from '../../shared/events'
import type { PublicStats } from '../../shared/public'

type Handler = (...args: unknown[]) => void
export type PublicAckFn = (err: Error | null, reply: Ack<PublicStats>) => void

export class FakePublicSocket {
  connected = false
  connectCalls = 0
  disconnectCalls = 0
  readonly watches: { event: string; request: { unit: string }; ack: PublicAckFn }[] = []
  private readonly handlers = new Map<string, Set<Handler>>()

  on(event: string, fn: Handler): this {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set())
    this.handlers.get(event)!.add(fn)
    return this
  }
  off(event: string, fn: Handler): this {
    this.handlers.get(event)?.delete(fn)
    return this
  }
  timeout(_ms: number): this {
    return this
  }
  emit(event: string, request: { unit: string }, ack: PublicAckFn): this {
    this.watches.push({ event, request, ack })
    return this
  }
  connect(): this {
    this.connectCalls++
    return this
  }
  disconnect(): this {
    this.disconnectCalls++
    this.connected = false
    return this
  }
  /** Handlers registered, all events together. */
  count(): number {
    return [...this.handlers.values()].reduce((n, set) => n + set.size, 0)
  }

  // What the server side would cause.
  open(): void {
    this.connected = true
    this.fire('connect')
  }
  drop(reason = 'transport close'): void {
    this.connected = false
    this.fire('disconnect', reason)
  }
  push(stats: unknown): void {
    this.fire('stats:updated', stats)
  }
  private fire(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.handlers.get(event) ?? [])]) fn(...args)
  }
}
