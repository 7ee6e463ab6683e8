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
import { sampleGeography } from '../../helpers/build-app'

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
