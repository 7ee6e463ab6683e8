// Who may do what: every role against every route and socket event, with ids of another street
// in params, query and body, and forged or expired sessions.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstGrid, pointIn, startTestServer, type TestUser } from '../../helpers/build-app'
import { connectLive, subscribe } from '../../helpers/connect-client'
import { waitFor } from '../../helpers/wait-for'
import { solidPng } from '../../helpers/pmtiles'
import { generateClosedReports } from '../../../server/reports/generator'

const A = '640106001'
const A1 = '640106001001' // a community in A
const B = '640106002'
const LEADER_A: TestUser = { username: 'leader-a', password: 'leader-pass-a', role: 'leader', unit: A }
const LEADER_A1: TestUser = { username: 'leader-a1', password: 'leader-pass-a1', role: 'leader', unit: A1 }

type Role = 'anonymous' | 'forged' | 'expired' | 'leaderA' | 'leaderA1' | 'center'
const ROLES: Role[] = ['anonymous', 'forged', 'expired', 'leaderA', 'leaderA1', 'center']

let server: Awaited<ReturnType<typeof startTestServer>>
let clock = Date.parse('2026-11-28T06:00:00Z')
const cookies: Partial<Record<Role, string>> = {}
const ids = { requestA1: 'req-a1', requestB: 'req-b', alertB: 'alert-b', snapA1: 'snap-a1', snapB: 'snap-b' }
/** A camera on the LAN, listed in the snapshot origins: the snapshot route answers 200 where the alert may be seen. */
const camera = createServer((_req, res) => {
  const png = solidPng([0, 128, 0], 4)
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png)
})

beforeAll(async () => {
  await new Promise<void>((resolve) => camera.listen(0, '127.0.0.1', resolve))
  const cameraOrigin = `http://127.0.0.1:${(camera.address() as AddressInfo).port}`
  server = await startTestServer({ users: [LEADER_A, LEADER_A1], now: () => clock, sessionTtlMs: 3_600_000, snapshots: { origins: [cameraOrigin] } })
  cookies.center = server.headers.cookie
  cookies.leaderA = await server.login(LEADER_A)
  cookies.leaderA1 = await server.login(LEADER_A1)
  cookies.forged = 'outpost_session=AAAAforgedAAAAforgedAAAAforgedAAAAforgedAAA'
  // A session that has expired: made an hour and a half ago.
  clock -= 90 * 60_000
  cookies.expired = await server.login(LEADER_A)
  clock += 90 * 60_000
  const post = (url: string, payload: object) => server.inject({ method: 'POST', url, payload })
  expect((await post('/api/v1/requests', { id: ids.requestA1, source: 'app', category: 'noise', priority: 'general', location: pointIn(server.geography, A1) })).statusCode).toBe(201)
  expect((await post('/api/v1/requests', { id: ids.requestB, source: 'app', category: 'noise', priority: 'general', location: pointIn(server.geography, B) })).statusCode).toBe(201)
  expect((await post('/api/v1/alerts', { id: ids.alertB, cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, location: pointIn(server.geography, B) })).statusCode).toBe(201)
  for (const [id, unit] of [[ids.snapA1, A1], [ids.snapB, B]] as const) {
    const alert = { id, cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, location: pointIn(server.geography, unit), snapshotUrl: `${cameraOrigin}/${id}.png` }
    expect((await post('/api/v1/alerts', alert)).statusCode).toBe(201)
  }
  // Yesterday's kept reports (the server keeps them on its own too, a moment after it starts).
  await generateClosedReports(server.app, server.app.reports, { days: 1, weeks: 0 })
}, 60_000)

afterAll(async () => {
  await server?.close()
  camera.closeAllConnections()
  await new Promise((resolve) => camera.close(resolve))
})

const ok = 200
const denied = 403
/** `app.inject` asks for http://localhost: the app's own origin, which a page of it sends with a write. */
const OWN = 'http://localhost'
const anon = 401
const day = 'from=2026-11-28&to=2026-11-29'

/** [method, url, expected status per role]; "forged" and "expired" behave as anonymous. */
const ROUTES: [string, string, Record<'anonymous' | 'leaderA' | 'leaderA1' | 'center', number>][] = [
  ['GET', '/api/v1/session', { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', '/api/v1/geography', { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', '/api/v1/metrics', { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/metrics?unit=${A}`, { anonymous: anon, leaderA: ok, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/metrics?unit=${A1}`, { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/metrics?unit=${B}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', '/api/v1/metrics?unit=640106', { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/metrics/series?metric=requests&unit=${B}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/metrics/series?metric=requests&unit=${A1}`, { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/overdue?unit=${B}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', '/api/v1/overdue', { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/hotspots?unit=${B}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', '/api/v1/reports', { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/reports?unit=${B}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/reports/${A}-day-2026-11-27`, { anonymous: anon, leaderA: ok, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/reports/${B}-day-2026-11-27`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/reports/${B}-day-2026-11-27.csv`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/reports/640106-day-2026-11-27`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/activities/totals?unit=${B}&${day}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/activities/totals?unit=${A1}&${day}`, { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/hotspots?unit=${A1}`, { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', '/api/v1/hotspots', { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/requests?unit=${B}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/requests?unit=${A1}`, { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  // Another street's request is answered as an unknown one: its existence is not told.
  ['GET', `/api/v1/requests/${ids.requestB}`, { anonymous: anon, leaderA: 404, leaderA1: 404, center: ok }],
  ['GET', `/api/v1/requests/${ids.requestA1}`, { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/workers?unit=${B}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/alerts?unit=${B}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/alerts?unit=${A}`, { anonymous: anon, leaderA: ok, leaderA1: denied, center: ok }],
  // A snapshot of another street's alert reads as an unknown alert's, and is never fetched for them.
  ['GET', `/api/v1/alerts/${ids.snapA1}/snapshot`, { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/alerts/${ids.snapB}/snapshot`, { anonymous: anon, leaderA: 404, leaderA1: 404, center: ok }],
  ['GET', `/api/v1/alerts/${ids.alertB}/snapshot`, { anonymous: anon, leaderA: 404, leaderA1: 404, center: 404 }],
  ['GET', `/api/v1/events?unit=${B}&${day}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/events?unit=${A1}&${day}`, { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/open-requests?unit=${B}&at=2026-11-28T00:00:00Z`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/open-requests?unit=${A1}&at=2026-11-28T00:00:00Z`, { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', '/api/v1/open-requests?at=2026-11-28T00:00:00Z', { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', '/api/v1/health', { anonymous: ok, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/requests?unit=${B}&stage=resolved`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', '/api/v1/alarms', { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/alarms?unit=${A}&open=false`, { anonymous: anon, leaderA: ok, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/alarms?unit=${A1}`, { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/alarms?unit=${B}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', '/api/v1/alarms?unit=640106', { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', '/api/v1/directory', { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  // Report contacts are public office numbers: any user reads them (the kiosk shows them to everyone).
  ['GET', '/api/v1/directory/contacts', { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', '/api/v1/directory/on-duty', { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/directory/on-duty?unit=${A1}`, { anonymous: anon, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', `/api/v1/directory/on-duty?unit=${A}`, { anonymous: anon, leaderA: ok, leaderA1: denied, center: ok }],
  ['GET', `/api/v1/directory/on-duty?unit=${B}`, { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  ['GET', '/api/v1/directory/on-duty?unit=640106', { anonymous: anon, leaderA: denied, leaderA1: denied, center: ok }],
  // Open311 reads are public (no personal data in them), for every role alike.
  ['GET', '/open311/v2/requests.json', { anonymous: ok, leaderA: ok, leaderA1: ok, center: ok }],
  ['GET', '/open311/v2/services.xml', { anonymous: ok, leaderA: ok, leaderA1: ok, center: ok }],
]

describe('REST authorisation matrix', () => {
  for (const [method, url, expected] of ROUTES) {
    for (const role of ROLES) {
      const want = role === 'forged' || role === 'expired' ? expected.anonymous : expected[role]
      it(`${role} ${method} ${url} → ${want}`, async () => {
        const cookie = cookies[role as keyof typeof cookies]
        const res = await server.app.inject({ method: method as 'GET', url, headers: cookie ? { cookie } : {} })
        expect(res.statusCode).toBe(want)
        if (want === denied) expect(res.json()).toMatchObject({ rule: 'scope' })
      })
    }
  }

  it('Open311 POST takes an ingest key as api_key, never a session', async () => {
    const { lon, lat } = pointIn(server.geography, firstGrid(server.geography, A))
    const url = '/open311/v2/requests.json'
    const fields = { service_code: 'noise', lat: String(lat), long: String(lon) }
    const form = (extra: Record<string, string>) => new URLSearchParams({ ...fields, ...extra }).toString()
    for (const role of ROLES) {
      const cookie = cookies[role as keyof typeof cookies]
      const headers = { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie, origin: OWN } : {}) }
      const res = await server.app.inject({ method: 'POST', url, payload: form({}), headers })
      expect(res.statusCode, `${role} POST ${url}`).toBe(403)
    }
    const key = server.headers.authorization.slice('Bearer '.length)
    const withKey = await server.app.inject({ method: 'POST', url, payload: form({ api_key: key }), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(withKey.statusCode, `key POST ${url}`).toBe(201)
  })

  it('patrols take an ingest key, never a session', async () => {
    const grid = firstGrid(server.geography, A)
    const url = '/api/v1/patrols'
    const payload = { pings: [{ workerId: 'w', kind: 'ping', location: pointIn(server.geography, grid) }] }
    for (const role of ROLES) {
      const cookie = cookies[role as keyof typeof cookies]
      const res = await server.app.inject({ method: 'POST', url, payload, headers: cookie ? { cookie, origin: OWN } : {} })
      expect(res.statusCode, `${role} POST ${url}`).toBe(401)
    }
    const withKey = await server.app.inject({ method: 'POST', url, payload, headers: { authorization: server.headers.authorization } })
    expect(withKey.statusCode, `key POST ${url}`).toBeLessThan(300)
  })

  // Every write a person may make, in a unit inside and one outside each leader's scope, on fresh
  // entities made with the ingest key: a session in scope writes (2xx), out of it 403 (rule scope),
  // without a valid one 401; the key writes anywhere. The cookie goes with the page's own Origin.
  for (const unit of [A1, B]) {
    it(`every write route, on entities in ${unit === A1 ? 'community A1' : 'street B'}: 401 without a session, 403 outside the scope, 2xx inside`, async () => {
      const key = { authorization: server.headers.authorization }
      let n = 0
      for (const role of [...ROLES, 'key' as const]) {
        const tag = `${role}-${unit}-${n++}`
        const location = pointIn(server.geography, unit)
        const made = [
          await server.app.inject({ method: 'POST', url: '/api/v1/requests', headers: key, payload: { id: `m-${tag}`, source: 'app', category: 'noise', priority: 'urgent', location } }),
          await server.app.inject({ method: 'POST', url: '/api/v1/alerts', headers: key, payload: { id: `m-${tag}`, cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, location } }),
        ]
        for (const res of made) expect(res.statusCode).toBe(201)
        const writes: [string, object][] = [
          ['/api/v1/requests', { source: 'walk_in', category: 'noise', priority: 'general', location }],
          [`/api/v1/requests/m-${tag}/transitions`, { stage: 'dispatched', expectedStage: 'received' }],
          [`/api/v1/requests/m-${tag}/urge`, { note: '请尽快' }],
          ['/api/v1/alerts', { cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, location }],
          [`/api/v1/alerts/m-${tag}/review`, { verdict: 'confirmed', raiseRequest: true }],
          [`/api/v1/alarms/urgent:m-${tag}/ack`, {}],
          [`/api/v1/alarms/alert:m-${tag}/ack`, {}],
        ]
        const inScope = role === 'center' || role === 'key' || (unit === A1 && (role === 'leaderA' || role === 'leaderA1'))
        const cookie = role === 'key' ? undefined : cookies[role]
        const headers = role === 'key' ? key : cookie ? { cookie, origin: OWN } : {}
        for (const [url, payload] of writes) {
          const res = await server.app.inject({ method: 'POST', url, payload, headers })
          const what = `${role} POST ${url}`
          if (role === 'anonymous' || role === 'forged' || role === 'expired') {
            expect(res.statusCode, what).toBe(anon)
            expect(res.json(), what).toMatchObject({ rule: 'authenticated' })
          } else if (inScope) {
            expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(300)
          } else {
            expect(res.statusCode, what).toBe(denied)
            expect(res.json(), what).toMatchObject({ rule: 'scope' })
          }
        }
      }
    })
  }

  it('a leader’s geography holds only their subtree', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/geography', headers: { cookie: cookies.leaderA1! } })
    const unitIds: string[] = res.json().features.map((f: { id: string }) => f.id)
    expect(unitIds[0]).toBe(A1)
    expect(unitIds.every((id) => id.startsWith(A1))).toBe(true)
    expect(unitIds.length).toBe(1 + server.geography.children(A1).length)
  })
})

// The directory's changes and the audit trail are the center's: a leader gets a 403 naming the
// role, anyone without a session a 401; CSV exports are recorded by anyone, in their scope.
describe('center-only routes and the audit trail', () => {
  const CENTER_ONLY: [string, string, object?][] = [
    ['GET', '/api/v1/audit'],
    ['GET', `/api/v1/audit?unit=${A1}`],
    ['POST', '/api/v1/directory/departments', { id: 'authz-dept', name: '住建', kind: 'housing' }],
    ['POST', '/api/v1/directory/experts', { id: 'authz-expert', pool: 'legal', name: '王律师', contact: '13912345678' }],
    ['POST', '/api/v1/directory/rota', { departmentId: 'authz-dept', streetId: A, weekday: 1, from: '09:00', to: '12:00' }],
    ['DELETE', '/api/v1/directory/experts/authz-expert'],
    ['DELETE', '/api/v1/directory/departments/authz-dept'],
    ['PUT', `/api/v1/directory/contacts/${A}`, { phone: '0951-5012345', hours: '工作日 8:30–17:30' }],
    ['DELETE', `/api/v1/directory/contacts/${A}`],
  ]
  it('every role against each: 401 without a session, 403 (role center) for leaders, 2xx for the center', async () => {
    for (const [method, url, payload] of CENTER_ONLY) {
      for (const role of ROLES) {
        const cookie = cookies[role]
        const res = await server.app.inject({ method: method as 'GET', url, ...(payload ? { payload } : {}), headers: cookie ? { cookie, origin: OWN } : {} })
        const what = `${role} ${method} ${url}`
        if (role === 'anonymous' || role === 'forged' || role === 'expired') expect(res.statusCode, what).toBe(anon)
        else if (role === 'center') expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(300)
        else {
          expect(res.statusCode, what).toBe(denied)
          expect(res.json(), what).toMatchObject({ field: 'role', rule: 'center' })
        }
      }
    }
  })

  it('POST /api/v1/audit/exports: 401 without a session, 403 (scope) outside it, 204 inside', async () => {
    for (const unit of [A1, B]) {
      for (const role of ROLES) {
        const cookie = cookies[role]
        const res = await server.app.inject({ method: 'POST', url: '/api/v1/audit/exports', payload: { what: 'requests.csv', unit, rows: 3 }, headers: cookie ? { cookie, origin: OWN } : {} })
        const what = `${role} export of ${unit}`
        if (role === 'anonymous' || role === 'forged' || role === 'expired') expect(res.statusCode, what).toBe(anon)
        else if (role === 'center' || unit === A1) expect(res.statusCode, what).toBe(204)
        else expect([res.statusCode, res.json().rule], what).toEqual([denied, 'scope'])
      }
    }
  })
})

describe('socket authorisation', () => {
  it('refuses a handshake without a valid session', async () => {
    for (const cookie of [undefined, cookies.forged, cookies.expired]) {
      await expect(connectLive(server.url, cookie)).rejects.toThrow(/unauthorized/)
    }
  })

  const SUBSCRIBE: [Role, string, boolean][] = [
    ['leaderA', A, true],
    ['leaderA', A1, true],
    ['leaderA', B, false],
    ['leaderA', '640106', false],
    ['leaderA1', A1, true],
    ['leaderA1', A, false],
    ['leaderA1', B, false],
    ['center', B, true],
    ['center', '640106', true],
  ]
  for (const [role, unit, allowed] of SUBSCRIBE) {
    it(`${role} scope:subscribe ${unit} → ${allowed ? 'ok' : 'refused'}`, async () => {
      const client = await connectLive(server.url, cookies[role])
      try {
        const reply = await subscribe(client.socket, unit)
        expect(reply.ok).toBe(allowed)
        if (!reply.ok) expect(reply.error).toMatch(/outside your scope/)
      } finally {
        client.socket.disconnect()
      }
    })
  }

  it('alarms and their acknowledgements reach the sockets of their scope only', async () => {
    const leader = await connectLive(server.url, cookies.leaderA, { origin: server.url })
    const center = await connectLive(server.url, cookies.center, { origin: server.url })
    try {
      expect((await subscribe(leader.socket, A)).ok).toBe(true)
      expect((await subscribe(center.socket, '640106')).ok).toBe(true)
      const key = { authorization: server.headers.authorization }
      await server.app.inject({ method: 'POST', url: '/api/v1/requests', headers: key, payload: { id: 'alarm-b', source: 'app', category: 'noise', priority: 'urgent', location: pointIn(server.geography, B) } })
      await server.app.inject({ method: 'POST', url: '/api/v1/alarms/urgent:alarm-b/ack', headers: { cookie: cookies.center!, origin: OWN } })
      await waitFor(() => center.events().some((e) => e.type === 'alarm.acked' && e.alarmId === 'urgent:alarm-b'), 'the center to see the acknowledgement')
      await new Promise((r) => setTimeout(r, 200))
      expect(leader.events().filter((e) => e.type.startsWith('alarm.') || ('requestId' in e && e.requestId === 'alarm-b'))).toEqual([])
    } finally {
      leader.socket.disconnect()
      center.socket.disconnect()
    }
  })

  it('a refused subscription receives nothing from the unit', async () => {
    const client = await connectLive(server.url, cookies.leaderA)
    try {
      expect((await subscribe(client.socket, B)).ok).toBe(false)
      await server.inject({ method: 'POST', url: '/api/v1/requests', payload: { source: 'app', category: 'noise', priority: 'general', location: pointIn(server.geography, B) } })
      await new Promise((r) => setTimeout(r, 400))
      expect(client.batches).toEqual([])
    } finally {
      client.socket.disconnect()
    }
  })
})
