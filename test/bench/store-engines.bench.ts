// The two event-store engines side by side, in one run, at the store's interface (no HTTP): durable
// single-event ingest (64 writers, each awaiting its write before the next, as ingest clients do)
// and bulk ingest (ping batches of 1,000), for SQLite (a file, `full` sync) and PostgreSQL (the
// server at OUTPOST_BENCH_DATABASE_URL, or OUTPOST_TEST_DATABASE_URL; skipped without one). Prints
// one JSON line per figure: events/s, and this process's CPU per event (for PostgreSQL the
// server's own CPU is not in it), and the PostgreSQL/SQLite ratio.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { SqliteStore } from '../../server/store/sqlite-store'
import { PgStore } from '../../server/store/pg-store'
import type { NewPing, Store } from '../../server/store/types'
import { pointIn, sampleGeography } from '../helpers/build-app'

const SINGLE = 6000
const WRITERS = 64
const BULK_BATCHES = 60
const BATCH = 1000
const geography = sampleGeography()
const point = pointIn(geography, '640106001')
const path = geography.locate(point)!
const T0 = Date.parse('2026-11-28T01:00:00Z')

interface Figure {
  perSecond: number
  cpuUsPerEvent: number
}

async function measure(events: number, run: () => Promise<void>): Promise<Figure> {
  const cpu = process.cpuUsage()
  const start = performance.now()
  await run()
  const seconds = (performance.now() - start) / 1000
  const used = process.cpuUsage(cpu)
  return { perSecond: Math.round(events / seconds), cpuUsPerEvent: Math.round(((used.user + used.system) / events) * 10) / 10 }
}

async function single(store: Store, prefix: string): Promise<Figure> {
  let next = 0
  return measure(SINGLE, async () => {
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        for (let i = next++; i < SINGLE; i = next++) {
          const id = `${prefix}-${i}`
          const outcome = await store.createRequest({ id, fingerprint: `fp-${id}`, source: 'hotline', category: 'noise', priority: 'general', ...point, path, receivedAt: T0 + i })
          if (!outcome.ok) throw new Error(outcome.message)
        }
      }),
    )
  })
}

async function bulk(store: Store): Promise<Figure> {
  return measure(BULK_BATCHES * BATCH, async () => {
    for (let b = 0; b < BULK_BATCHES; b++) {
      const pings: NewPing[] = Array.from({ length: BATCH }, (_, i) => ({ workerId: `w-${i % 300}`, kind: 'ping', ...point, path, at: T0 + b * BATCH + i }))
      await store.appendPings(pings)
    }
  })
}

function print(figure: string, engine: string, value: Figure): void {
  console.log(JSON.stringify({ bench: 'store-engines', figure, engine, eventsPerSecond: value.perSecond, cpuUsPerEvent: value.cpuUsPerEvent }))
}

const url = process.env.OUTPOST_BENCH_DATABASE_URL ?? process.env.OUTPOST_TEST_DATABASE_URL
const dir = mkdtempSync(join(tmpdir(), 'outpost-engines-'))
const database = `outpost_bench_${process.pid}`
try {
  const sqlite = new SqliteStore({ filename: join(dir, 'outpost.db') })
  const sqliteSingle = await single(sqlite, 's')
  const sqliteBulk = await bulk(sqlite)
  await sqlite.close()
  print('single-event ingest', 'sqlite', sqliteSingle)
  print('bulk ingest', 'sqlite', sqliteBulk)
  if (!url) {
    console.log(JSON.stringify({ bench: 'store-engines', skipped: 'postgresql: no OUTPOST_BENCH_DATABASE_URL or OUTPOST_TEST_DATABASE_URL' }))
  } else {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${database}`)
    const target = new URL(url)
    target.pathname = `/${database}`
    try {
      const store = await PgStore.open({ url: target.toString() })
      const pgSingle = await single(store, 'p')
      const pgBulk = await bulk(store)
      await store.close()
      print('single-event ingest', 'postgresql', pgSingle)
      print('bulk ingest', 'postgresql', pgBulk)
      for (const [figure, a, b] of [
        ['single-event ingest', pgSingle, sqliteSingle],
        ['bulk ingest', pgBulk, sqliteBulk],
      ] as const) {
        console.log(JSON.stringify({ bench: 'store-engines', figure, ratio: 'postgresql/sqlite', eventsPerSecond: Math.round((a.perSecond / b.perSecond) * 100) / 100 }))
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
      await admin.end()
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
