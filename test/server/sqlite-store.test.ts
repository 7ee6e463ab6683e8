import { mkdtempSync, rmSync } from 'node:fs'
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
