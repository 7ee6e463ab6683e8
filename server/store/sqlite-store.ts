// SQLite engine (better-sqlite3, WAL). Writes are queued and committed together once per turn of
// the event loop (group commit). A caller's promise resolves only once its commit is durable: by
// default after an fdatasync of the WAL that runs on libuv's thread pool, so the event loop keeps
// committing while the disk works, and one fdatasync covers every commit made before it started.
// See README.md here for why that is as safe as synchronous=FULL.
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs'
import Database from 'better-sqlite3'
import { allowedNextStages, type Satisfaction, type Stage, type TransitionStage, type UnitLevel } from '../../shared/domain'
import type { LiveEvent, LiveSnapshot, OpenAlert, OpenRequest, UnsequencedEvent, WorkerPosition } from '../../shared/events'
import type { RequestDetail, StageRecord } from '../../shared/schemas/requests'
import { maskName, maskPhone } from '../../shared/privacy'
import type { AlertFacts, RequestFacts } from '../../shared/metrics'
import type { UnitRef } from '../geo/geography'
import type {
  AlertState,
  CreatedReply,
  EventsAfter,
  GeographyRecord,
  HistoryOp,
  NewAlert,
  NewAlertReview,
  NewPing,
  NewRequest,
  NewTransition,
  Outcome,
  NewActivity,
  PatrolFact,
  PlacedRequestFacts,
  RequestSummary,
  ReviewedReply,
  Store,
  StoreFailure,
  TransitionedReply,
} from './types'
import { MIGRATIONS, REQUEST_EVENT, SCHEMA_SQL, SCHEMA_VERSION } from './sqlite-schema'
import { BACKSTOP_PAGES, Checkpointer } from './checkpointer'

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for tests. */
  filename: string
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

export type SqliteSync = 'full' | 'full-inline' | 'normal'

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

interface EventRow {
  seq: number
  type: LiveEvent['type']
  at: number
  grid_id: string
  data: string
}

interface RequestRow {
  id: string
  source: RequestDetail['source']
  category: RequestDetail['category']
  priority: RequestDetail['priority']
  lon: number
  lat: number
  grid_id: string
  community_id: string
  street_id: string
  district_id: string
  received_at: number
  description: string | null
  reporter_name: string | null
  reporter_phone: string | null
  stage: Stage
  stage_at: number
  created_seq: number
  fingerprint: string
}

interface AlertRow {
  id: string
  camera_id: string
  kind: OpenAlert['kind']
  confidence: number
  lon: number
  lat: number
  grid_id: string
  community_id: string
  street_id: string
  district_id: string
  at: number
  verdict: ReviewedReply['verdict'] | null
  reviewed_at: number | null
  review_seq: number | null
  request_id: string | null
  created_seq: number
  fingerprint: string
}

const UNIT_COLUMN = { district: 'district_id', street: 'street_id', community: 'community_id', grid: 'grid_id' } as const

export class SqliteStore implements Store {
  readonly engine = 'sqlite'
  private readonly db: Database.Database
  private readonly listeners = new Set<(events: LiveEvent[]) => void>()
  private queue: Job[] = []
  private flushScheduled = false
  /** Events written by the transaction in progress, published after COMMIT. */
  private pending: LiveEvent[] = []
  /** Rows the transaction in progress added to `grids` ([grid, community]), known once it commits. */
  private pendingGrids: [string, string][] = []
  private closed = false
  private readonly stmt: ReturnType<SqliteStore['prepare']>
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
  /** The communities of each grid whose row in `grids` is committed (normally one). */
  private readonly knownGrids = new Map<string, string[]>()

  constructor(options: SqliteStoreOptions) {
    const sync = options.synchronous ?? 'full'
    this.db = new Database(options.filename)
    const journal = this.db.pragma('journal_mode = WAL', { simple: true })
    this.db.pragma(`synchronous = ${sync === 'full-inline' ? 'FULL' : 'NORMAL'}`)
    this.db.pragma('busy_timeout = 5000')
    this.migrate()
    this.stmt = this.prepare()
    this.runGroup = this.db.transaction((jobs: Job[]) => {
      for (const job of jobs) job.result = job.run()
    })
    for (const row of this.db.prepare(`SELECT grid_id, community_id FROM grids`).all() as { grid_id: string; community_id: string }[]) {
      this.gridKnown(row.grid_id, row.community_id)
    }
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

  private migrate(): void {
    let version = this.db.pragma('user_version', { simple: true }) as number
    if (version > SCHEMA_VERSION) throw new Error(`data file has schema version ${version}; this build knows ${SCHEMA_VERSION}`)
    if (version === 0) {
      this.db.transaction(() => {
        this.db.exec(SCHEMA_SQL)
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`)
      })()
      return
    }
    for (; version < SCHEMA_VERSION; version++) {
      const next = version + 1
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version]!)
        this.db.pragma(`user_version = ${next}`)
      })()
    }
  }

  private prepare() {
    const db = this.db
    return {
      // Positional parameters on the statements every ping and request runs: binding by name
      // costs better-sqlite3 about 5 µs more per row.
      insertEvent: db.prepare(
        `INSERT INTO events (type, entity_id, at, district_id, street_id, community_id, grid_id, data, private)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      lastSeq: db.prepare(`SELECT coalesce(max(seq), 0) AS seq FROM events`).pluck(),
      getRequest: db.prepare(`SELECT * FROM requests WHERE id = ?`),
      insertRequest: db.prepare(
        `INSERT INTO requests (id, source, category, priority, lon, lat, district_id, street_id, community_id, grid_id,
           received_at, description, reporter_name, reporter_phone, stage, stage_at, created_seq, fingerprint)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?)`,
      ),
      requestState: db.prepare(
        `SELECT id, stage, stage_at, district_id, street_id, community_id, grid_id, last_seq, last_fingerprint FROM requests WHERE id = ?`,
      ),
      updateRequestStage: db.prepare(`UPDATE requests SET stage = ?, stage_at = ?, last_seq = ?, last_fingerprint = ? WHERE id = ?`),
      requestEvents: db.prepare(`SELECT seq, type, at, data, private FROM events WHERE entity_id = ? AND ${REQUEST_EVENT} ORDER BY seq`),
      addGrid: db.prepare(`INSERT OR IGNORE INTO grids (grid_id, community_id) VALUES (?, ?)`),
      communitiesOfGrid: db.prepare(`SELECT community_id FROM grids WHERE grid_id = ?`).pluck(),
      getAlert: db.prepare(`SELECT * FROM alerts WHERE id = ?`),
      insertAlert: db.prepare(
        `INSERT INTO alerts (id, camera_id, kind, confidence, lon, lat, district_id, street_id, community_id, grid_id,
           at, snapshot_url, created_seq, fingerprint)
         VALUES (@id, @cameraId, @kind, @confidence, @lon, @lat, @districtId, @streetId, @communityId, @gridId,
           @at, @snapshotUrl, @seq, @fingerprint)`,
      ),
      reviewAlert: db.prepare(`UPDATE alerts SET verdict = ?, reviewed_at = ?, review_seq = ?, request_id = ? WHERE id = ?`),
      upsertWorker: db.prepare(
        `INSERT INTO workers (worker_id, kind, lon, lat, district_id, street_id, community_id, grid_id, at, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (worker_id) DO UPDATE SET kind = excluded.kind, lon = excluded.lon, lat = excluded.lat,
           district_id = excluded.district_id, street_id = excluded.street_id, community_id = excluded.community_id,
           grid_id = excluded.grid_id, at = excluded.at, seq = excluded.seq
         WHERE excluded.at >= workers.at`,
      ),
    }
  }

  // ---- writes ---------------------------------------------------------------------------------

  /** Queue a write; it runs inside the next group commit, in a savepoint of its own. */
  private enqueue<T>(run: () => T, urgent = false): Promise<T> {
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
    this.pendingGrids = []
    try {
      this.runGroup(jobs)
      this.groupCommitted(jobs)
      return
    } catch (error) {
      for (const job of jobs) job.result = undefined
      // Alone in its transaction, the job that threw left nothing: no need to run it again.
      if (jobs.length === 1) {
        this.pending = []
        this.pendingGrids = []
        jobs[0]!.reject(error)
        return
      }
    }
    this.pending = []
    this.pendingGrids = []
    try {
      this.db.transaction(() => {
        for (const job of jobs) {
          const mark = this.pending.length
          const gridMark = this.pendingGrids.length
          try {
            // A nested better-sqlite3 transaction is a SAVEPOINT: a job that throws leaves nothing.
            job.result = this.db.transaction(job.run)()
          } catch (error) {
            this.pending.length = mark
            this.pendingGrids.length = gridMark
            job.error = error
          }
        }
      })()
    } catch (error) {
      this.pending = []
      this.pendingGrids = []
      for (const job of jobs) job.reject(error)
      return
    }
    this.groupCommitted(jobs)
  }

  private groupCommitted(jobs: Job[]): void {
    const events = this.pending
    this.pending = []
    this.gridsCommitted()
    this.committed({ events, jobs, readers: [] })
  }

  private gridsCommitted(): void {
    for (const [grid, community] of this.pendingGrids) this.gridKnown(grid, community)
    this.pendingGrids = []
  }

  private gridKnown(grid: string, community: string): void {
    const communities = this.knownGrids.get(grid)
    if (!communities) this.knownGrids.set(grid, [community])
    else if (!communities.includes(community)) communities.push(community)
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
  private whenDurable<T>(value: T): Promise<T> {
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

  private append(event: UnsequencedEvent, path: NewRequest['path'], entityId: string, privateData?: unknown): number {
    const { type, at, gridId: _gridId, ...rest } = event
    const seq = this.insertEvent(type, entityId, at, path, JSON.stringify(rest), privateData === undefined ? null : JSON.stringify(privateData))
    this.pending.push({ ...event, seq } as LiveEvent)
    return seq
  }

  /** One row of the log; `data` is the event less type, at and gridId, as JSON. Returns its seq. */
  private insertEvent(type: LiveEvent['type'], entityId: string, at: number, path: NewRequest['path'], data: string, privateJson: string | null): number {
    if (!this.knownGrids.get(path.gridId)?.includes(path.communityId)) {
      this.stmt.addGrid.run(path.gridId, path.communityId)
      this.pendingGrids.push([path.gridId, path.communityId])
    }
    const info = this.stmt.insertEvent.run(type, entityId, at, path.districtId, path.streetId, path.communityId, path.gridId, data, privateJson)
    return Number(info.lastInsertRowid)
  }

  createRequest(request: NewRequest): Promise<Outcome<CreatedReply>> {
    return this.enqueue(() => this.applyCreateRequest(request))
  }

  transitionRequest(transition: NewTransition): Promise<Outcome<TransitionedReply>> {
    return this.enqueue(() => this.applyTransition(transition))
  }

  createAlert(alert: NewAlert): Promise<Outcome<CreatedReply>> {
    return this.enqueue(() => this.applyCreateAlert(alert), true)
  }

  reviewAlert(review: NewAlertReview): Promise<Outcome<ReviewedReply>> {
    return this.enqueue(() => this.applyReview(review))
  }

  appendPings(pings: NewPing[]): Promise<{ accepted: number; seq: number }> {
    return this.enqueue(() => this.applyPings(pings))
  }

  async importHistory(ops: HistoryOp[]): Promise<{ applied: number; rejected: number; seq: number }> {
    if (this.closed) throw new Error('store is closed')
    let applied = 0
    let rejected = 0
    if (this.failure) throw this.failure
    this.pending = []
    this.pendingGrids = []
    this.db.transaction(() => {
      for (const op of ops) {
        const outcome = this.applyOp(op)
        if (outcome) applied++
        else rejected++
      }
    })()
    this.pending = []
    this.gridsCommitted()
    // Durable before it resolves, like any write; it publishes nothing.
    this.committed({ events: [], jobs: [], readers: [] })
    return { applied, rejected, seq: await this.lastSeq() }
  }

  private applyOp(op: HistoryOp): boolean {
    switch (op.op) {
      case 'request':
        return this.applyCreateRequest(op.request).ok
      case 'transition':
        return this.applyTransition(op.transition).ok
      case 'alert':
        return this.applyCreateAlert(op.alert).ok
      case 'review':
        return this.applyReview(op.review).ok
      case 'pings':
        this.applyPings(op.pings)
        return true
      case 'activity':
        return this.applyActivity(op.activity).ok
    }
  }

  private applyCreateRequest(r: NewRequest): Outcome<CreatedReply> {
    // An id the server made (no fingerprint) is new: not looked up. Were it there all the same, the
    // primary key would refuse the insert, and the write fail alone (see commit).
    if (r.fingerprint !== '') {
      const existing = this.stmt.getRequest.get(r.id) as RequestRow | undefined
      if (existing) return this.replayOrConflict(existing, r.fingerprint, 'request')
    }
    // The single-event hot path: the event's data (what `append` would write: the event less type,
    // at and gridId, keys in the same order) from a literal, without copying the event twice.
    const data = { requestId: r.id, source: r.source, category: r.category, priority: r.priority, lon: r.lon, lat: r.lat }
    const privateJson = r.description || r.reporter ? JSON.stringify({ description: r.description, reporter: r.reporter }) : null
    const seq = this.insertEvent('request.received', r.id, r.receivedAt, r.path, JSON.stringify(data), privateJson)
    this.pending.push({
      type: 'request.received',
      at: r.receivedAt,
      gridId: r.path.gridId,
      requestId: r.id,
      source: r.source,
      category: r.category,
      priority: r.priority,
      lon: r.lon,
      lat: r.lat,
      seq,
    })
    const { districtId, streetId, communityId, gridId } = r.path
    this.stmt.insertRequest.run(
      r.id,
      r.source,
      r.category,
      r.priority,
      r.lon,
      r.lat,
      districtId,
      streetId,
      communityId,
      gridId,
      r.receivedAt,
      r.description ?? null,
      r.reporter?.name ?? null,
      r.reporter?.phone ?? null,
      r.receivedAt,
      seq,
      r.fingerprint,
    )
    return { ok: true, replayed: false, value: { id: r.id, seq, gridId: r.path.gridId } }
  }

  private replayOrConflict(row: { id: string; created_seq: number; grid_id: string; fingerprint: string }, fingerprint: string, what: string): Outcome<CreatedReply> {
    if (row.fingerprint !== fingerprint) {
      return { ok: false, code: 'conflict', message: `${what} ${row.id} already exists with a different body` }
    }
    return { ok: true, replayed: true, value: { id: row.id, seq: row.created_seq, gridId: row.grid_id } }
  }

  private applyTransition(t: NewTransition): Outcome<TransitionedReply> {
    const row = this.stmt.requestState.get(t.requestId) as
      | (Pick<RequestRow, 'id' | 'stage' | 'stage_at' | 'district_id' | 'street_id' | 'community_id' | 'grid_id'> & {
          last_seq: number | null
          last_fingerprint: string | null
        })
      | undefined
    if (!row) return { ok: false, code: 'not_found', message: `request ${t.requestId} not found` }
    if (row.last_seq !== null && row.last_fingerprint === t.fingerprint) {
      return { ok: true, replayed: true, value: { id: row.id, seq: row.last_seq, stage: row.stage as TransitionStage } }
    }
    const allowed = allowedNextStages(row.stage)
    if (!allowed.includes(t.stage)) {
      return invalidTransition(row.stage, t.stage, allowed)
    }
    if (t.at < row.stage_at) {
      return {
        ok: false,
        code: 'conflict',
        message: `at ${new Date(t.at).toISOString()} is before the current stage ${row.stage} at ${new Date(row.stage_at).toISOString()}`,
      }
    }
    const path = pathOf(row)
    const seq = this.append(
      {
        type: 'request.transitioned',
        at: t.at,
        gridId: row.grid_id,
        requestId: row.id,
        stage: t.stage,
        ...(t.assignee !== undefined ? { assignee: t.assignee } : {}),
        ...(t.review ? { resolved: t.review.resolved, satisfaction: t.review.satisfaction } : {}),
      },
      path,
      row.id,
      t.note !== undefined ? { note: t.note } : undefined,
    )
    this.stmt.updateRequestStage.run(t.stage, t.at, seq, t.fingerprint, row.id)
    return { ok: true, replayed: false, value: { id: row.id, seq, stage: t.stage } }
  }

  private applyCreateAlert(a: NewAlert): Outcome<CreatedReply> {
    const existing = this.stmt.getAlert.get(a.id) as AlertRow | undefined
    if (existing) return this.replayOrConflict(existing, a.fingerprint, 'alert')
    const seq = this.append(
      {
        type: 'alert.raised',
        at: a.at,
        gridId: a.path.gridId,
        alertId: a.id,
        cameraId: a.cameraId,
        kind: a.kind,
        confidence: a.confidence,
        lon: a.lon,
        lat: a.lat,
      },
      a.path,
      a.id,
    )
    this.stmt.insertAlert.run({ ...a, ...a.path, snapshotUrl: a.snapshotUrl ?? null, seq })
    return { ok: true, replayed: false, value: { id: a.id, seq, gridId: a.path.gridId } }
  }

  private applyReview(r: NewAlertReview): Outcome<ReviewedReply> {
    const row = this.stmt.getAlert.get(r.alertId) as AlertRow | undefined
    if (!row) return { ok: false, code: 'not_found', message: `alert ${r.alertId} not found` }
    if (row.verdict !== null) {
      if (row.verdict === r.verdict && (r.raise === undefined || row.request_id !== null)) {
        return {
          ok: true,
          replayed: true,
          value: { id: row.id, seq: row.review_seq!, verdict: row.verdict, ...(row.request_id ? { requestId: row.request_id } : {}) },
        }
      }
      return { ok: false, code: 'conflict', message: `alert ${row.id} was already reviewed as ${row.verdict}` }
    }
    if (r.at < row.at) {
      return { ok: false, code: 'conflict', message: `at ${new Date(r.at).toISOString()} is before the alert (${new Date(row.at).toISOString()})` }
    }
    const path = pathOf(row)
    let requestId: string | undefined
    if (r.raise && r.verdict === 'confirmed') {
      const raised = this.applyCreateRequest({
        id: r.raise.requestId,
        fingerprint: `alert:${row.id}`,
        source: 'camera',
        category: r.raise.category,
        priority: r.raise.priority,
        lon: row.lon,
        lat: row.lat,
        path,
        receivedAt: r.at,
      })
      if (!raised.ok) return raised
      requestId = raised.value.id
    }
    const seq = this.append(
      { type: 'alert.reviewed', at: r.at, gridId: row.grid_id, alertId: row.id, verdict: r.verdict, ...(requestId ? { requestId } : {}) },
      path,
      row.id,
    )
    this.stmt.reviewAlert.run(r.verdict, r.at, seq, requestId ?? null, row.id)
    return { ok: true, replayed: false, value: { id: row.id, seq, verdict: r.verdict, ...(requestId ? { requestId } : {}) } }
  }

  recordActivity(activity: NewActivity): Promise<Outcome<{ id: string }>> {
    return this.enqueue(() => this.applyActivity(activity))
  }

  private applyActivity(a: NewActivity): Outcome<{ id: string }> {
    const existing = this.db.prepare(`SELECT fingerprint FROM activities WHERE id = ?`).get(a.id) as { fingerprint: string } | undefined
    if (existing) {
      return existing.fingerprint === a.fingerprint
        ? { ok: true, replayed: true, value: { id: a.id } }
        : { ok: false, code: 'conflict', message: `activity ${a.id} already exists with a different body` }
    }
    this.db
      .prepare(
        `INSERT INTO activities (id, team, kind, unit_id, district_id, street_id, community_id, at, participants, fingerprint)
         VALUES (@id, @team, @kind, @unitId, @districtId, @streetId, @communityId, @at, @participants, @fingerprint)`,
      )
      .run(a)
    return { ok: true, replayed: false, value: { id: a.id } }
  }

  async activityTotals(unit: UnitRef, from: number, to: number): Promise<{ kind: string; activities: number; participants: number }[]> {
    if (unit.level === 'grid') return []
    const totals = this.db
      .prepare(
        `SELECT kind, count(*) AS activities, sum(participants) AS participants FROM activities
         WHERE ${UNIT_COLUMN[unit.level]} = ? AND at >= ? AND at < ? GROUP BY kind ORDER BY kind`,
      )
      .all(unit.id, from, to) as { kind: string; activities: number; participants: number }[]
    return this.whenDurable(totals)
  }

  private applyPings(pings: NewPing[]): { accepted: number; seq: number } {
    const seqs = new Array<number>(pings.length)
    // Each worker's latest ping of the batch (the later one on a tie, as row-by-row upserts would
    // leave it): the workers row is written once per worker, not once per ping.
    const latest = new Map<string, number>()
    for (let i = 0; i < pings.length; i++) {
      const p = pings[i]!
      // The data column written directly: the hot path of bulk ingest, run a thousand times a batch.
      const data = `{"workerId":${JSON.stringify(p.workerId)},"kind":${JSON.stringify(p.kind)},"lon":${p.lon},"lat":${p.lat}}`
      const seq = this.insertEvent('patrol.reported', p.workerId, p.at, p.path, data, null)
      seqs[i] = seq
      this.pending.push({ type: 'patrol.reported', at: p.at, gridId: p.path.gridId, workerId: p.workerId, kind: p.kind, lon: p.lon, lat: p.lat, seq })
      const best = latest.get(p.workerId)
      if (best === undefined || p.at >= pings[best]!.at) latest.set(p.workerId, i)
    }
    for (const i of latest.values()) {
      const p = pings[i]!
      const { districtId, streetId, communityId, gridId } = p.path
      this.stmt.upsertWorker.run(p.workerId, p.kind, p.lon, p.lat, districtId, streetId, communityId, gridId, p.at, seqs[i])
    }
    return { accepted: pings.length, seq: seqs[pings.length - 1] ?? 0 }
  }


  // ---- reads ----------------------------------------------------------------------------------

  async lastSeq(): Promise<number> {
    return this.whenDurable(this.stmt.lastSeq.get() as number)
  }

  async getRequest(id: string, options: { reveal?: boolean } = {}): Promise<RequestDetail | undefined> {
    const row = this.stmt.getRequest.get(id) as RequestRow | undefined
    if (!row) return undefined
    const events = this.stmt.requestEvents.all(id) as (EventRow & { private: string | null })[]
    const stages: StageRecord[] = events.map((e) => {
      const data = JSON.parse(e.data) as Record<string, unknown>
      const priv = e.private ? (JSON.parse(e.private) as { note?: string }) : {}
      const record: StageRecord = {
        seq: e.seq,
        stage: e.type === 'request.received' ? 'received' : (data.stage as Stage),
        at: new Date(e.at).toISOString(),
      }
      if (typeof data.assignee === 'string') record.assignee = data.assignee
      if (priv.note !== undefined) record.note = priv.note
      if (typeof data.resolved === 'boolean') record.review = { resolved: data.resolved, satisfaction: data.satisfaction as never }
      return record
    })
    const reporter = reporterOf(row, options.reveal ?? false)
    const detail: RequestDetail = {
      id: row.id,
      source: row.source,
      category: row.category,
      priority: row.priority,
      location: { lon: row.lon, lat: row.lat },
      gridId: row.grid_id,
      communityId: row.community_id,
      streetId: row.street_id,
      receivedAt: new Date(row.received_at).toISOString(),
      stage: row.stage,
      ...(row.description !== null ? { description: row.description } : {}),
      ...(reporter ? { reporter } : {}),
      stages,
    }
    return this.whenDurable(detail)
  }

  async listRequests(unit: UnitRef, options: { openOnly: boolean; from: number; limit: number }): Promise<RequestSummary[]> {
    const where = this.unitWhere(unit)
    const rows = this.db
      .prepare(
        `SELECT id, grid_id, source, category, priority, stage, stage_at, received_at, reporter_name, reporter_phone FROM requests
         WHERE ${where.sql} AND received_at >= ? ${options.openOnly ? "AND stage NOT IN ('resolved', 'reviewed')" : ''}
         ORDER BY received_at, id LIMIT ?`,
      )
      .all(...where.params, options.from, options.limit) as RequestRow[]
    const summaries = rows.map((r): RequestSummary => {
      const reporter = reporterOf(r, false)
      return {
        id: r.id,
        gridId: r.grid_id,
        source: r.source,
        category: r.category,
        priority: r.priority,
        stage: r.stage,
        stageAt: r.stage_at,
        receivedAt: r.received_at,
        ...(reporter ? { reporter } : {}),
      }
    })
    return this.whenDurable(summaries)
  }

  async listAlerts(unit: UnitRef, options: { from: number; to: number; openOnly: boolean; limit: number }): Promise<AlertState[]> {
    const where = this.unitWhere(unit)
    const rows = this.db
      .prepare(
        `SELECT * FROM alerts WHERE ${where.sql} AND at >= ? AND at < ? ${options.openOnly ? 'AND verdict IS NULL' : ''}
         ORDER BY at DESC, id LIMIT ?`,
      )
      .all(...where.params, options.from, options.to, options.limit) as AlertRow[]
    return this.whenDurable(rows.map((row) => ({ ...toOpenAlert(row), verdict: row.verdict, requestId: row.request_id })))
  }

  async getAlert(id: string): Promise<AlertState | undefined> {
    const row = this.stmt.getAlert.get(id) as AlertRow | undefined
    return this.whenDurable(row ? { ...toOpenAlert(row), verdict: row.verdict, requestId: row.request_id } : undefined)
  }

  async requestsReceived(unit: UnitRef, from: number, to: number): Promise<RequestFacts[]> {
    const where = this.unitWhere(unit)
    return this.whenDurable(this.requestFacts(`${where.sql} AND received_at >= ? AND received_at < ?`, [...where.params, from, to]))
  }

  async openRequests(unit: UnitRef): Promise<PlacedRequestFacts[]> {
    const where = this.unitWhere(unit)
    return this.whenDurable(this.requestFacts(`${where.sql} AND stage NOT IN ('resolved', 'reviewed')`, where.params, true) as PlacedRequestFacts[])
  }

  /** Requests matching `where`, with their transitions read in one pass over the log (and places if asked). */
  private requestFacts(where: string, params: unknown[], placed = false): RequestFacts[] {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare(`SELECT id, source, category, priority, grid_id, received_at, lon, lat FROM requests WHERE ${where} ORDER BY received_at, id`)
        .all(...params) as RequestRow[]
      const facts = new Map<string, RequestFacts>()
      for (const row of rows) {
        facts.set(row.id, {
          id: row.id,
          source: row.source,
          category: row.category,
          priority: row.priority,
          gridId: row.grid_id,
          receivedAt: row.received_at,
          stages: [],
          ...(placed ? { lon: row.lon, lat: row.lat } : {}),
        })
      }
      const transitions = this.db
        .prepare(
          `SELECT entity_id, at, data FROM events
           WHERE type = 'request.transitioned' AND ${REQUEST_EVENT} AND entity_id IN (SELECT id FROM requests WHERE ${where}) ORDER BY seq`,
        )
        .all(...params) as { entity_id: string; at: number; data: string }[]
      for (const t of transitions) {
        const d = JSON.parse(t.data) as { stage: TransitionStage; resolved?: boolean; satisfaction?: Satisfaction }
        facts.get(t.entity_id)?.stages.push({
          stage: d.stage,
          at: t.at,
          ...(d.resolved !== undefined ? { resolved: d.resolved } : {}),
          ...(d.satisfaction !== undefined ? { satisfaction: d.satisfaction } : {}),
        })
      }
      return [...facts.values()]
    })()
  }

  async alertsRaised(unit: UnitRef, from: number, to: number): Promise<AlertFacts[]> {
    const where = this.unitWhere(unit)
    const rows = this.db
      .prepare(`SELECT id, kind, grid_id, at, verdict, reviewed_at FROM alerts WHERE ${where.sql} AND at >= ? AND at < ? ORDER BY at, id`)
      .all(...where.params, from, to) as AlertRow[]
    return this.whenDurable(rows.map((a) => ({ id: a.id, kind: a.kind, gridId: a.grid_id, at: a.at, verdict: a.verdict, reviewedAt: a.reviewed_at })))
  }

  async patrolsBetween(unit: UnitRef, from: number, to: number): Promise<PatrolFact[]> {
    const where = this.unitWhere(unit)
    const span = this.seqSpan(unit)
    const rows = this.db
      .prepare(
        `SELECT entity_id, grid_id, at, data FROM events
         WHERE type = 'patrol.reported' AND ${where.sql} AND at >= ? AND at < ? ${span} ORDER BY seq`,
      )
      .all(...where.params, from, to, ...(span ? [from, to, from, to] : [])) as { entity_id: string; grid_id: string; at: number; data: string }[]
    const facts = rows.map((r): PatrolFact => {
      const d = JSON.parse(r.data) as { lon: number; lat: number }
      return { workerId: r.entity_id, gridId: r.grid_id, lon: d.lon, lat: d.lat, at: r.at }
    })
    return this.whenDurable(facts)
  }

  async readLog(afterSeq: number, limit: number): Promise<LiveEvent[]> {
    const rows = this.db
      .prepare(`SELECT seq, type, at, grid_id, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?`)
      .all(afterSeq, limit) as EventRow[]
    return this.whenDurable(rows.map(toLiveEvent))
  }

  async snapshot(unit: UnitRef): Promise<{ seq: number; snapshot: LiveSnapshot }> {
    const where = this.unitWhere(unit)
    // One read transaction: the rows and the seq describe the same instant.
    const result = this.db.transaction(() => {
      const seq = this.stmt.lastSeq.get() as number
      const requests = (
        this.db
          .prepare(
            `SELECT id, grid_id, source, category, priority, lon, lat, received_at, stage, stage_at FROM requests
             WHERE ${where.sql} AND stage NOT IN ('resolved', 'reviewed') ORDER BY received_at`,
          )
          .all(...where.params) as RequestRow[]
      ).map(
        (r): OpenRequest => ({
          requestId: r.id,
          gridId: r.grid_id,
          source: r.source,
          category: r.category,
          priority: r.priority,
          lon: r.lon,
          lat: r.lat,
          receivedAt: r.received_at,
          stage: r.stage,
          stageAt: r.stage_at,
        }),
      )
      const alerts = (
        this.db
          .prepare(`SELECT * FROM alerts WHERE ${where.sql} AND verdict IS NULL ORDER BY at`)
          .all(...where.params) as AlertRow[]
      ).map(toOpenAlert)
      const workers = (
        this.db
          .prepare(`SELECT worker_id, grid_id, kind, lon, lat, at FROM workers WHERE ${where.sql} ORDER BY worker_id`)
          .all(...where.params) as { worker_id: string; grid_id: string; kind: WorkerPosition['kind']; lon: number; lat: number; at: number }[]
      ).map((w): WorkerPosition => ({ workerId: w.worker_id, gridId: w.grid_id, kind: w.kind, lon: w.lon, lat: w.lat, at: w.at }))
      return { seq, snapshot: { requests, alerts, workers } }
    })()
    return this.whenDurable(result)
  }

  async eventsAfter(unit: UnitRef, sinceSeq: number, limit: number, maxBytes = Infinity): Promise<EventsAfter | undefined> {
    const where = this.unitWhere(unit)
    const result = this.db.transaction(() => {
      const seq = this.stmt.lastSeq.get() as number
      // Row by row, stopping at the first row past either bound: a gap too large to replay costs
      // no more reading than the bound, and no row outlives its event.
      const rows = this.db
        .prepare(`SELECT seq, type, at, grid_id, data FROM events WHERE ${where.sql} AND seq > ? ORDER BY seq LIMIT ?`)
        .iterate(...where.params, sinceSeq, limit + 1) as IterableIterator<EventRow>
      const events: LiveEvent[] = []
      let bytes = 0
      for (const row of rows) {
        bytes += eventJsonBytes(row)
        if (events.length === limit || bytes > maxBytes) return undefined
        events.push(toLiveEvent(row))
      }
      return { seq: Math.max(seq, sinceSeq), events }
    })()
    return this.whenDurable(result)
  }

  async firstEventAt(from: number): Promise<number | undefined> {
    // Along the time index: one seek, however long the log.
    const at = this.db.prepare(`SELECT min(at) FROM events WHERE at >= ?`).pluck().get(from) as number | null
    return this.whenDurable(at ?? undefined)
  }

  async eventsBetween(unit: UnitRef, from: number, to: number, limit: number, types?: readonly LiveEvent['type'][]): Promise<LiveEvent[]> {
    const where = this.unitWhere(unit)
    const typeFilter = types && types.length > 0 ? `AND type IN (${types.map(() => '?').join(', ')})` : ''
    const span = this.seqSpan(unit)
    const rows = this.db
      .prepare(`SELECT seq, type, at, grid_id, data FROM events WHERE ${where.sql} AND at >= ? AND at < ? ${span} ${typeFilter} ORDER BY seq LIMIT ?`)
      .all(...where.params, from, to, ...(span ? [from, to, from, to] : []), ...(typeFilter ? types! : []), limit) as EventRow[]
    return this.whenDurable(rows.map(toLiveEvent))
  }

  /**
   * For a time window of a street, community or grid: the seqs of the window's events, from the
   * time index (its parameters: from, to, from, to). The unit indexes are (unit, seq), so without it
   * SQLite reads the unit's whole history and filters on time (a street's day out of 30 days of
   * 3 M events: 367 ms; with the span 83 ms). Exact: every event of the window lies in the span.
   * A district is read along the time index itself.
   */
  private seqSpan(unit: UnitRef): string {
    if (unit.level === 'district') return ''
    return `AND seq BETWEEN (SELECT min(seq) FROM events WHERE at >= ? AND at < ?) AND (SELECT max(seq) FROM events WHERE at >= ? AND at < ?)`
  }

  /**
   * The WHERE term for a unit's rows, with its parameters. A grid has no index of its own: its rows
   * are read along its community's index (from `grids`; normally one community) and filtered.
   */
  private unitWhere(unit: UnitRef): { sql: string; params: string[] } {
    if (unit.level !== 'grid') return { sql: `${UNIT_COLUMN[unit.level]} = ?`, params: [unit.id] }
    const communities = this.stmt.communitiesOfGrid.all(unit.id) as string[]
    return { sql: `community_id IN (${communities.map(() => '?').join(', ')}) AND grid_id = ?`, params: [...communities, unit.id] }
  }

  // ---- the geography record (geography-guard.ts) ----------------------------------------------

  async geographyRecord(): Promise<GeographyRecord | undefined> {
    const record = this.db.transaction(() => {
      const head = this.db.prepare(`SELECT hash, recorded_at FROM geography WHERE id = 1`).get() as { hash: string; recorded_at: number } | undefined
      if (!head) return undefined
      const rows = this.db.prepare(`SELECT unit_id, level, parent_id, name FROM geography_units ORDER BY unit_id`).all() as {
        unit_id: string
        level: UnitLevel
        parent_id: string | null
        name: string
      }[]
      return { hash: head.hash, recordedAt: head.recorded_at, units: rows.map((r) => ({ id: r.unit_id, level: r.level, parentId: r.parent_id, name: r.name })) }
    })()
    return this.whenDurable(record)
  }

  recordGeography(record: GeographyRecord): Promise<void> {
    return this.enqueue(() => {
      this.db.prepare(`DELETE FROM geography_units`).run()
      const insert = this.db.prepare(`INSERT INTO geography_units (unit_id, level, parent_id, name) VALUES (?, ?, ?, ?)`)
      for (const unit of record.units) insert.run(unit.id, unit.level, unit.parentId, unit.name)
      this.db
        .prepare(
          `INSERT INTO geography (id, hash, recorded_at) VALUES (1, ?, ?)
           ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, recorded_at = excluded.recorded_at`,
        )
        .run(record.hash, record.recordedAt)
    })
  }

  /**
   * Streets and communities are counted on their own indexes (index only); a grid along the
   * indexes of the communities `grids` names for it, all of a community's grids in one pass (or in
   * one pass over the log when that reads less); a grid that `grids` does not name has no event at
   * all. A district has no index: its count is the sum of its streets' (see `logStreets`).
   */
  async eventCountsByUnit(units: readonly UnitRef[]): Promise<number[]> {
    const counts = this.db.transaction(() => {
      const result = units.map(() => 0)
      const countStreet = this.db.prepare(`SELECT count(*) FROM events WHERE street_id = ?`).pluck()
      const countCommunity = this.db.prepare(`SELECT count(*) FROM events WHERE community_id = ?`).pluck()
      /** community → grid → the places in `units` that ask for it */
      const gridsByCommunity = new Map<string, Map<string, number[]>>()
      let streets: { streetId: string; districtId: string }[] | undefined
      units.forEach((unit, i) => {
        switch (unit.level) {
          case 'district':
            streets ??= this.logStreets()
            for (const s of streets) if (s.districtId === unit.id) result[i] += countStreet.get(s.streetId) as number
            break
          case 'street':
            result[i] = countStreet.get(unit.id) as number
            break
          case 'community':
            result[i] = countCommunity.get(unit.id) as number
            break
          case 'grid':
            for (const community of this.stmt.communitiesOfGrid.all(unit.id) as string[]) {
              const grids = gridsByCommunity.get(community) ?? new Map<string, number[]>()
              gridsByCommunity.set(community, grids)
              grids.set(unit.id, [...(grids.get(unit.id) ?? []), i])
            }
            break
        }
      })
      if (gridsByCommunity.size === 0) return result
      // Through the community index each row costs a lookup of its own (about 3× a row read in
      // order: a community's rows are spread over the whole log), so when the communities hold more
      // than a third of the log, one pass over the log in order reads less. (seq is the rowid and no
      // row is ever deleted, so the last seq is the number of rows.)
      let inCommunities = 0
      for (const community of gridsByCommunity.keys()) inCommunities += countCommunity.get(community) as number
      const byGrid = new Map<string, number[]>()
      for (const grids of gridsByCommunity.values()) for (const [grid, places] of grids) byGrid.set(grid, places)
      type GridCount = { grid_id: string; n: number }
      const wholeLog = inCommunities * 3 > (this.stmt.lastSeq.get() as number)
      const inCommunity = this.db.prepare(`SELECT grid_id, count(*) AS n FROM events WHERE community_id = ? GROUP BY grid_id`)
      const rows = wholeLog
        ? (this.db.prepare(`SELECT grid_id, count(*) AS n FROM events GROUP BY grid_id`).all() as GridCount[])
        : [...gridsByCommunity.keys()].flatMap((community) => inCommunity.all(community) as GridCount[])
      for (const row of rows) for (const i of byGrid.get(row.grid_id) ?? []) result[i] += row.n
      return result
    })()
    return this.whenDurable(counts)
  }

  async unitsInLog(): Promise<UnitRef[]> {
    const units = this.db.transaction(() => {
      const streets = this.logStreets()
      const refs: UnitRef[] = [...new Set(streets.map((s) => s.districtId))].map((id) => ({ id, level: 'district' }))
      for (const s of streets) refs.push({ id: s.streetId, level: 'street' })
      for (const id of this.db.prepare(`SELECT DISTINCT community_id FROM grids ORDER BY community_id`).pluck().all() as string[]) {
        refs.push({ id, level: 'community' })
      }
      for (const id of this.db.prepare(`SELECT DISTINCT grid_id FROM grids ORDER BY grid_id`).pluck().all() as string[]) {
        refs.push({ id, level: 'grid' })
      }
      return refs
    })()
    return this.whenDurable(units)
  }

  /**
   * The streets the log names, one seek each along the street index (a skip scan), each with the
   * district of its first event. Every event of a street names the same district: a geography has
   * one district, a start whose district replaces one that events name is stopped by the guard, and
   * a store written before the guard knew only the sample. So a district's events are its streets'
   * events, counted on the street index, and no district question reads the whole log.
   */
  private logStreets(): { streetId: string; districtId: string }[] {
    const first = this.db.prepare(`SELECT street_id FROM events ORDER BY street_id LIMIT 1`).pluck()
    const next = this.db.prepare(`SELECT street_id FROM events WHERE street_id > ? ORDER BY street_id LIMIT 1`).pluck()
    const districtOf = this.db.prepare(`SELECT district_id FROM events WHERE street_id = ? ORDER BY seq LIMIT 1`).pluck()
    const streets: { streetId: string; districtId: string }[] = []
    for (let id = first.get() as string | undefined; id !== undefined; id = next.get(id) as string | undefined) {
      streets.push({ streetId: id, districtId: districtOf.get(id) as string })
    }
    return streets
  }

  onCommit(listener: (events: LiveEvent[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

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

/** The reporter as a view may see them: masked (张* / 138****1234) unless revealed to the center. */
function reporterOf(row: { reporter_name: string | null; reporter_phone: string | null }, reveal: boolean): { name?: string; phone?: string } | undefined {
  const reporter: { name?: string; phone?: string } = {}
  if (row.reporter_name) reporter.name = reveal ? row.reporter_name : maskName(row.reporter_name)
  if (row.reporter_phone) reporter.phone = reveal ? row.reporter_phone : maskPhone(row.reporter_phone)
  return reporter.name || reporter.phone ? reporter : undefined
}

function toOpenAlert(a: AlertRow): OpenAlert {
  return { alertId: a.id, gridId: a.grid_id, cameraId: a.camera_id, kind: a.kind, confidence: a.confidence, lon: a.lon, lat: a.lat, at: a.at }
}

function toLiveEvent(row: EventRow): LiveEvent {
  return { seq: row.seq, type: row.type, at: row.at, gridId: row.grid_id, ...JSON.parse(row.data) } as LiveEvent
}

/**
 * The bytes of the event's JSON as it is sent, to within a few: `data` holds every field but the
 * four columns, whose keys and numbers take about 60 bytes besides the type and grid id.
 */
function eventJsonBytes(row: EventRow): number {
  return Buffer.byteLength(row.data) + row.type.length + row.grid_id.length + 60
}

function pathOf(row: { district_id: string; street_id: string; community_id: string; grid_id: string }) {
  return { districtId: row.district_id, streetId: row.street_id, communityId: row.community_id, gridId: row.grid_id }
}

function invalidTransition(current: Stage, wanted: TransitionStage, allowed: readonly TransitionStage[]): StoreFailure {
  return {
    ok: false,
    code: 'invalid_transition',
    current,
    allowed,
    message: `cannot move from ${current} to ${wanted}; allowed next: ${allowed.join(', ') || 'none'}`,
  }
}
