// Figures by department: the rollups against a direct computation over the stored facts, and the
// `departments` of GET /api/v1/metrics (names from the directory, the leader's scope).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { alarmIdOf, allowedNextStages, type DispatchTarget, type Stage, type TransitionStage } from '../../../shared/domain'
import {
  computeFigures,
  DEFAULT_POLICY,
  departmentOfAssignee,
  departmentPart,
  type DepartmentFigures,
  type Policy,
  type RequestFacts,
} from '../../../shared/metrics'
import { HOUR_MS } from '../../../shared/time'
import type { Geography, UnitRef } from '../../../server/geo/geography'
import { followStore } from '../../../server/metrics/load'
import { Rollups } from '../../../server/metrics/rollups'
import { mulberry32 } from '../../../server/sim/model'
import { SqliteStore } from '../../../server/store/sqlite-store'
import type { Store } from '../../../server/store/types'
import { buildTestApp, pointIn, sampleGeography, type TestApp, type TestUser } from '../../helpers/build-app'
import { scanFigures } from '../../helpers/scan-oracle'

const geography = sampleGeography()
const NOW = Date.parse('2026-11-20T05:30:00Z')
const TZ = 'Asia/Shanghai'
const STREET_A = '640106001'
const STREET_B = '640106002'
const DEPARTMENTS = ['zj-jf', 'cg-jf', 'sw-jf']

/**
 * The oracle: the requests of the window and the open ones from the store's projections, each
 * request's department from its stored timeline (the latest `dispatched` step's target), and the
 * unit figures' own direct computation over each department's requests.
 */
async function scanDepartments(
  store: Store,
  unit: UnitRef,
  window: { from: number; to: number; now: number },
  policy: Policy,
): Promise<{ departmentId: string; figures: DepartmentFigures }[]> {
  const [requests, open] = await Promise.all([store.requestsReceived(unit, window.from, window.to), store.openRequests(unit)])
  const info = new Map<string, { department: string | null; urged: boolean }>()
  for (const id of new Set([...requests, ...open].map((r) => r.id))) {
    const detail = (await store.getRequest(id))!
    const dispatches = detail.stages.filter((s) => s.stage === 'dispatched')
    info.set(id, { department: departmentOfAssignee(dispatches.at(-1)?.assignee), urged: detail.urges.length > 0 })
  }
  const groups = new Map<string, { requests: RequestFacts[]; open: RequestFacts[] }>()
  const group = (r: RequestFacts) => {
    const d = info.get(r.id)!.department
    if (d === null) return undefined
    if (!groups.has(d)) groups.set(d, { requests: [], open: [] })
    return groups.get(d)!
  }
  for (const r of requests) group(r)?.requests.push(r)
  for (const r of open) group(r)?.open.push(r)
  const out: { departmentId: string; figures: DepartmentFigures }[] = []
  for (const [departmentId, g] of groups) {
    const f = computeFigures({ requests: g.requests, open: g.open, alerts: [], cells: 0, visitedCells: 0, workersOnline: 0, population: null, now: window.now, policy })
    const urged = g.requests.filter((r) => info.get(r.id)!.urged).length
    if (f.requests === 0 && f.overdue.response === 0 && f.overdue.resolution === 0) continue
    out.push({ departmentId, figures: departmentPart(f, urged) })
  }
  return out.sort((a, b) => b.figures.requests - a.figures.requests || (a.departmentId < b.departmentId ? -1 : 1))
}

/** A dispatch target, at random: a department, a worker, an expert, older free text or none. */
function target(rand: () => number): DispatchTarget | string | undefined {
  const x = rand()
  if (x < 0.45) return { kind: 'department', id: DEPARTMENTS[Math.floor(rand() * DEPARTMENTS.length)]! }
  if (x < 0.65) return { kind: 'worker', id: `w-${Math.floor(rand() * 5)}` }
  if (x < 0.75) return { kind: 'expert', id: 'ex-legal-1' }
  // Free text as events before typed targets hold it, including a department's id as a name.
  if (x < 0.9) return rand() < 0.5 ? '张师傅' : DEPARTMENTS[0]!
  return undefined
}

/**
 * Requests over four days in two streets, each walked at random through the stage machine
 * (returns and reopens dispatch again, often to another target), some urged, urgent ones raising
 * alarms, some alarms acknowledged.
 */
async function seed(store: Store, geo: Geography, n: number, seedValue: number): Promise<void> {
  const rand = mulberry32(seedValue)
  const grids = geo.units.filter((u) => u.level === 'grid' && (geo.isWithin(u.id, STREET_A) || geo.isWithin(u.id, STREET_B)))
  const priorities = ['urgent', 'utilities', 'general', 'complex'] as const
  for (let k = 0; k < n; k++) {
    const grid = grids[Math.floor(rand() * grids.length)]!
    const point = pointIn(geo, grid.id)
    const receivedAt = NOW - Math.floor(rand() * 4 * 24 * 60) * 60_000
    const id = `q-${seedValue}-${k}`
    const priority = priorities[Math.floor(rand() * priorities.length)]!
    const created = await store.createRequest({
      id,
      fingerprint: `fp-${id}`,
      source: rand() < 0.3 ? 'patrol' : 'hotline',
      category: 'noise',
      priority,
      ...point,
      path: geo.locate(point)!,
      receivedAt,
    })
    expect(created.ok).toBe(true)
    let stage: Stage = 'received'
    let at = receivedAt
    for (let s = 0; s < 9 && rand() > 0.12; s++) {
      at += Math.floor(rand() * (rand() < 0.5 ? 40 : 900)) * 60_000
      if (at > NOW) break
      const options = allowedNextStages(stage)
      const next: TransitionStage = options[Math.floor(rand() * options.length)]!
      const assignee = next === 'dispatched' ? target(rand) : undefined
      const outcome = await store.transitionRequest({
        requestId: id,
        fingerprint: `fp-${id}-${s}`,
        stage: next,
        at,
        // Free text goes in as older events hold it: the store writes what it is given.
        ...(assignee !== undefined ? { assignee: assignee as DispatchTarget } : {}),
        ...(next === 'reviewed' ? { review: { resolved: rand() < 0.7, satisfaction: rand() < 0.6 ? 'satisfied' : 'dissatisfied' } } : {}),
      })
      expect(outcome.ok).toBe(true)
      stage = next
      if (rand() < 0.15) await store.urgeRequest({ requestId: id, at, actor: { kind: 'user', name: 'duty' } })
    }
    if (priority === 'urgent' && rand() < 0.5) {
      await store.ackAlarm({ alarmId: alarmIdOf('urgent_request', id), at: Math.min(NOW, receivedAt + 60_000), actor: { kind: 'user', name: 'duty' } })
    }
  }
}

describe('figures by department equal the direct computation', () => {
  let store: SqliteStore
  let rollups: Rollups
  beforeAll(async () => {
    store = new SqliteStore({ filename: ':memory:' })
    await seed(store, geography, 220, 7)
    rollups = new Rollups({ geography, policy: DEFAULT_POLICY, timeZone: TZ })
    await followStore(rollups, store)
  }, 60_000)
  afterAll(async () => {
    await store.close()
  })

  it('holds departments only: workers, experts and free-text names count toward none', async () => {
    const whole = rollups.departmentFigures('640106', NOW - 5 * 24 * HOUR_MS, NOW + HOUR_MS, NOW)
    expect(whole.map((d) => d.departmentId).sort()).toEqual([...DEPARTMENTS].sort())
    const expected = await scanDepartments(store, geography.ref('640106')!, { from: NOW - 5 * 24 * HOUR_MS, to: NOW + HOUR_MS, now: NOW }, DEFAULT_POLICY)
    expect(whole).toEqual(expected)
    const total = whole.reduce((n, d) => n + d.figures.requests, 0)
    const all = rollups.figures('640106', NOW - 5 * 24 * HOUR_MS, NOW + HOUR_MS, NOW).requests
    // Every figure is populated somewhere, and the departments hold a part of the requests only.
    expect(total).toBeGreaterThan(20)
    expect(total).toBeLessThan(all)
    expect(whole.some((d) => d.figures.responseTime.n > 0 && d.figures.resolutionTime.n > 0)).toBe(true)
    expect(whole.some((d) => d.figures.urged > 0)).toBe(true)
    expect(whole.some((d) => d.figures.overdue.response + d.figures.overdue.resolution > 0)).toBe(true)
  })

  it('for random units, windows and moments', async () => {
    const rand = mulberry32(5)
    const units = geography.units.filter((u) => u.id === '640106' || geography.isWithin(u.id, STREET_A) || geography.isWithin(u.id, STREET_B))
    const nowHour = Math.floor(NOW / HOUR_MS)
    let compared = 0
    for (let i = 0; i < 40; i++) {
      const unit = units[Math.floor(rand() * units.length)]!
      const start = nowHour - Math.floor(rand() * 24 * 5)
      const end = start + 1 + Math.floor(rand() * 24 * 4)
      const now = NOW + Math.floor(rand() * 48) * 600_000
      const window = { from: start * HOUR_MS, to: end * HOUR_MS, now }
      const expected = await scanDepartments(store, geography.ref(unit.id)!, window, DEFAULT_POLICY)
      expect(rollups.departmentFigures(unit.id, window.from, window.to, now), `${unit.id} ${JSON.stringify(window)}`).toEqual(expected)
      if (expected.length > 0) compared++
    }
    expect(compared).toBeGreaterThan(10)
  })

  it('leaves the unit figures as they were with urges and alarms in the log', async () => {
    const from = Math.floor(NOW / HOUR_MS) * HOUR_MS - 96 * HOUR_MS
    const to = from + 100 * HOUR_MS
    for (const unit of ['640106', STREET_A, STREET_B]) {
      expect(rollups.figures(unit, from, to, NOW)).toEqual(await scanFigures(store, geography, geography.ref(unit)!, { from, to, now: NOW }, DEFAULT_POLICY))
    }
  })

  it('keeps equal as requests move between departments after the load', async () => {
    // Return open dispatched requests and dispatch them again, to another department or a worker.
    const open = await store.openRequests(geography.ref('640106')!)
    let moved = 0
    for (const r of open) {
      const stage = r.stages.at(-1)?.stage ?? 'received'
      if (stage !== 'dispatched' && stage !== 'accepted') continue
      const at = Math.max(NOW - 60_000, r.stages.at(-1)!.at)
      const back = await store.transitionRequest({ requestId: r.id, fingerprint: `back-${r.id}`, stage: 'returned', at })
      expect(back.ok).toBe(true)
      const to: DispatchTarget = moved % 3 === 2 ? { kind: 'worker', id: 'w-9' } : { kind: 'department', id: DEPARTMENTS[moved % 3]! }
      const again = await store.transitionRequest({ requestId: r.id, fingerprint: `again-${r.id}`, stage: 'dispatched', at, assignee: to })
      expect(again.ok).toBe(true)
      await store.urgeRequest({ requestId: r.id, at, actor: { kind: 'key', source: 'test' } })
      moved++
    }
    expect(moved).toBeGreaterThan(5)
    const from = Math.floor(NOW / HOUR_MS) * HOUR_MS - 100 * HOUR_MS
    const to = from + 101 * HOUR_MS
    for (const unit of ['640106', STREET_A]) {
      expect(rollups.departmentFigures(unit, from, to, NOW)).toEqual(await scanDepartments(store, geography.ref(unit)!, { from, to, now: NOW }, DEFAULT_POLICY))
    }
  })
})

// ---- the route ----------------------------------------------------------------------------------

// 2026-11-28 14:30 in Shanghai: "today" is [2026-11-27T16:00Z, 2026-11-28T16:00Z).
const TODAY_NOW = Date.parse('2026-11-28T06:30:00Z')
const LEADER_A: TestUser = { username: 'leader-a', password: 'leader-a-pass', role: 'leader', unit: STREET_A }

describe('GET /api/v1/metrics departments', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp({ now: () => TODAY_NOW, users: [LEADER_A] })
    const cli = { kind: 'cli' as const, name: 'test' }
    expect((await t.app.directory.addDepartment({ id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }, cli)).ok).toBe(true)
    expect((await t.app.directory.addDepartment({ id: 'cg-jf', name: '金凤区城管局', kind: 'urban_management' }, cli)).ok).toBe(true)
  })
  afterEach(async () => {
    await t.close()
  })

  async function request(id: string, unit: string, receivedAt: string) {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { id, source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t.geography, unit), receivedAt },
    })
    expect(res.statusCode).toBe(201)
  }
  async function step(id: string, stage: string, at: string, extra: Record<string, unknown> = {}) {
    const res = await t.inject({ method: 'POST', url: `/api/v1/requests/${id}/transitions`, payload: { stage, at, ...extra } })
    expect(res.statusCode, res.body).toBe(201)
  }

  it('answers each department with its name, its figures, and nothing for workers', async () => {
    await request('a1', STREET_A, '2026-11-28T01:00:00Z')
    await step('a1', 'dispatched', '2026-11-28T01:05:00Z', { assignee: { kind: 'department', id: 'zj-jf' } })
    await step('a1', 'accepted', '2026-11-28T01:15:00Z')
    await step('a1', 'resolved', '2026-11-28T03:00:00Z')
    await request('a2', STREET_A, '2026-11-28T02:00:00Z')
    await step('a2', 'dispatched', '2026-11-28T02:05:00Z', { assignee: { kind: 'department', id: 'zj-jf' } })
    await step('a2', 'accepted', '2026-11-28T02:35:00Z')
    await request('b1', STREET_B, '2026-11-28T01:00:00Z')
    await step('b1', 'dispatched', '2026-11-28T01:05:00Z', { assignee: { kind: 'department', id: 'cg-jf' } })
    const urge = await t.inject({ method: 'POST', url: '/api/v1/requests/b1/urge', payload: {} })
    expect(urge.statusCode, urge.body).toBeLessThan(300)
    // Dispatched to a department, then back and on to a worker: no department's any more.
    await request('b2', STREET_B, '2026-11-28T01:30:00Z')
    await step('b2', 'dispatched', '2026-11-28T01:35:00Z', { assignee: { kind: 'department', id: 'cg-jf' } })
    await step('b2', 'returned', '2026-11-28T01:40:00Z')
    const point = pointIn(t.geography, STREET_B)
    await t.store.appendPings([{ workerId: 'w-b', kind: 'ping', ...point, path: t.geography.locate(point)!, at: Date.parse('2026-11-28T01:00:00Z') }])
    await step('b2', 'dispatched', '2026-11-28T01:45:00Z', { assignee: { kind: 'worker', id: 'w-b' } })

    const body = (await t.inject({ method: 'GET', url: '/api/v1/metrics' })).json()
    expect(body.departments).toEqual([
      {
        departmentId: 'zj-jf',
        name: '金凤区住建局',
        figures: { requests: 2, responseTime: { p50: 900, p90: 2100, n: 2 }, resolutionTime: { p50: 7200, p90: 7200, n: 1 }, overdue: { response: 0, resolution: 0 }, urged: 0 },
      },
      {
        departmentId: 'cg-jf',
        name: '金凤区城管局',
        // b1 waits for acceptance past its 2-hour deadline (03:05Z); b2 went back to the center.
        figures: { requests: 1, responseTime: { p50: null, p90: null, n: 0 }, resolutionTime: { p50: null, p90: null, n: 0 }, overdue: { response: 1, resolution: 0 }, urged: 1 },
      },
    ])
    // The children's own figures are untouched: street B still counts both of its requests.
    expect(body.children.find((c: { unit: string }) => c.unit === STREET_B).figures.requests).toBe(2)

    // The window: yesterday holds none of these.
    const yesterday = (await t.inject({ method: 'GET', url: '/api/v1/metrics?from=2026-11-27&to=2026-11-28' })).json()
    expect(yesterday.departments.map((d: { departmentId: string }) => d.departmentId)).toEqual(['cg-jf'])
    expect(yesterday.departments[0].figures.requests).toBe(0)
  })

  it('keeps a leader to their subtree, and leaves an id the directory does not know unnamed', async () => {
    await request('a1', STREET_A, '2026-11-28T01:00:00Z')
    await step('a1', 'dispatched', '2026-11-28T01:05:00Z', { assignee: { kind: 'department', id: 'zj-jf' } })
    await request('b1', STREET_B, '2026-11-28T01:00:00Z')
    await step('b1', 'dispatched', '2026-11-28T01:05:00Z', { assignee: { kind: 'department', id: 'cg-jf' } })
    const cookie = await t.login(LEADER_A)
    const leader = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } })
    const own = await leader('/api/v1/metrics')
    expect(own.statusCode).toBe(200)
    expect(own.json().unit).toBe(STREET_A)
    expect(own.json().departments.map((d: { departmentId: string }) => d.departmentId)).toEqual(['zj-jf'])
    expect((await leader(`/api/v1/metrics?unit=${STREET_B}`)).statusCode).toBe(403)
    expect((await leader('/api/v1/metrics?unit=640106')).statusCode).toBe(403)

    // Removed from the directory after the dispatch: the figures stay, under the bare id.
    expect((await t.app.directory.removeDepartment('zj-jf', { kind: 'cli', name: 'test' })).ok).toBe(true)
    const unnamed = (await leader('/api/v1/metrics')).json().departments[0]
    expect(unnamed.departmentId).toBe('zj-jf')
    expect(unnamed).not.toHaveProperty('name')
  })
})
