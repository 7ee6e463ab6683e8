// Diagnostic, not a goal (npm run bench does not run it): the store's own cost of a single-event
// request, without HTTP, in group commits of a chosen size, with and without the unit indexes
// (street and community, in the log and in the requests table) that leaders' reads use. The store is
// the real SqliteStore on a file, WAL, its checkpoints in their worker; `--sync normal` (the default
// here) leaves the fdatasync out, to see the CPU alone.
//
//   npx tsx test/bench/diagnostics/store-writes.ts [--requests 60000] [--groups 14,32] [--sync normal|full]
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildSampleGeography } from '../../../shared/sample-geography'
import { Geography } from '../../../server/geo/geography'
import { SqliteStore, type SqliteSync } from '../../../server/store/sqlite-store'
import { emit, machine, note, round } from '../lib/stats'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const REQUESTS = Number(arg('requests', '60000'))
const GROUPS = arg('groups', '14,32').split(',').map(Number)
const SYNC = arg('sync', 'normal') as SqliteSync
const UNIT_INDEXES = ['events_street', 'events_community', 'requests_street_received', 'requests_community_received']

const geography = new Geography(buildSampleGeography())
const paths = geography.units.filter((u) => u.level === 'grid').map((u) => geography.pathOf(u.id)!)

/** A fresh store file, made by the store; `drop` indexes removed before it opens the file again. */
async function run(group: number, drop: string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-store-writes-'))
  const filename = join(dir, 'outpost.db')
  await new SqliteStore({ filename }).close()
  const raw = new Database(filename)
  for (const index of drop) raw.exec(`DROP INDEX ${index}`)
  raw.close()
  const store = new SqliteStore({ filename, synchronous: SYNC })
  const start = process.cpuUsage()
  let n = 0
  let at = Date.now()
  while (n < REQUESTS) {
    // One turn's requests: the store commits them together, as under a closed loop of connections.
    const writes = []
    for (let i = 0; i < group; i++, n++) {
      const path = paths[(n * 7919) % paths.length]!
      const id = `req-${(at++).toString(36)}-${n}`
      writes.push(
        store.createRequest({ id, fingerprint: '', source: 'app', category: 'noise', priority: 'general', lon: 106.2, lat: 38.4, path, receivedAt: at, description: '楼道堆放杂物，影响通行' }),
      )
    }
    await Promise.all(writes)
  }
  const used = process.cpuUsage(start)
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  return (used.user + used.system) / n
}

emit('store-writes', { figure: 'setup', requests: REQUESTS, sync: SYNC, grids: paths.length, unit_indexes: UNIT_INDEXES, cpu: 'the whole process: event loop, checkpoint worker, syncs', ...machine() })
for (const group of GROUPS) {
  for (const [variant, drop] of [
    ['all indexes', []],
    ['without the unit indexes', UNIT_INDEXES],
  ] as const) {
    note(`groups of ${group}, ${variant}`)
    const usPerRequest = await run(group, [...drop])
    emit('store-writes', { figure: 'cpu_per_request', group, variant, cpu_us_per_request: round(usPerRequest, 1) })
  }
}
