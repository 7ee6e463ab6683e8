// The directory over HTTP: reads for every logged-in user (contacts masked for leaders), changes for
// the center only, validation naming the field, and who is on duty at a unit's street.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp, type TestUser } from '../../helpers/build-app'

const A = '640106001'
const A1 = '640106001001'
const B = '640106002'
const LEADER: TestUser = { username: 'leader-a', password: 'leader-pass-a', role: 'leader', unit: A }
const OWN = 'http://localhost'
// Monday 2026-12-07, 10:00 in Shanghai.
const NOW = Date.parse('2026-12-07T10:00:00+08:00')

let t: TestApp
let leader: string

beforeEach(async () => {
  t = await buildTestApp({ users: [LEADER], now: () => NOW, timeZone: 'Asia/Shanghai' })
  leader = await t.login(LEADER)
})
afterEach(async () => {
  await t.close()
})

const asCenter = (method: 'POST' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, ...(payload ? { payload } : {}), headers: { cookie: t.headers.cookie, origin: OWN } })
const get = (url: string, cookie = t.headers.cookie) => t.app.inject({ method: 'GET', url, headers: { cookie } })

async function seed(): Promise<string> {
  expect((await asCenter('POST', '/api/v1/directory/departments', { id: 'zj-jf', name: '金凤区住建局', kind: 'housing' })).statusCode).toBe(201)
  const rota = await asCenter('POST', '/api/v1/directory/rota', { departmentId: 'zj-jf', streetId: A, weekday: 1, from: '09:00', to: '12:00' })
  expect(rota.statusCode).toBe(201)
  expect((await asCenter('POST', '/api/v1/directory/experts', { id: 'law-01', pool: 'legal', name: '王律师', contact: '13912345678' })).statusCode).toBe(201)
  return rota.json().id as string
}

describe('GET /api/v1/directory', () => {
  it('gives the center every contact in clear and a leader the contact masked', async () => {
    await seed()
    const center = (await get('/api/v1/directory')).json()
    expect(center.departments).toEqual([{ id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }])
    expect(center.rota).toEqual([expect.objectContaining({ departmentId: 'zj-jf', streetId: A, weekday: 1, from: '09:00', to: '12:00' })])
    expect(center.experts).toEqual([{ id: 'law-01', pool: 'legal', name: '王律师', contact: '13912345678' }])
    const res = await get('/api/v1/directory', leader)
    expect(res.statusCode).toBe(200)
    expect(res.json().experts).toEqual([{ id: 'law-01', pool: 'legal', name: '王律师', contact: '139****5678' }])
    expect(res.body).not.toContain('13912345678')
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/directory' })).statusCode).toBe(401)
  })
})

describe('changes', () => {
  it('are the center’s: a leader gets a 403 naming the role, and nothing changes', async () => {
    await seed()
    const writes: ['POST' | 'DELETE', string, object?][] = [
      ['POST', '/api/v1/directory/departments', { id: 'cg', name: '城管', kind: 'urban_management' }],
      ['POST', '/api/v1/directory/rota', { departmentId: 'zj-jf', streetId: A, weekday: 2, from: '09:00', to: '12:00' }],
      ['POST', '/api/v1/directory/experts', { id: 'psy-01', pool: 'psychological', name: '李老师', contact: '13800000000' }],
      ['DELETE', '/api/v1/directory/departments/zj-jf'],
      ['DELETE', '/api/v1/directory/experts/law-01'],
    ]
    const before = (await get('/api/v1/directory')).json()
    for (const [method, url, payload] of writes) {
      const res = await t.app.inject({ method, url, ...(payload ? { payload } : {}), headers: { cookie: leader, origin: OWN } })
      expect(res.statusCode, `${method} ${url}`).toBe(403)
      expect(res.json()).toMatchObject({ field: 'role', rule: 'center' })
    }
    expect((await get('/api/v1/directory')).json()).toEqual(before)
  })

  it('need the page’s own origin with the cookie', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/directory/departments', payload: { id: 'cg', name: '城管', kind: 'urban_management' }, headers: { cookie: t.headers.cookie } })
    expect(res.statusCode).toBe(403)
    expect(res.json().field).toMatch(/origin/)
  })

  it('answer 400 naming the field for a bad value, 422 for a broken rule, 409 for a duplicate, 404 for a removal of nothing', async () => {
    await seed()
    const cases: [object, number, string][] = [
      [{ id: 'x', name: '', kind: 'housing' }, 400, 'body/name'],
      [{ id: 'x', name: 'X', kind: 'army' }, 400, 'body/kind'],
      [{ id: 'bad id', name: 'X', kind: 'housing' }, 400, 'body/id'],
      [{ id: 'zj-jf', name: 'again', kind: 'housing' }, 409, 'body/id'],
    ]
    for (const [payload, status, field] of cases) {
      const res = await asCenter('POST', '/api/v1/directory/departments', payload)
      expect([res.statusCode, res.json().field], JSON.stringify(payload)).toEqual([status, field])
    }
    const rota: [object, number, string][] = [
      [{ weekday: 8 }, 400, 'body/weekday'],
      [{ from: '9:00' }, 400, 'body/from'],
      [{ to: '24:01' }, 400, 'body/to'],
      [{ from: '12:00', to: '09:00' }, 422, 'body/to'],
      [{ streetId: A1 }, 422, 'body/streetId'],
      [{ departmentId: 'nobody' }, 422, 'body/departmentId'],
      [{}, 409, 'body/from'],
    ]
    for (const [patch, status, field] of rota) {
      const res = await asCenter('POST', '/api/v1/directory/rota', { departmentId: 'zj-jf', streetId: A, weekday: 1, from: '09:00', to: '12:00', ...patch })
      expect([res.statusCode, res.json().field], JSON.stringify(patch)).toEqual([status, field])
      expect(res.json().rule).toBeTruthy()
    }
    const expert = await asCenter('POST', '/api/v1/directory/experts', { id: 'e', pool: 'tarot', name: 'n', contact: 'c' })
    expect([expert.statusCode, expert.json().field]).toEqual([400, 'body/pool'])
    for (const url of ['/api/v1/directory/departments/nobody', '/api/v1/directory/rota/rota-999', '/api/v1/directory/experts/nobody']) {
      const res = await asCenter('DELETE', url)
      expect([res.statusCode, res.json().field, res.json().rule], url).toEqual([404, 'params/id', 'exists'])
    }
  })

  it('remove with 204, a department with its rota, each in the audit trail with the person', async () => {
    const rotaId = await seed()
    expect((await asCenter('DELETE', `/api/v1/directory/rota/${rotaId}`)).statusCode).toBe(204)
    expect((await asCenter('POST', '/api/v1/directory/rota', { departmentId: 'zj-jf', streetId: B, weekday: 3, from: '14:00', to: '17:00' })).statusCode).toBe(201)
    expect((await asCenter('DELETE', '/api/v1/directory/departments/zj-jf')).statusCode).toBe(204)
    expect((await asCenter('DELETE', '/api/v1/directory/experts/law-01')).statusCode).toBe(204)
    expect((await get('/api/v1/directory')).json()).toEqual({ departments: [], rota: [], experts: [] })
    const audit = (await get('/api/v1/audit')).json().entries as { actor: object; action: string; target: string; unit: string | null }[]
    expect(audit.every((e) => e.action === 'directory.change')).toBe(true)
    expect(audit.map((e) => [e.target, e.unit])).toEqual([
      ['expert:law-01', null],
      ['department:zj-jf', B],
      [expect.stringMatching(/^rota:rota-/), B],
      [`rota:${rotaId}`, A],
      ['expert:law-01', null],
      [`rota:${rotaId}`, A],
      ['department:zj-jf', null],
    ])
    for (const e of audit) expect(e.actor).toEqual({ kind: 'user', name: 'center' })
  })
})

describe('GET /api/v1/directory/on-duty', () => {
  beforeEach(async () => {
    await seed()
    expect((await asCenter('POST', '/api/v1/directory/rota', { departmentId: 'zj-jf', streetId: B, weekday: 1, from: '14:00', to: '17:00' })).statusCode).toBe(201)
  })

  it('asks about the street of a grid or community, every street of the district, at now by default', async () => {
    const atA = (await get(`/api/v1/directory/on-duty?unit=${A1}`)).json()
    expect(atA).toEqual({ at: A, entries: [{ department: { id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }, streetId: A, from: '09:00', to: '12:00', now: true }] })
    const district = (await get('/api/v1/directory/on-duty')).json()
    expect(district.at).toBe('640106')
    expect(district.entries.map((e: { streetId: string; now: boolean }) => [e.streetId, e.now])).toEqual([
      [A, true],
      [B, false],
    ])
  })

  it('takes `at` at the slot edges and in the center’s zone', async () => {
    const now = async (at: string) => (await get(`/api/v1/directory/on-duty?unit=${A}&at=${encodeURIComponent(at)}`)).json().entries.map((e: { now: boolean }) => e.now)
    expect(await now('2026-12-07T09:00:00+08:00')).toEqual([true])
    expect(await now('2026-12-07T08:59:00+08:00')).toEqual([false])
    expect(await now('2026-12-07T12:00:00+08:00')).toEqual([false])
    expect(await now('2026-12-07T11:59:59+08:00')).toEqual([true])
    // 01:30 UTC on Monday is 09:30 Monday in Shanghai; 23:30 UTC Sunday is 07:30 Monday there (not yet on duty).
    expect(await now('2026-12-07T01:30:00Z')).toEqual([true])
    expect(await now('2026-12-06T23:30:00Z')).toEqual([false])
    // 16:30 UTC Monday is 00:30 Tuesday in Shanghai: nothing that day.
    expect(await now('2026-12-07T16:30:00Z')).toEqual([])
  })

  it('is scope-checked for leaders and names bad input', async () => {
    expect((await get(`/api/v1/directory/on-duty?unit=${A1}`, leader)).statusCode).toBe(200)
    expect((await get('/api/v1/directory/on-duty', leader)).json().at).toBe(A)
    const outside = await get(`/api/v1/directory/on-duty?unit=${B}`, leader)
    expect([outside.statusCode, outside.json().field, outside.json().rule]).toEqual([403, 'query/unit', 'scope'])
    const bad = await get('/api/v1/directory/on-duty?at=yesterday')
    expect([bad.statusCode, bad.json().field]).toEqual([400, 'query/at'])
    const unknown = await get('/api/v1/directory/on-duty?unit=640106999')
    expect([unknown.statusCode, unknown.json().field]).toEqual([404, 'query/unit'])
  })
})
