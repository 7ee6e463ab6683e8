import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { backfill } from '../../../server/sim/backfill'
import { SqliteReportArchive, reportId } from '../../../server/reports/archive'
import { generateClosedReports, keepReport, reportUnits } from '../../../server/reports/generator'
import { buildReportData } from '../../../server/reports/build'
import { periodSpan, type ReportData } from '../../../shared/report'
import type { MetricsReply } from '../../../shared/metrics'
import { buildTestApp, pointIn, sampleGeography, type TestApp } from '../../helpers/build-app'

const TZ = 'Asia/Shanghai'
// A Wednesday morning: the week of 16–22 November 2026 has closed, and so has the 24th.
const NOW = Date.parse('2026-11-25T10:00:00+08:00')
const WEEK = periodSpan('week', '2026-11-18', TZ)
const geography = sampleGeography()
const STREETS = geography.units.filter((u) => u.level === 'street').map((u) => u.id)
const [STREET_A, STREET_B] = STREETS as [string, string]
const LEADER_A = { username: 'leader-a', password: 'a-long-street-password', role: 'leader' as const, unit: STREET_A }

let t: TestApp
let archive: SqliteReportArchive
let leaderCookie: string
let now = NOW

beforeAll(async () => {
  const store = new SqliteStore({ filename: ':memory:' })
  // A simulated week and a half, written with a fixed clock: requests, lifecycles, reviews,
  // alerts, patrols and activities with past timestamps.
  await backfill({ store, geography, days: 10, now: NOW, timeZone: TZ, seed: 7 })
  archive = new SqliteReportArchive(':memory:')
  t = await buildTestApp({ store, geography, timeZone: TZ, now: () => now, users: [LEADER_A], reports: archive })
  leaderCookie = await t.login(LEADER_A)
}, 120_000)

afterAll(async () => {
  await t?.close()
  await archive?.close()
})

describe('kept reports', () => {
  it('after the week closes, the weekly report of every street and of the district is kept', async () => {
    const { kept } = await generateClosedReports(t.app, archive, { days: 1, weeks: 1 })
    expect(reportUnits(t.app)).toEqual([geography.district.id, ...STREETS])
    expect(kept).toBe(2 * (STREETS.length + 1))
    let sum = 0
    for (const unit of STREETS) {
      const entry = await archive.get(reportId(unit, 'week', '2026-11-16'))
      expect(entry, unit).toBeDefined()
      const data = JSON.parse(entry!.json) as ReportData
      expect(data).toMatchObject({ unit, period: 'week', label: '2026-W47', start: '2026-11-16', end: '2026-11-23', asOf: new Date(WEEK.to).toISOString() })
      expect(data.center).toBe(geography.district.name)
      // Counts that do not depend on the moment equal the metrics of the same unit and week.
      const res = await t.inject({ method: 'GET', url: `/api/v1/metrics?unit=${unit}&from=2026-11-16&to=2026-11-23` })
      const live = res.json<MetricsReply>()
      expect(data.figures.requests).toBe(live.figures.requests)
      expect(data.figures.byCategory).toEqual(live.figures.byCategory)
      expect(data.figures.camera.byKind).toEqual(live.figures.camera.byKind)
      sum += data.figures.requests
      for (const o of data.overdue) expect(o.receivedAt).toBeLessThan(WEEK.to)
      expect(data.overdue.filter((o) => o.late.includes('resolution')).length).toBe(Math.min(data.figures.overdue.resolution, 200))
    }
    const district = JSON.parse((await archive.get(reportId(geography.district.id, 'week', '2026-11-16')))!.json) as ReportData
    expect(sum).toBe(district.figures.requests)
    expect(district.figures.requests).toBeGreaterThan(0)
    expect(district.activities!.length).toBeGreaterThan(0)
    // The hotspots are what GET /api/v1/hotspots answers for the week, the largest 20.
    const hotspots = (await t.inject({ method: 'GET', url: `/api/v1/hotspots?unit=${geography.district.id}&from=2026-11-16&to=2026-11-23` })).json<{ hotspots: { id: string; count: number }[] }>()
    expect(district.hotspots!.map((h) => [h.id, h.count])).toEqual(hotspots.hotspots.slice(0, 20).map((h) => [h.id, h.count]))
  })

  it('generating a kept report again gives the same JSON, and a later event changes no kept report', async () => {
    const before = new Map(await Promise.all(STREETS.map(async (u) => [u, (await archive.get(reportId(u, 'week', '2026-11-16')))!.json] as const)))
    for (const unit of STREETS) {
      expect(JSON.stringify(await buildReportData(t.app, unit, WEEK, { asOf: WEEK.to }))).toBe(before.get(unit))
      expect(await keepReport(t.app, archive, unit, WEEK)).toBe(false)
    }
    // The overdue list is the week's end as it stood then: requests resolved since are on it.
    const open = JSON.parse(before.get(STREET_A)!).overdue as ReportData['overdue']
    const stillOverdue = new Set((await t.inject({ method: 'GET', url: `/api/v1/overdue?unit=${STREET_A}&limit=5000` })).json<{ items: { id: string }[] }>().items.map((i) => i.id))
    expect(open.some((o) => !stillOverdue.has(o.id))).toBe(true)
    // A request of the week logged late, on Wednesday: the live figures move on, no kept report does.
    now = NOW + 60_000
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { id: 'late-arrival', source: 'hotline', category: 'noise', priority: 'general', location: pointIn(geography, STREET_A), receivedAt: '2026-11-18T09:00:00+08:00' },
    })
    expect(res.statusCode, res.body).toBe(201)
    const kept = JSON.parse(before.get(STREET_A)!) as ReportData
    const live = (await t.inject({ method: 'GET', url: `/api/v1/metrics?unit=${STREET_A}&from=2026-11-16&to=2026-11-23` })).json<MetricsReply>()
    expect(live.figures.requests).toBe(kept.figures.requests + 1)
    expect((await generateClosedReports(t.app, archive, { days: 1, weeks: 1 })).kept).toBe(0)
    for (const unit of STREETS) expect((await archive.get(reportId(unit, 'week', '2026-11-16')))!.json).toBe(before.get(unit))
  })

  it('a leader lists and reads only the reports of their own street', async () => {
    const headers = { cookie: leaderCookie }
    const list = await t.inject({ method: 'GET', url: '/api/v1/reports', headers })
    expect(list.statusCode).toBe(200)
    const reports = list.json<{ reports: { id: string; unit: string; name: string }[] }>().reports
    expect(reports.map((r) => r.id).sort()).toEqual([reportId(STREET_A, 'day', '2026-11-24'), reportId(STREET_A, 'week', '2026-11-16')])
    expect(reports[0]!.name).toBe(geography.get(STREET_A)!.name)
    expect((await t.inject({ method: 'GET', url: `/api/v1/reports?unit=${STREET_B}`, headers })).statusCode).toBe(403)
    expect((await t.inject({ method: 'GET', url: `/api/v1/reports/${reportId(STREET_B, 'week', '2026-11-16')}`, headers })).statusCode).toBe(403)
    expect((await t.inject({ method: 'GET', url: `/api/v1/reports/${reportId(STREET_B, 'week', '2026-11-16')}.csv`, headers })).statusCode).toBe(403)
    expect((await t.inject({ method: 'GET', url: `/api/v1/reports/${reportId(geography.district.id, 'week', '2026-11-16')}`, headers })).statusCode).toBe(403)
    const own = await t.inject({ method: 'GET', url: `/api/v1/reports/${reportId(STREET_A, 'week', '2026-11-16')}`, headers })
    expect(own.statusCode).toBe(200)
    expect(own.body).toBe((await archive.get(reportId(STREET_A, 'week', '2026-11-16')))!.json)
    const csv = await t.inject({ method: 'GET', url: `/api/v1/reports/${reportId(STREET_A, 'week', '2026-11-16')}.csv`, headers })
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    const data = own.json<ReportData>()
    expect(csv.body).toContain(`\r\nrequests,count,${data.figures.requests},`)
    expect(csv.body).toContain(geography.get(STREET_A)!.name)
  })

  it('the center lists every kept report; unknown or malformed ids are refused', async () => {
    const list = (await t.inject({ method: 'GET', url: '/api/v1/reports?limit=500' })).json<{ reports: { unit: string }[] }>().reports
    expect(new Set(list.map((r) => r.unit))).toEqual(new Set(reportUnits(t.app)))
    expect(list).toHaveLength(2 * (STREETS.length + 1))
    expect((await t.inject({ method: 'GET', url: `/api/v1/reports/${reportId(STREET_A, 'week', '2026-11-09')}` })).statusCode).toBe(404)
    expect((await t.inject({ method: 'GET', url: '/api/v1/reports/nope' })).statusCode).toBe(400)
    expect((await t.inject({ method: 'GET', url: '/api/v1/reports?limit=0' })).statusCode).toBe(400)
  })

  it('activity totals for the report page are scoped', async () => {
    const res = await t.inject({ method: 'GET', url: `/api/v1/activities/totals?unit=${STREET_B}&from=2026-11-16&to=2026-11-23`, headers: { cookie: leaderCookie } })
    expect(res.statusCode).toBe(403)
    const own = await t.inject({ method: 'GET', url: `/api/v1/activities/totals?unit=${STREET_A}&from=2026-11-16&to=2026-11-23`, headers: { cookie: leaderCookie } })
    expect(own.statusCode).toBe(200)
    const kept = JSON.parse((await archive.get(reportId(STREET_A, 'week', '2026-11-16')))!.json) as ReportData
    expect([...own.json<{ totals: ReportData['activities'] }>().totals!].sort((a, b) => (a.kind < b.kind ? -1 : 1))).toEqual(kept.activities)
  })
})
