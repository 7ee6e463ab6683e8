// Windows and moments a caller picks: a date past year 9999 or before 2000 is a 400 naming the
// parameter, and no span, however long, makes the server work beyond what the store holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_POLICY } from '../../../shared/metrics'
import { DAY_MS, HOUR_MS, startOfLocalDate } from '../../../shared/time'
import { Rollups } from '../../../server/metrics/rollups'
import { followStore } from '../../../server/metrics/load'
import { scanFigures } from '../../helpers/scan-oracle'
import { backfill } from '../../../server/sim/backfill'
import { SqliteStore } from '../../../server/store/sqlite-store'
import type { Store } from '../../../server/store/types'
import { buildTestApp, pointIn, sampleGeography, type TestApp } from '../../helpers/build-app'

const NOW = Date.parse('2026-11-28T06:30:00Z')
const TZ = 'Asia/Shanghai'
const STREET_A = '640106001'

/** Counts every call of the store's read methods, on the real store object. */
function countReads(store: Store): Record<string, number> {
  const calls: Record<string, number> = {}
  const target = store as unknown as Record<string, (...args: unknown[]) => unknown>
  for (const name of ['eventsBetween', 'firstEventAt', 'getRequest', 'openRequests', 'requestsReceived', 'readLog'] as const) {
    calls[name] = 0
    if (typeof target[name] !== 'function') continue
    const original = target[name].bind(store)
    target[name] = (...args: unknown[]) => {
      calls[name]!++
      return original(...args)
    }
  }
  return calls
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0)

describe('dates outside 2000-01-01 … 2100-01-01', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ now: () => NOW })
  })
  afterAll(async () => {
    await t.close()
  })

  const routes = ['/api/v1/metrics?', '/api/v1/metrics/grids?', '/api/v1/metrics/series?metric=requests&bucket=day&']
  const bad: [string, string, string][] = [
    ['from=9999-12-31', 'query/from', 'range'],
    ['from=9999-12-31T23:00:00Z', 'query/from', 'range'],
    ['to=9999-12-31', 'query/to', 'range'],
    // Not 1901, as Date.UTC would read it.
    ['from=0001-01-01&to=0001-01-02', 'query/from', 'range'],
    ['from=1999-12-31&to=2000-01-02', 'query/from', 'range'],
    ['from=2099-12-31&to=2100-01-02', 'query/to', 'range'],
    // A day that does not exist is not the day after the month's last.
    ['from=2026-02-30', 'query/from', 'format'],
    ['from=2026-13-01', 'query/from', 'format'],
    ['from=2026-02-29T10:00:00Z', 'query/from', 'format'],
  ]
  for (const route of routes) {
    for (const [query, field, rule] of bad) {
      it(`GET ${route}${query} is a 400 naming ${field} (${rule})`, async () => {
        const res = await t.inject({ method: 'GET', url: route + query })
        expect(res.statusCode, res.body.slice(0, 300)).toBe(400)
        expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', field, rule })
      })
    }
  }

  it('GET /api/v1/events: the same', async () => {
    for (const [query, field] of [
      ['from=9999-12-31&to=9999-12-31T05:00:00Z', 'query/from'],
      ['from=2026-11-27&to=9999-12-31', 'query/to'],
      ['from=0001-01-01&to=0001-01-02', 'query/from'],
    ]) {
      const res = await t.inject({ method: 'GET', url: `/api/v1/events?${query}` })
      expect(res.statusCode, query).toBe(400)
      expect(res.json(), query).toMatchObject({ field, rule: 'range' })
    }
  })

  it('takes the first and the last day of the range', async () => {
    for (const url of [
      '/api/v1/metrics?from=2000-01-01',
      '/api/v1/metrics/grids?from=2099-12-31&to=2100-01-01',
      '/api/v1/metrics/series?metric=requests&bucket=day&from=2099-12-30&to=2100-01-01',
      '/api/v1/events?from=2000-01-01&to=2000-01-02',
    ]) {
      const res = await t.inject({ method: 'GET', url })
      expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200)
    }
    const res = await t.inject({ method: 'GET', url: '/api/v1/metrics?from=2000-01-01' })
    expect(res.json()).toMatchObject({ from: new Date(startOfLocalDate('2000-01-01', TZ)).toISOString() })
  })

  it('GET /api/v1/open-requests: an `at` outside the range is a 400 naming query/at', async () => {
    for (const at of ['0001-01-01T00:00:00Z', '1999-12-31T15:59:59Z', '9999-12-31T00:00:00Z']) {
      const res = await t.inject({ method: 'GET', url: `/api/v1/open-requests?unit=${STREET_A}&at=${at}` })
      expect(res.statusCode, at).toBe(400)
      expect(res.json(), at).toMatchObject({ field: 'query/at', rule: 'range' })
    }
  })

  it('GET /api/v1/metrics/series: a series longer than its maximum is a 400, not millions of buckets', async () => {
    for (const [query, rule] of [
      ['bucket=hour&from=2000-01-01&to=2099-12-31', 'max-window'],
      ['bucket=day&from=2000-01-01&to=2099-12-31', 'max-window'],
      ['bucket=hour&from=0001-01-01&to=9999-12-31', 'range'],
    ]) {
      const res = await t.inject({ method: 'GET', url: `/api/v1/metrics/series?metric=requests&${query}` })
      expect(res.statusCode, query).toBe(400)
      expect(res.json(), query).toMatchObject({ rule })
    }
  })
})

describe('GET /api/v1/open-requests far in the past', () => {
  let t: TestApp
  let reads: Record<string, number>
  beforeAll(async () => {
    t = await buildTestApp({ now: () => NOW })
    reads = countReads(t.store)
  })
  afterAll(async () => {
    await t.close()
  })

  async function request(id: string, receivedAt: string) {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { id, source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t.geography, STREET_A), receivedAt },
    })
    expect(res.statusCode, res.body).toBe(201)
  }

  async function step(id: string, stage: string, at: string) {
    const res = await t.inject({ method: 'POST', url: `/api/v1/requests/${id}/transitions`, payload: { stage, at } })
    expect(res.statusCode, res.body).toBe(201)
  }

  it('on an empty store: an empty answer from a handful of reads, health answering beside it', async () => {
    for (const key of Object.keys(reads)) reads[key] = 0
    const [open, health] = await Promise.all([
      t.inject({ method: 'GET', url: `/api/v1/open-requests?unit=${STREET_A}&at=2000-01-01T00:00:00Z` }),
      t.inject({ method: 'GET', url: '/api/v1/health' }),
    ])
    expect(open.statusCode, open.body).toBe(200)
    expect(open.json().requests).toEqual([])
    expect(health.statusCode).toBe(200)
    // Nearly 27 years since `at`: one read per day would be some 9,800.
    expect(total(reads), JSON.stringify(reads)).toBeLessThanOrEqual(4)
  })

  it('reads only around the days that hold events, and misses no request open then', async () => {
    // Open since 2001; one resolved years later; a busy week now.
    await request('old-open', '2001-03-01T02:00:00Z')
    await request('old-resolved-later', '2001-03-01T03:00:00Z')
    await step('old-resolved-later', 'dispatched', '2012-06-01T03:00:00Z')
    await step('old-resolved-later', 'accepted', '2012-06-01T04:00:00Z')
    await step('old-resolved-later', 'resolved', '2020-06-01T05:00:00Z')
    for (let d = 0; d < 7; d++) await request(`recent-${d}`, new Date(NOW - d * DAY_MS - HOUR_MS).toISOString())
    for (const key of Object.keys(reads)) reads[key] = 0
    const res = await t.inject({ method: 'GET', url: `/api/v1/open-requests?unit=${STREET_A}&at=2001-03-01T02:30:00Z` })
    expect(res.statusCode, res.body).toBe(200)
    const requests = res.json().requests as { id: string; stages: unknown[] }[]
    expect(requests.map((r) => r.id)).toEqual(['old-open'])
    // Days holding events since `at`: 2001-03-01, 2012-06-01, 2020-06-01 and about eight lately;
    // at most two reads for each, and the open set and at most the one request resolved since.
    expect(reads.eventsBetween! + reads.firstEventAt!, JSON.stringify(reads)).toBeLessThanOrEqual(2 * 11 + 1)
    expect(reads.openRequests).toBe(1)
    expect(reads.getRequest).toBeLessThanOrEqual(1)

    const later = await t.inject({ method: 'GET', url: `/api/v1/open-requests?unit=${STREET_A}&at=2001-03-01T03:30:00Z` })
    const ids = (later.json().requests as { id: string; stages: unknown[] }[]).map((r) => r.id)
    expect(ids).toEqual(['old-open', 'old-resolved-later'])
  })
})

describe('store.firstEventAt', () => {
  it('gives the time of the earliest event at or after a moment, whatever their order of arrival', async () => {
    const t = await buildTestApp({ now: () => NOW })
    try {
      expect(await t.store.firstEventAt(0)).toBeUndefined()
      for (const [id, at] of [
        ['b', '2026-11-20T00:00:00Z'],
        ['a', '2010-05-01T00:00:00Z'],
        ['c', '2026-11-27T00:00:00Z'],
      ]) {
        const res = await t.inject({
          method: 'POST',
          url: '/api/v1/requests',
          payload: { id, source: 'hotline', category: 'noise', priority: 'general', location: pointIn(t.geography, STREET_A), receivedAt: at },
        })
        expect(res.statusCode).toBe(201)
      }
      expect(await t.store.firstEventAt(0)).toBe(Date.parse('2010-05-01T00:00:00Z'))
      expect(await t.store.firstEventAt(Date.parse('2010-05-01T00:00:00Z'))).toBe(Date.parse('2010-05-01T00:00:00Z'))
      expect(await t.store.firstEventAt(Date.parse('2010-05-01T00:00:00.001Z'))).toBe(Date.parse('2026-11-20T00:00:00Z'))
      expect(await t.store.firstEventAt(Date.parse('2026-11-27T00:00:00.001Z'))).toBeUndefined()
    } finally {
      await t.close()
    }
  })
})

describe('rollups over a window far wider than the data', () => {
  const geography = sampleGeography()
  let store: SqliteStore
  let rollups: Rollups
  beforeAll(async () => {
    store = new SqliteStore({ filename: ':memory:' })
    await backfill({ store, geography, days: 2, now: NOW, seed: 5 })
    rollups = new Rollups({ geography, policy: DEFAULT_POLICY, timeZone: TZ })
    await followStore(rollups, store)
  }, 60_000)
  afterAll(async () => {
    await store.close()
  })

  const from = startOfLocalDate('2026-01-01', TZ)
  const to = startOfLocalDate('2027-01-31', TZ)

  it('gives exactly the direct computation', async () => {
    for (const unit of ['640106', STREET_A, geography.units.find((u) => u.level === 'grid')!.id]) {
      const expected = await scanFigures(store, geography, geography.ref(unit)!, { from, to, now: NOW }, DEFAULT_POLICY)
      expect(rollups.figures(unit, from, to, NOW), unit).toEqual(expected)
    }
  })

  it('walks only the hours around the data, for every grid', () => {
    // The zone offsets the rollups keep, one per hour they have looked at: the data's two or three
    // days, not the 395 days of the window asked for.
    const offsets = rollups['offsets'] as Map<number, number>
    for (const grid of geography.units.filter((u) => u.level === 'grid')) rollups.figures(grid.id, from, to, NOW)
    expect(offsets.size).toBeLessThanOrEqual(5 * 24)
  })
})
