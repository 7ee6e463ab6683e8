// Just enough of a socket.io-client Socket on `/live` for the composables' tests: handlers, emits
// with acks, connect and disconnect, and what the server side would cause.
import type { Ack, EventBatch, SubscribeReply, SubscribeRequest } from '../../shared/events'
import type { LiveSocket } from '../../client/socket'
import { FakeSocket } from './fake-socket'

export type AckFn = (err: Error | null, reply: Ack<SubscribeReply>) => void

export class FakeLiveSocket extends FakeSocket {
  readonly subscribes: { request: SubscribeRequest; ack: AckFn }[] = []

  emit(event: string, request: SubscribeRequest, ack: AckFn): this {
    if (event === 'scope:subscribe') this.subscribes.push({ request, ack })
    return this
  }
  count(event: string): number {
    return this.handlers.get(event)?.size ?? 0
  }

  batch(batch: EventBatch): void {
    this.fire('events:batched', batch)
  }
  lastSubscribe() {
    return this.subscribes[this.subscribes.length - 1]
  }
  asSocket(): LiveSocket {
    return this as unknown as LiveSocket
  }
}
