// The simulator against the real ingest API (routes, validation, geo-assignment, store), after a
// backfill whose unfinished requests it carries on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DISTRICT_ID } from '../../../shared/domain'
import { backfill, type BackfillResult } from '../../../server/sim/backfill'
import { HOUR } from '../../../server/sim/model'
import { startSimulator } from '../../../server/sim/simulator'
import { buildTestApp, type TestApp } from '../../helpers/build-app'

const district = { id: DISTRICT_ID, level: 'district' as const }
/** 09:00 in Yinchuan. */
const NOW = Date.UTC(2026, 4, 20, 1, 0)

describe('simulator through the ingest API', () => {
  let clock = NOW
  let t: TestApp
  let filled: BackfillResult
  const lines: string[] = []

  beforeAll(async () => {
    t = await buildTestApp({ now: () => clock })
    filled = await backfill({ store: t.store, geography: t.geography, days: 2, now: NOW, seed: 11 })
  })
  afterAll(async () => {
    await t.close()
  })

  it('is accepted call for call, and moves the backfilled open requests on', async () => {
    const openBefore = (await t.store.snapshot(district)).snapshot.requests.length
    const sim = startSimulator({
      inject: (request) => t.inject(request),
      geography: t.geography,
      speed: 3600,
      now: () => clock,
      seed: 4,
      autoTick: false,
      resume: filled.pending,
      log: (line) => lines.push(line),
    })
    // 48 one-second ticks at ×3600: two days of the district.
    for (let i = 0; i < 48; i++) {
      clock += 1000
      await sim.tick()
    }
    await sim.stop()

    const stats = sim.stats()
    expect(lines.filter((l) => l.includes('failed'))).toEqual([])
    expect(stats.errors).toBe(0)
    expect(stats.requests).toBeGreaterThan(400)
    expect(stats.transitions).toBeGreaterThan(stats.requests)
    expect(stats.alerts).toBeGreaterThan(10)
    expect(stats.reviews).toBeGreaterThan(10)
    expect(stats.pings).toBeGreaterThanOrEqual(48 * 300)

    // Every backfilled step due within those two days has happened, in order: the request is at the
    // stage of its last such step.
    const horizon = NOW + 48 * HOUR
    const lastStage = new Map<string, string>()
    for (const p of filled.pending) if (p.type === 'transition' && p.at <= horizon - HOUR) lastStage.set(p.requestId, p.stage)
    expect(lastStage.size).toBeGreaterThan(0)
    const lagging: string[] = []
    for (const [id, stage] of lastStage) {
      const detail = await t.store.getRequest(id)
      const last = detail!.stages[detail!.stages.length - 1]!
      // A later pending step may have run too; only a request left behind is wrong.
      const later = filled.pending.some((p) => p.type === 'transition' && p.requestId === id && p.at > horizon - HOUR)
      if (last.stage !== stage && !later) lagging.push(`${id}: ${last.stage}, expected ${stage}`)
    }
    expect(lagging).toEqual([])
    expect((await t.store.snapshot(district)).snapshot.requests.length).toBeLessThan(openBefore + stats.requests)
  })
})
