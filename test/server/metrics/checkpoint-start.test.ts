// A restarted server starts its rollups from the checkpoint the last one saved at close, reads only
// the log after it, and answers /api/v1/metrics exactly as a full replay of the same log does.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { backfill } from '../../../server/sim/backfill'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { checkpointBasis } from '../../../server/metrics/checkpoint'
import { Rollups } from '../../../server/metrics/rollups'
import { DEFAULT_POLICY } from '../../../shared/metrics'
import { DEFAULT_TIME_ZONE } from '../../../shared/domain'
import { buildTestApp, pointIn, sampleGeography, type TestApp } from '../../helpers/build-app'
import { waitFor } from '../../helpers/wait-for'

const NOW = Date.parse('2026-11-28T06:30:00Z')
const dir = mkdtempSync(join(tmpdir(), 'outpost-checkpoint-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const geography = sampleGeography()

const open = (file: string) => new SqliteStore({ filename: file, synchronous: 'normal' })
const METRICS = ['/api/v1/metrics', '/api/v1/metrics?unit=640106001&from=2026-11-25&to=2026-11-28']

async function answers(t: TestApp): Promise<unknown[]> {
  const out = []
  for (const url of METRICS) {
    const res = await t.inject({ method: 'GET', url })
    expect(res.statusCode).toBe(200)
    out.push(res.json())
  }
  return out
}

describe('rollup checkpoints across a restart', () => {
  it('a restarted app starts from the checkpoint saved at close, reads only the log after it, and answers as a full replay', async () => {
    const file = join(dir, 'restart.db')
    const seed = open(file)
    await backfill({ store: seed, geography, days: 3, now: NOW, seed: 5 })
    const logged = await seed.lastSeq()
    await seed.close()
    expect(logged).toBeGreaterThan(1000)

    // First start: no checkpoint, the whole log; saves only at close.
    let t = await buildTestApp({ store: open(file), geography, now: () => NOW, checkpoints: { everyEvents: Number.MAX_SAFE_INTEGER, everyMs: Number.MAX_SAFE_INTEGER } })
    expect(t.app.rollupStart).toEqual({ checkpointSeq: 0, replayedEvents: logged })
    const basis = checkpointBasis(t.app.metrics.rollups, geography)
    expect(await t.store.loadCheckpoint(basis)).toBeUndefined()
    await t.close()

    // Events after the checkpoint, written while no server ran.
    const between = open(file)
    expect((await between.loadCheckpoint(basis))?.seq).toBe(logged)
    const point = pointIn(geography, '640106001')
    const created = await between.createRequest({ id: 'after-1', fingerprint: 'after-1', source: 'hotline', category: 'noise', priority: 'urgent', ...point, path: geography.locate(point)!, receivedAt: NOW - 3_600_000 })
    expect(created.ok).toBe(true)
    await between.transitionRequest({ requestId: 'after-1', fingerprint: 't1', stage: 'dispatched', at: NOW - 3_000_000 })
    // The request, its alarm (urgent) and the dispatch.
    const total = await between.lastSeq()
    expect(total).toBe(logged + 3)
    await between.close()

    t = await buildTestApp({ store: open(file), geography, now: () => NOW })
    expect(t.app.rollupStart).toEqual({ checkpointSeq: logged, replayedEvents: 3 })
    const fromCheckpoint = await answers(t)
    await t.close()

    const replay = await buildTestApp({ store: open(file), geography, now: () => NOW, checkpoints: false })
    expect(replay.app.rollupStart).toEqual({ checkpointSeq: 0, replayedEvents: total })
    const fromReplay = await answers(replay)
    await replay.close()
    expect(fromCheckpoint).toEqual(fromReplay)
    expect((fromReplay[0] as { figures: { requests: number } }).figures.requests).toBeGreaterThan(0)
  })

  it('ignores a checkpoint that does not decode (a full replay, the same answers) and replaces it', async () => {
    const file = join(dir, 'damaged.db')
    const seed = open(file)
    await backfill({ store: seed, geography, days: 1, now: NOW, seed: 6 })
    const logged = await seed.lastSeq()
    const basis = checkpointBasis(new Rollups({ geography, policy: DEFAULT_POLICY, timeZone: DEFAULT_TIME_ZONE }), geography)
    await seed.saveCheckpoint({ seq: logged, basis, savedAt: NOW, data: Buffer.from('OPRC not a checkpoint') })
    await seed.close()

    const t = await buildTestApp({ store: open(file), geography, now: () => NOW })
    expect(checkpointBasis(t.app.metrics.rollups, geography)).toBe(basis)
    expect(t.app.rollupStart).toEqual({ checkpointSeq: 0, replayedEvents: logged })
    const first = await answers(t)
    // A new event, so that the close has something newer than the damaged row to save.
    const point = pointIn(geography, '640106002')
    const res = await t.inject({ method: 'POST', url: '/api/v1/requests', payload: { id: 'x-1', source: 'hotline', category: 'noise', priority: 'general', location: point, receivedAt: new Date(NOW - 60_000).toISOString() } })
    expect(res.statusCode).toBe(201)
    await t.close()

    const again = await buildTestApp({ store: open(file), geography, now: () => NOW })
    expect(again.app.rollupStart).toEqual({ checkpointSeq: logged + 1, replayedEvents: 0 })
    const second = await answers(again)
    await again.close()
    expect((second[0] as { figures: { requests: number } }).figures.requests).toBe((first[0] as { figures: { requests: number } }).figures.requests + 1)
  })

  it('saves while running once enough events have come in', async () => {
    const t = await buildTestApp({ store: open(join(dir, 'periodic.db')), geography, now: () => NOW, checkpoints: { everyEvents: 3 } })
    const basis = checkpointBasis(t.app.metrics.rollups, geography)
    for (let i = 0; i < 4; i++) {
      const res = await t.inject({ method: 'POST', url: '/api/v1/requests', payload: { id: `p-${i}`, source: 'hotline', category: 'noise', priority: 'general', location: pointIn(geography, '640106001'), receivedAt: new Date(NOW - 60_000).toISOString() } })
      expect(res.statusCode).toBe(201)
    }
    await waitFor(async () => ((await t.store.loadCheckpoint(basis))?.seq ?? 0) >= 3, 'a checkpoint saved while running')
    await t.close()
  })

  it('saves right after a start that replayed at least as many events as call for a checkpoint', async () => {
    const file = join(dir, 'after-replay.db')
    const seed = open(file)
    await backfill({ store: seed, geography, days: 1, now: NOW, seed: 7 })
    const logged = await seed.lastSeq()
    await seed.close()
    const t = await buildTestApp({ store: open(file), geography, now: () => NOW, checkpoints: { everyEvents: 1000 } })
    expect(t.app.rollupStart).toEqual({ checkpointSeq: 0, replayedEvents: logged })
    const basis = checkpointBasis(t.app.metrics.rollups, geography)
    // Saved once the log has been read: the whole of it.
    await waitFor(async () => (await t.store.loadCheckpoint(basis))?.seq === logged, 'a checkpoint of the replayed log')
    await t.close()
  })
})
