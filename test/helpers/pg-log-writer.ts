// A writer process for the PostgreSQL ordering test (test/server/store/pg-ordering.test.ts):
// opens a PgStore of its own on the database and schema given, writes requests and pings in
// concurrent bursts, and records every event its own onCommit receives (from every process).
//
//   node --import tsx test/helpers/pg-log-writer.ts <url> <schema> <name> <writes> <out.json>
//
// Prints `ready` once open and waits for a line `go`; prints `written <last seq of its own writes>` when its writes are acknowledged, then waits for a
// line `until <seq>` on stdin, and once its listener has received every event up to that seq it
// writes what it received to <out.json> and exits.
import { writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { PgStore } from '../../server/store/pg-store'
import type { LiveEvent } from '../../shared/events'
import { pointIn, sampleGeography } from './build-app'

const [url, schema, name, writesArg, out] = process.argv.slice(2)
const writes = Number(writesArg)
const geography = sampleGeography()
const streets = ['640106001', '640106002']
const T0 = Date.parse('2026-11-28T01:00:00Z')

const store = await PgStore.open({ url: url!, schema: schema! })
const seen: LiveEvent[] = []
store.onCommit((events) => seen.push(...events))
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
async function nextLine(pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const { value, done } = await lines.next()
    if (done) throw new Error('stdin closed')
    const match = pattern.exec(value as string)
    if (match) return match
  }
}
// Both writers open before either writes, so both follow the log from its start.
process.stdout.write('ready\n')
await nextLine(/^go$/)

let last = 0
let done = 0
for (let burst = 0; done < writes; burst++) {
  // Bursts of different sizes, requests and ping batches together, so that the two processes'
  // transactions interleave in every way.
  const size = Math.min(writes - done, 5 + ((burst * 7) % 40))
  const jobs: Promise<number>[] = []
  for (let i = 0; i < size; i++) {
    const n = done + i
    const point = pointIn(geography, streets[n % 2]!)
    const path = geography.locate(point)!
    if (n % 3 === 2) {
      jobs.push(store.appendPings([{ workerId: `${name}-w${n % 17}`, kind: 'ping', ...point, path, at: T0 + n }]).then((r) => r.seq))
    } else {
      const id = `${name}-r${n}`
      jobs.push(
        store
          .createRequest({ id, fingerprint: `fp-${id}`, source: 'hotline', category: 'noise', priority: 'general', ...point, path, receivedAt: T0 + n })
          .then((r) => (r.ok ? r.value.seq : Promise.reject(new Error(`${id}: ${r.message}`)))),
      )
    }
  }
  for (const seq of await Promise.all(jobs)) last = Math.max(last, seq)
  done += size
  if (burst % 4 === 3) await new Promise((resolve) => setTimeout(resolve, 2))
}
process.stdout.write(`written ${last}\n`)

const until = Number((await nextLine(/^until (\d+)$/))[1])
while ((seen.at(-1)?.seq ?? 0) < until) await new Promise((resolve) => setTimeout(resolve, 10))
writeFileSync(out!, JSON.stringify(seen))
await store.close()
// stdin stays open (the test's pipe): leave without waiting for it.
process.exit(0)
