// A lean keep-alive HTTP/1.1 client: a fixed set of connections, one request in flight on each,
// the rest queued (bounded concurrency). It costs the load generator far less CPU than fetch,
// which matters when client and server share two cores. Answers must carry Content-Length.
import { connect, type Socket } from 'node:net'

export interface HttpAnswer {
  status: number
  body: string
}

interface Pending {
  head: string
  body: string
  resolve: (answer: HttpAnswer) => void
  reject: (error: Error) => void
}

class Connection {
  private buffer: Buffer = Buffer.alloc(0)
  current: Pending | undefined
  private readonly socket: Socket

  constructor(
    host: string,
    port: number,
    private readonly onIdle: (connection: Connection) => void,
  ) {
    this.socket = connect({ host, port, noDelay: true })
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('error', (error) => this.fail(error))
    this.socket.on('close', () => this.fail(new Error('connection closed')))
  }

  send(pending: Pending): void {
    this.current = pending
    this.socket.write(pending.head + pending.body)
  }

  close(): void {
    this.socket.destroy()
  }

  private fail(error: Error): void {
    const current = this.current
    this.current = undefined
    current?.reject(error)
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const end = this.buffer.indexOf('\r\n\r\n')
    if (end < 0) return
    const head = this.buffer.toString('latin1', 0, end)
    const match = /\r\ncontent-length:\s*(\d+)/i.exec(head)
    if (!match) return this.fail(new Error(`answer without content-length: ${head.split('\r\n')[0]}`))
    const length = Number(match[1])
    if (this.buffer.length < end + 4 + length) return
    const body = this.buffer.toString('utf8', end + 4, end + 4 + length)
    this.buffer = this.buffer.subarray(end + 4 + length)
    const current = this.current
    this.current = undefined
    current?.resolve({ status: Number(head.slice(9, 12)), body })
    this.onIdle(this)
  }
}

export class KeepAliveClient {
  private readonly idle: Connection[] = []
  private readonly all: Connection[] = []
  private readonly queue: Pending[] = []
  private readonly extraHeaders: string

  constructor(
    private readonly host: string,
    private readonly port: number,
    connections: number,
    headers: Record<string, string> = {},
  ) {
    this.extraHeaders = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')
    for (let i = 0; i < connections; i++) {
      const connection = new Connection(host, port, (c) => this.release(c))
      this.all.push(connection)
      this.idle.push(connection)
    }
  }

  /** Requests now in flight or queued. */
  get outstanding(): number {
    return this.all.length - this.idle.length + this.queue.length
  }

  post(path: string, body: string): Promise<HttpAnswer> {
    const head =
      `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${this.extraHeaders}\r\n`
    return new Promise<HttpAnswer>((resolve, reject) => {
      const pending = { head, body, resolve, reject }
      const connection = this.idle.pop()
      if (connection) connection.send(pending)
      else this.queue.push(pending)
    })
  }

  close(): void {
    for (const connection of this.all) connection.close()
  }

  private release(connection: Connection): void {
    const next = this.queue.shift()
    if (next) connection.send(next)
    else this.idle.push(connection)
  }
}
