// A store written with one geography, started with another: what may change and what stops the start.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { GeoUnit } from '../../../shared/domain'
import { buildSampleGeography } from '../../../shared/sample-geography'
import { Geography } from '../../../server/geo/geography'
import { GeographyMismatchError, geographyHash, guardStoreGeography } from '../../../server/store/geography-guard'
import { SCHEMA_VERSION } from '../../../server/store/sqlite-schema'
import { SqliteStore } from '../../../server/store/sqlite-store'
import type { NewPing } from '../../../server/store/types'
import { pointIn } from '../../helpers/build-app'
import { backToVersion3 } from './schema-v3'

const SAMPLE = buildSampleGeography()
const sample = new Geography(SAMPLE)
const T0 = Date.parse('2026-11-28T01:00:00Z')
/** The grid with most events: 1,234 pings, a request and its dispatch. */
const BUSY_GRID = '64010600100101'
/** A grid with one request. */
const QUIET_GRID = '64010600100102'
/** A grid of the same community that no event names. */
const EMPTY_GRID = '64010600100103'
const COMMUNITY = '640106001001'

const dir = mkdtempSync(join(tmpdir(), 'outpost-guard-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const open: SqliteStore[] = []
afterEach(async () => {
  for (const store of open.splice(0)) await store.close()
})

function openStore(file = join(dir, `store-${++n}.db`)): SqliteStore {
  const store = new SqliteStore({ filename: file, synchronous: 'normal' })
  open.push(store)
  return store
}

function placeIn(gridId: string) {
  const point = pointIn(sample, gridId)
  return { ...point, path: sample.locate(point)! }
}

/** Events in BUSY_GRID (1,236) and QUIET_GRID (1), written as ingest would place them. */
async function writeEvents(store: SqliteStore): Promise<void> {
  const busy = placeIn(BUSY_GRID)
  const pings: NewPing[] = Array.from({ length: 1234 }, (_, i) => ({ workerId: 'w-1', kind: 'ping', ...busy, at: T0 + i }))
  await store.appendPings(pings)
  await store.createRequest({ id: 'r-busy', fingerprint: 'f1', source: 'hotline', category: 'noise', priority: 'general', ...busy, receivedAt: T0 })
  await store.transitionRequest({ requestId: 'r-busy', fingerprint: 't1', stage: 'dispatched', at: T0 + 60_000 })
  await store.createRequest({ id: 'r-quiet', fingerprint: 'f2', source: 'app', category: 'noise', priority: 'general', ...placeIn(QUIET_GRID), receivedAt: T0 })
}

/** A store written with the sample: events in two grids, the sample recorded. */
async function writtenStore(): Promise<SqliteStore> {
  const store = openStore()
  await guardStoreGeography(store, sample, { now: () => T0 })
  await writeEvents(store)
  return store
}

function edit(units: readonly GeoUnit[], change: (unit: GeoUnit) => GeoUnit | undefined): Geography {
  return new Geography(units.flatMap((u) => change(u) ?? []))
}

function without(...ids: string[]): Geography {
  return edit(SAMPLE, (u) => (ids.includes(u.id) ? undefined : u))
}

/** The guard's error, or a failure if it passed. */
async function mismatch(run: Promise<void>): Promise<GeographyMismatchError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(GeographyMismatchError)
  return error as GeographyMismatchError
}

describe('the store remembers its geography', () => {
  it('a new store records the geography it starts with; the same one again changes nothing', async () => {
    const store = openStore()
    expect(await store.geographyRecord()).toBeUndefined()
    await guardStoreGeography(store, sample, { now: () => T0 })
    const record = await store.geographyRecord()
    expect(record?.hash).toBe(geographyHash(SAMPLE))
    expect(record?.recordedAt).toBe(T0)
    expect(record?.units).toHaveLength(SAMPLE.length)
    expect(record?.units.find((u) => u.id === BUSY_GRID)).toEqual({ id: BUSY_GRID, level: 'grid', parentId: COMMUNITY, name: '阅海社区第1网格' })

    await writeEvents(store)
    await guardStoreGeography(store, sample, { now: () => T0 + 1 })
    expect((await store.geographyRecord())?.recordedAt).toBe(T0)
  })

  it('a geography that adds units starts, and the record then holds them', async () => {
    const store = await writtenStore()
    const grid = SAMPLE.find((u) => u.id === EMPTY_GRID)!
    const added = new Geography([
      ...SAMPLE,
      { id: '640106001099', level: 'community', parentId: '640106001', name: '新社区', geometry: grid.geometry },
      { id: '64010600109901', level: 'grid', parentId: '640106001099', name: '新社区第1网格', geometry: grid.geometry },
    ])
    await guardStoreGeography(store, added, { now: () => T0 + 1 })
    const record = await store.geographyRecord()
    expect(record?.hash).toBe(geographyHash(added.units))
    expect(record?.units.map((u) => u.id)).toEqual(expect.arrayContaining(['640106001099', '64010600109901']))
    expect(record?.units).toHaveLength(SAMPLE.length + 2)
  })

  it('dropping a grid that events refer to stops the start, naming it and its event count, and changes nothing', async () => {
    const store = await writtenStore()
    const seq = await store.lastSeq()
    const error = await mismatch(
      guardStoreGeography(store, without(BUSY_GRID), { geographySource: '/srv/outpost/geo.json', storeLocation: '/srv/outpost/data' }),
    )
    expect(error.message).toBe(
      'the store in /srv/outpost/data was written with another geography: 1 unit that events refer to is not in /srv/outpost/geo.json: ' +
        'grid 64010600100101 阅海社区第1网格 (1,236 events). ' +
        'Start with the geography it was written with, or move the store aside (see README "Moving to a new grid layout").',
    )
    expect(error.units).toEqual([{ id: BUSY_GRID, level: 'grid', name: '阅海社区第1网格', events: 1236 }])
    // Nothing changed: the record is the sample's, no event was written, the sample still starts.
    const record = await store.geographyRecord()
    expect(record?.hash).toBe(geographyHash(SAMPLE))
    expect(record?.recordedAt).toBe(T0)
    expect(record?.units).toHaveLength(SAMPLE.length)
    expect(await store.lastSeq()).toBe(seq)
    await guardStoreGeography(store, sample)
  })

  it('dropping a community with its grids names each unit that events refer to, the busiest first', async () => {
    const store = await writtenStore()
    const gone = SAMPLE.filter((u) => u.id === COMMUNITY || u.parentId === COMMUNITY).map((u) => u.id)
    const error = await mismatch(guardStoreGeography(store, without(...gone)))
    expect(error.message).toContain(
      'the store was written with another geography: 3 units that events refer to are not in the geography it is started with: ' +
        'community 640106001001 阅海社区 (1,237 events), grid 64010600100101 阅海社区第1网格 (1,236 events), grid 64010600100102 阅海社区第2网格 (1 event).',
    )
    // The community's other grids have no events: not named.
    expect(error.units.map((u) => u.id)).toEqual([COMMUNITY, BUSY_GRID, QUIET_GRID])
  })

  it('re-levelling a unit that events refer to stops the start', async () => {
    const store = await writtenStore()
    // The quiet grid becomes a community of its street: its event names it as a grid.
    const relevelled = edit(SAMPLE, (u) => (u.id === QUIET_GRID ? { ...u, level: 'community', parentId: '640106001' } : u))
    const error = await mismatch(guardStoreGeography(store, relevelled))
    expect(error.message).toContain('1 unit that events refer to is not in the geography it is started with: grid 64010600100102 阅海社区第2网格 (re-levelled as community; 1 event).')
    expect(error.units).toEqual([{ id: QUIET_GRID, level: 'grid', name: '阅海社区第2网格', nowLevel: 'community', events: 1 }])
    expect((await store.geographyRecord())?.hash).toBe(geographyHash(SAMPLE))
  })

  it('dropping units that no event refers to is fine, and they leave the record', async () => {
    const store = await writtenStore()
    const smaller = without(EMPTY_GRID)
    await guardStoreGeography(store, smaller)
    const record = await store.geographyRecord()
    expect(record?.hash).toBe(geographyHash(smaller.units))
    expect(record?.units.map((u) => u.id)).not.toContain(EMPTY_GRID)
    expect(record?.units).toHaveLength(SAMPLE.length - 1)
  })

  it('moving a grid to another community is fine: its events stay readable by the grid, and the old community keeps its history', async () => {
    const store = await writtenStore()
    const moved = edit(SAMPLE, (u) => (u.id === QUIET_GRID ? { ...u, parentId: '640106001002' } : u))
    await guardStoreGeography(store, moved)
    expect((await store.geographyRecord())?.units.find((u) => u.id === QUIET_GRID)?.parentId).toBe('640106001002')
    // A new event placed with the new layout, beside the old one placed with the old.
    const point = pointIn(moved, QUIET_GRID)
    await store.createRequest({ id: 'r-after', fingerprint: 'f3', source: 'app', category: 'noise', priority: 'general', ...point, path: moved.locate(point)!, receivedAt: T0 + 1 })
    const grid = moved.ref(QUIET_GRID)!
    expect((await store.listRequests(grid, { openOnly: false, from: 0, limit: 10 })).map((r) => r.id)).toEqual(['r-quiet', 'r-after'])
    expect(await store.eventCountsByUnit([grid, { id: COMMUNITY, level: 'community' }, { id: '640106001002', level: 'community' }])).toEqual([2, 1237, 1])
    // Dropping the grid now names both of its events, whichever community they were placed under.
    const error = await mismatch(guardStoreGeography(store, edit(moved.units, (u) => (u.id === QUIET_GRID ? undefined : u))))
    expect(error.units).toEqual([expect.objectContaining({ id: QUIET_GRID, events: 2 })])
  })

  it('a long list is cut after 20 units, the rest summed up', async () => {
    const store = openStore()
    await guardStoreGeography(store, sample)
    const street = '640106002'
    const grids = SAMPLE.filter((u) => u.level === 'grid' && sample.isWithin(u.id, street))
    expect(grids.length).toBeGreaterThan(25)
    await store.appendPings(grids.map((g, i) => ({ workerId: `w-${i}`, kind: 'ping', ...placeIn(g.id), at: T0 })))
    const gone = SAMPLE.filter((u) => u.id !== street && sample.isWithin(u.id, street)).map((u) => u.id)
    const error = await mismatch(guardStoreGeography(store, without(street, ...gone)))
    const communities = SAMPLE.filter((u) => u.level === 'community' && u.parentId === street).length
    const units = 1 + communities + grids.length
    expect(error.units).toHaveLength(units)
    expect(error.message).toContain(`${units} units that events refer to are not in`)
    expect(error.message).toMatch(new RegExp(`^[^:]+: [^:]+: street 640106002 黄河东路街道 \\(${grids.length} events\\), `))
    // 20 named, then the rest in one phrase.
    expect(error.message.match(/(district|street|community|grid) \w+ [^,(]*\(/g)).toHaveLength(20)
    const rest = error.units.slice(20)
    expect(error.message).toContain(`, and ${rest.length} more units (${rest.reduce((s, u) => s + u.events, 0)} events).`)
    // The street (every event) leads, then its communities, then its grids, busiest first.
    expect(error.units.map((u) => u.level)).toEqual(['street', ...Array<string>(communities).fill('community'), ...Array<string>(grids.length).fill('grid')])
    expect(error.units.map((u) => u.events)).toEqual([...error.units.map((u) => u.events)].sort((a, b) => b - a))
  })
})

describe('a store written before stores kept their geography', () => {
  /** A version 2 file: the log and its projections, no record. */
  async function versionTwoFile(): Promise<string> {
    const file = join(dir, `v2-${++n}.db`)
    const store = new SqliteStore({ filename: file, synchronous: 'normal' })
    await writeEvents(store)
    await store.close()
    const raw = new Database(file)
    backToVersion3(raw)
    raw.exec('DROP TABLE geography; DROP TABLE geography_units;')
    raw.pragma('user_version = 2')
    raw.close()
    return file
  }

  it('migrates to an empty record, and is checked against the units its log names', async () => {
    const file = await versionTwoFile()
    const store = openStore(file)
    expect(await store.geographyRecord()).toBeUndefined()
    const error = await mismatch(guardStoreGeography(store, without(BUSY_GRID)))
    // No names: the log keeps only ids.
    expect(error.message).toContain('1 unit that events refer to is not in the geography it is started with: grid 64010600100101 (1,236 events).')
    expect(await store.geographyRecord()).toBeUndefined()
    // A district whose id changed leaves every event behind.
    const renamed = edit(SAMPLE, (u) =>
      u.level === 'district' ? { ...u, id: '640199' } : u.level === 'street' ? { ...u, parentId: '640199' } : u,
    )
    const moved = await mismatch(guardStoreGeography(store, renamed))
    expect(moved.units).toEqual([{ id: '640106', level: 'district', events: 1237 }])
    // The layout it was written with (the sample) starts, and is recorded.
    await guardStoreGeography(store, sample)
    expect((await store.geographyRecord())?.hash).toBe(geographyHash(SAMPLE))
    await store.close()
    const check = new Database(file, { readonly: true })
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    check.close()
  })

  it('a new store (nothing in its log) records any geography', async () => {
    const store = openStore()
    await guardStoreGeography(store, without(BUSY_GRID))
    expect((await store.geographyRecord())?.units).toHaveLength(SAMPLE.length - 1)
  })
})

describe('geographyHash', () => {
  it('does not depend on the order of the units, and changes with any field of any unit', () => {
    const base = geographyHash(SAMPLE)
    expect(geographyHash([...SAMPLE].reverse())).toBe(base)
    const changed = (change: (u: GeoUnit) => GeoUnit) => geographyHash(SAMPLE.map((u) => (u.id === QUIET_GRID ? change(u) : u)))
    const geometry = SAMPLE.find((u) => u.id === QUIET_GRID)!.geometry
    if (geometry.type !== 'Polygon') throw new Error('the sample has Polygons')
    const hashes = [
      changed((u) => ({ ...u, name: `${u.name}!` })),
      changed((u) => ({ ...u, parentId: '640106001002' })),
      changed((u) => ({ ...u, level: 'community' })),
      changed((u) => ({ ...u, population: (u.population ?? 0) + 1 })),
      changed((u) => ({ ...u, households: (u.households ?? 0) + 1 })),
      changed((u) => ({ ...u, geometry: { type: 'MultiPolygon', coordinates: [geometry.coordinates] } })),
      changed((u) => ({
        ...u,
        geometry: { type: 'Polygon', coordinates: [geometry.coordinates[0]!.map(([x, y], i) => [i === 0 ? x + 1e-7 : x, y] as [number, number])] },
      })),
    ]
    expect(new Set([base, ...hashes]).size).toBe(hashes.length + 1)
  })
})

describe('the server process', () => {
  const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })

  /** `tsx server/main.ts` with only these OUTPOST_ settings; its exit code and output. */
  function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OUTPOST_') && name !== 'PORT'))
    // One process (tsx's own launcher would leave its node child behind when killed).
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: repoRoot,
      env: { ...clean, PORT: '0', OUTPOST_SIM: 'off', ...env },
    })
    children.push(child)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      // Past the guard: it would serve for ever.
      if (stdout.includes('listening')) child.kill('SIGKILL')
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })))
  }

  it('stops with exit code 1 and the units on stderr when OUTPOST_GEOGRAPHY drops a grid that events refer to', async () => {
    const data = join(dir, `data-${++n}`)
    mkdirSync(data)
    const store = new SqliteStore({ filename: join(data, 'outpost.db') })
    await guardStoreGeography(store, sample)
    await writeEvents(store)
    await store.close()
    const file = join(dir, `without-busy-grid-${n}.geojson`)
    writeFileSync(file, JSON.stringify(without(BUSY_GRID).featureCollection()))

    const run = await start({ OUTPOST_DATA_DIR: data, OUTPOST_GEOGRAPHY: file })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('outpost: the store')
    expect(run.stderr).toContain('was written with another geography: 1 unit that events refer to is not in')
    expect(run.stderr).toContain('grid 64010600100101 阅海社区第1网格 (1,236 events)')
    expect(run.stdout).not.toContain('listening')
    // The store is as it was: the sample's record, every event.
    const after = openStore(join(data, 'outpost.db'))
    expect((await after.geographyRecord())?.hash).toBe(geographyHash(SAMPLE))
    expect(await after.lastSeq()).toBe(1237)
  }, 120_000)
})
