// Checkpoints off the event loop. A checkpoint copies the WAL's pages back into the database file
// and fsyncs both; run by SQLite's auto-checkpoint it happens inside a COMMIT, on the event loop,
// every 1,000 pages: under bulk ingest several times a second, tens of ms each. Here a worker
// thread with a connection of its own runs PASSIVE checkpoints instead, which never block the
// writer. What it cannot finish under a steady stream (frames committed while it copies) is left
// to the writer's own auto-checkpoint, set far higher (`BACKSTOP_PAGES`): then the WAL, fully
// copied, starts again from its beginning.
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** The writer's auto-checkpoint while a checkpointer runs (pages of 4 KiB: 32 MiB of WAL). */
export const BACKSTOP_PAGES = 8192

// Plain CommonJS evaluated in the worker, so that it runs the same under node, tsx and vitest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.filename)
// NORMAL syncs the WAL before a checkpoint copies it and the database after: never OFF here.
db.pragma('synchronous = NORMAL')
db.pragma('wal_autocheckpoint = 0')
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close()
    parentPort.postMessage({ closed: true })
    return
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
    parentPort.postMessage({ done: true })
  } catch (error) {
    parentPort.postMessage({ done: true, error: String(error) })
  }
})
`

export class Checkpointer {
  private readonly worker: Worker
  private running = false
  private lastAt = 0
  private closed = false
  private failed = false

  constructor(
    filename: string,
    private readonly options: { minIntervalMs: number; onFailure?: (error: unknown) => void },
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { filename, driver } })
    // A checkpointer must not keep the process alive; close() ends it properly.
    this.worker.unref()
    this.worker.on('message', (message: { done?: boolean; error?: string }) => {
      if (!message.done) return
      this.running = false
      this.lastAt = performance.now()
      if (message.error) this.fail(new Error(message.error))
    })
    this.worker.on('error', (error) => this.fail(error))
  }

  /** After a commit: a checkpoint, unless one runs or the last ended less than `minIntervalMs` ago. */
  poke(): void {
    if (this.running || this.closed || this.failed) return
    if (performance.now() - this.lastAt < this.options.minIntervalMs) return
    this.running = true
    this.worker.postMessage('checkpoint')
  }

  /** Closes the worker's connection (before the writer's, so that the writer is the last). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (!this.failed) {
      await new Promise<void>((resolve) => {
        const onMessage = (message: { closed?: boolean }) => {
          if (!message.closed) return
          this.worker.off('message', onMessage)
          resolve()
        }
        this.worker.on('message', onMessage)
        this.worker.once('exit', () => resolve())
        this.worker.postMessage('close')
      })
    }
    await this.worker.terminate()
  }

  private fail(error: unknown): void {
    if (this.failed) return
    this.failed = true
    this.running = false
    this.options.onFailure?.(error)
  }
}
