// The floor of a durable single-event request's storage: the rows the store writes for one
// `POST /api/v1/requests` (the log's row, the request's row, the grid's the first time), by bare
// prepared statements, one transaction a group, on a fresh file of the store's own schema (made by the
// store) — nothing of the store around them: no queue, no promises, no rollups, no live stream, and
// SQLite's own checkpoints inside COMMIT. With `sync: 'full'` the WAL is fdatasynced after each
// group on the same thread (no thread-pool hand-offs). CPU is the whole process's, µs per request.
import Database from 'better-sqlite3'
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { UnitPath } from '../../../shared/domain'
import { buildSampleGeography } from '../../../shared/sample-geography'
import { Geography } from '../../../server/geo/geography'
import { SqliteStore } from '../../../server/store/sqlite-store'

export const DESCRIPTION = '楼道堆放杂物，影响通行'
export const LON = 106.2
export const LAT = 38.4

const geography = new Geography(buildSampleGeography())
/** Every grid's path, for requests spread over the district as the benches' loads are. */
export const GRID_PATHS = geography.units.filter((u) => u.level === 'grid').map((u) => geography.pathOf(u.id)!)

/** The n-th request of a bench run: ids in time order, grids spread over the district. */
export function benchRequest(n: number, at: number): BareRequest {
  return { id: `req-${at.toString(36)}-${n}`, at, path: GRID_PATHS[(n * 7919) % GRID_PATHS.length]! }
}

/** A fresh file of the store's schema, made by the store, less the `drop` indexes. */
export async function freshStoreFile(drop: readonly string[] = []): Promise<{ dir: string; filename: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bare-sqlite-'))
  const filename = join(dir, 'outpost.db')
  await new SqliteStore({ filename }).close()
  const raw = new Database(filename)
  for (const index of drop) raw.exec(`DROP INDEX ${index}`)
  raw.close()
  return { dir, filename }
}

export interface BareOptions {
  requests: number
  /** Requests a transaction (and a sync). */
  group: number
  sync: 'normal' | 'full'
  /** Indexes of the store's schema to leave out. */
  drop?: readonly string[]
}

/** What the benches' single-event bodies make of a request. */
export interface BareRequest {
  id: string
  at: number
  path: UnitPath
}

/**
 * Writes a request's rows into `db` (a file of the store's schema) as the store does for a
 * server-made id: the log's row, the request's row, and the grid's row the first time a grid is seen
 * (the store remembers the grids it knows, so does this).
 */
export function bareRequestWriter(db: Database.Database): (request: BareRequest) => void {
  const insertEvent = db.prepare(
    `INSERT INTO events (type, entity_id, at, district_id, street_id, community_id, grid_id, data, private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertRequest = db.prepare(
    `INSERT INTO requests (id, source, category, priority, lon, lat, district_id, street_id, community_id, grid_id,
       received_at, description, reporter_name, reporter_phone, stage, stage_at, created_seq, fingerprint)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?)`,
  )
  const addGrid = db.prepare(`INSERT OR IGNORE INTO grids (grid_id, community_id) VALUES (?, ?)`)
  const knownGrids = new Set<string>()
  const privateJson = JSON.stringify({ description: DESCRIPTION })
  return ({ id, at, path }) => {
    const grid = `${path.gridId} ${path.communityId}`
    if (!knownGrids.has(grid)) {
      addGrid.run(path.gridId, path.communityId)
      knownGrids.add(grid)
    }
    const data = JSON.stringify({ requestId: id, source: 'app', category: 'noise', priority: 'general', lon: LON, lat: LAT })
    const { lastInsertRowid } = insertEvent.run('request.received', id, at, path.districtId, path.streetId, path.communityId, path.gridId, data, privateJson)
    insertRequest.run(id, 'app', 'noise', 'general', LON, LAT, path.districtId, path.streetId, path.communityId, path.gridId, at, DESCRIPTION, null, null, at, lastInsertRowid, '')
  }
}

/** The floor's CPU per request, µs (see the file's head). */
export async function bareSqliteCpuPerRequest({ requests, group, sync, drop = [] }: BareOptions): Promise<number> {
  const { dir, filename } = await freshStoreFile(drop)
  const db = new Database(filename)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  const write = bareRequestWriter(db)
  const writeGroup = db.transaction((first: number, at: number) => {
    for (let n = first; n < first + group; n++, at++) {
      write(benchRequest(n, at))
    }
  })
  const wal = sync === 'full' ? openSync(`${filename}-wal`, 'r+') : -1
  let written = 0
  const start = process.cpuUsage()
  try {
    for (let at = Date.now(); written < requests; written += group, at += group) {
      writeGroup(written, at)
      if (wal >= 0) fdatasyncSync(wal)
      // A turn of the event loop between groups, as the store has.
      await new Promise((resolve) => setImmediate(resolve))
    }
    const used = process.cpuUsage(start)
    return (used.user + used.system) / written
  } finally {
    if (wal >= 0) closeSync(wal)
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
