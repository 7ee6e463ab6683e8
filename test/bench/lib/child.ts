// A server under test in a child process, so that its CPU and memory are measured alone.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ReadyMessage, Reply, Request, SeqRecord, Usage } from './ipc'

type Payload = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never

const running = new Set<ChildProcess>()
// A benchmark that throws, or is stopped by run.ts, must not leave a server behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})
process.once('SIGTERM', () => process.exit(143))

export class ServerProcess {
  private nextId = 1
  private readonly waiting = new Map<number, (reply: Reply) => void>()

  private constructor(
    private readonly child: ChildProcess,
    readonly ready: ReadyMessage,
  ) {
    child.on('message', (message: Reply) => {
      const resolve = this.waiting.get(message.id)
      this.waiting.delete(message.id)
      resolve?.(message)
    })
  }

  /** Starts `test/bench/<entry>` under tsx and waits for its port. */
  static async start(entry: string, args: string[] = [], nodeArgs: string[] = []): Promise<ServerProcess> {
    const file = fileURLToPath(new URL(`../${entry}`, import.meta.url))
    // The child's stdout goes to our stderr: our stdout carries only the figures.
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', file, ...args], { stdio: ['ignore', 2, 2, 'ipc'] })
    running.add(child)
    child.once('exit', () => running.delete(child))
    const ready = await new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${entry} did not start in 60 s`)), 60_000)
      child.once('message', (message: ReadyMessage) => {
        clearTimeout(timer)
        resolve(message)
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`${entry} exited with ${code} before it was ready`))
      })
    })
    return new ServerProcess(child, ready)
  }

  get port(): number {
    return this.ready.port
  }

  get pid(): number {
    return this.child.pid!
  }

  request(payload: Payload, timeoutMs = 30_000): Promise<Reply> {
    const id = this.nextId++
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new Error(`server did not answer ${payload.type} in ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiting.set(id, (reply) => {
        clearTimeout(timer)
        if (reply.error) reject(new Error(reply.error))
        else resolve(reply)
      })
      this.child.send({ ...payload, id })
    })
  }

  async usage(gc = false): Promise<Usage> {
    return (await this.request({ type: 'usage', gc })).usage!
  }

  /** Profiles the server between `start` and `stop`; `stop` writes a .cpuprofile to `file`. */
  async profile(action: 'start' | 'stop', file?: string): Promise<void> {
    await this.request({ type: 'profile', action, ...(file ? { file } : {}) })
  }

  async records(): Promise<SeqRecord[]> {
    return (await this.request({ type: 'records' })).records ?? []
  }

  /** Outpost's server only: each fdatasync of the WAL since the last call, submit to answer, ms. */
  async syncs(): Promise<number[]> {
    return (await this.request({ type: 'syncs' })).syncs ?? []
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    try {
      await this.request({ type: 'stop' }, 10_000)
    } catch {
      // It may exit before it answers; the kill below covers a hang.
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
}

/** Cores used between two samples of the server's own process.cpuUsage(). */
export function coresBetween(a: Usage, b: Usage): number {
  return (b.userUs + b.systemUs - a.userUs - a.systemUs) / 1000 / (b.at - a.at)
}

/** CPU seconds used between two samples. */
export function cpuSecondsBetween(a: Usage, b: Usage): number {
  return (b.userUs + b.systemUs - a.userUs - a.systemUs) / 1e6
}
