// The ingest benchmark's ceiling is only as true as its floor: the bare SQLite writer of
// test/bench/lib/bare-sqlite.ts must write what the store writes for a single-event request, row
// for row, or the ceiling it prints describes some other work.
import { readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { bareRequestWriter, bareSqliteCpuPerRequest, DESCRIPTION, freshStoreFile, GRID_PATHS, LAT, LON } from '../../bench/lib/bare-sqlite'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function fresh(): Promise<string> {
  const { dir, filename } = await freshStoreFile()
  dirs.push(dir)
  return filename
}

function rows(filename: string) {
  const db = new Database(filename, { readonly: true })
  try {
    return {
      events: db.prepare('SELECT * FROM events ORDER BY seq').all(),
      requests: db.prepare('SELECT * FROM requests ORDER BY id').all(),
      grids: db.prepare('SELECT * FROM grids ORDER BY grid_id, community_id').all(),
    }
  } finally {
    db.close()
  }
}

describe('the bare SQLite floor of the ingest benchmark', () => {
  // Two grids, the first one twice: its grid row is written once by both.
  const at = Date.parse('2026-11-29T08:00:00Z')
  const requests = [0, 1, 0].map((g, i) => ({ id: `req-floor-${i}`, at: at + i * 1000, path: GRID_PATHS[g * 37]! }))

  it('writes the rows the store writes for the same single-event requests', async () => {
    const viaStore = await fresh()
    const store = new SqliteStore({ filename: viaStore })
    for (const r of requests) {
      const outcome = await store.createRequest({
        id: r.id,
        fingerprint: '',
        source: 'app',
        category: 'noise',
        priority: 'general',
        lon: LON,
        lat: LAT,
        path: r.path,
        receivedAt: r.at,
        description: DESCRIPTION,
      })
      expect(outcome.ok).toBe(true)
    }
    await store.close()

    const viaBare = await fresh()
    const db = new Database(viaBare)
    const write = bareRequestWriter(db)
    db.transaction(() => requests.forEach(write))()
    db.close()

    const expected = rows(viaStore)
    expect(expected.events).toHaveLength(3)
    expect(expected.grids).toHaveLength(2)
    expect(rows(viaBare)).toEqual(expected)
  })

  it('measures a CPU cost per request, on a file it removes', async () => {
    const ours = () => readdirSync(tmpdir()).filter((name) => name.startsWith('outpost-bare-sqlite-'))
    const before = ours()
    const us = await bareSqliteCpuPerRequest({ requests: 48, group: 12, sync: 'full' })
    expect(Number.isFinite(us) && us > 0).toBe(true)
    expect(ours()).toEqual(before)
  })
})
