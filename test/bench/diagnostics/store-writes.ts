// Diagnostic, not a goal (npm run bench does not run it): the store's own cost of a single-event
// request, without HTTP, in group commits of a chosen size, with and without the unit indexes
// (street and community, in the log and in the requests table) that leaders' reads use. The store is
// the real SqliteStore on a file, WAL, its checkpoints in their worker; `--sync normal` (the default
// here) leaves the fdatasync out, to see the CPU alone. Beside each, the floor (`lib/bare-sqlite.ts`):
// the same rows by bare prepared statements in groups of the same size, nothing of the store around.
//
//   npx tsx test/bench/diagnostics/store-writes.ts [--requests 60000] [--groups 14,32] [--sync normal|full]
import { rmSync } from 'node:fs'
import { SqliteStore, type SqliteSync } from '../../../server/store/sqlite-store'
import { bareSqliteCpuPerRequest, benchRequest, DESCRIPTION, freshStoreFile, GRID_PATHS, LAT, LON } from '../lib/bare-sqlite'
import { emit, machine, note, round } from '../lib/stats'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const REQUESTS = Number(arg('requests', '60000'))
const GROUPS = arg('groups', '14,32').split(',').map(Number)
const SYNC = arg('sync', 'normal') as SqliteSync
const UNIT_INDEXES = ['events_street', 'events_community', 'requests_street_received', 'requests_community_received']

/** The real store on a fresh file, `drop` indexes left out, one turn's requests a group. */
async function run(group: number, drop: string[]): Promise<number> {
  const { dir, filename } = await freshStoreFile(drop)
  const store = new SqliteStore({ filename, synchronous: SYNC })
  const start = process.cpuUsage()
  let n = 0
  let at = Date.now()
  while (n < REQUESTS) {
    // One turn's requests: the store commits them together, as under a closed loop of connections.
    const writes = []
    for (let i = 0; i < group; i++, n++) {
      const { id, path, at: receivedAt } = benchRequest(n, at++)
      writes.push(
        store.createRequest({ id, fingerprint: '', source: 'app', category: 'noise', priority: 'general', lon: LON, lat: LAT, path, receivedAt, description: DESCRIPTION }),
      )
    }
    await Promise.all(writes)
  }
  const used = process.cpuUsage(start)
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  return (used.user + used.system) / n
}

emit('store-writes', { figure: 'setup', requests: REQUESTS, sync: SYNC, grids: GRID_PATHS.length, unit_indexes: UNIT_INDEXES, cpu: 'the whole process: event loop, checkpoint worker, syncs', ...machine() })
for (const group of GROUPS) {
  for (const [variant, drop] of [
    ['all indexes', []],
    ['without the unit indexes', UNIT_INDEXES],
  ] as const) {
    note(`groups of ${group}, ${variant}`)
    const usPerRequest = await run(group, [...drop])
    const floor = await bareSqliteCpuPerRequest({ requests: REQUESTS, group, sync: SYNC === 'normal' ? 'normal' : 'full', drop })
    emit('store-writes', {
      figure: 'cpu_per_request',
      group,
      variant,
      cpu_us_per_request: round(usPerRequest, 1),
      bare_sqlite_cpu_us_per_request: round(floor, 1),
    })
  }
}
