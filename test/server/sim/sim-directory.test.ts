// The demo directory (departments, rota, experts) for any district, and the simulator's typed
// dispatch targets: live through the real API (the department named is the one sitting at the
// street then), and in the backfill.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Value } from 'typebox/value'
import { DISTRICT_ID, EXPERT_POOLS, alarmIdOf, type DispatchTarget } from '../../../shared/domain'
import { workerIdForGrid } from '../../../shared/sample-geography'
import { DepartmentSchema, ExpertSchema, RotaEntrySchema } from '../../../shared/schemas/directory'
import type { RequestDetail } from '../../../shared/schemas/requests'
import { SqliteAuditLog } from '../../../server/audit/audit-log'
import { demoRota, seedDemoDirectory } from '../../../server/directory/demo'
import { DirectoryStore } from '../../../server/directory/directory-store'
import type { Directory } from '../../../server/directory/types'
import { Geography } from '../../../server/geo/geography'
import { backfill } from '../../../server/sim/backfill'
import { startSimulator, type Injector } from '../../../server/sim/simulator'
import type { Store } from '../../../server/store/types'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { buildTestApp, sampleGeography, type TestApp } from '../../helpers/build-app'
import { GENERATED_DISTRICT_NAME, generateDistrict } from '../../helpers/generated-district'

const TZ = 'Asia/Shanghai'
const ACTOR = { kind: 'cli' as const, name: 'demo' }
const HOUR = 3_600_000
/** Monday 18 May 2026, 00:00 in Yinchuan (UTC+8). */
const MONDAY = Date.UTC(2026, 4, 17, 16, 0)

function openDirectory(geography: Geography): { directory: DirectoryStore; audit: SqliteAuditLog } {
  const audit = new SqliteAuditLog(':memory:')
  const directory = new DirectoryStore(':memory:', { audit, isStreet: (id) => geography.get(id)?.level === 'street' })
  return { directory, audit }
}

function streetsOf(geography: Geography): string[] {
  return geography.children(geography.district.id).filter((u) => u.level === 'street').map((u) => u.id)
}

/** Every dispatch of these requests, with the street and time it happened at. */
function dispatches(details: readonly RequestDetail[]): { requestId: string; gridId: string; streetId: string; at: number; assignee: unknown }[] {
  return details.flatMap((d) =>
    d.stages.filter((s) => s.stage === 'dispatched').map((s) => ({ requestId: d.id, gridId: d.gridId, streetId: d.streetId, at: Date.parse(s.at), assignee: s.assignee })),
  )
}

/** Problems with typed targets: a worker not the grid's, a department not sitting there then, an expert not of a dispute pool. */
function targetProblems(directory: Directory, list: ReturnType<typeof dispatches>): string[] {
  const problems: string[] = []
  for (const d of list) {
    const target = d.assignee as DispatchTarget
    if (typeof target !== 'object' || target === null) {
      problems.push(`${d.requestId}: untyped assignee ${JSON.stringify(target)}`)
      continue
    }
    if (target.kind === 'worker' && target.id !== workerIdForGrid(d.gridId)) problems.push(`${d.requestId}: worker ${target.id} of another grid`)
    if (target.kind === 'department' && !directory.onDuty([d.streetId], d.at, TZ).some((e) => e.now && e.department.id === target.id)) {
      problems.push(`${d.requestId}: ${target.id} not on duty at ${d.streetId} at ${new Date(d.at).toISOString()}`)
    }
    if (target.kind === 'expert' && !['mediation', 'legal'].includes(directory.expert(target.id)?.pool ?? '')) problems.push(`${d.requestId}: expert ${target.id}`)
  }
  return problems
}

async function allDetails(store: Store): Promise<RequestDetail[]> {
  const summaries = await store.listRequests({ id: DISTRICT_ID, level: 'district' }, { openOnly: false, from: 0, limit: 100_000 })
  const details: RequestDetail[] = []
  for (const s of summaries) details.push((await store.getRequest(s.id))!)
  return details
}

describe('demo directory', () => {
  const cases: [string, () => Geography][] = [
    ['the sample district', sampleGeography],
    ['a generated district', () => new Geography(generateDistrict({ streets: 5, communitiesPerStreet: 2, gridsPerCommunity: 2, verticesPerEdge: 4 }))],
  ]
  for (const [name, make] of cases) {
    it(`is valid for ${name}, named after it, with someone at every street on weekdays`, async () => {
      const geography = make()
      const { directory, audit } = openDirectory(geography)
      await seedDemoDirectory(directory, geography, ACTOR)

      const departments = directory.departments()
      expect(departments.length).toBeGreaterThanOrEqual(7)
      for (const d of departments) {
        expect(Value.Check(DepartmentSchema, d)).toBe(true)
        expect(d.name.startsWith(geography.district.name)).toBe(true)
      }
      for (const kind of ['housing', 'urban_management', 'natural_resources', 'public_security', 'justice', 'water', 'power']) {
        expect(departments.some((d) => d.kind === kind)).toBe(true)
      }

      const rota = directory.rota()
      expect(rota).toHaveLength(demoRota(geography).length)
      for (const entry of rota) expect(Value.Check(RotaEntrySchema, entry)).toBe(true)

      const experts = directory.experts()
      for (const e of experts) {
        expect(Value.Check(ExpertSchema, e)).toBe(true)
        expect(e.contact).toMatch(/^139-0000-\d{4}$/)
        expect(EXPERT_POOLS).toContain(e.pool)
      }
      for (const pool of ['legal', 'psychological', 'mediation']) expect(experts.filter((e) => e.pool === pool).length).toBeGreaterThanOrEqual(3)

      const streets = streetsOf(geography)
      expect(streets.length).toBeGreaterThan(0)
      for (let day = 0; day < 7; day++) {
        for (const hour of [10, 15]) {
          const at = MONDAY + day * 24 * HOUR + hour * HOUR
          const sitting = directory.onDuty(streets, at, TZ).filter((e) => e.now)
          for (const street of streets) {
            // Monday to Friday, morning and afternoon: someone at every street; at the weekend no one.
            expect(sitting.some((e) => e.streetId === street), `${street}, day ${day + 1} ${hour}:00`).toBe(day < 5)
          }
        }
      }
      // Each change is in the audit trail.
      expect((await audit.entries({ from: 0, to: Number.MAX_SAFE_INTEGER, limit: 5000 })).length).toBe(departments.length + rota.length + experts.length)

      // Seeding again adds nothing.
      await seedDemoDirectory(directory, geography, ACTOR)
      expect(directory.rota()).toHaveLength(rota.length)
      expect(directory.departments()).toHaveLength(departments.length)
      await directory.close()
      await audit.close()
    })
  }

  it('names departments after a district of any name', async () => {
    const geography = new Geography(generateDistrict({ streets: 2, communitiesPerStreet: 1, gridsPerCommunity: 1, verticesPerEdge: 2 }))
    const { directory, audit } = openDirectory(geography)
    await seedDemoDirectory(directory, geography, ACTOR)
    expect(directory.department('dept-housing')?.name).toBe(`${GENERATED_DISTRICT_NAME}住房和城乡建设局`)
    await directory.close()
    await audit.close()
  })
})

describe('simulator with the demo directory, through the real API', () => {
  /** 09:00 on a Monday in Yinchuan: the morning slot. */
  const START = MONDAY + 9 * HOUR
  let clock = START
  let t: TestApp

  beforeAll(async () => {
    t = await buildTestApp({ now: () => clock })
    await seedDemoDirectory(t.app.directory, t.geography, ACTOR)
  })
  afterAll(async () => {
    await t.close()
  })

  it('dispatches typed targets the server accepts, departments only where and when they sit, and plays the staff', async () => {
    const lines: string[] = []
    const sim = startSimulator({
      inject: (request) => t.inject(request),
      geography: t.geography,
      speed: 1200,
      now: () => clock,
      seed: 21,
      autoTick: false,
      directory: t.app.directory,
      timeZone: TZ,
      log: (line) => lines.push(line),
    })
    // 60 one-second ticks at ×1200: 20 hours of the district, on the real clock's Monday morning.
    for (let i = 0; i < 60; i++) {
      clock += 1000
      await sim.tick()
    }
    await sim.stop()

    expect(lines.filter((l) => l.includes('failed'))).toEqual([])
    const stats = sim.stats()
    expect(stats.errors).toBe(0)
    expect(stats.requests).toBeGreaterThan(200)

    const details = await allDetails(t.store)
    const list = dispatches(details)
    expect(list.length).toBeGreaterThan(200)
    expect(targetProblems(t.app.directory, list)).toEqual([])
    const kinds = new Set(list.map((d) => (d.assignee as DispatchTarget).kind))
    expect(kinds).toContain('worker')
    expect(kinds).toContain('department')
    expect(kinds).toContain('expert')
    // Most requests still go to the grid's worker.
    expect(list.filter((d) => (d.assignee as DispatchTarget).kind === 'worker').length).toBeGreaterThan(list.length / 2)
    // 督办: some requests the sim let go late were urged, by its key.
    expect(stats.urges).toBeGreaterThan(0)
    const urged = details.filter((d) => d.urges.length > 0)
    expect(urged.length).toBe(stats.urges)
    expect(urged[0]!.urges[0]!.actor?.kind).toBe('key')

    // The alarms of its urgent requests and camera alerts were acknowledged by its key, a minute or three on.
    expect(stats.acks).toBeGreaterThan(0)
    const alarms = await t.store.listAlarms({ id: DISTRICT_ID, level: 'district' }, { openOnly: false, limit: 1000 })
    const acked = alarms.filter((a) => a.ack)
    expect(acked.length).toBe(stats.acks)
    for (const a of acked) {
      expect(a.ack!.actor.kind).toBe('key')
      const delay = (Date.parse(a.ack!.at) - Date.parse(a.raisedAt)) * 1200
      expect(delay).toBeGreaterThanOrEqual(60_000 - 1200)
    }
    const urgent = details.find((d) => d.priority === 'urgent' && d.source !== 'camera')
    expect(urgent).toBeDefined()
    expect(alarms.find((a) => a.id === alarmIdOf('urgent_request', urgent!.id))?.ack).toBeDefined()
  })
})

describe('backfill with the demo directory', () => {
  it('writes typed targets: departments sitting at the street then, experts, workers otherwise', async () => {
    const geography = sampleGeography()
    const store = new SqliteStore({ filename: ':memory:' })
    const { directory, audit } = openDirectory(geography)
    await seedDemoDirectory(directory, geography, ACTOR)
    // A Thursday afternoon: three working days of history and a weekend before them.
    const now = MONDAY + 3 * 24 * HOUR + 15 * HOUR
    const result = await backfill({ store, geography, days: 5, now, seed: 3, directory, timeZone: TZ })
    const list = dispatches(await allDetails(store))
    expect(list.length).toBeGreaterThan(1000)
    expect(targetProblems(directory, list)).toEqual([])
    const byKind = (kind: string) => list.filter((d) => (d.assignee as DispatchTarget).kind === kind).length
    expect(byKind('department')).toBeGreaterThan(50)
    expect(byKind('expert')).toBeGreaterThan(0)
    expect(byKind('worker')).toBeGreaterThan(list.length / 2)
    // What is left for the live simulator carries typed targets and the plan to decide them again.
    const pendingDispatches = result.pending.filter((p) => p.type === 'transition' && p.stage === 'dispatched')
    expect(pendingDispatches.every((p) => p.type === 'transition' && typeof p.assignee === 'object')).toBe(true)

    // Without a directory: the grid's worker every time.
    const plain = new SqliteStore({ filename: ':memory:' })
    await backfill({ store: plain, geography, days: 1, now, seed: 3 })
    const plainList = dispatches(await allDetails(plain))
    expect(plainList.length).toBeGreaterThan(100)
    expect(plainList.every((d) => (d.assignee as DispatchTarget).kind === 'worker' && (d.assignee as DispatchTarget).id === workerIdForGrid(d.gridId))).toBe(true)
    await store.close()
    await plain.close()
    await directory.close()
    await audit.close()
  })
})

describe('overdue alarms', () => {
  it('acknowledges the overdue alarm of a request it answered late, asking again while the sweep has not raised it', async () => {
    const calls: { url: string; payload: unknown }[] = []
    let ackAnswers = 0
    const inject: Injector = async ({ url, payload }) => {
      calls.push({ url, payload })
      if (url.startsWith('/api/v1/alarms/')) {
        // The late request's alarm is not raised yet the first time; then acknowledged.
        return url.includes('late-1') && ++ackAnswers === 1 ? { statusCode: 404, json: () => ({}) } : { statusCode: 201, json: () => ({ id: 'x', seq: 1 }) }
      }
      return { statusCode: url === '/api/v1/patrols' ? 202 : 201, json: () => ({ id: 'x', seq: 1 }) }
    }
    // 03:00 local: quiet, so the late request's calls stand out.
    let clock = MONDAY + 3 * HOUR
    const receivedAt = clock - 3 * HOUR
    const sim = startSimulator({
      inject,
      geography: sampleGeography(),
      speed: 60,
      now: () => clock,
      seed: 2,
      autoTick: false,
      resume: [
        // Received three hours ago, general (2 h to respond): accepted late, then resolved in time.
        { type: 'transition', at: clock + 60_000, requestId: 'late-1', stage: 'accepted', receivedAt, priority: 'general' },
        { type: 'transition', at: clock + 120_000, requestId: 'late-1', stage: 'resolved', receivedAt, priority: 'general' },
        { type: 'transition', at: clock + 60_000, requestId: 'on-time-1', stage: 'accepted', receivedAt: clock - HOUR, priority: 'general' },
      ],
    })
    for (let i = 0; i < 90; i++) {
      clock += 1000
      await sim.tick()
    }
    await sim.stop()
    const acks = calls.filter((c) => c.url.startsWith('/api/v1/alarms/')).map((c) => c.url)
    expect(acks.filter((u) => u.includes('late-1'))).toEqual([
      `/api/v1/alarms/${encodeURIComponent(alarmIdOf('overdue', 'late-1'))}/ack`,
      `/api/v1/alarms/${encodeURIComponent(alarmIdOf('overdue', 'late-1'))}/ack`,
    ])
    expect(acks.some((u) => u.includes('on-time-1'))).toBe(false)
    expect(sim.stats().errors).toBe(0)
  })
})
