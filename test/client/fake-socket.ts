// What a socket.io-client Socket does that every fake needs: handlers, connect and disconnect, and
// what the server side would cause (open, drop, an event). The fakes for `/live` and `/public`
// add their own emits.
type Handler = (...args: unknown[]) => void

export class FakeSocket {
  connected = false
  connectCalls = 0
  disconnectCalls = 0
  protected readonly handlers = new Map<string, Set<Handler>>()

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
  connect(): this {
    this.connectCalls++
    return this
  }
  disconnect(): this {
    this.disconnectCalls++
    this.connected = false
    return this
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
  fire(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.handlers.get(event) ?? [])]) fn(...args)
  }
}
