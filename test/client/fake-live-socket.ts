// Just enough of a socket.io-client Socket on `/live` for the composables' tests: handlers, emits
// with acks, connect and disconnect, and what the server side would cause.
import type { Ack, EventBatch, SubscribeReply, SubscribeRequest } from '../../shared/events'
import type { LiveSocket } from '../../client/socket'

type Handler = (...args: unknown[]) => void
export type AckFn = (err: Error | null, reply: Ack<SubscribeReply>) => void

export class FakeLiveSocket {
  connected = false
  connectCalls = 0
  disconnectCalls = 0
  readonly subscribes: { request: SubscribeRequest; ack: AckFn }[] = []
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
  emit(event: string, request: SubscribeRequest, ack: AckFn): this {
    if (event === 'scope:subscribe') this.subscribes.push({ request, ack })
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
  count(event: string): number {
    return this.handlers.get(event)?.size ?? 0
  }

  open(): void {
    this.connected = true
    this.fire('connect')
  }
  drop(): void {
    this.connected = false
    this.fire('disconnect', 'transport close')
  }
  batch(batch: EventBatch): void {
    this.fire('events:batched', batch)
  }
  lastSubscribe() {
    return this.subscribes[this.subscribes.length - 1]
  }
  fire(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.handlers.get(event) ?? [])]) fn(...args)
  }
  asSocket(): LiveSocket {
    return this as unknown as LiveSocket
  }
}
