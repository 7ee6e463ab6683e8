// The PostgreSQL engine's group commit and its follower of the committed log; it knows no table
// but `log_head`, `unpublished` and `events`. See README.md here, "PostgreSQL engine", for why the
// follower never passes over a seq that is not yet committed.
//
// Writes queued in one event-loop turn go in one transaction (a savepoint per job only when a job
// throws or fails after writing: the group is then run again that way); camera alerts (the urgent
// lane) in a transaction of their own ahead of the others. Every write transaction first locks the one row of `log_head` (the ordering lock, held until COMMIT), takes
// its seqs from there, sets the row to its last seq and NOTIFYs `outpost_log` just before COMMIT.
// A caller is answered once COMMIT has returned and its events have been handed to the `onCommit`
// listeners, which follow the log of every process on the database, in seq order, once each.
import pg from 'pg'
import type { LiveEvent } from '../../shared/events'

export const LOG_CHANNEL = 'outpost_log'
/** Rows a follower reads at a time. */
export const FOLLOW_BATCH = 5000

/** What a job sees of its transaction. */
export interface WriteTx {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>
  /** The next seq of the log (the transaction holds the ordering lock). */
  nextSeq(): number
  /** `n` consecutive seqs; returns the first. */
  takeSeqs(n: number): number
  /** Gives back `seq`, the last one taken, for a write that did not happen (no gap). */
  returnSeq(seq: number): void
  /** Events this transaction appended, in seq order, to publish once committed. */
  readonly events: LiveEvent[]
  /** Runs `action` once this transaction commits; not if the job that asked rolls back. */
  onceCommitted(action: () => void): void
}

interface Job {
  run: (tx: WriteTx) => Promise<unknown>
  urgent: boolean
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

class Tx implements WriteTx {
  events: LiveEvent[] = []
  actions: (() => void)[] = []
  /** Statements other than plain reads run so far. */
  writes = 0
  constructor(
    private readonly client: pg.PoolClient,
    /** The last seq taken. */
    public seq: number,
  ) {}

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    // Anything but a plain read counts as a write (wroteSince).
    if (!/^\s*SELECT\b/i.test(text)) this.writes++
    // Parameterised statements are prepared once per connection, by name (the same text, the same
    // name): the server parses and plans each once, not per job.
    if (params === undefined) return this.client.query<R>(text)
    return this.client.query<R>({ name: statementName(text), text, values: params })
  }

  nextSeq(): number {
    return ++this.seq
  }

  takeSeqs(n: number): number {
    const first = this.seq + 1
    this.seq += n
    return first
  }

  onceCommitted(action: () => void): void {
    this.actions.push(action)
  }

  returnSeq(seq: number): void {
    if (seq !== this.seq) throw new Error(`seq ${seq} is not the last taken (${this.seq})`)
    this.seq--
  }

  mark() {
    return { seq: this.seq, events: this.events.length, actions: this.actions.length, writes: this.writes }
  }

  /** Whether the job begun at `mark` wrote anything: a seq, an event, an action or a statement. */
  wroteSince(mark: ReturnType<Tx['mark']>): boolean {
    return this.seq !== mark.seq || this.events.length !== mark.events || this.actions.length !== mark.actions || this.writes !== mark.writes
  }

  /** Back to a mark: the job's savepoint was rolled back, and with it its seqs (no gap). */
  reset(mark: ReturnType<Tx['mark']>): void {
    this.seq = mark.seq
    this.events.length = mark.events
    this.actions.length = mark.actions
    this.writes = mark.writes
  }
}

const statementNames = new Map<string, string>()
/** A prepared statement's name for this text (the texts are the store's own: a few dozen). */
function statementName(text: string): string {
  let name = statementNames.get(text)
  if (name === undefined) {
    name = `outpost_${statementNames.size + 1}`
    statementNames.set(text, name)
  }
  return name
}

interface Attempt {
  retry: boolean
  tx: Tx
  first: number
  results: { ok: boolean; value: unknown }[]
}

/** A job's own failure (an Outcome with ok: false): what it wrote is undone, the others commit. */
function failed(result: unknown): boolean {
  return typeof result === 'object' && result !== null && (result as { ok?: unknown }).ok === false
}

interface EventRow {
  seq: number
  type: LiveEvent['type']
  at: number
  grid_id: string
  data: string
}

export function toLiveEvent(row: EventRow): LiveEvent {
  return { seq: row.seq, type: row.type, at: row.at, gridId: row.grid_id, ...JSON.parse(row.data) } as LiveEvent
}

export interface PgCommitOptions {
  pool: pg.Pool
  /** Opens the follower's LISTEN connection (same server, schema and types as the pool). */
  connectListener: () => pg.Client
  /** The last committed seq when the store opened: listeners get what commits after it. */
  startSeq: number
  /** How long to wait before reconnecting a lost LISTEN connection or retrying a failed read. */
  retryMs?: number
}

export class PgGroupCommit {
  private readonly pool: pg.Pool
  private queue: Job[] = []
  private flushScheduled = false
  /** The write transactions, one at a time (this process's; other processes queue on the lock). */
  private writing: Promise<void> = Promise.resolve()
  private closed = false

  // ---- the follower ----
  private readonly listeners = new Set<(events: LiveEvent[]) => void>()
  /** The last seq handed to the listeners (or known to be unpublished). */
  private delivered: number
  /** Set while a read of the log is in flight: never two at once. */
  private reading = false
  /** A notification came while reading: read again. */
  private readAgain = false
  /** Callers waiting until `delivered` reaches their seq. */
  private waiters: { seq: number; resolve: () => void }[] = []
  /** Imported ranges (never published) the follower has learnt of, by first seq. */
  private skips = new Map<number, number>()
  private listener: pg.Client | undefined
  private readonly connectListener: () => pg.Client
  private readonly retryMs: number
  private retryTimer: NodeJS.Timeout | undefined
  private listening: Promise<void> | undefined

  constructor(options: PgCommitOptions) {
    this.pool = options.pool
    this.delivered = options.startSeq
    this.connectListener = options.connectListener
    this.retryMs = options.retryMs ?? 500
  }

  /** Connects the LISTEN connection; resolves once it listens. */
  async listen(): Promise<void> {
    const client = this.connectListener()
    this.listener = client
    client.on('notification', () => this.pump())
    // A lost connection: reconnect, then read from `delivered` (a notification missed meanwhile
    // costs nothing: the read finds its rows).
    const lost = () => {
      if (this.listener !== client) return
      this.listener = undefined
      client.removeAllListeners('notification')
      void client.end().catch(() => undefined)
      this.reconnectLater()
    }
    client.on('error', lost)
    client.on('end', lost)
    await client.connect()
    await client.query(`LISTEN ${LOG_CHANNEL}`)
    // What committed between the store's open (or the connection's loss) and now.
    this.pump()
  }

  private reconnectLater(): void {
    if (this.closed || this.retryTimer) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      if (this.closed) return
      this.listening = this.listen().catch(() => {
        const client = this.listener
        this.listener = undefined
        void client?.end().catch(() => undefined)
        this.reconnectLater()
      })
    }, this.retryMs)
  }

  /** Ends the LISTEN connection as a network failure would (tests). */
  dropListener(): void {
    const stream = (this.listener as unknown as { connection?: { stream?: { destroy: () => void } } } | undefined)?.connection?.stream
    stream?.destroy()
  }

  /** The last seq the listeners got. */
  get deliveredSeq(): number {
    return this.delivered
  }

  enqueue<T>(run: (tx: WriteTx) => Promise<T>, urgent = false): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, urgent, resolve: resolve as (value: unknown) => void, reject })
      if (!this.flushScheduled) {
        this.flushScheduled = true
        // The jobs of this turn together; while a transaction is in flight, what comes meanwhile
        // waits for the next.
        setImmediate(() => {
          this.writing = this.writing.then(() => this.flush())
        })
      }
    })
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false
    const jobs = this.queue
    this.queue = []
    const urgent = jobs.filter((j) => j.urgent)
    const rest = urgent.length > 0 ? jobs.filter((j) => !j.urgent) : jobs
    if (urgent.length > 0) await this.commitGroup(urgent, { publish: true })
    if (rest.length > 0) await this.commitGroup(rest, { publish: true })
  }

  /**
   * One transaction outside the group commit, after the writes queued before it (importHistory):
   * its range of the log is recorded as unpublished, so no follower publishes it.
   */
  exclusive<T>(run: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    return new Promise<T>((resolve, reject) => {
      const job: Job = { run, urgent: false, resolve: resolve as (value: unknown) => void, reject }
      this.writing = this.writing.then(() => this.commitGroup([job], { publish: false }))
    })
  }

  /**
   * The jobs in one transaction; answered once committed and published. Optimistic first: no
   * savepoints (one round trip less a job), since a job that fails as an Outcome fails before it
   * writes. Should a job throw (a constraint, a bad value: the transaction is aborted) or fail
   * after writing, the transaction is rolled back and the group run again with a savepoint per
   * job, so that job alone is undone and the others commit.
   */
  private async commitGroup(jobs: Job[], { publish }: { publish: boolean }): Promise<void> {
    let client: pg.PoolClient
    try {
      client = await this.pool.connect()
    } catch (error) {
      for (const job of jobs) job.reject(error)
      return
    }
    let attempt: Attempt
    try {
      attempt = await this.runGroup(client, jobs, false, publish)
      if (attempt.retry) {
        await client.query('ROLLBACK')
        attempt = await this.runGroup(client, jobs, true, publish)
      }
    } catch (error) {
      // Not a job's own failure: the connection or the server. Nothing is answered as written
      // (were the COMMIT in fact made, the follower publishes it from the log, as any other).
      // The connection goes too (release with an error): it may be in any state.
      await client.query('ROLLBACK').catch(() => undefined)
      client.release(error instanceof Error ? error : new Error(String(error)))
      const failure = new Error(`the write transaction failed: ${(error as Error).message ?? String(error)}`, { cause: error })
      for (const job of jobs) job.reject(failure)
      return
    }
    client.release()
    const { tx, first, results } = attempt
    for (const action of tx.actions) action()
    const answer = () => jobs.forEach((job, i) => (results[i]!.ok ? job.resolve(results[i]!.value) : job.reject(results[i]!.value)))
    if (tx.seq === first) answer()
    else if (!publish) {
      this.skipped(first + 1, tx.seq)
      answer()
    } else {
      // Answered once its events are handed to the listeners; the next transaction need not wait.
      void this.published(first, tx.seq, tx.events).then(answer)
    }
  }

  /**
   * One try at the group's transaction, BEGIN to COMMIT. Without savepoints it stops at the first
   * job that throws or fails after writing (`retry`: the transaction is still open, to be rolled
   * back); with them, such a job is rolled back to its savepoint and the others go on.
   */
  private async runGroup(client: pg.PoolClient, jobs: Job[], savepoints: boolean, publish: boolean): Promise<Attempt> {
    // The ordering lock first: every later statement of the transaction sees every write
    // committed before it (READ COMMITTED takes a snapshot per statement).
    const [, head] = (await client.query(`BEGIN; SELECT seq FROM log_head WHERE id = 1 FOR UPDATE`)) as unknown as pg.QueryResult<{ seq: number }>[]
    const first = head!.rows[0]!.seq
    const tx = new Tx(client, first)
    const results: { ok: boolean; value: unknown }[] = []
    for (let i = 0; i < jobs.length; i++) {
      const mark = tx.mark()
      if (savepoints) await client.query(i === 0 ? 'SAVEPOINT job' : 'RELEASE SAVEPOINT job; SAVEPOINT job')
      try {
        const value = await jobs[i]!.run(tx)
        if (failed(value) && tx.wroteSince(mark)) {
          if (!savepoints) return { retry: true, tx, first, results }
          await client.query('ROLLBACK TO SAVEPOINT job')
          tx.reset(mark)
        }
        results.push({ ok: true, value })
      } catch (error) {
        if (!savepoints) return { retry: true, tx, first, results }
        // The job's own failure (a constraint, a bad value): it alone is undone.
        await client.query('ROLLBACK TO SAVEPOINT job')
        tx.reset(mark)
        results.push({ ok: false, value: error })
      }
    }
    // The head, the notification (or the unpublished range) and COMMIT in one round trip: integers
    // this process computed, written into the text (no parameters: the simple protocol, which
    // takes several statements). A failing statement skips the rest, COMMIT included.
    const last = tx.seq
    if (last > first) {
      const then = publish ? `SELECT pg_notify('${LOG_CHANNEL}', '${last}')` : `INSERT INTO unpublished (first_seq, last_seq) VALUES (${first + 1}, ${last})`
      await client.query(`UPDATE log_head SET seq = ${last} WHERE id = 1; ${then}; COMMIT`)
    } else {
      await client.query('COMMIT')
    }
    return { retry: false, tx, first, results }
  }

  // ---- the follower ---------------------------------------------------------------------------

  onCommit(listener: (events: LiveEvent[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * This process committed (first, last]: when everything before it is delivered and no read is in
   * flight, its events go out from memory at once (the lock ordered every lower seq before it);
   * otherwise the follower reads them from the log. Resolves once they are delivered.
   */
  private async published(first: number, last: number, events: LiveEvent[]): Promise<void> {
    if (!this.reading && this.delivered === first) {
      this.deliver(events, last)
      return
    }
    const reached = this.until(last)
    this.pump()
    await reached
  }

  private skipped(first: number, last: number): void {
    if (!this.reading && this.delivered === first - 1) this.deliver([], last)
    else this.skips.set(first, last)
  }

  private until(seq: number): Promise<void> {
    if (this.delivered >= seq) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ seq, resolve }))
  }

  private deliver(events: LiveEvent[], upTo: number): void {
    this.delivered = upTo
    if (events.length > 0) {
      for (const listener of this.listeners) {
        try {
          listener(events)
        } catch (error) {
          // A listener's failure is its own: the others and the writer go on.
          console.error('outpost: an onCommit listener failed', error)
        }
      }
    }
    if (this.waiters.length > 0) {
      const still: typeof this.waiters = []
      for (const w of this.waiters) (w.seq <= upTo ? w.resolve : () => still.push(w))()
      this.waiters = still
    }
  }

  /** Reads the log after `delivered` until it is empty; one read at a time. */
  pump(): void {
    if (this.closed) return
    if (this.reading) {
      this.readAgain = true
      return
    }
    this.reading = true
    void this.readLoop()
  }

  private async readLoop(): Promise<void> {
    try {
      do {
        this.readAgain = false
        for (;;) {
          // Jump over an imported range that starts right here.
          for (let last = this.skips.get(this.delivered + 1); last !== undefined; last = this.skips.get(this.delivered + 1)) {
            this.skips.delete(this.delivered + 1)
            this.deliver([], last)
          }
          const after = this.delivered
          const { rows } = await this.pool.query<EventRow>(
            `SELECT seq, type, at, grid_id, data FROM events WHERE seq > $1 ORDER BY seq LIMIT ${FOLLOW_BATCH}`,
            [after],
          )
          if (this.closed) return
          if (rows.length === 0) break
          const lastRead = rows[rows.length - 1]!.seq
          // The ranges importHistory wrote, read after the rows: any import whose rows were read
          // committed before this read began.
          const ranges = (
            await this.pool.query<{ first_seq: number; last_seq: number }>(
              'SELECT first_seq, last_seq FROM unpublished WHERE last_seq > $1 AND first_seq <= $2 ORDER BY first_seq',
              [after, lastRead],
            )
          ).rows
          if (this.closed) return
          const events: LiveEvent[] = []
          let upTo = lastRead
          for (const row of rows) {
            if (ranges.some((r) => row.seq >= r.first_seq && row.seq <= r.last_seq)) continue
            events.push(toLiveEvent(row))
          }
          for (const r of ranges) {
            if (r.last_seq > upTo && r.first_seq <= upTo + 1) upTo = r.last_seq
            else if (r.first_seq > upTo) this.skips.set(r.first_seq, r.last_seq)
          }
          this.deliver(events, upTo)
        }
      } while (this.readAgain)
      this.reading = false
    } catch (error) {
      // The database is away: read again a little later (from `delivered`, skipping nothing).
      this.reading = false
      if (this.closed) return
      console.error(`outpost: reading the log after seq ${this.delivered} failed (${(error as Error).message}); retrying`)
      setTimeout(() => this.pump(), this.retryMs).unref()
    }
  }

  /** Waits for the writes queued so far, then stops following. */
  async close(): Promise<void> {
    if (this.closed) return
    await new Promise((resolve) => setImmediate(resolve))
    await this.writing
    this.closed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    await this.listening?.catch(() => undefined)
    const client = this.listener
    this.listener = undefined
    await client?.end().catch(() => undefined)
    for (const w of this.waiters) w.resolve()
    this.waiters = []
  }
}
