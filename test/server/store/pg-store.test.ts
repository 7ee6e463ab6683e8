// The store contract and the engine's own rules against a real PostgreSQL (test/helpers/postgres.ts):
// one database for this file, a schema of its own for each store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { PgStore } from '../../../server/store/pg-store'
import { PG_SCHEMA_V1, PG_SCHEMA_VERSION } from '../../../server/store/pg-schema'
import { testDatabase, type TestDatabase } from '../../helpers/postgres'
import { waitFor } from '../../helpers/wait-for'
import type { LiveEvent } from '../../../shared/events'
import { newRequest, storeContract } from './store-contract'

let db: TestDatabase
beforeAll(async () => {
  db = await testDatabase('outpost_pgstore')
})
afterAll(async () => {
  await db?.drop()
})

let n = 0
const schemas = new WeakMap<PgStore, string>()
async function open(schema = `s${++n}`): Promise<PgStore> {
  const store = await PgStore.open({ url: db.url, schema })
  schemas.set(store, schema)
  return store
}

storeContract(
  'postgresql',
  () => open(),
  async (previous) => {
    await previous.close()
    return open(schemas.get(previous as PgStore))
  },
)

async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    return (await client.query<T>(text, params)).rows
  } finally {
    await client.end()
  }
}

describe('postgresql engine specifics', () => {
  it('acknowledges a write only once it is committed for any other connection, with the log head at its seq', async () => {
    const store = await open('durable')
    try {
      const outcome = await store.createRequest(newRequest('durable-1'))
      expect(outcome).toMatchObject({ ok: true, value: { seq: 1 } })
      expect(await sql('SELECT id FROM durable.requests')).toEqual([{ id: 'durable-1' }])
      expect(await sql('SELECT seq::int AS seq FROM durable.log_head')).toEqual([{ seq: 1 }])
    } finally {
      await store.close()
    }
  })

  it('keeps personal data in the private column and the request row, never in the event data', async () => {
    const store = await open('private')
    try {
      await store.createRequest({ ...newRequest('p-1'), description: '楼道堆物' })
      const [row] = await sql<{ data: string; private: string }>('SELECT data, private FROM private.events')
      expect(row!.data).not.toContain('13900001111')
      expect(row!.data).not.toContain('楼道堆物')
      expect(JSON.parse(row!.private)).toEqual({ description: '楼道堆物', reporter: { name: '王五', phone: '13900001111' } })
      expect((await store.getRequest('p-1', { reveal: true }))?.reporter).toEqual({ name: '王五', phone: '13900001111' })
    } finally {
      await store.close()
    }
  })

  it('a rolled-back write leaves no gap: a job that throws gives its seqs back, the next write takes them', async () => {
    const store = await open('gapless')
    try {
      await store.createRequest(newRequest('g-1'))
      // PostgreSQL refuses a NUL in text: an error inside the job, after it took a seq, in a group
      // with two good jobs (the group is run again with a savepoint each; only the bad one fails).
      const [before, bad, after] = await Promise.allSettled([
        store.createRequest(newRequest('g-2')),
        store.createRequest({ ...newRequest('g-bad'), description: 'a\u0000b' }),
        store.createRequest(newRequest('g-3')),
      ])
      expect(bad.status).toBe('rejected')
      expect(before).toMatchObject({ status: 'fulfilled', value: { ok: true, value: { seq: 2 } } })
      expect(after).toMatchObject({ status: 'fulfilled', value: { ok: true, value: { seq: 3 } } })
      expect((await store.readLog(0, 10)).map((e) => e.seq)).toEqual([1, 2, 3])
      expect(await store.getRequest('g-bad')).toBeUndefined()
      // An id already there (a server-made one has no fingerprint) inserts neither row nor event.
      const dup = await store.createRequest({ ...newRequest('g-1'), fingerprint: '' })
      expect(dup.ok).toBe(false)
      expect((await store.readLog(0, 10)).map((e) => e.seq)).toEqual([1, 2, 3])
    } finally {
      await store.close()
    }
  })

  it('follows the log other stores on the database write, from the seq it opened at, once each', async () => {
    const writer = await open('shared')
    const follower = await open('shared')
    try {
      await writer.createRequest(newRequest('before'))
      await waitFor(async () => (await follower.lastSeq()) === 1, 'the first write')
      const late = await open('shared')
      const seen: LiveEvent[] = []
      const lateSeen: LiveEvent[] = []
      follower.onCommit((events) => seen.push(...events))
      late.onCommit((events) => lateSeen.push(...events))
      await Promise.all([writer.createRequest(newRequest('a')), follower.createRequest(newRequest('b')), writer.createRequest(newRequest('c'))])
      await waitFor(() => seen.length === 3 && lateSeen.length === 3, 'three events at both followers').catch((e: Error) => { throw new Error(`${e.message}: ${JSON.stringify([seen.map((x) => x.seq), lateSeen.map((x) => x.seq)])}`) })
      expect(seen.map((e) => e.seq)).toEqual([2, 3, 4])
      expect(lateSeen).toEqual(seen)
      await late.close()
    } finally {
      await follower.close()
      await writer.close()
    }
  })

  it('reconnects a lost LISTEN connection and delivers what committed meanwhile, skipping nothing', async () => {
    const writer = await open('relisten')
    const follower = await open('relisten')
    try {
      const seen: number[] = []
      follower.onCommit((events) => seen.push(...events.map((e) => e.seq)))
      await writer.createRequest(newRequest('r-1'))
      await waitFor(() => seen.length === 1, 'the first event')
      follower.dropListenerForTest()
      for (let i = 2; i <= 5; i++) await writer.createRequest(newRequest(`r-${i}`))
      await waitFor(() => seen.length === 5, 'the events written while the connection was lost')
      expect(seen).toEqual([1, 2, 3, 4, 5])
      // Listening again: a later write arrives by notification.
      await writer.createRequest(newRequest('r-6'))
      await waitFor(() => seen.length === 6, 'the event after reconnecting')
      expect(seen).toEqual([1, 2, 3, 4, 5, 6])
    } finally {
      await follower.close()
      await writer.close()
    }
  })

  it('publishes imported history in no process, and the log after it in every one', async () => {
    const writer = await open('imports')
    const follower = await open('imports')
    try {
      const seen: number[] = []
      follower.onCommit((events) => seen.push(...events.map((e) => e.seq)))
      await writer.createRequest(newRequest('i-0'))
      expect(await writer.importHistory([{ op: 'request', request: newRequest('i-1') }, { op: 'request', request: newRequest('i-2') }])).toMatchObject({ seq: 3 })
      await writer.createRequest(newRequest('i-3'))
      await waitFor(() => seen.includes(4), 'the event after the import')
      expect(seen).toEqual([1, 4])
    } finally {
      await follower.close()
      await writer.close()
    }
  })

  it('two processes starting at once on a new database both record its geography (no duplicate key)', async () => {
    const [first, second] = await Promise.all([open('geo_race'), open('geo_race')])
    try {
      const units = Array.from({ length: 200 }, (_, i) => ({ id: `u${i}`, level: i === 0 ? 'district' : 'grid', parentId: i === 0 ? null : 'u0', name: `单元${i}` }))
      const record = (recordedAt: number) => ({ hash: 'h1', recordedAt, units }) as unknown as Parameters<PgStore['recordGeography']>[0]
      for (let round = 0; round < 5; round++) await Promise.all([first.recordGeography(record(round * 2)), second.recordGeography(record(round * 2 + 1))])
      const kept = await first.geographyRecord()
      expect(kept?.hash).toBe('h1')
      expect(kept?.units).toHaveLength(200)
    } finally {
      await first.close()
      await second.close()
    }
  })

  it('keeps the latest rollup checkpoint of each basis; an older one changes nothing', async () => {
    const store = await open('checkpoints')
    try {
      expect(await store.loadCheckpoint('v1:abc')).toBeUndefined()
      const data = Buffer.from([0, 1, 2, 255, 254])
      await store.saveCheckpoint({ basis: 'v1:abc', seq: 10, savedAt: 1000, data })
      await store.saveCheckpoint({ basis: 'v1:abc', seq: 9, savedAt: 2000, data: Buffer.from('older') })
      await store.saveCheckpoint({ basis: 'v1:abc', seq: 10, savedAt: 3000, data: Buffer.from('same seq') })
      await store.saveCheckpoint({ basis: 'v2:abc', seq: 3, savedAt: 4000, data: Buffer.from('other') })
      expect(await store.loadCheckpoint('v1:abc')).toEqual({ basis: 'v1:abc', seq: 10, savedAt: 1000, data })
      await store.saveCheckpoint({ basis: 'v1:abc', seq: 11, savedAt: 5000, data: Buffer.from('newer') })
      expect(await store.loadCheckpoint('v1:abc')).toEqual({ basis: 'v1:abc', seq: 11, savedAt: 5000, data: Buffer.from('newer') })
      expect((await store.loadCheckpoint('v2:abc'))?.data.toString()).toBe('other')
    } finally {
      await store.close()
    }
  })

  it('migrates a version 1 schema, keeping its log, and refuses a newer one naming both versions', async () => {
    await sql('CREATE SCHEMA old_one')
    await sql(`SET search_path = old_one; ${PG_SCHEMA_V1}`)
    const store = await open('old_one')
    try {
      expect(await sql('SELECT version FROM old_one.schema_version')).toEqual([{ version: PG_SCHEMA_VERSION }])
      await store.saveCheckpoint({ basis: 'b', seq: 1, savedAt: 1, data: Buffer.from('x') })
      expect((await store.createRequest(newRequest('m-1'))).ok).toBe(true)
    } finally {
      await store.close()
    }
    await sql(`UPDATE old_one.schema_version SET version = ${PG_SCHEMA_VERSION + 1}`)
    await expect(open('old_one')).rejects.toThrow(`schema version ${PG_SCHEMA_VERSION + 1}; this build knows ${PG_SCHEMA_VERSION}`)
  })

  it('names the host of an unreachable database, never the password', async () => {
    const error = await PgStore.open({ url: 'postgres://outpost:s3cret-pw@127.0.0.1:1/outpost' }).catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toContain('127.0.0.1:1/outpost')
    expect((error as Error).message).not.toContain('s3cret-pw')
  })
})
