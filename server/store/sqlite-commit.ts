// The group-commit engine of the SQLite store. Writes are queued and committed together once per
// turn of the event loop, each job of a group in one transaction (in a savepoint of its own when one
// fails). A caller's promise resolves only once its commit is durable: by default after an
// fdatasync of the WAL that runs on libuv's thread pool, so the event loop keeps committing while
// the disk works, and one fdatasync covers every commit made before it started. The engine knows
// nothing of the tables: the write projections (sqlite-store.ts) run inside its jobs and push the
// events they append to `pending`. See README.md here for why this is as safe as synchronous=FULL.
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs'
import type Database from 'better-sqlite3'
import type { LiveEvent } from '../../shared/events'
import { BACKSTOP_PAGES, Checkpointer } from './checkpointer'

export type SqliteSync = 'full' | 'full-inline' | 'normal'

/** How commits are made durable and checkpointed. */
export interface DurabilityOptions {
  /**
   * - `full` (default): an acknowledged write survives power loss. SQLite commits without syncing
   *   (synchronous=NORMAL) and the store fdatasyncs the WAL off the event loop before it answers.
   * - `full-inline`: the same promise kept by SQLite itself (synchronous=FULL): the fsync runs inside
   *   COMMIT, on the event loop.
   * - `normal`: nothing is synced at commit; an acknowledged write survives a crash of the process,
   *   not of the machine.
   */
  synchronous?: SqliteSync
  /** How the WAL is made durable in `full` mode (tests inject a slow or failing one). */
  syncWal?: (fd: number) => Promise<void>
  /** The same, on the event loop, for the urgent lane (fdatasyncSync by default). */
  syncWalNow?: (fd: number) => void
  /**
   * Who copies the WAL back into the database: a worker thread (default, for a file in `full` and
   * `normal` modes; see checkpointer.ts), at most every `checkpointIntervalMs`, or SQLite inside
   * COMMIT on the event loop (`sqlite`, and always in `full-inline`).
   */
  checkpoints?: 'worker' | 'sqlite'
  checkpointIntervalMs?: number
}

/** Commits of one event-loop turn (or a history import), waiting to be known durable. */
interface CommitGroup {
  events: LiveEvent[]
  jobs: Job[]
  /** Reads that saw this commit, answered once it is durable. */
  readers: { resolve: () => void; reject: (error: unknown) => void }[]
}

/**
 * An urgent sync on the event loop is worth it only while the disk answers quickly: one that took
 * longer than this sends the urgent lane back to the thread pool for INLINE_BACKOFF_MS, so a
 * stalling disk stalls the event loop once in that time at most, not once per alert. (A pool sync's
 * time cannot tell: its answer waits for the event loop too.)
 */
export const INLINE_SYNC_LIMIT_MS = 20
export const INLINE_BACKOFF_MS = 10_000

/** fdatasyncs of the WAL in flight at once, at most (two gave ~15 % more single-event ingest than one; three no more). */
const CONCURRENT_SYNCS = 2

const fdatasyncAsync = (fd: number) =>
  new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())))

interface Job {
  run: () => unknown
  /** The urgent lane (camera alerts): committed ahead of the other writes of its turn. */
  urgent?: boolean
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  result?: unknown
  error?: unknown
}

export class GroupCommit {
  /** Events written by the transaction in progress, published after COMMIT once durable. */
  pending: LiveEvent[] = []
  /** What the transaction in progress does once it commits (dropped with a job that rolls back). */
  private pendingActions: (() => void)[] = []
  private readonly listeners = new Set<(events: LiveEvent[]) => void>()
  private queue: Job[] = []
  private flushScheduled = false
  private closed = false
  /** A group's jobs in one transaction, wrapped once: better-sqlite3 builds four closures a wrap. */
  private readonly runGroup: (jobs: Job[]) => void
  /** Whether commits wait for an fdatasync of the WAL (`full` mode on a file). */
  private readonly syncsWal: boolean
  /** Descriptors of the WAL not in use by an fdatasync: one each, so each sees every write error. */
  private freeWalFds: number[] = []
  private readonly walFds: number[] = []
  private readonly syncWal: (fd: number) => Promise<void>
  private readonly syncWalNow: (fd: number) => void
  /** The urgent lane's own descriptor of the WAL (see `syncNow`). */
  private urgentFd: number | undefined
  /** Set while an urgent commit is made: its sync is `syncNow`, not one on the thread pool. */
  private syncingInline = false
  /** Until when (performance.now) urgent commits are synced on the pool: a sync was slow. */
  private slowDiskUntil = 0
  /** Committed to the WAL, not yet covered by an fdatasync, oldest first. */
  private unsynced: CommitGroup[] = []
  /** The groups each fdatasync in flight covers (those committed before it started), oldest first. */
  private syncing: CommitGroup[][] = []
  /** Every fdatasync still running, also those whose groups a later one already answered. */
  private readonly running = new Set<Promise<void>>()
  /** Set when an fdatasync failed: nothing committed since the last good one may be on disk. */
  private failure: Error | undefined
  private readonly checkpointer: Checkpointer | undefined

  private readonly db: Database.Database

  /** `journal` is the journal mode the database runs in (an in-memory one has no WAL). */
  constructor(db: Database.Database, journal: string, options: DurabilityOptions) {
    this.db = db
    const sync = options.synchronous ?? 'full'
    this.runGroup = this.db.transaction((jobs: Job[]) => {
      for (const job of jobs) job.result = job.run()
    })
    this.syncWal = options.syncWal ?? fdatasyncAsync
    this.syncWalNow = options.syncWalNow ?? fdatasyncSync
    // An in-memory database has no WAL and nothing to make durable. The WAL file exists from the
    // first read (migrate) and stays, the same file, while this connection is open.
    this.syncsWal = sync === 'full' && journal === 'wal'
    if (this.syncsWal) {
      for (let i = 0; i < CONCURRENT_SYNCS; i++) this.walFds.push(openSync(`${this.db.name}-wal`, 'r+'))
      this.freeWalFds = [...this.walFds]
      this.urgentFd = openSync(`${this.db.name}-wal`, 'r+')
    }
    if (journal === 'wal' && sync !== 'full-inline' && (options.checkpoints ?? 'worker') === 'worker') {
      const autocheckpoint = this.db.pragma('wal_autocheckpoint', { simple: true }) as number
      this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`)
      this.checkpointer = new Checkpointer(this.db.name, {
        minIntervalMs: options.checkpointIntervalMs ?? 200,
        // Without its worker, SQLite checkpoints inside COMMIT again, as often as before.
        onFailure: () => {
          if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${autocheckpoint}`)
        },
      })
    }
  }

  /** Runs `action` once the transaction in progress commits; not if the job that asked rolls back. */
  onceCommitted(action: () => void): void {
    this.pendingActions.push(action)
  }

  /** Queue a write; it runs inside the next group commit, in a savepoint of its own. */
  enqueue<T>(run: () => T, urgent = false): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    if (this.failure) return Promise.reject(this.failure)
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject, urgent })
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  /**
   * Commits the queue. While every fdatasync slot is busy a commit could not be acknowledged any
   * sooner than when one frees, so the queue waits and is committed then, in one transaction: fewer,
   * larger commits (a commit's cost is mostly the pages it writes, and the index pages of a unit are
   * shared by its rows). Urgent writes and `force` commit at once.
   */
  private flush(force = false): void {
    this.flushScheduled = false
    if (!force && this.syncsWal && this.freeWalFds.length === 0 && !this.failure && !this.queue.some((job) => job.urgent)) return
    let jobs = this.queue
    this.queue = []
    if (jobs.length === 0) return
    // The urgent lane: camera alerts commit on their own, ahead of the turn's other writes (a
    // patrol batch of 1,000 pings takes tens of ms), which follow in the next turn; the live bus
    // sends the alerts out as soon as their commit is published.
    if (jobs.some((job) => job.urgent) && jobs.some((job) => !job.urgent)) {
      this.queue = jobs.filter((job) => !job.urgent)
      jobs = jobs.filter((job) => job.urgent)
    }
    if (jobs[0]!.urgent && this.urgentFd !== undefined && performance.now() >= this.slowDiskUntil) {
      this.syncingInline = true
      try {
        this.commit(jobs)
      } finally {
        this.syncingInline = false
      }
      this.syncNow()
    } else {
      this.commit(jobs)
    }
    if (this.queue.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true
      setImmediate(() => this.flush())
    }
  }

  /**
   * One group commit, published and answered once durable. A job that throws must leave nothing,
   * so each would need a savepoint of its own; but jobs report refusals as outcomes, before they
   * write, and throw only on a fault. So the group first runs without savepoints (two statements
   * less per job); if a job throws, that transaction is rolled back and the group runs again with
   * a savepoint per job.
   */
  private commit(jobs: Job[]): void {
    this.pending = []
    this.pendingActions = []
    try {
      this.runGroup(jobs)
      this.groupCommitted(jobs)
      return
    } catch (error) {
      for (const job of jobs) job.result = undefined
      // Alone in its transaction, the job that threw left nothing: no need to run it again.
      if (jobs.length === 1) {
        this.pending = []
        this.pendingActions = []
        jobs[0]!.reject(error)
        return
      }
    }
    this.pending = []
    this.pendingActions = []
    try {
      this.db.transaction(() => {
        for (const job of jobs) {
          const mark = this.pending.length
          const actionMark = this.pendingActions.length
          try {
            // A nested better-sqlite3 transaction is a SAVEPOINT: a job that throws leaves nothing.
            job.result = this.db.transaction(job.run)()
          } catch (error) {
            this.pending.length = mark
            this.pendingActions.length = actionMark
            job.error = error
          }
        }
      })()
    } catch (error) {
      this.pending = []
      this.pendingActions = []
      for (const job of jobs) job.reject(error)
      return
    }
    this.groupCommitted(jobs)
  }

  private groupCommitted(jobs: Job[]): void {
    const events = this.pending
    this.pending = []
    this.actionsCommitted()
    this.committed({ events, jobs, readers: [] })
  }

  private actionsCommitted(): void {
    for (const action of this.pendingActions) action()
    this.pendingActions = []
  }

  /**
   * A commit is in the WAL. Without a WAL to sync it is as durable as it gets: answer now. Otherwise
   * it waits for an fdatasync that starts after it. Every job of the group waits, failed ones and
   * replays too: a replay or a conflict may rest on a row that is not yet durable either.
   */
  private committed(group: CommitGroup): void {
    this.checkpointer?.poke()
    if (this.failure) {
      this.reject(group, this.failure)
      return
    }
    if (!this.syncsWal) {
      this.settle(group)
      return
    }
    this.unsynced.push(group)
    if (!this.syncingInline) this.startSync()
  }

  /**
   * The urgent lane's sync: on the event loop, right after the alert's commit, instead of waiting
   * for a free slot and then for the thread pool's answer to come round the loop (under a busy
   * stream that wait was most of an alert's ingest → screen time). An fdatasync here takes a
   * fraction of a millisecond to a few, and alerts are few (after a slow one, see
   * INLINE_SYNC_LIMIT_MS, the pool takes over for a while). It covers every commit made before it,
   * also those a sync in flight covers (that one, returning, finds them answered): all are answered
   * and published now, oldest first. Its own descriptor keeps the write-error reasoning of
   * `startSync` true.
   */
  private syncNow(): void {
    if (this.urgentFd === undefined || this.failure || this.unsynced.length === 0) return
    const started = performance.now()
    try {
      this.syncWalNow(this.urgentFd)
    } catch (error) {
      this.fail(error)
      return
    }
    this.timed(started)
    const done = [...this.syncing.flat(), ...this.unsynced]
    this.syncing = []
    this.unsynced = []
    for (const group of done) this.settle(group)
  }

  /**
   * An fdatasync for the commits not yet covered, if fewer than `CONCURRENT_SYNCS` run: a commit
   * need not wait for the sync before it to end before its own starts. When one returns, it
   * answers its groups and every older one: they were written before it started, so it flushed
   * them too, or saw their write error (each sync has its own descriptor, and Linux reports a
   * writeback error once to each open file of the inode, so a sync running beside it cannot have
   * taken the report away).
   */
  private startSync(): void {
    if (this.unsynced.length === 0 || this.failure) return
    const fd = this.freeWalFds.pop()
    if (fd === undefined) return
    const groups = this.unsynced
    this.unsynced = []
    this.syncing.push(groups)
    const sync = this.syncWal(fd).then(
      () => {
        this.running.delete(sync)
        this.freeWalFds.push(fd)
        if (this.failure) return
        const i = this.syncing.indexOf(groups)
        const done = i < 0 ? [] : this.syncing.splice(0, i + 1)
        // The next fdatasync starts before this one's answers go out, so the disk keeps working:
        // the writes queued while every slot was busy are committed now and synced with the rest.
        if (this.queue.length > 0 && !this.closed) this.flush()
        this.startSync()
        for (const batch of done) for (const group of batch) this.settle(group)
      },
      (error: unknown) => {
        this.running.delete(sync)
        this.fail(error)
      },
    )
    this.running.add(sync)
  }

  /** The urgent sync that started at `started` has returned: was the disk slow? */
  private timed(started: number): void {
    const now = performance.now()
    if (now - started > INLINE_SYNC_LIMIT_MS) this.slowDiskUntil = now + INLINE_BACKOFF_MS
  }

  /**
   * An fdatasync failed. Linux may already have marked the pages it could not write as clean, so a
   * retry that succeeds would prove nothing: the store stops. The waiting and queued writes fail,
   * none is acknowledged or published, and every later write and read fails until the process
   * restarts and SQLite recovers what really is on disk.
   */
  private fail(cause: unknown): void {
    if (this.failure) return
    this.failure = new Error(`the store could not make its writes durable (fdatasync of the WAL: ${String(cause)}); restart the server`, { cause })
    const groups = [...this.syncing.flat(), ...this.unsynced]
    this.syncing = []
    this.unsynced = []
    // Writes queued for the next commit too: their commit could never be confirmed.
    const queued = this.queue
    this.queue = []
    for (const job of queued) job.reject(this.failure)
    for (const group of groups) this.reject(group, this.failure)
  }

  private reject(group: CommitGroup, error: Error): void {
    for (const job of group.jobs) job.reject(error)
    for (const reader of group.readers) reader.reject(error)
  }

  /** The group is durable: publish its events, then answer its writers and readers. */
  private settle(group: CommitGroup): void {
    if (group.events.length > 0) this.publish(group.events)
    for (const job of group.jobs) {
      if (job.error !== undefined) job.reject(job.error)
      else job.resolve(job.result)
    }
    for (const reader of group.readers) reader.resolve()
  }

  /**
   * `value`, once everything committed so far is durable: a read never hands out state (a seq, a
   * row) that power loss could take back, nor state that is not yet published.
   */
  whenDurable<T>(value: T): Promise<T> {
    if (this.failure) return Promise.reject(this.failure)
    const last = this.unsynced.at(-1) ?? this.syncing.at(-1)?.at(-1)
    if (!last) return Promise.resolve(value)
    return new Promise<T>((resolve, reject) => last.readers.push({ resolve: () => resolve(value), reject }))
  }

  private publish(events: LiveEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events)
      } catch {
        // A failing listener must not undo or hide a commit that callers are about to be told of.
      }
    }
  }

  /**
   * A bulk write (the history import): `run` in one transaction of its own, durable before it
   * returns; it publishes nothing.
   */
  importBatch<T>(run: () => T): T {
    if (this.closed) throw new Error('store is closed')
    if (this.failure) throw this.failure
    this.pending = []
    this.pendingActions = []
    const result = this.db.transaction(run)()
    this.pending = []
    this.actionsCommitted()
    this.committed({ events: [], jobs: [], readers: [] })
    return result
  }

  onCommit(listener: (events: LiveEvent[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Commits what is queued, waits until it is durable, and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return
    // Commit what callers are waiting for, and let it become durable, before the file closes.
    while (this.queue.length > 0) this.flush(true)
    this.closed = true
    await this.whenDurable(undefined).catch(() => undefined)
    await Promise.allSettled([...this.running])
    this.listeners.clear()
    await this.checkpointer?.close()
    this.db.close()
    for (const fd of this.walFds) closeSync(fd)
    this.walFds.length = 0
    if (this.urgentFd !== undefined) closeSync(this.urgentFd)
    this.urgentFd = undefined
    this.freeWalFds = []
  }
}
