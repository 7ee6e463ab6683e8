// The two event-store engines side by side, in one run, at the store's interface (no HTTP): durable
// single-event ingest (64 writers, each awaiting its write before the next, as ingest clients do)
// and bulk ingest (ping batches of 1,000), for SQLite (a file, `full` sync) and PostgreSQL (the
// server at OUTPOST_BENCH_DATABASE_URL, or OUTPOST_TEST_DATABASE_URL; skipped without one). Prints
// one JSON line per figure: events/s, this process's CPU per event and, for PostgreSQL on this
// machine, its own CPU per event too (the backends serving the bench's database, read from /proc),
// and the PostgreSQL/SQLite ratio.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
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
  /** PostgreSQL's own CPU per event (its backends for this database), where /proc shows it. */
  databaseCpuUsPerEvent?: number
}

/** CPU µs the database's backends have used so far, by pid (those /proc lets this process read). */
type DatabaseCpu = () => Promise<Map<number, number> | undefined>

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

function processCpuUs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // After "(comm)": state is field 3, utime 14 and stime 15 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6
  } catch {
    return undefined
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10

async function measure(events: number, run: () => Promise<void>, databaseCpu?: DatabaseCpu): Promise<Figure> {
  const before = await databaseCpu?.()
  const cpu = process.cpuUsage()
  const start = performance.now()
  await run()
  const seconds = (performance.now() - start) / 1000
  const used = process.cpuUsage(cpu)
  const after = await databaseCpu?.()
  const figure: Figure = { perSecond: Math.round(events / seconds), cpuUsPerEvent: round1((used.user + used.system) / events) }
  if (after && after.size > 0) {
    // A backend that started during the run counts from nothing.
    let us = 0
    for (const [pid, total] of after) us += total - (before?.get(pid) ?? 0)
    figure.databaseCpuUsPerEvent = round1(us / events)
  }
  return figure
}

async function single(store: Store, prefix: string, databaseCpu?: DatabaseCpu): Promise<Figure> {
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
  }, databaseCpu)
}

async function bulk(store: Store, databaseCpu?: DatabaseCpu): Promise<Figure> {
  return measure(BULK_BATCHES * BATCH, async () => {
    for (let b = 0; b < BULK_BATCHES; b++) {
      const pings: NewPing[] = Array.from({ length: BATCH }, (_, i) => ({ workerId: `w-${i % 300}`, kind: 'ping', ...point, path, at: T0 + b * BATCH + i }))
      await store.appendPings(pings)
    }
  }, databaseCpu)
}

function print(figure: string, engine: string, value: Figure): void {
  console.log(JSON.stringify({ bench: 'store-engines', figure, engine, eventsPerSecond: value.perSecond, cpuUsPerEvent: value.cpuUsPerEvent, ...(value.databaseCpuUsPerEvent !== undefined ? { databaseCpuUsPerEvent: value.databaseCpuUsPerEvent } : {}) }))
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
      const databaseCpu: DatabaseCpu = async () => {
        const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])
        const cpu = new Map<number, number>()
        for (const { pid } of rows) {
          const us = processCpuUs(pid)
          if (us !== undefined) cpu.set(pid, us)
        }
        return cpu
      }
      const pgSingle = await single(store, 'p', databaseCpu)
      const pgBulk = await bulk(store, databaseCpu)
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
