import { fstatSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { SqliteStore } from '../../server/store/sqlite-store'
import { newRequest, storeContract } from './store-contract'

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

  it('covers the commits made while a sync runs with the next sync, one at a time', async () => {
    const { calls, syncWal } = manualSync()
    const store = new SqliteStore({ filename: join(dir, 'coalesce.db'), syncWal })
    const first = store.createRequest(newRequest('c-1'))
    await turns()
    const second = store.createRequest(newRequest('c-2'))
    const third = store.createRequest(newRequest('c-3'))
    const [secondState, thirdState] = [watch(second), watch(third)]
    await turns()
    // Committed, but the sync in flight started before them: they wait, and no second sync overlaps.
    expect(calls).toHaveLength(1)
    calls[0]!.done()
    await expect(first).resolves.toMatchObject({ ok: true })
    await turns()
    expect(calls).toHaveLength(2)
    expect([secondState(), thirdState()]).toEqual(['pending', 'pending'])
    calls[1]!.done()
    expect(await Promise.all([second, third])).toMatchObject([{ ok: true, value: { seq: 2 } }, { ok: true, value: { seq: 3 } }])
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
    calls[0]!.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
    await expect(first).rejects.toThrow(/durable.*EIO/)
    await expect(second).rejects.toThrow(/durable/)
    expect(published).toEqual([])
    // The page cache may have dropped what it failed to write: nothing after this is trusted.
    await expect(store.createRequest(newRequest('f-3'))).rejects.toThrow(/restart/)
    await expect(store.lastSeq()).rejects.toThrow(/restart/)
    expect(calls).toHaveLength(1)
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
