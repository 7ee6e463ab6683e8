// Open311 GeoReport v2 at /open311/v2/ through app.inject: the replies in JSON and XML (the XML read
// back and compared field by field), validated against the spec's own JSON schemas where the
// reference folder is present, the filters and windows, the errors, and no personal data in reads.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { XMLParser } from 'fast-xml-parser'
import { CATEGORIES, DISTRICT_ID } from '../../../shared/domain'
import { DAY_MS } from '../../../shared/time'
import { SqliteStore } from '../../../server/store/sqlite-store'
import type { NewRequest } from '../../../server/store/types'
import { buildTestApp, firstGrid, pointIn, type TestApp } from '../../helpers/build-app'

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule)

const NOW = Date.parse('2026-11-28T06:00:00Z')
const STREET_A = '640106001'
const STREET_B = '640106002'
const DEPT = { id: 'zj-jf', name: '金凤区住建局', kind: 'housing' as const }
const PERSONAL = { first: '建国', last: '王', phone: '13912345678', description: '我家住在3号楼2单元501室，楼上夜里装修吵得睡不着' }

let t: TestApp
let key: string
beforeEach(async () => {
  await t?.close()
  t = await buildTestApp({ store: new SqliteStore({ filename: ':memory:' }), now: () => NOW })
  key = t.headers.authorization.slice('Bearer '.length)
  expect((await t.app.directory.addDepartment(DEPT, { kind: 'cli', name: 'test' })).ok).toBe(true)
})
afterAll(async () => {
  await t.close()
})

/** A GET with nothing but the URL: reads need no login. */
function get(url: string) {
  return t.app.inject({ method: 'GET', url })
}

function form(fields: Record<string, string | number>): string {
  return new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString()
}

async function post(fields: Record<string, string | number>, format: 'json' | 'xml' = 'json') {
  return t.app.inject({ method: 'POST', url: `/open311/v2/requests.${format}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form(fields) })
}

async function postAt(unit: string, extra: Record<string, string | number> = {}): Promise<string> {
  const { lon, lat } = pointIn(t.geography, unit)
  const res = await post({ api_key: key, jurisdiction_id: DISTRICT_ID, service_code: 'noise', lat, long: lon, ...extra })
  expect(res.statusCode, res.body).toBe(201)
  return (res.json() as { service_request_id: string }[])[0]!.service_request_id
}

/** Requests straight into the store's history, received `daysAgo` before NOW. */
async function seed(count: number, options: { daysAgo?: (i: number) => number; category?: NewRequest['category'] } = {}): Promise<string[]> {
  const path = t.geography.pathOf(firstGrid(t.geography, STREET_B))!
  const { lon, lat } = pointIn(t.geography, STREET_B)
  const ids = Array.from({ length: count }, (_, i) => `seed-${String(i).padStart(5, '0')}`)
  await t.store.importHistory(
    ids.map((id, i) => ({
      op: 'request' as const,
      request: { id, fingerprint: '', source: 'hotline' as const, category: options.category ?? 'environment', priority: 'general' as const, lon, lat, path, receivedAt: NOW - (options.daysAgo?.(i) ?? 1) * DAY_MS + i },
    })),
  )
  return ids
}

const parser = new XMLParser({
  parseTagValue: false,
  isArray: (name) => ['request', 'service', 'error', 'endpoint', 'format'].includes(name),
})

/** A JSON value as the XML writes it: null an empty element, numbers and booleans as text. */
function asXmlText(value: unknown): unknown {
  if (value === null) return ''
  if (Array.isArray(value)) return value.map(asXmlText)
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, asXmlText(v)]))
  return String(value)
}

/** The same resource in both formats: the XML read back equals the JSON, field by field. */
async function bothFormats(path: string, root: string, item: string): Promise<unknown[]> {
  const json = await get(path.replace('{format}', 'json'))
  const xml = await get(path.replace('{format}', 'xml'))
  expect(json.statusCode, json.body).toBe(200)
  expect(xml.statusCode, xml.body).toBe(200)
  expect(json.headers['content-type']).toMatch(/^application\/json/)
  expect(xml.headers['content-type']).toMatch(/^text\/xml/)
  const list = json.json() as unknown[]
  const parsed = parser.parse(xml.body) as Record<string, Record<string, unknown[]> | string>
  const items = typeof parsed[root] === 'object' ? (parsed[root] as Record<string, unknown[]>)[item] ?? [] : []
  expect(items).toEqual(asXmlText(list))
  return list
}

// ---- the spec's schemas, where the reference is here (CI's fresh clone has no ../shared) ----

const SCHEMA_DIR = fileURLToPath(new URL('../../../../shared/reference/open311/schema/', import.meta.url))
const haveSchemas = existsSync(SCHEMA_DIR)
function specValidator(name: string) {
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats(ajv)
  for (const file of ['request.json', 'service.json', 'service-definition.json']) {
    ajv.addSchema(JSON.parse(readFileSync(`${SCHEMA_DIR}${file}`, 'utf8')) as object, file)
  }
  return ajv.compile(JSON.parse(readFileSync(`${SCHEMA_DIR}${name}`, 'utf8')) as object)
}
function expectSpecValid(name: string, value: unknown): void {
  const validate = specValidator(name)
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true)
}

describe('the spec’s JSON schemas', () => {
  it('services and requests validate against them', async (ctx) => {
    if (!haveSchemas) ctx.skip(`Open311 reference schemas not found at ${SCHEMA_DIR}`)
    expectSpecValid('services.json', (await get('/open311/v2/services.json')).json())
    const id = await postAt(STREET_A, { first_name: PERSONAL.first, phone: PERSONAL.phone, description: PERSONAL.description })
    const dispatched = await t.inject({ method: 'POST', url: `/api/v1/requests/${id}/transitions`, payload: { stage: 'dispatched', assignee: { kind: 'department', id: DEPT.id } } })
    expect(dispatched.statusCode, dispatched.body).toBe(201)
    await seed(3)
    const all = (await get('/open311/v2/requests.json')).json() as unknown[]
    expect(all).toHaveLength(4)
    expectSpecValid('requests.json', all)
    expectSpecValid('requests.json', (await get(`/open311/v2/requests/${id}.json`)).json())
    for (const item of all) expectSpecValid('request.json', item)
    // The validator is not a rubber stamp: a status the spec does not have fails it.
    expect(specValidator('request.json')({ ...(all[0] as object), status: 'pending' })).toBe(false)
  })
})

describe('discovery and services', () => {
  it('discovery names this endpoint, the spec and both formats', async () => {
    const json = (await get('/open311/v2/discovery.json')).json() as { endpoints: { url: string; specification: string; formats: string[] }[] }
    expect(json.endpoints).toHaveLength(1)
    expect(json.endpoints[0]).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', formats: ['text/xml', 'application/json'] })
    expect(json.endpoints[0]!.url).toMatch(/\/open311\/v2\/$/)
    const xml = parser.parse((await get('/open311/v2/discovery.xml')).body) as { discovery: { endpoints: { endpoint: { url: string; formats: { format: string[] } }[] } } }
    expect(xml.discovery.endpoints.endpoint[0]!.url).toBe(json.endpoints[0]!.url)
    expect(xml.discovery.endpoints.endpoint[0]!.formats.format).toEqual(['text/xml', 'application/json'])
  })

  it('lists one service per category, in both formats alike, none with a definition', async () => {
    const services = (await bothFormats('/open311/v2/services.{format}', 'services', 'service')) as { service_code: string; metadata: boolean; service_name: string }[]
    expect(services.map((s) => s.service_code)).toEqual([...CATEGORIES])
    expect(services.every((s) => s.metadata === false)).toBe(true)
    expect(services.find((s) => s.service_code === 'noise')!.service_name).toBe('噪音扰民')
  })

  it('a service definition is the spec’s 404: none has extra attributes; an unknown code is a 404 too', async () => {
    const known = await get('/open311/v2/services/noise.json')
    expect(known.statusCode).toBe(404)
    expect(known.json()).toEqual([{ code: 404, description: expect.stringContaining('no service definition') }])
    const unknown = await get('/open311/v2/services/no_such.xml')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.headers['content-type']).toMatch(/^text\/xml/)
    expect(parser.parse(unknown.body)).toEqual({ '?xml': '', errors: { error: [{ code: '404', description: 'service_code no_such not found' }] } })
  })
})

describe('POST requests', () => {
  it('creates a request with source app through the store, answering the spec’s id list', async () => {
    const id = await postAt(STREET_A, { first_name: PERSONAL.first, last_name: PERSONAL.last, phone: PERSONAL.phone, description: PERSONAL.description })
    const detail = (await t.inject({ method: 'GET', url: `/api/v1/requests/${id}` })).json()
    expect(detail).toMatchObject({ id, source: 'app', category: 'noise', priority: 'general', stage: 'received', streetId: STREET_A, description: PERSONAL.description })
    // The center sees the reporter in clear; the actor is the key's source.
    expect(detail.reporter).toEqual({ name: '王建国', phone: PERSONAL.phone })
    expect(detail.stages[0].actor).toEqual({ kind: 'key', source: 'test' })
  })

  it('takes JSON too, and answers in XML by the extension', async () => {
    const { lon, lat } = pointIn(t.geography, STREET_B)
    const res = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', payload: { api_key: key, service_code: 'municipal', lat, long: lon } })
    expect(res.statusCode, res.body).toBe(201)
    const parsed = parser.parse(res.body) as { service_requests: { request: { service_request_id: string; service_notice: string; account_id: string }[] } }
    const [created] = parsed.service_requests.request
    expect(created!.service_notice).toContain('2026-12-05T14:00:00+08:00')
    expect(created!.account_id).toBe('')
    expect((await t.store.getRequest(created!.service_request_id))?.category).toBe('municipal')
  })

  it('places an address that names a community at one of its grids', async () => {
    const community = t.geography.children(STREET_A)[0]!
    const res = await post({ api_key: key, service_code: 'environment', address_string: `${community.name} 5号楼` })
    expect(res.statusCode, res.body).toBe(201)
    const id = (res.json() as { service_request_id: string }[])[0]!.service_request_id
    expect((await t.store.getRequest(id))?.communityId).toBe(community.id)
  })

  it('errors in the spec’s format, storing nothing: bad key 403, bad jurisdiction 404, no location 400, unknown service 404', async () => {
    const { lon, lat } = pointIn(t.geography, STREET_A)
    const base = { api_key: key, service_code: 'noise', lat, long: lon }
    const cases: [Record<string, string | number>, number, RegExp][] = [
      [{ ...base, api_key: 'opk_000000000000_forged' }, 403, /api_key/],
      [{ service_code: 'noise', lat, long: lon }, 403, /api_key/],
      [{ ...base, jurisdiction_id: '640105' }, 404, /jurisdiction_id 640105 not found/],
      [{ api_key: key, service_code: 'noise' }, 400, /location is required/],
      [{ api_key: key, service_code: 'noise', address_string: 'somewhere else' }, 400, /address_string/],
      [{ ...base, lat: 'north' }, 400, /lat/],
      [{ ...base, long: undefined as never }, 400, /lat and long go together/],
      [{ ...base, service_code: 'pothole' }, 404, /service_code pothole not found/],
      [{ ...base, lat: 10, long: 10 }, 422, /outside every grid/],
      [{ ...base, phone: 'call me' }, 400, /phone/],
      [{ ...base, 'attribute[x]': 1 }, 400, /attribute\[x\]/],
    ]
    for (const [fields, code, description] of cases) {
      const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string | number>
      for (const format of ['json', 'xml'] as const) {
        const res = await post(clean, format)
        expect(res.statusCode, `${JSON.stringify(clean)}: ${res.body}`).toBe(code)
        const errors = format === 'json' ? (res.json() as { code: number; description: string }[]) : (parser.parse(res.body) as { errors: { error: { code: string; description: string }[] } }).errors.error
        expect(errors).toHaveLength(1)
        expect(Number(errors[0]!.code)).toBe(code)
        expect(errors[0]!.description).toMatch(description)
      }
    }
    expect(await t.store.lastSeq()).toBe(0)
  })

  it('is counted by the ingest key’s rate limit, with every other ingest route', async () => {
    const limited = await buildTestApp({ store: new SqliteStore({ filename: ':memory:' }), now: () => NOW, ingestRate: 3 })
    try {
      const k = limited.headers.authorization.slice('Bearer '.length)
      const { lon, lat } = pointIn(limited.geography, STREET_A)
      // Two through the JSON API, then Open311 has one left of the three this second.
      for (let i = 0; i < 2; i++) {
        const res = await limited.app.inject({ method: 'POST', url: '/api/v1/requests', headers: { authorization: limited.headers.authorization }, payload: { source: 'app', category: 'noise', priority: 'general', location: { lon, lat } } })
        expect(res.statusCode).toBe(201)
      }
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          limited.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ api_key: k, service_code: 'noise', lat, long: lon }) }),
        ),
      )
      expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 429, 429, 429])
      expect((answers.find((r) => r.statusCode === 429)!.json() as { code: number }[])[0]!.code).toBe(429)
      expect(await limited.store.lastSeq()).toBe(3)
    } finally {
      await limited.close()
    }
  })
})

describe('GET requests', () => {
  it('maps the lifecycle, the dispatch target, the deadline and the place, alike in JSON and XML', async () => {
    const id = await postAt(STREET_A)
    const dept = DEPT
    let [record] = (await bothFormats(`/open311/v2/requests/${id}.{format}`, 'service_requests', 'request')) as Record<string, unknown>[]
    expect(record).toMatchObject({
      service_request_id: id,
      status: 'open',
      status_notes: '已受理 (received)',
      service_code: 'noise',
      service_name: '噪音扰民',
      description: '噪音扰民',
      agency_responsible: null,
      requested_datetime: '2026-11-28T14:00:00+08:00',
      updated_datetime: '2026-11-28T14:00:00+08:00',
      // general: resolve within 7 days
      expected_datetime: '2026-12-05T14:00:00+08:00',
      address_id: firstGrid(t.geography, STREET_A),
    })
    expect(record!.address).toMatch(/金凤区$/)
    const step = async (stage: string, at: string, extra: Record<string, unknown> = {}) => {
      const res = await t.inject({ method: 'POST', url: `/api/v1/requests/${id}/transitions`, payload: { stage, at, ...extra } })
      expect(res.statusCode, res.body).toBe(201)
    }
    await step('dispatched', '2026-11-28T06:01:00Z', { assignee: { kind: 'department', id: dept.id } })
    ;[record] = (await bothFormats(`/open311/v2/requests/${id}.{format}`, 'service_requests', 'request')) as Record<string, unknown>[]
    expect(record).toMatchObject({ status: 'open', status_notes: '已派单 (dispatched)', agency_responsible: dept.name, updated_datetime: '2026-11-28T14:01:00+08:00' })
    await step('returned', '2026-11-28T06:02:00Z')
    ;[record] = (await get(`/open311/v2/requests/${id}.json`)).json() as Record<string, unknown>[]
    expect(record).toMatchObject({ status: 'open', agency_responsible: null, updated_datetime: '2026-11-28T14:02:00+08:00' })
  })

  it('a worker dispatch reads 网格员 and a resolved request is closed at its resolution time', async () => {
    const id = await postAt(STREET_A)
    // A grid worker must have reported before a dispatch may name them.
    const { lon, lat } = pointIn(t.geography, STREET_A)
    const ping = await t.inject({ method: 'POST', url: '/api/v1/patrols', payload: { pings: [{ workerId: 'w-zhang', kind: 'ping', location: { lon, lat }, at: '2026-11-28T05:00:00Z' }] } })
    expect(ping.statusCode, ping.body).toBeLessThan(300)
    for (const [stage, at, extra] of [
      ['dispatched', '2026-11-28T06:01:00Z', { assignee: { kind: 'worker', id: 'w-zhang' } }],
      ['accepted', '2026-11-28T06:02:00Z', {}],
      ['resolved', '2026-11-28T06:03:00Z', { note: '已联系王建国调解' }],
    ] as const) {
      const res = await t.inject({ method: 'POST', url: `/api/v1/requests/${id}/transitions`, payload: { stage, at, ...extra } })
      expect(res.statusCode, res.body).toBe(201)
    }
    const [record] = (await get(`/open311/v2/requests/${id}.json`)).json() as Record<string, unknown>[]
    expect(record).toMatchObject({ status: 'closed', status_notes: '已办结 (resolved)', agency_responsible: '网格员', updated_datetime: '2026-11-28T14:03:00+08:00' })
    // The officer's note names a person: it is not the status note.
    expect(JSON.stringify(record)).not.toContain('王建国')
    expect(JSON.stringify(record)).not.toContain('w-zhang')
  })

  it('the default window is the last 90 days, newest first', async () => {
    await seed(4, { daysAgo: (i) => [1, 89, 91, 200][i]! })
    const ids = ((await get('/open311/v2/requests.json')).json() as { service_request_id: string }[]).map((r) => r.service_request_id)
    expect(ids).toEqual(['seed-00000', 'seed-00001'])
  })

  it('start_date and end_date bound requested_datetime (both ends included), in any zone', async () => {
    await seed(3, { daysAgo: (i) => [1, 2, 3][i]! })
    const received = (await t.store.getRequest('seed-00001'))!.receivedAt
    const at = new Date(Date.parse(received)).toISOString()
    const ids = async (query: string) => ((await get(`/open311/v2/requests.json?${query}`)).json() as { service_request_id: string }[]).map((r) => r.service_request_id)
    expect(await ids(`start_date=${at}&end_date=${at}`)).toEqual(['seed-00001'])
    expect(await ids(`start_date=${encodeURIComponent('2026-11-25T00:00:00+08:00')}&end_date=2026-11-26T12:00:00Z`)).toEqual(['seed-00001', 'seed-00002'])
    expect(await ids(`start_date=${at}`)).toEqual(['seed-00000', 'seed-00001'])
    expect(await ids(`end_date=${at}`)).toEqual(['seed-00001', 'seed-00002'])
    // A start still to come: nothing yet, not an error.
    expect(await ids('start_date=2026-12-01T00:00:00Z')).toEqual([])
  })

  it('filters by status (comma list), service_code (comma list), and ids (which override the rest)', async () => {
    const open = await postAt(STREET_A)
    await seed(2, { category: 'traffic' })
    const closed = await postAt(STREET_A)
    for (const [stage, at] of [['dispatched', '2026-11-28T06:01:00Z'], ['accepted', '2026-11-28T06:02:00Z'], ['resolved', '2026-11-28T06:03:00Z']] as const) {
      const res = await t.inject({ method: 'POST', url: `/api/v1/requests/${closed}/transitions`, payload: { stage, at, ...(stage === 'dispatched' ? { assignee: { kind: 'department', id: DEPT.id } } : {}) } })
      expect(res.statusCode, res.body).toBe(201)
    }
    const ids = async (query: string) => ((await get(`/open311/v2/requests.json?${query}`)).json() as { service_request_id: string }[]).map((r) => r.service_request_id).sort()
    expect(await ids('status=closed')).toEqual([closed])
    expect(await ids('status=open')).toEqual([open, 'seed-00000', 'seed-00001'].sort())
    expect(await ids('status=open,closed')).toHaveLength(4)
    expect(await ids('service_code=traffic')).toEqual(['seed-00000', 'seed-00001'])
    expect(await ids('service_code=noise,traffic&status=closed')).toEqual([closed])
    expect(await ids(`service_request_id=${open},seed-00001,nope&status=closed&service_code=environment`)).toEqual([open, 'seed-00001'].sort())
  })

  it('answers at most 1000, the newest', async () => {
    await seed(1003, { daysAgo: () => 2 })
    const list = (await get('/open311/v2/requests.json')).json() as { service_request_id: string }[]
    expect(list).toHaveLength(1000)
    expect(list[0]!.service_request_id).toBe('seed-01002')
    expect(list.at(-1)!.service_request_id).toBe('seed-00003')
  })

  it('errors in the spec’s format: malformed or reversed dates, a span over 90 days, a bad status, an unknown id, service or jurisdiction', async () => {
    const cases: [string, number, RegExp][] = [
      ['requests.json?start_date=yesterday', 400, /start_date/],
      ['requests.json?end_date=2026-11-28', 400, /end_date/],
      ['requests.json?start_date=2026-11-28T00:00:00Z&end_date=2026-11-27T00:00:00Z', 400, /before start_date/],
      ['requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-11-27T00:00:00Z', 400, /90 days/],
      ['requests.json?status=pending', 400, /status/],
      ['requests.json?service_code=pothole', 404, /pothole/],
      ['requests.json?jurisdiction_id=sfgov.org', 404, /jurisdiction_id sfgov.org not found/],
      ['requests.json?page=2', 400, /page/],
      ['services.json?jurisdiction_id=640105', 404, /jurisdiction_id/],
      ['requests/nope.json', 404, /service_request_id nope not found/],
      ['requests/bad%20id.json', 400, /file/],
      ['nothing.json', 404, /no Open311 resource/],
    ]
    for (const [path, code, description] of cases) {
      for (const format of ['json', 'xml'] as const) {
        const url = `/open311/v2/${path.replace('.json', `.${format}`)}`
        const res = await get(url)
        expect(res.statusCode, `${url}: ${res.body}`).toBe(code)
        const errors = format === 'json' ? (res.json() as { code: number; description: string }[]) : (parser.parse(res.body) as { errors: { error: { code: string; description: string }[] } }).errors.error
        expect(Number(errors[0]!.code), url).toBe(code)
        expect(errors[0]!.description, url).toMatch(description)
      }
    }
  })

  it('no GET reply holds a name, a phone or the resident’s text, and the place is the grid’s, not the home’s', async () => {
    const home = pointIn(t.geography, STREET_A)
    // A point off the grid's centre: where the resident actually is.
    const exact = { lon: home.lon + 0.0003, lat: home.lat - 0.0002 }
    expect(t.geography.locate(exact)?.gridId).toBe(firstGrid(t.geography, STREET_A))
    const res = await post({ api_key: key, service_code: 'noise', lat: exact.lat, long: exact.lon, first_name: PERSONAL.first, last_name: PERSONAL.last, phone: PERSONAL.phone, description: PERSONAL.description, email: 'wjg@example.cn' })
    expect(res.statusCode).toBe(201)
    const id = (res.json() as { service_request_id: string }[])[0]!.service_request_id
    const urls = ['discovery', 'services', 'requests', `requests/${id}`].flatMap((p) => [`/open311/v2/${p}.json`, `/open311/v2/${p}.xml`])
    urls.push(`/open311/v2/requests.xml?service_request_id=${id}`, '/open311/v2/requests.json?status=open&service_code=noise')
    let seen = 0
    for (const url of urls) {
      const body = (await get(url)).body
      if (body.includes(id)) seen++
      for (const secret of [PERSONAL.first, PERSONAL.last, PERSONAL.phone, PERSONAL.phone.slice(-4), '501室', '装修', 'wjg@', String(exact.lat), String(exact.lon)]) {
        expect(body, `${url} holds ${secret}`).not.toContain(secret)
      }
    }
    expect(seen).toBe(6)
    const [record] = (await get(`/open311/v2/requests/${id}.json`)).json() as { lat: number; long: number }[]
    const { lat, long } = record!
    // The grid's point, the same for every request of the grid.
    const other = await postAt(STREET_A)
    const [second] = (await get(`/open311/v2/requests/${other}.json`)).json() as { lat: number; long: number }[]
    expect({ lat: second!.lat, long: second!.long }).toEqual({ lat, long })
    expect(t.geography.locate({ lon: long, lat })?.gridId).toBe(firstGrid(t.geography, STREET_A))
  })
})
