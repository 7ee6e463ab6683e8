import { fstatSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { INLINE_SYNC_LIMIT_MS, SqliteStore } from '../../../server/store/sqlite-store'
import { REQUEST_EVENT, SCHEMA_SQL, SCHEMA_VERSION } from '../../../server/store/sqlite-schema'
import type { NewAlert } from '../../../server/store/types'
import { newRequest, storeContract } from './store-contract'
import { BACK_TO_VERSION_4, backToVersion3, SCHEMA_V3_SQL } from './schema-v3'
import { waitFor } from '../../helpers/wait-for'
import { pointIn, sampleGeography } from '../../helpers/build-app'
import type { LiveEvent } from '../../../shared/events'

storeContract('sqlite (memory)', async () => new SqliteStore({ filename: ':memory:' }))

const dir = mkdtempSync(join(tmpdir(), 'outpost-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
storeContract(
  'sqlite (file, WAL)',
  async () => new SqliteStore({ filename: join(dir, `store-${++n}.db`) }),
  async (previous) => {
    await previous.close()
    return new SqliteStore({ filename: join(dir, `store-${n}.db`) })
  },
)

describe('sqlite engine specifics', () => {
  it('keeps its file in WAL mode, and an acknowledged write is committed for any other reader', async () => {
    const file = join(dir, 'durable.db')
    const store = new SqliteStore({ filename: file })
    try {
      const outcome = await store.createRequest(newRequest('durable-1'))
      expect(outcome.ok).toBe(true)
      // A second connection, as another process would open it: the row is there the moment the
      // promise resolves, so the ack followed the COMMIT.
      const reader = new Database(file, { readonly: true })
      try {
        expect(reader.pragma('journal_mode', { simple: true })).toBe('wal')
        expect(reader.prepare('SELECT id FROM requests').pluck().all()).toEqual(['durable-1'])
        expect(reader.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1)
      } finally {
        reader.close()
      }
    } finally {
      await store.close()
    }
  })
})

/** A WAL sync the test finishes by hand: each call waits until the test resolves or rejects it. */
function manualSync() {
  const calls: { fd: number; done: () => void; fail: (error: Error) => void }[] = []
  const syncWal = (fd: number) => new Promise<void>((done, fail) => calls.push({ fd, done, fail }))
  return { calls, syncWal }
}

/** Reads a promise's state without waiting for it. */
function watch(promise: Promise<unknown>): () => 'pending' | 'resolved' | 'rejected' {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending'
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  )
  return () => state
}

/** Two writes in two turns: each starts a sync, so both slots stay busy until the test ends one. */
async function bothSlotsBusy(store: SqliteStore, prefix: string) {
  const first = [store.createRequest(newRequest(`${prefix}-1`))]
  await turns()
  first.push(store.createRequest(newRequest(`${prefix}-2`)))
  await turns()
  return first
}

/** The ids of the requests and alerts committed to `file`, read by another connection. */
function committedIds(file: string): string[] {
  const reader = new Database(file, { readonly: true })
  try {
    return reader.prepare('SELECT id FROM requests UNION ALL SELECT id FROM alerts').pluck().all() as string[]
  } finally {
    reader.close()
  }
}

/** A camera alert at the same place as `newRequest`'s. */
function newAlert(id: string): NewAlert {
  const { path, lon, lat, receivedAt } = newRequest('x')
  return { id, fingerprint: `fp-${id}`, cameraId: 'cam-1', kind: 'smoke_fire', confidence: 0.9, lon, lat, path, at: receivedAt }
}

/** Lets the group commit (setImmediate) and everything it triggers run. */
async function turns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

describe('sqlite engine: acknowledged only after the WAL is synced (synchronous: full)', () => {
  it('commits, syncs the WAL file itself, and only then answers and publishes', async () => {
    const file = join(dir, 'ack-after-sync.db')
    const { calls, syncWal } = manualSync()
    const store = new SqliteStore({ filename: file, syncWal })
    const published: number[] = []
    store.onCommit((events) => published.push(...events.map((e) => e.seq)))
    const write = store.createRequest(newRequest('wait-1'))
    const state = watch(write)
    await turns()
    expect(calls).toHaveLength(1)
    // The fd the store syncs is the WAL of this database, and the commit is already in it.
    expect(fstatSync(calls[0]!.fd).ino).toBe(statSync(`${file}-wal`).ino)
    const reader = new Database(file, { readonly: true })
    expect(reader.prepare('SELECT id FROM requests').pluck().all()).toEqual(['wait-1'])
    reader.close()
    expect(state()).toBe('pending')
    expect(published).toEqual([])
    calls[0]!.done()
    await expect(write).resolves.toMatchObject({ ok: true, value: { seq: 1 } })
    expect(published).toEqual([1])
    await store.close()
  })

  it('runs two syncs at most, each on its own descriptor; one that returns answers every commit before it', async () => {
    const { calls, syncWal } = manualSync()
    const store = new SqliteStore({ filename: join(dir, 'coalesce.db'), syncWal })
    const published: number[] = []
    store.onCommit((events) => published.push(...events.map((e) => e.seq)))
    const a = store.createRequest(newRequest('c-1'))
    await turns()
    const b = store.createRequest(newRequest('c-2'))
    await turns()
    expect(calls).toHaveLength(2)
    expect(calls[0]!.fd).not.toBe(calls[1]!.fd)
    // Two run: these wait for the next, which covers them both.
    const c = store.createRequest(newRequest('c-3'))
    const d = store.createRequest(newRequest('c-4'))
    const [aState, cState, dState] = [watch(a), watch(c), watch(d)]
    await turns()
    expect(calls).toHaveLength(2)
    // The later sync returns first: it flushed the earlier commit too.
    calls[1]!.done()
    expect(await Promise.all([a, b])).toMatchObject([{ ok: true, value: { seq: 1 } }, { ok: true, value: { seq: 2 } }])
    expect(aState()).toBe('resolved')
    expect(published).toEqual([1, 2])
    await turns()
    expect(calls).toHaveLength(3)
    expect([cState(), dState()]).toEqual(['pending', 'pending'])
    calls[0]!.done()
    await turns()
    expect([cState(), dState()]).toEqual(['pending', 'pending'])
    calls[2]!.done()
    expect(await Promise.all([c, d])).toMatchObject([{ ok: true, value: { seq: 3 } }, { ok: true, value: { seq: 4 } }])
    expect(published).toEqual([1, 2, 3, 4])
    await store.close()
  })

  it('while both syncs run, holds the writes of later turns and commits them together when one returns', async () => {
    const file = join(dir, 'held.db')
    const { calls, syncWal } = manualSync()
    const store = new SqliteStore({ filename: file, syncWal })
    const published: number[][] = []
    store.onCommit((events) => published.push(events.map((e) => e.seq)))
    await bothSlotsBusy(store, 'h')
    expect(calls).toHaveLength(2)
    // Both slots busy: these three turns' writes wait, uncommitted.
    const held = [store.createRequest(newRequest('h-3'))]
    await turns()
    held.push(store.createRequest(newRequest('h-4')))
    await turns()
    held.push(store.createRequest(newRequest('h-5')))
    await turns()
    expect(committedIds(file)).toEqual(['h-1', 'h-2'])
    calls[0]!.done()
    await turns()
    // One commit of the three, synced by the sync that started when the slot freed.
    expect(committedIds(file)).toEqual(['h-1', 'h-2', 'h-3', 'h-4', 'h-5'])
    expect(calls).toHaveLength(3)
    calls[1]!.done()
    calls[2]!.done()
    expect(await Promise.all(held)).toMatchObject([{ value: { seq: 3 } }, { value: { seq: 4 } }, { value: { seq: 5 } }])
    expect(published).toEqual([[1], [2], [3, 4, 5]])
    await store.close()
  })

  it('syncs a camera alert on the event loop, on its own descriptor, and answers it with every commit before it', async () => {
    const file = join(dir, 'urgent.db')
    const { calls, syncWal } = manualSync()
    const now: number[] = []
    const store = new SqliteStore({ filename: file, syncWal, syncWalNow: (fd) => now.push(fd) })
    const published: number[][] = []
    store.onCommit((events) => published.push(events.map((e) => e.seq)))
    const first = await bothSlotsBusy(store, 'u')
    const held = store.createRequest(newRequest('u-3'))
    await turns()
    // Both slots busy, neither sync has returned: the alert does not wait for them.
    const alert = store.createAlert(newAlert('u-alert'))
    await turns()
    expect(now).toHaveLength(1)
    expect(fstatSync(now[0]!).ino).toBe(statSync(`${file}-wal`).ino)
    expect(calls.map((c) => c.fd)).not.toContain(now[0])
    await expect(alert).resolves.toMatchObject({ ok: true, value: { seq: 3 } })
    expect(await Promise.all(first)).toMatchObject([{ value: { seq: 1 } }, { value: { seq: 2 } }])
    // Oldest first (the alert with its alarm); the write held for a slot is not committed yet, so not covered.
    expect(published).toEqual([[1], [2], [3, 4]])
    expect(committedIds(file)).toEqual(['u-1', 'u-2', 'u-alert'])
    // The syncs in flight return and find their commits answered; the held write goes on as usual.
    calls[0]!.done()
    calls[1]!.done()
    await turns()
    expect(calls).toHaveLength(3)
    calls[2]!.done()
    await expect(held).resolves.toMatchObject({ value: { seq: 5 } })
    expect(published).toEqual([[1], [2], [3, 4], [5]])
    await store.close()
  })

  it('after an urgent sync slower than INLINE_SYNC_LIMIT_MS, leaves the next alerts to the thread pool', async () => {
    const { calls, syncWal } = manualSync()
    const now: number[] = []
    const store = new SqliteStore({
      filename: join(dir, 'urgent-slow.db'),
      syncWal,
      syncWalNow: (fd) => {
        now.push(fd)
        // A disk that takes longer than the limit to answer.
        const until = performance.now() + INLINE_SYNC_LIMIT_MS + 2
        while (performance.now() < until);
      },
    })
    const first = store.createAlert(newAlert('slow-1'))
    await expect(first).resolves.toMatchObject({ ok: true })
    expect(now).toHaveLength(1)
    const second = store.createAlert(newAlert('slow-2'))
    await turns()
    // Synced on the pool now: answered only when that sync returns.
    expect(now).toHaveLength(1)
    expect(calls).toHaveLength(1)
    const state = watch(second)
    expect(state()).toBe('pending')
    calls[0]!.done()
    // Seq 2 is the first alert's alarm.
    await expect(second).resolves.toMatchObject({ ok: true, value: { seq: 3 } })
    await store.close()
  })

  it('stops when the urgent sync fails: the alert and the writes waiting with it fail, none is published', async () => {
    const { calls, syncWal } = manualSync()
    const store = new SqliteStore({
      filename: join(dir, 'urgent-fails.db'),
      syncWal,
      syncWalNow: () => {
        throw new Error('EIO: i/o error, fdatasync')
      },
    })
    const published: unknown[] = []
    store.onCommit((events) => published.push(...events))
    const waiting = store.createRequest(newRequest('uf-1'))
    await turns()
    expect(calls).toHaveLength(1)
    const alert = store.createAlert(newAlert('uf-alert'))
    await expect(alert).rejects.toThrow(/could not make its writes durable.*EIO/)
    await expect(waiting).rejects.toThrow(/could not make its writes durable/)
    await expect(store.createRequest(newRequest('uf-2'))).rejects.toThrow(/could not make its writes durable/)
    calls[0]!.done()
    await turns()
    expect(published).toEqual([])
    await store.close()
  })

  it('answers a read only once what it saw is durable', async () => {
    const { calls, syncWal } = manualSync()
    const store = new SqliteStore({ filename: join(dir, 'read-durable.db'), syncWal })
    void store.createRequest(newRequest('r-1'))
    await turns()
    const seq = store.lastSeq()
    const state = watch(seq)
    await turns()
    expect(state()).toBe('pending')
    calls[0]!.done()
    expect(await seq).toBe(1)
    await store.close()
  })

  it('fails the waiting writes when the sync fails, acknowledges and publishes none, and takes no more', async () => {
    const { calls, syncWal } = manualSync()
    const store = new SqliteStore({ filename: join(dir, 'sync-fails.db'), syncWal })
    const published: unknown[] = []
    store.onCommit((events) => published.push(...events))
    const first = store.createRequest(newRequest('f-1'))
    await turns()
    const second = store.createRequest(newRequest('f-2'))
    await turns()
    const third = store.createRequest(newRequest('f-3'))
    await turns()
    // Still in the queue when the sync fails: it must not be committed and left waiting.
    const queued = store.createRequest(newRequest('f-queued'))
    expect(calls).toHaveLength(2)
    calls[0]!.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
    await expect(first).rejects.toThrow(/durable.*EIO/)
    await expect(second).rejects.toThrow(/durable/)
    await expect(third).rejects.toThrow(/durable/)
    await expect(queued).rejects.toThrow(/durable/)
    // The other sync returning fine afterwards changes nothing.
    calls[1]!.done()
    await turns()
    expect(published).toEqual([])
    // The page cache may have dropped what it failed to write: nothing after this is trusted.
    await expect(store.createRequest(newRequest('f-4'))).rejects.toThrow(/restart/)
    await expect(store.lastSeq()).rejects.toThrow(/restart/)
    expect(calls).toHaveLength(2)
    await store.close()
  })

  it('keeps what it acknowledged through a reopen, with the real fdatasync', async () => {
    const file = join(dir, 'reopen-synced.db')
    const store = new SqliteStore({ filename: file })
    const written = await Promise.all([store.createRequest(newRequest('k-1')), store.appendPings([])])
    expect(written[0]).toMatchObject({ ok: true, value: { seq: 1 } })
    await store.close()
    const again = new SqliteStore({ filename: file })
    expect((await again.getRequest('k-1'))?.id).toBe('k-1')
    await again.close()
  })

  it('does not sync at all in full-inline and normal modes, nor for an in-memory database', async () => {
    for (const options of [{ synchronous: 'full-inline' as const }, { synchronous: 'normal' as const }, { memory: true }]) {
      const { calls, syncWal } = manualSync()
      const filename = 'memory' in options ? ':memory:' : join(dir, `no-sync-${options.synchronous}.db`)
      const store = new SqliteStore({ filename, syncWal, ...('memory' in options ? {} : options) })
      await expect(store.createRequest(newRequest('n-1'))).resolves.toMatchObject({ ok: true })
      expect(calls).toHaveLength(0)
      await store.close()
    }
  })
})

describe('sqlite engine: schema', () => {
  it("reads a unit's time window exactly, also events stored late with an earlier time", async () => {
    const store = new SqliteStore({ filename: join(dir, 'window.db'), synchronous: 'normal' })
    const geography = sampleGeography()
    const pathOf = (unit: string) => geography.locate(pointIn(geography, unit))!
    const H = 3600_000
    const T = Date.parse('2026-11-20T00:00:00Z')
    // Hours 0..47 in seq order across two streets, then a ping of hour 5 stored last.
    const pings = Array.from({ length: 48 }, (_, h) => ({ workerId: `w-${h}`, kind: 'ping' as const, lon: 0, lat: 0, path: pathOf(h % 2 ? '640106002' : '640106001'), at: T + h * H }))
    for (const p of pings) await store.appendPings([{ ...p, ...pointIn(geography, p.path.gridId) }])
    await store.appendPings([{ workerId: 'late', kind: 'visit', ...pointIn(geography, '640106001'), path: pathOf('640106001'), at: T + 5 * H + 1 }])
    const all = await store.readLog(0, 1000)
    for (const unit of ['640106001', '640106002', pathOf('640106001').communityId, pathOf('640106001').gridId, '640106']) {
      const ref = geography.ref(unit)!
      for (const [from, to] of [[T + 4 * H, T + 7 * H], [T + 5 * H, T + 5 * H + 2], [T + 40 * H, T + 60 * H], [T - H, T]]) {
        const inUnit = (e: LiveEvent) => geography.pathOf(e.gridId)![`${ref.level}Id` as 'streetId'] === unit
        const expected = all.filter((e) => e.at >= from! && e.at < to! && inUnit(e)).map((e) => e.seq)
        expect((await store.eventsBetween(ref, from!, to!, 1000)).map((e) => e.seq)).toEqual(expected)
        expect((await store.patrolsBetween(ref, from!, to!)).map((p) => p.workerId)).toEqual(all.filter((e) => e.at >= from! && e.at < to! && inUnit(e)).map((e) => (e as { workerId: string }).workerId))
      }
    }
    // The late ping is in its street's window of hour 5, after the hours stored before it.
    expect((await store.eventsBetween(geography.ref('640106001')!, T + 4 * H, T + 7 * H, 1000)).map((e) => e.at - T)).toEqual([4 * H, 6 * H, 5 * H + 1])
    await store.close()
  })

  it('reads a grid along its community, also a grid that a new geography moved to another community', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    const moved = newRequest('moved-2')
    await store.createRequest(newRequest('moved-1'))
    // The same grid, now under another community: both rows must be found by the grid.
    await store.createRequest({ ...moved, path: { ...moved.path, communityId: 'another-community' } })
    await store.createRequest(newRequest('elsewhere', '640106002'))
    const grid = { id: moved.path.gridId, level: 'grid' as const }
    expect((await store.eventsAfter(grid, 0, 10))?.events.map((e) => e.seq)).toEqual([1, 2])
    expect((await store.listRequests(grid, { openOnly: true, from: 0, limit: 10 })).map((r) => r.id)).toEqual(['moved-1', 'moved-2'])
    expect((await store.snapshot(grid)).snapshot.requests).toHaveLength(2)
    expect(await store.eventsAfter({ id: 'grid-with-nothing', level: 'grid' }, 0, 10)).toEqual({ seq: 3, events: [] })
    await store.close()
  })

  it('migrates a version 1 file: drops the grid and entity indexes, keeps every row readable by grid', async () => {
    const file = join(dir, 'version-1.db')
    const store = new SqliteStore({ filename: file, synchronous: 'normal' })
    await store.createRequest(newRequest('v1-a'))
    await store.transitionRequest({ requestId: 'v1-a', fingerprint: 't', stage: 'dispatched', at: Date.parse('2026-11-28T01:05:00Z') })
    const path = newRequest('x').path
    await store.appendPings([{ workerId: 'w-1', kind: 'ping', lon: 106.2, lat: 38.5, path, at: Date.parse('2026-11-28T01:00:00Z') }])
    await store.close()
    // Back to version 1's indexes, as a file written by the previous build has them.
    const raw = new Database(file)
    backToVersion3(raw)
    raw.exec(`
      DROP TABLE grids;
      DROP TABLE geography;
      DROP TABLE geography_units;
      DROP INDEX events_request;
      CREATE INDEX events_grid ON events (grid_id, seq);
      CREATE INDEX events_entity ON events (entity_id, seq);
      CREATE INDEX requests_grid_received ON requests (grid_id, received_at);
      CREATE INDEX requests_open ON requests (stage) WHERE stage NOT IN ('resolved', 'reviewed');
    `)
    raw.pragma('user_version = 1')
    raw.close()

    const migrated = new SqliteStore({ filename: file, synchronous: 'normal' })
    const grid = { id: path.gridId, level: 'grid' as const }
    expect((await migrated.eventsAfter(grid, 0, 10))?.events.map((e) => e.type)).toEqual(['request.received', 'request.transitioned', 'patrol.reported'])
    expect((await migrated.getRequest('v1-a'))?.stages.map((s) => s.stage)).toEqual(['received', 'dispatched'])
    await migrated.close()
    const check = new Database(file, { readonly: true })
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    const indexes = check.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`).pluck().all()
    expect(indexes).not.toContain('events_grid')
    expect(indexes).not.toContain('events_entity')
    expect(indexes).toContain('events_request')
    check.close()
  })

  it('migrates a version 3 file: no actors on old events, the string assignee kept, urges counted from 0, alarms from now on', async () => {
    const file = join(dir, 'version-3.db')
    const r = newRequest('v3-a')
    const { districtId, streetId, communityId, gridId } = r.path
    const raw = new Database(file)
    raw.pragma('journal_mode = WAL')
    raw.exec(SCHEMA_V3_SQL)
    raw.pragma('user_version = 3')
    // What the version 3 build wrote for a request taken in and dispatched to a free-text assignee.
    const event = raw.prepare(
      `INSERT INTO events (type, entity_id, at, district_id, street_id, community_id, grid_id, data, private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const place = [districtId, streetId, communityId, gridId]
    event.run('request.received', r.id, r.receivedAt, ...place, JSON.stringify({ requestId: r.id, source: r.source, category: r.category, priority: 'urgent', lon: r.lon, lat: r.lat }), null)
    event.run('request.transitioned', r.id, r.receivedAt + 1, ...place, JSON.stringify({ requestId: r.id, stage: 'dispatched', assignee: '张师傅' }), JSON.stringify({ note: '尽快' }))
    event.run('request.transitioned', r.id, r.receivedAt + 2, ...place, JSON.stringify({ requestId: r.id, stage: 'accepted' }), null)
    raw.prepare(`INSERT INTO grids (grid_id, community_id) VALUES (?, ?)`).run(gridId, communityId)
    raw
      .prepare(
        `INSERT INTO requests (id, source, category, priority, lon, lat, district_id, street_id, community_id, grid_id, received_at,
           stage, stage_at, created_seq, fingerprint, last_seq, last_fingerprint)
         VALUES (?, ?, ?, 'urgent', ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, 1, ?, 3, 'acc')`,
      )
      .run(r.id, r.source, r.category, r.lon, r.lat, ...place, r.receivedAt, r.receivedAt + 2, r.fingerprint)
    raw.close()

    const store = new SqliteStore({ filename: file, synchronous: 'normal' })
    const detail = await store.getRequest(r.id)
    expect(detail?.stages).toEqual([
      { seq: 1, stage: 'received', at: new Date(r.receivedAt).toISOString() },
      { seq: 2, stage: 'dispatched', at: new Date(r.receivedAt + 1).toISOString(), assignee: '张师傅', note: '尽快' },
      { seq: 3, stage: 'accepted', at: new Date(r.receivedAt + 2).toISOString() },
    ])
    expect(detail?.seq).toBe(3)
    expect(detail?.urges).toEqual([])
    const street = { id: streetId, level: 'street' as const }
    expect(await store.listRequests(street, { openOnly: true, from: 0, limit: 10 })).toEqual([
      expect.objectContaining({ id: r.id, assignee: '张师傅', urges: 0, lon: r.lon, lat: r.lat }),
    ])
    // An urgent request of the old log raised no alarm, and the migration raises none either.
    expect(await store.listAlarms(street, { openOnly: false, limit: 10 })).toEqual([])
    // The old retry is still recognised; the new writes record actors, urges and alarms.
    expect(await store.transitionRequest({ requestId: r.id, fingerprint: 'acc', stage: 'accepted', at: r.receivedAt + 2 })).toMatchObject({ ok: true, replayed: true, value: { seq: 3 } })
    const lead = { kind: 'user' as const, name: 'lead' }
    expect(await store.urgeRequest({ requestId: r.id, at: r.receivedAt + 3, actor: lead })).toMatchObject({ ok: true, value: { seq: 4 } })
    await store.transitionRequest({ requestId: r.id, fingerprint: 'on', stage: 'onsite', at: r.receivedAt + 4, actor: lead })
    expect(await store.raiseAlarm({ id: `overdue:${r.id}`, reason: 'overdue', subjectId: r.id, lon: r.lon, lat: r.lat, path: r.path, at: r.receivedAt + 5 })).toMatchObject({ ok: true, value: { seq: 6 } })
    const after = await store.getRequest(r.id)
    expect(after?.urges).toEqual([{ seq: 4, at: new Date(r.receivedAt + 3).toISOString(), actor: lead }])
    expect(after?.stages.at(-1)).toMatchObject({ stage: 'onsite', actor: lead })
    // Still the string: a step without an assignee leaves the current one.
    expect((await store.listRequests(street, { openOnly: true, from: 0, limit: 10 }))[0]).toMatchObject({ assignee: '张师傅', urges: 1 })
    await store.close()

    const check = new Database(file, { readonly: true })
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(check.prepare(`SELECT sql FROM sqlite_master WHERE name = 'events_request'`).pluck().get()).toContain(REQUEST_EVENT)
    expect(check.prepare(`SELECT count(*) FROM events WHERE actor IS NULL`).pluck().get()).toBe(4)
    const indexes = check.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alarms' AND sql IS NOT NULL ORDER BY name`).pluck().all()
    expect(indexes).toEqual(['alarms_community', 'alarms_district', 'alarms_open_community', 'alarms_open_district', 'alarms_open_street', 'alarms_street'])
    check.close()
  })

  it('migrates a version 4 file: its log kept, no rollup checkpoint until one is saved', async () => {
    const file = join(dir, 'version-4.db')
    const store = new SqliteStore({ filename: file, synchronous: 'normal' })
    await store.createRequest(newRequest('v4-a'))
    await store.close()
    const raw = new Database(file)
    raw.exec(BACK_TO_VERSION_4)
    raw.pragma('user_version = 4')
    raw.close()

    const migrated = new SqliteStore({ filename: file, synchronous: 'normal' })
    expect(await migrated.lastSeq()).toBe(1)
    expect(await migrated.loadCheckpoint('v1.any')).toBeUndefined()
    await migrated.saveCheckpoint({ seq: 1, basis: 'v1.any', savedAt: 5, data: Buffer.from('state') })
    expect(await migrated.loadCheckpoint('v1.any')).toEqual({ seq: 1, basis: 'v1.any', savedAt: 5, data: Buffer.from('state') })
    await migrated.close()
    const check = new Database(file, { readonly: true })
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(check.prepare(`SELECT count(*) FROM rollup_checkpoints`).pluck().get()).toBe(1)
    check.close()
  })

  it("reads a unit's alarms along its alarm index, the open ones along the partial one, and a timeline with its urges along the request index", async () => {
    const db = new Database(':memory:')
    db.exec(SCHEMA_SQL)
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...sql.split('?').slice(1).map(() => 'x')) as { detail: string }[]).map((row) => row.detail).join(' | ')
    expect(plan(`SELECT * FROM alarms WHERE street_id = ? AND acked_seq IS NULL ORDER BY raised_seq DESC LIMIT ?`)).toContain('alarms_open_street')
    expect(plan(`SELECT * FROM alarms WHERE community_id IN (?) AND grid_id = ? AND acked_seq IS NULL ORDER BY raised_seq DESC LIMIT ?`)).toContain('alarms_open_community')
    expect(plan(`SELECT * FROM alarms WHERE district_id = ? AND acked_seq IS NULL ORDER BY raised_seq DESC LIMIT ?`)).toContain('alarms_open_district')
    expect(plan(`SELECT * FROM alarms WHERE street_id = ? ORDER BY raised_seq DESC LIMIT ?`)).toMatch(/alarms_street|alarms_open_street/)
    expect(plan(`SELECT * FROM alarms WHERE street_id = ? ORDER BY raised_seq DESC LIMIT ?`)).not.toContain('TEMP B-TREE')
    expect(plan(`SELECT seq, type, at, data, private, actor FROM events WHERE entity_id = ? AND ${REQUEST_EVENT} ORDER BY seq`)).toContain('events_request')
    db.close()
  })

  it('refuses a file from a newer build', () => {
    const file = join(dir, 'from-the-future.db')
    const raw = new Database(file)
    raw.pragma('user_version = 99')
    raw.close()
    expect(() => new SqliteStore({ filename: file })).toThrow(/schema version 99/)
  })
})

describe('sqlite engine: pings', () => {
  it('publishes each ping as the log gives it back, and keeps each worker once, at its latest ping', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    const published: unknown[] = []
    store.onCommit((events) => published.push(...events))
    const path = newRequest('x').path
    const at = Date.parse('2026-11-28T01:00:00Z')
    const result = await store.appendPings([
      { workerId: 'w-"1"', kind: 'ping', lon: 106.2312345, lat: 38.4912345, path, at },
      { workerId: 'w-2', kind: 'visit', lon: 106.24, lat: 38.5, path, at: at + 5 },
      { workerId: 'w-"1"', kind: 'check_in', lon: 106.25, lat: 38.51, path, at: at + 5 },
      { workerId: 'w-"1"', kind: 'ping', lon: 106.26, lat: 38.52, path, at: at + 5 },
      { workerId: 'w-2', kind: 'ping', lon: 106.27, lat: 38.53, path, at: at + 1 },
    ])
    expect(result).toEqual({ accepted: 5, seq: 5 })
    expect(await store.readLog(0, 10)).toEqual(published)
    expect(published[0]).toEqual({ type: 'patrol.reported', at, gridId: path.gridId, workerId: 'w-"1"', kind: 'ping', lon: 106.2312345, lat: 38.4912345, seq: 1 })
    const { snapshot } = await store.snapshot({ id: path.districtId, level: 'district' })
    // The latest of each worker; on a tie in time the later ping of the batch.
    expect(snapshot.workers.map((w) => [w.workerId, w.lon, w.at])).toEqual([
      ['w-"1"', 106.26, at + 5],
      ['w-2', 106.24, at + 5],
    ])
    await store.close()
  })
})

describe('sqlite engine: group commit', () => {
  it('a write that throws halfway is undone alone; the others of its commit keep their seqs', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    const published: number[] = []
    store.onCommit((events) => published.push(...events.map((e) => e.seq)))
    // The event row is written, then the request row breaks a NOT NULL constraint: SQLite throws.
    const broken = { ...newRequest('broken'), source: null as never }
    const [first, bad, second] = await Promise.allSettled([
      store.createRequest(newRequest('g-1')),
      store.createRequest(broken),
      store.createRequest(newRequest('g-2')),
    ])
    expect(first).toMatchObject({ status: 'fulfilled', value: { ok: true, value: { seq: 1 } } })
    expect(bad).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/NOT NULL/) }) })
    expect(second).toMatchObject({ status: 'fulfilled', value: { ok: true, value: { seq: 2 } } })
    expect(published).toEqual([1, 2])
    // Alone in its commit, too.
    await expect(store.createRequest(broken)).rejects.toThrow(/NOT NULL/)
    await expect(store.createRequest(newRequest('g-3'))).resolves.toMatchObject({ ok: true, value: { seq: 3 } })
    expect((await store.readLog(0, 10)).map((e) => (e.type === 'request.received' ? e.requestId : e.type))).toEqual(['g-1', 'g-2', 'g-3'])
    await store.close()
  })

  it('does not look up an id the server made (no fingerprint); one that exists after all fails alone, and changes nothing', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    const published: number[] = []
    store.onCommit((events) => published.push(...events.map((e) => e.seq)))
    await expect(store.createRequest({ ...newRequest('made-1'), fingerprint: '' })).resolves.toMatchObject({ ok: true, replayed: false, value: { seq: 1 } })
    // The same id again, as a collision of server-made ids would be: the primary key refuses it.
    const [again, other] = await Promise.allSettled([store.createRequest({ ...newRequest('made-1'), fingerprint: '' }), store.createRequest(newRequest('named-1'))])
    expect(again).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/UNIQUE|PRIMARY KEY/) }) })
    expect(other).toMatchObject({ status: 'fulfilled', value: { ok: true, value: { seq: 2 } } })
    expect(published).toEqual([1, 2])
    expect((await store.readLog(0, 10)).map((e) => (e.type === 'request.received' ? e.requestId : e.type))).toEqual(['made-1', 'named-1'])
    // A named id is still looked up: the same body replays, another is a conflict.
    await expect(store.createRequest(newRequest('named-1'))).resolves.toMatchObject({ ok: true, replayed: true, value: { seq: 2 } })
    await expect(store.createRequest({ ...newRequest('named-1'), fingerprint: 'other' })).resolves.toMatchObject({ ok: false, code: 'conflict' })
    await store.close()
  })
})

describe('sqlite engine: checkpoints in a worker thread', () => {
  /** A few hundred WAL pages: below SQLite's own auto-checkpoint (1,000), so only a worker copies them. */
  async function writeSome(store: SqliteStore, prefix: string): Promise<void> {
    for (let i = 0; i < 5; i++) await Promise.all(Array.from({ length: 10 }, (_, j) => store.createRequest(newRequest(`${prefix}-${i}-${j}`))))
  }

  it('copies the WAL into the database file off the event loop, and closes cleanly', async () => {
    const file = join(dir, 'checkpointed.db')
    const store = new SqliteStore({ filename: file, checkpointIntervalMs: 0 })
    const before = statSync(file).size
    await writeSome(store, 'cp')
    await waitFor(() => statSync(file).size > before, 'the database file to grow')
    await store.close()
    const again = new SqliteStore({ filename: file })
    expect(await again.lastSeq()).toBe(50)
    await again.close()
  })

  it('leaves them to SQLite when asked, which does not copy so few', async () => {
    const file = join(dir, 'not-checkpointed.db')
    const store = new SqliteStore({ filename: file, checkpoints: 'sqlite' })
    const before = statSync(file).size
    await writeSome(store, 'nc')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(statSync(file).size).toBe(before)
    await store.close()
  })
})
