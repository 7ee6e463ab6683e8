import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LiveEvent } from '../../../shared/events'
import type { RequestFacts } from '../../../shared/metrics'
import { openRequestsAt } from '../../../server/metrics/open-at'
import type { Store } from '../../../server/store/types'
import type { RequestDetail } from '../../../shared/schemas/requests'
import { buildTestApp, pointIn, type TestApp } from '../../helpers/build-app'

// The replay of 2026-11-26 (Shanghai) starts at 2026-11-25T16:00Z; the server's clock is two and a
// half days later, so the resolutions since then span three pages of the scan.
const NOW = Date.parse('2026-11-28T06:30:00Z')
const AT = '2026-11-25T16:00:00.000Z'
const STREET_A = '640106001'
const STREET_B = '640106002'

let t: TestApp

async function request(id: string, receivedAt: string, unit = STREET_A) {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/requests',
    payload: { id, source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t.geography, unit), receivedAt },
  })
  expect(res.statusCode, res.body).toBe(201)
}

async function steps(id: string, ...list: [string, string][]) {
  for (const [stage, at] of list) {
    const payload = stage === 'reviewed' ? { stage, at, review: { resolved: true, satisfaction: 'satisfied' } } : { stage, at }
    const res = await t.inject({ method: 'POST', url: `/api/v1/requests/${id}/transitions`, payload })
    expect(res.statusCode, `${id} ${stage}: ${res.body}`).toBe(201)
  }
}

beforeAll(async () => {
  t = await buildTestApp({ now: () => NOW })
  // Open then and still open.
  await request('still-open', '2026-11-24T10:00:00Z')
  await request('accepted-before', '2026-11-24T10:00:00Z')
  await steps('accepted-before', ['dispatched', '2026-11-24T10:10:00Z'], ['accepted', '2026-11-24T11:00:00Z'])
  // Closed before the moment: not part of it.
  await request('closed-before', '2026-11-24T10:00:00Z')
  await steps('closed-before', ['dispatched', '2026-11-24T10:10:00Z'], ['accepted', '2026-11-24T11:00:00Z'], ['resolved', '2026-11-25T10:00:00Z'])
  // Closed before, reopened after: closed at the moment, open now.
  await request('reopened-after', '2026-11-20T10:00:00Z')
  await steps('reopened-after', ['dispatched', '2026-11-20T10:10:00Z'], ['accepted', '2026-11-20T11:00:00Z'], ['resolved', '2026-11-25T10:00:00Z'], ['reopened', '2026-11-26T01:00:00Z'])
  // Open at the moment, resolved since, on the first and on the third day after it.
  await request('resolved-next-day', '2026-11-24T09:00:00Z')
  await steps('resolved-next-day', ['dispatched', '2026-11-25T08:00:00Z'], ['accepted', '2026-11-26T02:00:00Z'], ['resolved', '2026-11-26T03:00:00Z'], ['reviewed', '2026-11-26T05:00:00Z'])
  await request('resolved-days-later', '2026-11-10T09:00:00Z')
  await steps('resolved-days-later', ['dispatched', '2026-11-10T10:00:00Z'], ['accepted', '2026-11-28T01:00:00Z'], ['resolved', '2026-11-28T02:00:00Z'])
  // Received at the moment or after: the replay's own events bring them.
  await request('received-at-moment', AT)
  await request('received-after', '2026-11-26T01:00:00Z')
  await steps('received-after', ['dispatched', '2026-11-26T01:30:00Z'], ['accepted', '2026-11-26T02:00:00Z'], ['resolved', '2026-11-26T04:00:00Z'])
  // Another street.
  await request('street-b', '2026-11-24T10:00:00Z', STREET_B)
  await request('street-b-resolved', '2026-11-24T10:00:00Z', STREET_B)
  await steps('street-b-resolved', ['dispatched', '2026-11-24T10:10:00Z'], ['accepted', '2026-11-24T11:00:00Z'], ['resolved', '2026-11-27T10:00:00Z'])
})

afterAll(async () => {
  await t?.close()
})

const get = (query: string) => t.inject({ method: 'GET', url: `/api/v1/open-requests?${query}` })

describe('GET /api/v1/open-requests', () => {
  it('gives the requests open at the moment, as they stood then, whether open or resolved now', async () => {
    const res = await get(`unit=${STREET_A}&at=${AT}`)
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json() as { unit: string; at: string; requests: RequestFacts[] }
    expect(body).toMatchObject({ unit: STREET_A, at: AT })
    const byId = Object.fromEntries(body.requests.map((r) => [r.id, r]))
    expect(Object.keys(byId).sort()).toEqual(['accepted-before', 'resolved-days-later', 'resolved-next-day', 'still-open'])
    expect(byId['still-open']).toEqual({
      id: 'still-open',
      source: 'hotline',
      category: 'noise',
      priority: 'general',
      gridId: expect.stringMatching(/^640106001/),
      receivedAt: Date.parse('2026-11-24T10:00:00Z'),
      stages: [],
      // Where it was reported (stored to 1e-6°), for the replayed map.
      lon: expect.closeTo(pointIn(t.geography, STREET_A).lon, 6),
      lat: expect.closeTo(pointIn(t.geography, STREET_A).lat, 6),
    })
    // Resolved since: its place comes from the request's own record.
    expect(byId['resolved-days-later']).toMatchObject({ lon: expect.closeTo(pointIn(t.geography, STREET_A).lon, 6), lat: expect.closeTo(pointIn(t.geography, STREET_A).lat, 6) })
    expect(byId['accepted-before']!.stages.map((s) => s.stage)).toEqual(['dispatched', 'accepted'])
    // Only what had happened by the moment.
    expect(byId['resolved-next-day']!.stages).toEqual([{ stage: 'dispatched', at: Date.parse('2026-11-25T08:00:00Z') }])
    expect(byId['resolved-days-later']!.stages.map((s) => s.stage)).toEqual(['dispatched'])
  })

  it('covers the subtree: the district has the other street too', async () => {
    const res = await get(`at=${AT}`)
    const ids = (res.json() as { requests: RequestFacts[] }).requests.map((r) => r.id)
    expect(ids).toContain('street-b')
    expect(ids).toContain('street-b-resolved')
    expect(ids).toContain('still-open')
    expect(ids).not.toContain('closed-before')
  })

  it('moves with the moment', async () => {
    // Just after the first resolution, that request is no longer open; the reopened one is again.
    const res = await get(`unit=${STREET_A}&at=2026-11-26T04:30:00Z`)
    const ids = (res.json() as { requests: RequestFacts[] }).requests.map((r) => r.id).sort()
    expect(ids).toEqual(['accepted-before', 'received-at-moment', 'reopened-after', 'resolved-days-later', 'still-open'])
  })

  it('refuses a bad query with a 400 naming the field', async () => {
    const cases: [string, string][] = [
      [`unit=${STREET_A}`, 'query/at'],
      [`at=yesterday`, 'query/at'],
      [`at=2026-11-29T00:00:00Z`, 'query/at'],
      [`at=${AT}&unit=64`, 'query/unit'],
      [`at=${AT}&limit=5`, 'query/limit'],
    ]
    for (const [query, field] of cases) {
      const res = await get(query)
      expect(res.statusCode, query).toBe(400)
      expect(res.json().field, query).toBe(field)
    }
  })
})

describe('openRequestsAt', () => {
  it('reads a day busier than one page in smaller pages, missing no resolution', async () => {
    const at = Date.parse(AT)
    // 60,000 transitions of other requests in the hour after the moment, then the resolution.
    const events: LiveEvent[] = Array.from({ length: 60_000 }, (_, i) => ({
      seq: i + 1,
      type: 'request.transitioned',
      at: at + Math.floor(i / 20),
      gridId: 'g',
      requestId: `busy-${i}`,
      stage: 'dispatched',
    })) as LiveEvent[]
    events.push({ seq: 60_001, type: 'request.transitioned', at: at + 3_600_000, gridId: 'g', requestId: 'old', stage: 'resolved' } as LiveEvent)
    const pages: number[] = []
    const store = {
      openRequests: async () => [],
      snapshot: async () => ({ seq: 0, snapshot: { requests: [], alerts: [], workers: [] } }),
      eventsBetween: async (_unit: unknown, from: number, to: number, limit: number) => {
        pages.push(to - from)
        return events.filter((e) => e.at >= from && e.at < to).slice(0, limit)
      },
      firstEventAt: async (from: number) => {
        const later = events.filter((e) => e.at >= from).map((e) => e.at)
        return later.length > 0 ? Math.min(...later) : undefined
      },
      getRequest: async (id: string): Promise<RequestDetail | undefined> =>
        id === 'old'
          ? ({
              id,
              source: 'app',
              category: 'noise',
              priority: 'general',
              gridId: 'g',
              location: { lon: 106.2, lat: 38.4 },
              receivedAt: new Date(at - 86_400_000).toISOString(),
              stages: [
                { seq: 1, stage: 'received', at: new Date(at - 86_400_000).toISOString() },
                { seq: 2, stage: 'resolved', at: new Date(at + 3_600_000).toISOString() },
              ],
            } as RequestDetail)
          : undefined,
    } as unknown as Store
    const open = await openRequestsAt(store, { id: '640106', level: 'district' } as never, at, at + 3_600_000)
    expect(open.map((r) => r.id)).toEqual(['old'])
    expect(open[0]!.stages).toEqual([])
    expect(open[0]).toMatchObject({ lon: 106.2, lat: 38.4 })
    // The first day held more than a page: it was read again in halves.
    expect(pages.length).toBeGreaterThan(2)
  })
})
