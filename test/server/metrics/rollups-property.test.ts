// Property: for any unit, any whole-hour window and any moment, the rollups answer exactly what the
// direct computation over the raw rows answers.
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_POLICY } from '../../../shared/metrics'
import { HOUR_MS } from '../../../shared/time'
import { Rollups } from '../../../server/metrics/rollups'
import { followStore } from '../../../server/metrics/load'
import { scanFigures } from '../../helpers/scan-oracle'
import { backfill } from '../../../server/sim/backfill'
import { mulberry32 } from '../../../server/sim/model'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { firstGrid, pointIn, sampleGeography } from '../../helpers/build-app'
import { decodeCheckpoint, encodeCheckpoint, checkpointBasis } from '../../../server/metrics/checkpoint'
import { MetricsService } from '../../../server/metrics/service'
import { Geography } from '../../../server/geo/geography'
import type { LiveEvent } from '../../../shared/events'

const geography = sampleGeography()
const NOW = Date.parse('2026-11-20T05:30:00Z')
const TZ = 'Asia/Shanghai'

describe('rollups equal the direct computation', () => {
  let store: SqliteStore
  let rollups: Rollups
  beforeAll(async () => {
    store = new SqliteStore({ filename: ':memory:' })
    await backfill({ store, geography, days: 4, now: NOW, seed: 11 })
    rollups = new Rollups({ geography, policy: DEFAULT_POLICY, timeZone: TZ })
    await followStore(rollups, store)
  }, 60_000)

  it('for random units, windows and moments', async () => {
    const rand = mulberry32(3)
    const units = geography.units
    const nowHour = Math.floor(NOW / HOUR_MS)
    let compared = 0
    for (let i = 0; i < 60; i++) {
      const unit = units[Math.floor(rand() * units.length)]!
      const start = nowHour - Math.floor(rand() * 24 * 5)
      const end = start + 1 + Math.floor(rand() * 24 * 4)
      const from = start * HOUR_MS
      const to = end * HOUR_MS
      // The store holds what happened up to NOW; any later moment moves deadlines past.
      const now = NOW + Math.floor(rand() * 48) * 600_000
      const expected = await scanFigures(store, geography, geography.ref(unit.id)!, { from, to, now }, DEFAULT_POLICY)
      const actual = rollups.figures(unit.id, from, to, now)
      expect(actual, `${unit.id} [${new Date(from).toISOString()}, ${new Date(to).toISOString()})`).toEqual(expected)
      if (expected.requests > 0) compared++
    }
    expect(compared).toBeGreaterThan(20)
  })

  it('for the district over whole days, with every figure populated', async () => {
    const from = Math.floor((NOW - 3 * 86_400_000) / HOUR_MS) * HOUR_MS - 5 * HOUR_MS
    const to = Math.floor(NOW / HOUR_MS) * HOUR_MS + HOUR_MS
    const expected = await scanFigures(store, geography, geography.ref('640106')!, { from, to, now: NOW }, DEFAULT_POLICY)
    expect(expected.responseTime.n).toBeGreaterThan(100)
    expect(expected.resolution.n).toBeGreaterThan(50)
    expect(expected.camera.reviewed).toBeGreaterThan(10)
    expect(expected.patrol.coverage.k).toBeGreaterThan(0)
    expect(expected.overdue.response + expected.overdue.resolution).toBeGreaterThanOrEqual(0)
    expect(rollups.figures('640106', from, to, NOW)).toEqual(expected)
  })

  it('keeps equal as live events arrive after the load', async () => {
    // Move some open requests on, through the store, and compare again.
    const open = await store.openRequests(geography.ref('640106')!)
    let moved = 0
    for (const r of open.slice(0, 40)) {
      const stage = r.stages.at(-1)?.stage ?? 'received'
      const next = stage === 'received' || stage === 'returned' || stage === 'reopened' ? 'dispatched' : stage === 'dispatched' ? 'accepted' : 'resolved'
      const at = Math.max(NOW - 60_000, r.stages.at(-1)?.at ?? r.receivedAt)
      const outcome = await store.transitionRequest({ requestId: r.id, fingerprint: `live-${r.id}`, stage: next, at })
      if (outcome.ok) moved++
    }
    expect(moved).toBeGreaterThan(20)
    const from = Math.floor(NOW / HOUR_MS) * HOUR_MS - 72 * HOUR_MS
    const to = from + 96 * HOUR_MS
    const expected = await scanFigures(store, geography, geography.ref('640106001')!, { from, to, now: NOW }, DEFAULT_POLICY)
    expect(rollups.figures('640106001', from, to, NOW)).toEqual(expected)
  })
})

describe('rollups restored from a checkpoint equal a full replay', () => {
  let store: SqliteStore
  let full: Rollups
  let log: LiveEvent[]
  let dispatched = 0
  const make = () => new Rollups({ geography, policy: DEFAULT_POLICY, timeZone: TZ })
  beforeAll(async () => {
    store = new SqliteStore({ filename: ':memory:' })
    await backfill({ store, geography, days: 4, now: NOW, seed: 12 })
    // Requests dispatched to departments (some moved on to another, some accepted, some urged), so
    // that the department figures have something to compare.
    const streets = geography.children(geography.district.id)
    for (let i = 0; i < 40; i++) {
      const point = pointIn(geography, streets[i % streets.length]!.id)
      const receivedAt = NOW - (i + 1) * 7 * 60_000
      const created = await store.createRequest({ id: `dep-${i}`, fingerprint: `dep-${i}`, source: 'hotline', category: 'noise', priority: i % 3 === 0 ? 'urgent' : 'general', ...point, path: geography.locate(point)!, receivedAt })
      if (!created.ok) continue
      const outcome = await store.transitionRequest({ requestId: `dep-${i}`, fingerprint: `d-${i}`, stage: 'dispatched', at: receivedAt + 60_000, assignee: { kind: 'department', id: `dept-${i % 3}` } })
      if (outcome.ok) dispatched++
      if (i % 4 === 0) await store.transitionRequest({ requestId: `dep-${i}`, fingerprint: `d2-${i}`, stage: 'dispatched', at: receivedAt + 90_000, assignee: { kind: 'department', id: 'dept-9' } })
      if (i % 2 === 0) await store.transitionRequest({ requestId: `dep-${i}`, fingerprint: `a-${i}`, stage: 'accepted', at: receivedAt + 120_000 })
      if (i % 3 === 0) await store.urgeRequest({ requestId: `dep-${i}`, at: receivedAt + 150_000, actor: { kind: 'user', name: 'lead' } })
    }
    expect(dispatched).toBeGreaterThan(20)
    full = make()
    await followStore(full, store)
    log = []
    for (let batch = await store.readLog(0, 10_000); batch.length > 0; batch = await store.readLog(log.at(-1)!.seq, 10_000)) log.push(...batch)
  }, 60_000)

  /** Every answer the metrics service gives, for random units, windows and moments. */
  function answers(rollups: Rollups, rand: () => number): unknown[] {
    const service = new MetricsService(rollups, geography, () => NOW)
    const out: unknown[] = []
    const nowHour = Math.floor(NOW / HOUR_MS)
    for (let i = 0; i < 31; i++) {
      // The district (whose figures every event reaches) first, then random units.
      const unit = i < 6 ? geography.district : geography.units[Math.floor(rand() * geography.units.length)]!
      const start = nowHour - Math.floor(rand() * 24 * 5)
      const window = { from: start * HOUR_MS, to: (start + 1 + Math.floor(rand() * 24 * 4)) * HOUR_MS }
      // At the log's own moment (workers online), hours later (deadlines passing), or past every
      // deadline (every open request overdue).
      const pick = rand()
      const now = pick < 0.4 ? NOW : pick < 0.8 ? NOW + Math.floor(rand() * 48) * 600_000 : NOW + 16 * 86_400_000
      out.push(rollups.figures(unit.id, window.from, window.to, now))
      out.push(rollups.departmentFigures(unit.id, window.from, window.to, now))
      out.push(rollups.overdueRequests(unit.id, now))
      out.push(service.metrics(unit.id, window))
      out.push(service.series(unit.id, 'responseP90', 'hour', window))
    }
    return out
  }

  it('from a checkpoint taken at random seqs, fed the rest of the log', async () => {
    expect(log.length).toBe(full.seq)
    const rand = mulberry32(21)
    for (const cut of [0, 1, Math.floor(rand() * log.length), Math.floor(rand() * log.length), log.length - 1, log.length]) {
      const before = make()
      before.apply(log.slice(0, cut))
      const restored = make()
      decodeCheckpoint(restored, encodeCheckpoint(before))
      expect(restored.seq).toBe(before.seq)
      await followStore(restored, store)
      expect(restored.seq).toBe(full.seq)
      const seed = Math.floor(rand() * 1e9)
      const expected = answers(full, mulberry32(seed))
      expect(answers(restored, mulberry32(seed)), `checkpoint at seq ${cut}`).toEqual(expected)
    }
    // The comparisons covered departments and overdue lists, not only empty answers.
    const district = geography.district.id
    const from = (Math.floor(NOW / HOUR_MS) - 24 * 6) * HOUR_MS
    expect(full.departmentFigures(district, from, from + 24 * 7 * HOUR_MS, NOW).length).toBeGreaterThan(2)
    expect(full.overdueRequests(district, NOW + 86_400_000).length).toBeGreaterThan(0)
  })

  it('a checkpoint written twice is the same bytes, and a restored one writes them again', () => {
    const first = encodeCheckpoint(full)
    expect(Buffer.compare(encodeCheckpoint(full), first)).toBe(0)
    const restored = make()
    decodeCheckpoint(restored, first)
    expect(Buffer.compare(encodeCheckpoint(restored), first)).toBe(0)
  })

  it('a damaged or cut checkpoint throws and leaves the rollups empty', () => {
    const data = encodeCheckpoint(full)
    const flipped = Buffer.from(data)
    flipped[Math.floor(data.length / 2)]! ^= 0x10
    for (const bad of [flipped, data.subarray(0, data.length - 1), Buffer.from('nonsense')]) {
      const rollups = make()
      expect(() => decodeCheckpoint(rollups, bad)).toThrow()
      expect(rollups.seq).toBe(0)
      expect(rollups.size).toEqual({ requests: 0, alerts: 0 })
    }
  })

  it('the basis changes with the policy, the zone and the geography, and only with them', () => {
    const basis = checkpointBasis(full, geography)
    expect(checkpointBasis(make(), geography)).toBe(basis)
    expect(basis).toMatch(/^rollups-v\d+\./)
    const strict = { ...DEFAULT_POLICY, deadlines: { ...DEFAULT_POLICY.deadlines, urgent: { responseSec: 60, resolutionSec: 3600 } } }
    expect(checkpointBasis(new Rollups({ geography, policy: strict, timeZone: TZ }), geography)).not.toBe(basis)
    expect(checkpointBasis(new Rollups({ geography, policy: DEFAULT_POLICY, timeZone: 'UTC' }), geography)).not.toBe(basis)
    const renamed = new Geography(geography.units.map((u) => (u.level === 'grid' && u.id === firstGrid(geography, '640106001') ? { ...u, name: `${u.name}·` } : u)))
    expect(checkpointBasis(new Rollups({ geography: renamed, policy: DEFAULT_POLICY, timeZone: TZ }), renamed)).not.toBe(basis)
  })
})
