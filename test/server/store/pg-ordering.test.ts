// Ordering under concurrent writers: two OS processes, each with a PgStore of its own on the same
// database, write at once; a follower here and each writer's own onCommit must receive every event
// exactly once, in strictly increasing, gapless seq order, the same events as the log holds.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PgStore } from '../../../server/store/pg-store'
import type { LiveEvent } from '../../../shared/events'
import { testDatabase, type TestDatabase } from '../../helpers/postgres'
import { waitForProgress } from '../../helpers/wait-for'

const WRITES = Number(process.env.PG_ORDER_WRITES ?? 1500)
const SCHEMA = 'ordering'

let db: TestDatabase
const dir = mkdtempSync(join(tmpdir(), 'outpost-pg-order-'))
beforeAll(async () => {
  db = await testDatabase('outpost_pgorder')
})
afterAll(async () => {
  await db?.drop()
  rmSync(dir, { recursive: true, force: true })
})

interface Writer {
  child: ChildProcessWithoutNullStreams
  /** Resolves once its store is open. */
  ready: Promise<void>
  /** Resolves with the last seq of its own writes once they are all acknowledged. */
  written: Promise<number>
  exited: Promise<number | null>
  out: string
  stderr: string[]
}

function startWriter(name: string): Writer {
  const out = join(dir, `${name}.json`)
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/pg-log-writer.ts', db.url, SCHEMA, name, String(WRITES), out], { stdio: 'pipe' })
  const stderr: string[] = []
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const lines = createInterface({ input: child.stdout })
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'ready' && resolve())
    void exited.then((code) => reject(new Error(`writer ${name} exited (${code}) before it was ready: ${stderr.join('')}`)))
  })
  const written = new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = /^written (\d+)$/.exec(line)
      if (match) resolve(Number(match[1]))
    })
    void exited.then((code) => reject(new Error(`writer ${name} exited (${code}) before its writes were acknowledged: ${stderr.join('')}`)))
  })
  return { child, ready, written, exited, out, stderr }
}

function expectGaplessOnce(events: LiveEvent[], total: number): void {
  const seqs = events.map((e) => e.seq)
  // Every seq from 1 to the last, once each, in order.
  const wrong = seqs.findIndex((seq, i) => seq !== i + 1)
  expect(wrong === -1 ? 'gapless' : `at ${wrong}: ${seqs.slice(Math.max(0, wrong - 3), wrong + 3).join(' ')}`).toBe('gapless')
  expect(seqs.length).toBe(total)
}

describe('postgresql: one ordered log under two writer processes', () => {
  it('delivers every event of both writers to every follower once, in gapless seq order, equal to the log', async () => {
    // The schema made before the writers start, so that they race on writing, not on creating it.
    const follower = await PgStore.open({ url: db.url, schema: SCHEMA })
    const seen: LiveEvent[] = []
    follower.onCommit((events) => seen.push(...events))
    const writers = [startWriter('a'), startWriter('b')]
    try {
      await Promise.all(writers.map((w) => w.ready))
      for (const w of writers) w.child.stdin.write('go\n')
      await Promise.all(writers.map((w) => w.written))
      const total = await follower.lastSeq()
      // Requests are one event each, pings one each, general priority raises no alarm.
      expect(total).toBe(2 * WRITES)
      await waitForProgress(
        () => seen.length,
        (n) => n >= total,
        { what: 'the follower catching up' },
      )
      for (const w of writers) w.child.stdin.write(`until ${total}\n`)
      const codes = await Promise.all(writers.map((w) => w.exited))
      expect(codes, writers.map((w) => w.stderr.join('')).join('\n')).toEqual([0, 0])

      const log: LiveEvent[] = []
      for (let batch = await follower.readLog(0, 1000); batch.length > 0; batch = await follower.readLog(log.at(-1)!.seq, 1000)) log.push(...batch)
      expectGaplessOnce(log, total)
      // Both processes' writes interleave in the log (they did write at the same time).
      const writerOf = (e: LiveEvent) => String(('requestId' in e ? e.requestId : 'workerId' in e ? e.workerId : '') ?? '').split('-')[0]
      const switches = log.filter((e, i) => i > 0 && writerOf(e) !== writerOf(log[i - 1]!)).length
      expect(switches).toBeGreaterThan(1)

      expectGaplessOnce(seen, total)
      expect(seen).toEqual(log)
      for (const w of writers) {
        const theirs = JSON.parse(readFileSync(w.out, 'utf8')) as LiveEvent[]
        expectGaplessOnce(theirs, total)
        expect(theirs).toEqual(log)
      }
    } finally {
      for (const w of writers) if (w.child.exitCode === null) w.child.kill('SIGKILL')
      await follower.close()
    }
  }, 120_000)
})
