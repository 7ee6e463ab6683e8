// Units' report contacts (the kiosk's "how to report" card): kept in directory.db, validated (an
// office number, never a mobile), changed by the center only and audited, inherited down the tree,
// and published on the kiosk with the 12345 hotline and a QR code drawn on the server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PublicStats } from '../../../shared/public'
import { qrSvg } from '../../../server/public/report'
import { buildTestApp, firstGrid, type TestApp, type TestUser } from '../../helpers/build-app'

const DISTRICT = '640106'
const A = '640106001'
const A1 = '640106001001'
const A2 = '640106001002'
const B1 = '640106002001'
const LEADER: TestUser = { username: 'leader-a', password: 'leader-pass-a', role: 'leader', unit: A }
const OWN = 'http://localhost'
const NOW = Date.parse('2026-12-05T10:00:00+08:00')

let t: TestApp
let leader: string
let clock = NOW
beforeEach(async () => {
  clock = NOW
  t = await buildTestApp({ users: [LEADER], now: () => clock, timeZone: 'Asia/Shanghai' })
  leader = await t.login(LEADER)
})
afterEach(async () => {
  await t.close()
})

const put = (unit: string, payload: object, cookie = t.headers.cookie) =>
  t.app.inject({ method: 'PUT', url: `/api/v1/directory/contacts/${unit}`, payload, headers: { cookie, origin: OWN } })
const del = (unit: string, cookie = t.headers.cookie) => t.app.inject({ method: 'DELETE', url: `/api/v1/directory/contacts/${unit}`, headers: { cookie, origin: OWN } })
async function kiosk(unit: string): Promise<PublicStats> {
  // The figures are computed at most once per 10 s: each reading here is a new one.
  clock += 11_000
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${unit}` })
  expect(res.statusCode).toBe(200)
  return res.json()
}

describe('report contacts', () => {
  it('are set and replaced by the center, listed for any user, removed, each change audited', async () => {
    const set = await put(A, { phone: ' 0951-5012345 ', qr: 'https://example.org/report?unit=640106001', hours: '工作日 8:30–17:30' })
    expect(set.statusCode).toBe(200)
    expect(set.json()).toEqual({ unit: A, phone: '0951-5012345', qr: 'https://example.org/report?unit=640106001', hours: '工作日 8:30–17:30' })
    expect((await put(A, { phone: '12345' })).json()).toEqual({ unit: A, phone: '12345' })
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/directory/contacts', headers: { cookie: leader } })
    expect(list.statusCode).toBe(200)
    expect(list.json()).toEqual({ contacts: [{ unit: A, phone: '12345' }] })
    expect((await del(A)).statusCode).toBe(204)
    expect((await del(A)).statusCode).toBe(404)
    const audit = (await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: { cookie: t.headers.cookie } })).json().entries as { actor: object; action: string; target: string; unit: string }[]
    const changes = audit.filter((e) => e.target === `contact:${A}`)
    expect(changes).toHaveLength(3)
    for (const e of changes) expect(e).toMatchObject({ action: 'directory.change', unit: A, actor: { kind: 'user', name: 'center' } })
  })

  it('are the center’s to change: a leader gets a 403, nobody a 401, and nothing changes', async () => {
    expect((await put(A, { phone: '0951-5012345' }, leader)).statusCode).toBe(403)
    expect((await del(A, leader)).statusCode).toBe(403)
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/directory/contacts/${A}`, payload: { phone: '0951-5012345' } })).statusCode).toBe(401)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/directory/contacts' })).statusCode).toBe(401)
    expect((await kiosk(A)).report?.phone).toBeNull()
  })

  it('refuse a mobile number, a grid, an unknown unit and bad text, naming the field', async () => {
    const cases: [string, object, number, string, string][] = [
      [A, { phone: '13912345678' }, 422, 'body/phone', 'office-number'],
      [A, { phone: '+86 139 1234 5678' }, 422, 'body/phone', 'office-number'],
      [A, { phone: '12' }, 400, 'body/phone', ''],
      [A, { phone: 'call me' }, 400, 'body/phone', ''],
      [A, { phone: '0951-5012345', qr: 'javascript://alert(1)' }, 422, 'body/qr', 'url'],
      [A, { phone: '0951-5012345', hours: 'a\nb' }, 422, 'body/hours', 'pattern'],
      [A, { phone: '0951-5012345', extra: 1 }, 400, 'body', ''],
      [firstGrid(t.geography, A1), { phone: '0951-5012345' }, 422, 'params/unit', 'public-unit'],
      ['640106099', { phone: '0951-5012345' }, 422, 'params/unit', 'public-unit'],
    ]
    for (const [unit, body, status, field, rule] of cases) {
      const res = await put(unit, body)
      expect(res.statusCode, JSON.stringify(body)).toBe(status)
      expect(res.json().field, JSON.stringify(body)).toContain(field)
      if (rule) expect(res.json().rule).toBe(rule)
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/directory/contacts', headers: { cookie: t.headers.cookie } })).json().contacts).toEqual([])
  })
})

describe('on the kiosk', () => {
  it('show the hotline always, the unit’s own contact, else the nearest one above it, never another street’s', async () => {
    expect((await kiosk(A1)).report).toEqual({ hotline: '12345', phone: null, hours: null, qrSvg: null, from: null })
    await put(DISTRICT, { phone: '0951-12345' })
    await put(A, { phone: '0951-5012345', hours: '工作日 8:30–17:30', qr: 'https://example.org/r?u=640106001' })
    await put(A2, { phone: '0951-5020000' })
    const a1 = (await kiosk(A1)).report!
    expect(a1).toMatchObject({ hotline: '12345', phone: '0951-5012345', hours: '工作日 8:30–17:30', from: { unit: A, name: t.geography.get(A)!.name } })
    expect(a1.qrSvg).toBe(qrSvg('https://example.org/r?u=640106001'))
    expect((await kiosk(A2)).report).toMatchObject({ phone: '0951-5020000', hours: null, qrSvg: null, from: { unit: A2 } })
    expect((await kiosk(A)).report).toMatchObject({ phone: '0951-5012345', from: { unit: A } })
    // Another street has none of its own: the district's.
    expect((await kiosk(B1)).report).toMatchObject({ phone: '0951-12345', from: { unit: DISTRICT } })
    // A change shows at the next reading, without a restart.
    await del(A)
    expect((await kiosk(A1)).report).toMatchObject({ phone: '0951-12345', qrSvg: null, from: { unit: DISTRICT } })
  })
})

describe('qrSvg', () => {
  it('draws a QR code as a small SVG of black modules on white, the same each time', () => {
    const svg = qrSvg('https://example.org/report?unit=640106001')
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 (\d+) \1"/)
    expect(svg).toContain('<path fill="#000" d="M')
    expect(svg).not.toMatch(/script|on\w+=/i)
    expect(svg.length).toBeLessThan(8000)
    expect(qrSvg('https://example.org/report?unit=640106001')).toBe(svg)
    // Chinese text is encoded as UTF-8 bytes: a longer code than its character count alone would need.
    expect(qrSvg('金凤区便民服务')).not.toBe(qrSvg('abc'))
  })
})
