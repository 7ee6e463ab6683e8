import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { DISTRICT_ID, NEXT_STAGES, allowedNextStages, type Priority, type Stage } from '../../../shared/domain'
import { toWgs84 } from '../../../shared/geo'
import { buildSampleGeography } from '../../../shared/sample-geography'
import { AlertReviewSchema, CreateAlertSchema } from '../../../shared/schemas/alerts'
import type { Location } from '../../../shared/schemas/common'
import { MAX_PINGS_PER_BATCH, PatrolBatchSchema } from '../../../shared/schemas/patrols'
import { CreateActivitySchema } from '../../../shared/schemas/activities'
import { CreateRequestSchema, TransitionSchema } from '../../../shared/schemas/requests'
import { Geography } from '../../../server/geo/geography'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { backfill, backfillIdPrefix, type BackfillResult } from '../../../server/sim/backfill'
import { RESPONSE_TARGET_MS, TOWN_STREET_IDS } from '../../../server/sim/model'
import { startSimulator, type Injector } from '../../../server/sim/simulator'
import { resumeFromSnapshot } from '../../../server/sim/resume'

const geography = new Geography(buildSampleGeography())
const district = { id: DISTRICT_ID, level: 'district' as const }
const DAY = 86_400_000
/** 14:30 in Yinchuan (UTC+8): a working afternoon, so the last day's patrols are there. */
const NOW = Date.UTC(2026, 4, 20, 6, 30)

describe('backfill', () => {
  const stores: SqliteStore[] = []
  const freshStore = () => {
    const store = new SqliteStore({ filename: ':memory:' })
    stores.push(store)
    return store
  }
  let store: SqliteStore
  let result: BackfillResult

  beforeAll(async () => {
    store = freshStore()
    result = await backfill({ store, geography, days: 3, now: NOW, seed: 7 })
    return async () => {
      for (const s of stores) await s.close()
    }
  })

  it('writes every op it generates, about 400 requests a day', async () => {
    expect(result.requests).toBeGreaterThan(3 * 300)
    expect(result.requests).toBeLessThan(3 * 500)
    expect(result.alerts).toBeGreaterThan(3 * 15)
    expect(result.reviews).toBeGreaterThan(0)
    expect(result.transitions).toBeGreaterThan(result.requests)
    expect(result.pings).toBeGreaterThan(0)
    // One event per request (raised ones come with their review), transition, alert, review and ping:
    // had the store rejected or replayed any op, the log would be shorter.
    expect(result.seq).toBe(result.requests + result.transitions + result.alerts + result.reviews + result.pings)
    expect(await store.lastSeq()).toBe(result.seq)
  })

  it('keeps every request on the lifecycle, in time order, up to now', async () => {
    const facts = await store.requestsReceived(district, NOW - 3 * DAY, NOW + 1)
    expect(facts).toHaveLength(result.requests)
    const broken = facts.filter((f) => {
      let stage: Stage = 'received'
      let at = f.receivedAt
      for (const s of f.stages) {
        if (!NEXT_STAGES[stage].includes(s.stage) || s.at < at || s.at > NOW) return true
        stage = s.stage
        at = s.at
      }
      return false
    })
    expect(broken).toEqual([])
    const stagesSeen = new Set(facts.flatMap((f) => f.stages.map((s) => s.stage)))
    for (const s of ['dispatched', 'accepted', 'onsite', 'resolved', 'reviewed'] as const) expect(stagesSeen).toContain(s)
    expect(new Set(facts.map((f) => f.source))).toEqual(new Set(['hotline', 'grid_chat', 'app', 'qr', 'walk_in', 'patrol', 'camera']))
  })

  it('leaves recent requests open and answers some late', async () => {
    const { snapshot } = await store.snapshot(district)
    expect(snapshot.requests.length).toBeGreaterThan(0)
    expect(snapshot.workers).toHaveLength(geography.units.filter((u) => u.level === 'grid').length)

    const facts = await store.requestsReceived(district, NOW - 3 * DAY, NOW + 1)
    const responses = facts.flatMap((f) => {
      const accepted = f.stages.find((s) => s.stage === 'accepted')
      return accepted ? [{ priority: f.priority, ms: accepted.at - f.receivedAt }] : []
    })
    const late = responses.filter((r) => r.ms > RESPONSE_TARGET_MS[r.priority as Priority]).length
    expect(late).toBeGreaterThan(0)
    expect(late / responses.length).toBeLessThan(0.2)
  })

  it('hands over what would happen after now, each step one the lifecycle allows next', async () => {
    const { pending } = result
    expect(pending.length).toBeGreaterThan(0)
    expect(pending.every((p, i) => p.at > NOW && (i === 0 || pending[i - 1]!.at <= p.at))).toBe(true)
    const firstStep = new Map<string, Stage>()
    for (const p of pending) if (p.type === 'transition' && !firstStep.has(p.requestId)) firstStep.set(p.requestId, p.stage)
    const { snapshot } = await store.snapshot(district)
    // Every open request has something left to do.
    for (const r of snapshot.requests) expect(firstStep.has(r.requestId)).toBe(true)
    const stuck: string[] = []
    for (const [id, stage] of firstStep) {
      const current = (await store.getRequest(id))!.stage
      if (!NEXT_STAGES[current].includes(stage as never)) stuck.push(`${id}: ${current} → ${stage}`)
    }
    expect(stuck).toEqual([])
    for (const p of pending) {
      if (p.type === 'review') expect((await store.getAlert(p.alertId))?.verdict).toBeNull()
    }
  })

  it('puts each event inside its grid and gives towns their own mix', async () => {
    const events = await store.eventsBetween(district, NOW - 3 * DAY, NOW + 1, 1_000_000)
    const received = events.filter((e) => e.type === 'request.received')
    expect(received).toHaveLength(result.requests)
    expect(received.filter((e) => geography.locate({ lon: e.lon, lat: e.lat })?.gridId !== e.gridId)).toEqual([])

    const share = (town: boolean) => {
      const mine = received.filter((e) => TOWN_STREET_IDS.has(geography.pathOf(e.gridId)!.streetId) === town)
      return mine.filter((e) => ['environment', 'utilities', 'dispute'].includes(e.category)).length / mine.length
    }
    expect(share(true)).toBeGreaterThan(share(false) + 0.1)

    // Patrols: only the last 24 hours, only on duty (8–18 h local), inside the worker's grid.
    const patrols = events.filter((e) => e.type === 'patrol.reported')
    expect(patrols).toHaveLength(result.pings)
    const strays = patrols.filter((p) => {
      const hour = new Date(p.at + 8 * 3_600_000).getUTCHours()
      const onDuty = p.at >= NOW - DAY && hour >= 8 && hour < 18
      return !onDuty || p.workerId !== `w-${p.gridId}` || geography.locate({ lon: p.lon, lat: p.lat })?.gridId !== p.gridId
    })
    expect(strays).toEqual([])
    expect(new Set(patrols.map((p) => p.kind))).toEqual(new Set(['ping', 'check_in', 'visit']))
  })

  it('is deterministic for a seed', async () => {
    const again = freshStore()
    const second = await backfill({ store: again, geography, days: 3, now: NOW, seed: 7 })
    expect(second).toEqual(result)
    const firstId = `${backfillIdPrefix(NOW, 7)}-r-1`
    const first = await store.getRequest(firstId)
    expect(first).toBeDefined()
    expect(first?.reporter === undefined || /\*/.test(first.reporter.name ?? first.reporter.phone ?? '')).toBe(true)
    expect(await again.getRequest(firstId)).toEqual(first)

    const other = await backfill({ store: freshStore(), geography, days: 3, now: NOW, seed: 8 })
    expect(other.requests).not.toBe(result.requests)
  })
})

/** Answers like the ingest API (lifecycle checks included) and records every call. */
function fakeApi() {
  const calls: { url: string; payload: unknown }[] = []
  const problems: string[] = []
  const stages = new Map<string, { stage: Stage; at: number }>()
  let seq = 0
  const reply = (statusCode: number, body: unknown) => ({ statusCode, json: () => body })
  const check = (schema: TSchema, body: unknown, what: string) => {
    if (!Value.Check(schema, body)) problems.push(`${what}: invalid body ${JSON.stringify(body).slice(0, 200)}`)
  }
  const gridOf = (location: Location) => geography.locate(toWgs84(location, location.crs ?? 'wgs84'))?.gridId

  const inject: Injector = async ({ method, url, payload }) => {
    calls.push({ url, payload })
    if (method !== 'POST') return reply(404, {})
    const body = payload as Record<string, unknown>
    if (url === '/api/v1/requests') {
      check(CreateRequestSchema, body, url)
      const gridId = gridOf(body.location as Location)
      if (!gridId) problems.push(`request ${String(body.id)} outside every grid`)
      stages.set(body.id as string, { stage: 'received', at: Date.parse(body.receivedAt as string) })
      return reply(201, { id: body.id, seq: ++seq, gridId })
    }
    let m = /^\/api\/v1\/requests\/([^/]+)\/transitions$/.exec(url)
    if (m) {
      check(TransitionSchema, body, url)
      const id = decodeURIComponent(m[1]!)
      const current = stages.get(id)
      const stage = body.stage as Stage
      const at = Date.parse(body.at as string)
      if (!current || !NEXT_STAGES[current.stage].includes(stage as never) || at < current.at) {
        problems.push(`${id}: ${current?.stage ?? 'unknown'} → ${stage}`)
        return reply(409, { statusCode: 409, error: 'Conflict', message: 'lifecycle' })
      }
      if ((stage === 'reviewed') !== (body.review !== undefined)) problems.push(`${id}: review on ${stage}`)
      stages.set(id, { stage, at })
      return reply(201, { id, seq: ++seq, stage })
    }
    if (url === '/api/v1/alerts') {
      check(CreateAlertSchema, body, url)
      if (!gridOf(body.location as Location)) problems.push(`alert ${String(body.id)} outside every grid`)
      return reply(201, { id: body.id, seq: ++seq, gridId: '0' })
    }
    m = /^\/api\/v1\/alerts\/([^/]+)\/review$/.exec(url)
    if (m) {
      check(AlertReviewSchema, body, url)
      const id = decodeURIComponent(m[1]!)
      if (body.raiseRequest) {
        const requestId = `req-from-${id}`
        stages.set(requestId, { stage: 'received', at: Date.parse(body.at as string) })
        return reply(201, { id, seq: ++seq, verdict: body.verdict, requestId })
      }
      return reply(201, { id, seq: ++seq, verdict: body.verdict })
    }
    if (url === '/api/v1/activities') {
      check(CreateActivitySchema, body, url)
      const level = geography.get(body.unit as string)?.level
      if (level !== 'street' && level !== 'community') problems.push(`activity in ${String(body.unit)}`)
      return reply(201, { id: `act-${++seq}` })
    }
    if (url === '/api/v1/patrols') {
      check(PatrolBatchSchema, body, url)
      const pings = body.pings as { workerId: string; location: Location }[]
      for (const p of pings) {
        if (gridOf(p.location) !== p.workerId.slice(2)) problems.push(`${p.workerId} left the grid`)
      }
      seq += pings.length
      return reply(202, { accepted: pings.length, seq })
    }
    return reply(404, {})
  }
  return { inject, calls, problems, stages }
}

describe('live simulator', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('drives the whole API at speed 600 with valid bodies, in lifecycle order', async () => {
    const api = fakeApi()
    // 08:00 local; 300 one-second ticks at ×600 are 50 simulated hours.
    let clock = Date.UTC(2026, 4, 20, 0, 0)
    const sim = startSimulator({ inject: api.inject, geography, speed: 600, now: () => clock, seed: 3, autoTick: false })
    for (let i = 0; i < 300; i++) {
      clock += 1000
      await sim.tick()
    }
    await sim.stop()

    expect(api.problems).toEqual([])
    const stats = sim.stats()
    expect(stats.errors).toBe(0)
    const urls = (test: (url: string) => boolean) => api.calls.filter((c) => test(c.url))
    expect(stats.requests).toBe(urls((u) => u === '/api/v1/requests').length)
    // 50 simulated hours at the rate of the real clock's hour (08:00 local, ~27 an hour): ~1,350.
    expect(stats.requests).toBeGreaterThan(1000)
    expect(stats.requests).toBeLessThan(1700)
    expect(stats.activities).toBe(urls((u) => u === '/api/v1/activities').length)
    expect(stats.activities).toBeGreaterThan(3)
    expect(stats.transitions).toBe(urls((u) => u.endsWith('/transitions')).length)
    expect(stats.alerts).toBeGreaterThan(20)
    expect(stats.reviews).toBeGreaterThan(10)

    const transitions = urls((u) => u.endsWith('/transitions'))
    const stagesPosted = new Set(transitions.map((c) => (c.payload as { stage: string }).stage))
    for (const s of ['dispatched', 'accepted', 'onsite', 'resolved', 'reviewed'] as const) expect(stagesPosted).toContain(s)
    // Camera-raised requests get their lifecycle too.
    expect(transitions.some((c) => c.url.includes('req-from-'))).toBe(true)

    const batches = urls((u) => u === '/api/v1/patrols').map((c) => (c.payload as { pings: unknown[] }).pings.length)
    expect(batches.length).toBeGreaterThan(0)
    expect(Math.max(...batches)).toBeLessThanOrEqual(MAX_PINGS_PER_BATCH)
    expect(stats.pings).toBe(batches.reduce((s, n) => s + n, 0))

    // Some hotline requests arrive in GCJ-02 (checked above to land inside a grid once converted).
    const requests = urls((u) => u === '/api/v1/requests').map((c) => c.payload as { source: string; location: Location })
    expect(requests.some((r) => r.location.crs === 'gcj02' && r.source === 'hotline')).toBe(true)
    expect(requests.every((r) => r.location.crs === undefined || r.source === 'hotline')).toBe(true)
  })

  it('ticks on its own timer until stopped', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 4, 20, 2, 0) })
    const api = fakeApi()
    const sim = startSimulator({ inject: api.inject, geography, speed: 60, seed: 5, tickMs: 500 })
    await vi.advanceTimersByTimeAsync(10_000)
    expect(sim.stats().pings).toBeGreaterThan(0)
    await sim.stop()
    const calls = api.calls.length
    await vi.advanceTimersByTimeAsync(10_000)
    expect(api.calls.length).toBe(calls)
    expect(api.problems).toEqual([])
  })

  it('counts and logs failed calls without throwing, and stop() waits for calls in flight', async () => {
    const lines: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let settled = 0
    const inject: Injector = async () => {
      await gate
      settled++
      return { statusCode: 500, json: () => ({ statusCode: 500, error: 'Internal Server Error', message: 'boom' }) }
    }
    let clock = Date.UTC(2026, 4, 20, 2, 0)
    const sim = startSimulator({ inject, geography, speed: 600, now: () => clock, seed: 9, autoTick: false, log: (l) => lines.push(l) })
    const ticks: Promise<void>[] = []
    for (let i = 0; i < 20; i++) {
      clock += 1000
      ticks.push(sim.tick())
    }
    let stopped = false
    const stopping = sim.stop().then(() => (stopped = true))
    await Promise.resolve()
    expect(stopped).toBe(false)
    release()
    await stopping
    await Promise.all(ticks)
    expect(settled).toBeGreaterThan(0)
    expect(sim.stats().errors).toBe(settled)
    const errorLines = lines.filter((l) => l.includes('failed'))
    expect(errorLines.length).toBeGreaterThan(0)
    expect(errorLines.length).toBeLessThanOrEqual(5)
    expect(errorLines[0]).toContain('500')
  })
})

describe('resume after a restart', () => {
  it('plans valid next steps for every open request and a review for every unreviewed alert', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    const geography = new Geography(buildSampleGeography())
    const now = Date.parse('2026-11-20T06:00:00Z')
    await backfill({ store, geography, days: 2, now, seed: 5 })
    const { snapshot } = await store.snapshot(geography.ref('640106')!)
    expect(snapshot.requests.length).toBeGreaterThan(0)
    const steps = resumeFromSnapshot(snapshot, now)
    const stageOf = new Map(snapshot.requests.map((r) => [r.requestId, r.stage as string]))
    for (const step of steps) {
      expect(step.at).toBeGreaterThanOrEqual(now)
      if (step.type !== 'transition') continue
      const current = stageOf.get(step.requestId)!
      expect(allowedNextStages(current as Stage)).toContain(step.stage)
      stageOf.set(step.requestId, step.stage)
    }
    // Every open request moves on.
    expect(new Set(steps.filter((s) => s.type === 'transition').map((s) => (s.type === 'transition' ? s.requestId : '')))).toEqual(
      new Set(snapshot.requests.map((r) => r.requestId)),
    )
    expect(steps.filter((s) => s.type === 'review').length).toBe(snapshot.alerts.length)
    await store.close()
  })
})
