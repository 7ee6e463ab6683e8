// The load generator's live clients: Socket.IO spoken over raw `ws` (Engine.IO v4, websocket
// transport only) because a thousand socket.io-client instances would cost the shared two cores
// more than the server they measure. Each client answers pings, joins `/live`, subscribes to one
// unit and, for every `events:batched` frame, logs when it arrived and the first and last seq in
// it, read straight from the bytes without parsing the JSON.
import { WebSocket } from 'ws'
import { clock } from './stats'

const BATCH_PREFIX = Buffer.from('42/live,["events:batched",{"seq":')
const EVENTS = Buffer.from('"events":[')
const SEQ = Buffer.from('"seq":')

/** Every batch frame any client received, in arrival order, in growable typed arrays. */
export class BatchLog {
  length = 0
  recvAt = new Float64Array(1 << 16)
  client = new Int32Array(1 << 16)
  first = new Float64Array(1 << 16)
  last = new Float64Array(1 << 16)
  /** Events counted by scanning the frame; -1 where the client does not count. */
  counted = new Int32Array(1 << 16)

  push(recvAt: number, client: number, first: number, last: number, counted: number): void {
    if (this.length === this.recvAt.length) this.grow()
    const i = this.length++
    this.recvAt[i] = recvAt
    this.client[i] = client
    this.first[i] = first
    this.last[i] = last
    this.counted[i] = counted
  }

  /** Index of the first entry received at or after `t`. */
  indexAt(t: number): number {
    let lo = 0
    let hi = this.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.recvAt[mid]! < t) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private grow(): void {
    const size = this.recvAt.length * 2
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(size)
      b.set(a)
      return b
    }
    this.recvAt = grow(this.recvAt, (n) => new Float64Array(n))
    this.client = grow(this.client, (n) => new Int32Array(n))
    this.first = grow(this.first, (n) => new Float64Array(n))
    this.last = grow(this.last, (n) => new Float64Array(n))
    this.counted = grow(this.counted, (n) => new Int32Array(n))
  }
}

function intAt(data: Buffer, at: number): number {
  let n = 0
  for (let i = at; i < data.length; i++) {
    const c = data[i]!
    if (c < 0x30 || c > 0x39) break
    n = n * 10 + (c - 0x30)
  }
  return n
}

export interface LiveClientsOptions {
  port: number
  headers?: Record<string, string>
  /** Clients that also count every event in every frame, to check the computed deliveries. */
  counts?: (client: number) => boolean
}

export class LiveClients {
  readonly log = new BatchLog()
  readonly sockets: WebSocket[] = []
  /** The unit each client subscribed to. */
  readonly units: string[] = []

  constructor(private readonly options: LiveClientsOptions) {}

  /** Connects `units.length` more clients, each subscribed to its unit, `concurrency` at a time. */
  async connect(units: string[], concurrency = 50): Promise<void> {
    let next = 0
    const worker = async () => {
      while (next < units.length) {
        const unit = units[next++]!
        await this.connectOne(unit)
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, units.length) }, worker))
  }

  private connectOne(unit: string): Promise<void> {
    const index = this.sockets.length
    this.units.push(unit)
    const counts = this.options.counts?.(index) ?? false
    const log = this.log
    const ws = new WebSocket(`ws://127.0.0.1:${this.options.port}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      headers: this.options.headers ?? {},
    })
    this.sockets.push(ws)
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client ${index} did not subscribe in 30 s`)), 30_000)
      ws.on('error', reject)
      ws.on('message', (data: Buffer) => {
        const c0 = data[0]
        if (c0 === 0x34 && data[1] === 0x32) {
          // 42: an event. The only one we log is events:batched.
          if (data.compare(BATCH_PREFIX, 0, BATCH_PREFIX.length, 0, BATCH_PREFIX.length) !== 0) return
          const last = intAt(data, BATCH_PREFIX.length)
          const events = data.indexOf(EVENTS, BATCH_PREFIX.length)
          const firstSeq = data.indexOf(SEQ, events)
          let counted = -1
          if (counts) {
            counted = 0
            for (let at = data.indexOf(SEQ, events); at >= 0; at = data.indexOf(SEQ, at + SEQ.length)) counted++
          }
          log.push(clock(), index, intAt(data, firstSeq + SEQ.length), last, counted)
        } else if (c0 === 0x32) {
          ws.send('3')
        } else if (c0 === 0x30) {
          ws.send('40/live,')
        } else if (c0 === 0x34 && data[1] === 0x30) {
          ws.send(`42/live,1["scope:subscribe",${JSON.stringify({ unit })}]`)
        } else if (c0 === 0x34 && data[1] === 0x33) {
          clearTimeout(timer)
          if (data.includes('"ok":true')) resolve()
          else reject(new Error(`subscribe to ${unit} refused: ${data.toString().slice(0, 200)}`))
        } else if (c0 === 0x34 && data[1] === 0x34) {
          clearTimeout(timer)
          reject(new Error(`namespace refused: ${data.toString().slice(0, 200)}`))
        }
      })
    })
  }

  async close(): Promise<void> {
    await Promise.all(
      this.sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve()
            ws.once('close', () => resolve())
            ws.terminate()
          }),
      ),
    )
  }
}
