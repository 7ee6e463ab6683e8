// Bad input over every route the app registers (collected as they are registered, so a new route is
// fuzzed without touching this file), generated from each route's own schemas, plus the raw
// oddities no schema sees (empty or invalid JSON, wrong content types, broken %-escapes). Each
// request carries what gets it past the login (a center or a leader session, an ingest key), so it
// reaches validation and the handlers. Every answer must be a 2xx/3xx, or a 4xx in the one error
// shape that stored nothing; never a 5xx.
//
// Seeded: a failure names its seed and request; OUTPOST_FUZZ_SEED=<n> repeats or varies a run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { HTTPMethods, InjectOptions, RouteOptions } from 'fastify'
import { mulberry32 } from '../../shared/random'
import { EVENT_TYPES } from '../../shared/events'
import { buildTestApp, pointIn, type TestUser } from '../helpers/build-app'
import { solidPng, solidRasterArchive } from '../helpers/pmtiles'

const SEED = Number(process.env.OUTPOST_FUZZ_SEED ?? 15)
/** Random bad values per schema property, besides the ones each property's own limits suggest. */
const PICKS_PER_PROPERTY = 8

const NOW = Date.parse('2026-11-28T06:00:00Z')
const STREET_A = '640106001'
const STREET_B = '640106002'
const LEADER: TestUser = { username: 'leader-a', password: 'leader-pass-a', role: 'leader', unit: STREET_A }

interface JsonSchema {
  type?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean
  items?: JsonSchema
  minItems?: number
  maxItems?: number
  enum?: unknown[]
  anyOf?: JsonSchema[]
  minLength?: number
  maxLength?: number
  pattern?: string
  format?: string
  minimum?: number
  maximum?: number
  examples?: unknown[]
}

interface Route {
  method: HTTPMethods
  url: string
  schema: { body?: JsonSchema; querystring?: JsonSchema; params?: JsonSchema; headers?: JsonSchema }
  onRequest: unknown[]
  bodyLimit: number | undefined
}

// ---- the app, with every optional route registered: a base map and a (stand-in) built client ----

const dir = mkdtempSync(join(tmpdir(), 'outpost-fuzz-'))
const clientDir = join(dir, 'client')
mkdirSync(join(clientDir, 'assets'), { recursive: true })
writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>outpost</title>')
writeFileSync(join(clientDir, 'assets', 'app.js'), 'export {}')
writeFileSync(join(clientDir, 'assets', 'snap.png'), solidPng([200, 40, 40], 8))
const pmtiles = join(dir, 'base.pmtiles')
writeFileSync(pmtiles, solidRasterArchive([10, 20, 30], [106, 38.4, 106.3, 38.6], 0, 2))

const registered: RouteOptions[] = []
const t = await buildTestApp({
  users: [LEADER],
  now: () => NOW,
  clientDir,
  basemap: { pmtiles, crs: 'wgs84' },
  onRoute: (route) => registered.push(route),
})
const leaderCookie = await t.login(LEADER)

// Something for the by-id routes to find, in the leader's street and outside it; the alerts with a
// snapshot, one served by this server and one from an origin that is not listed (never fetched).
const IDS = { requests: ['req-a', 'req-b'], alerts: ['alert-a', 'alert-b'], alarms: ['alert:alert-a', 'alert:alert-b'] }
const SNAPSHOTS = ['/assets/snap.png', 'http://127.0.0.1:9/snap.jpg']
for (const [i, street] of [STREET_A, STREET_B].entries()) {
  const location = pointIn(t.geography, street)
  const seeded = [
    await t.inject({ method: 'POST', url: '/api/v1/requests', payload: { id: IDS.requests[i], source: 'app', category: 'noise', priority: 'general', location, receivedAt: '2026-11-28T01:00:00Z' } }),
    await t.inject({ method: 'POST', url: '/api/v1/alerts', payload: { id: IDS.alerts[i], cameraId: 'cam-1', kind: 'smoke_fire', confidence: 0.9, location, at: '2026-11-28T01:00:00Z', snapshotUrl: SNAPSHOTS[i] } }),
    await t.inject({ method: 'POST', url: '/api/v1/patrols', payload: { pings: [{ workerId: `w-${i}`, kind: 'ping', location, at: '2026-11-28T01:00:00Z' }] } }),
  ]
  for (const res of seeded) if (res.statusCode >= 300) throw new Error(`seeding failed: ${res.statusCode} ${res.body}`)
}

const routes = collectRoutes(registered)

afterAll(async () => {
  await t.close()
  rmSync(dir, { recursive: true, force: true })
})

function collectRoutes(options: RouteOptions[]): Route[] {
  const seen = new Map<string, Route>()
  for (const o of options) {
    for (const method of [o.method].flat() as HTTPMethods[]) {
      const key = `${method} ${o.url}`
      if (seen.has(key)) continue
      seen.set(key, {
        method,
        url: o.url,
        schema: (o.schema ?? {}) as Route['schema'],
        onRequest: [o.onRequest ?? []].flat(),
        bodyLimit: o.bodyLimit,
      })
    }
  }
  return [...seen.values()].sort((a, b) => `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`))
}

// ---- values ----

/** Dates at and past every edge: year 1, 9999, the last day JavaScript has (275760-09-13), and past it. */
const DATES = [
  '0001-01-01',
  '9999-12-31',
  '275760-09-13',
  '0001-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '1999-12-31T23:00:00Z',
  '9999-12-31T23:00:00Z',
  '275760-09-13T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '+275760-09-14T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '2026-02-30',
  '2026-13-01T00:00:00Z',
  '2026-11-28T24:00:00Z',
  '2026-11-28T05:30:00Z',
  '2026-11-28T00:00:00+99:99',
  '2026-11-28T00:00:00+0800',
  '2026-11-28T06:00:00.000000000000000000001Z',
]
const STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '🙂'.repeat(40),
  'Ω≈ç√∫˜µ≤≥÷',
  '٣٤٥٦٧٨٩٠١',
  'Ａｂｃ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x10',
  'null',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '%00',
  '%E0%A4%A',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '640106',
  '640106999',
  '64010600100101',
  'bytes=-0',
  'bytes=99999999999999999999-',
  'bytes=0-1,5-2',
  'x'.repeat(5000),
]
const NUMBERS = [0, -1, 1.5, -0.000001, 1e308, -1e308, 2 ** 31, 2 ** 53 + 2, -(2 ** 53), 5e-324]
const OTHERS: unknown[] = [null, true, false, [], [1, 'a'], {}, { a: 1 }, nested(64)]
const POOL: unknown[] = [...DATES, ...STRINGS, ...NUMBERS, ...OTHERS]

function nested(depth: number): unknown {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value }
  return value
}

/** A time by its format, its pattern, or its name where the schema leaves it a plain string (`from`, `receivedAt`). */
function isTime(key: string | number, schema: JsonSchema): boolean {
  return schema.type === 'string' && (schema.format === 'date-time' || Boolean(schema.pattern?.includes('\\d{4}')) || /^(from|to|at)$|At$/.test(String(key)))
}

/** The same instant a day later, in the form the caller used; undefined past JavaScript's dates. */
function dayAfter(value: string): string | undefined {
  const ms = Date.parse(value)
  if (!Number.isFinite(ms) || !Number.isFinite(new Date(ms + 86_400_000).getTime())) return undefined
  const next = new Date(ms + 86_400_000).toISOString()
  return value.length === 10 ? next.slice(0, next.length === 24 ? 10 : 13) : next
}

/** What a property's own limits suggest: one past each bound, the wrong case of an enum, an extra item. */
function edgesOf(key: string | number, schema: JsonSchema, base: unknown): unknown[] {
  const out: unknown[] = []
  if (schema.enum) {
    const first = String(schema.enum[0])
    out.push(first.toUpperCase(), `${first} `, first.slice(0, -1))
  }
  if (schema.type === 'string') {
    if (schema.maxLength !== undefined) out.push('x'.repeat(schema.maxLength + 1), '字'.repeat(schema.maxLength + 1))
    if (schema.minLength) out.push('x'.repeat(schema.minLength - 1))
    if (isTime(key, schema)) out.push(...DATES)
  }
  if (schema.type === 'number' || schema.type === 'integer') {
    if (schema.maximum !== undefined) out.push(schema.maximum + 1, schema.maximum + 1e-9)
    if (schema.minimum !== undefined) out.push(schema.minimum - 1, schema.minimum - 1e-9)
    if (schema.type === 'integer') out.push((schema.minimum ?? 0) + 0.5)
  }
  if (schema.type === 'array') {
    if (schema.maxItems !== undefined && Array.isArray(base) && base.length > 0) out.push(Array.from({ length: schema.maxItems + 1 }, () => base[0]))
    if (schema.minItems) out.push([])
  }
  return out
}

/** Strings a pattern may want, tried in turn. */
const CANDIDATES = ['640106001', 'req-a', '2026-11-28', '2026-11-28T05:00:00Z', '13812345678', EVENT_TYPES[0], 'x']

/** A valid value of a schema: its first example, or its required parts. */
function sample(schema: JsonSchema, key: string | number = ''): unknown {
  if (schema.examples?.length) return structuredClone(schema.examples[0])
  if (schema.enum) return schema.enum[0]
  if (schema.anyOf) return sample(schema.anyOf[0]!)
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((k) => [k, sample(schema.properties![k]!, k)]))
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items!))
    case 'number':
    case 'integer':
      return Math.max(schema.minimum ?? 1, 1)
    case 'boolean':
      return true
    case 'string': {
      if (isTime(key, schema) && !schema.pattern) return '2026-11-28T05:00:00Z'
      const pattern = schema.pattern ? new RegExp(schema.pattern, 'u') : undefined
      const fits = (s: string) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity) && (!pattern || pattern.test(s))
      return CANDIDATES.find(fits) ?? 'x'.repeat(Math.max(schema.minLength ?? 1, 1))
    }
  }
  return null
}

type Path = (string | number)[]

/** Every property of a schema, nested ones and the first item of arrays included. */
function* properties(schema: JsonSchema, base: unknown, path: Path = []): Generator<{ path: Path; schema: JsonSchema; required: boolean; base: unknown }> {
  if (schema.type === 'object' && schema.properties) {
    for (const [key, child] of Object.entries(schema.properties)) {
      const value = (base as Record<string, unknown> | undefined)?.[key]
      yield { path: [...path, key], schema: child, required: schema.required?.includes(key) ?? false, base: value }
      yield* properties(child, value ?? sample(child, key), [...path, key])
    }
  } else if (schema.type === 'array' && schema.items && Array.isArray(base) && base.length > 0) {
    yield* properties(schema.items, base[0], [...path, 0])
  }
}

function withValue(base: unknown, path: Path, value: unknown, remove = false): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>
  let node: Record<string | number, unknown> = copy
  for (const key of path.slice(0, -1)) {
    node[key] ??= {}
    node = node[key] as Record<string | number, unknown>
  }
  const last = path.at(-1)!
  if (remove) delete node[last]
  else node[last] = value
  return copy
}

/** Objects of a schema that take no other fields: a stray one goes into each. */
function* closedObjects(schema: JsonSchema, path: Path = []): Generator<Path> {
  if (schema.type === 'object') {
    if (schema.additionalProperties === false) yield path
    for (const [key, child] of Object.entries(schema.properties ?? {})) yield* closedObjects(child, [...path, key])
  } else if (schema.type === 'array' && schema.items) {
    yield* closedObjects(schema.items, [...path, 0])
  }
}

function encode(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)
  try {
    return encodeURIComponent(text)
  } catch {
    // A lone surrogate: its would-be UTF-8 bytes, which are not valid UTF-8.
    return '%ED%A0%80'
  }
}

function queryString(query: Record<string, unknown>): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue
    if (Array.isArray(value) && value.length > 0) for (const v of value) parts.push(`${encode(key)}=${encode(v)}`)
    else parts.push(`${encode(key)}=${encode(value)}`)
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

function paramNames(url: string): string[] {
  return [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!)
}

function pathOf(url: string, params: Record<string, unknown>, raw = false): string {
  return url
    .replace(/:(\w+)/g, (_, name: string) => (raw ? String(params[name]) : encode(params[name])))
    .replace('*', raw ? String(params['*']) : String(params['*']).split('/').map(encode).join('/'))
}

// ---- the cases of one route ----

interface Case extends InjectOptions {
  what: string
  /** Carries its own (odd) credentials instead of the route's usual ones. */
  ownCredentials?: boolean
}

function casesOf(route: Route, random: () => number): Case[] {
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const picks = () => Array.from({ length: PICKS_PER_PROPERTY }, () => pick(POOL))
  const { schema } = route
  const idsOf = route.url.includes('/alerts/') ? IDS.alerts : route.url.includes('/alarms/') ? IDS.alarms : IDS.requests
  const baseParams: Record<string, unknown> = Object.fromEntries(
    paramNames(route.url).map((name) => [name, name === 'id' ? pick(idsOf) : sample(schema.params?.properties?.[name] ?? {})]),
  )
  if (route.url.includes('*')) baseParams['*'] = 'assets/app.js'
  const baseQuery = (schema.querystring ? sample(schema.querystring) : {}) as Record<string, unknown>
  const hasBody = route.method === 'POST' || route.method === 'DELETE'
  const baseBody = schema.body ? sample(schema.body) : undefined
  // Without a caller's id each valid body is a new entity, not a conflict with the first one.
  if (baseBody && typeof baseBody === 'object' && !schema.body?.required?.includes('id')) delete (baseBody as { id?: unknown }).id
  const baseHeaders = (schema.headers ? sample(schema.headers) : {}) as Record<string, unknown>

  const cases: Case[] = []
  const add = (what: string, parts: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown; headers?: Record<string, string>; rawPath?: string; rawQuery?: string }) => {
    const url = (parts.rawPath ?? pathOf(route.url, parts.params ?? baseParams)) + (parts.rawQuery ?? queryString(parts.query ?? baseQuery))
    const c: Case = { what, method: route.method, url, headers: { ...stringHeaders(baseHeaders), ...parts.headers } }
    const body = 'body' in parts ? parts.body : baseBody
    if (hasBody && body !== undefined) {
      c.payload = JSON.stringify(body)
      c.headers = { 'content-type': 'application/json', ...c.headers }
    }
    cases.push(c)
  }

  add('the base request', {})

  // Each property of body, query, params and headers: missing, each edge of its limits, random bad values.
  const parts = [
    ['body', schema.body, baseBody],
    ['query', schema.querystring, baseQuery],
    ['params', schema.params, baseParams],
    ['headers', schema.headers, baseHeaders],
  ] as const
  for (const [part, partSchema, base] of parts) {
    if (!partSchema || base === undefined) continue
    const put = (what: string, value: unknown) => {
      if (part === 'body') add(what, { body: value })
      else if (part === 'query') add(what, { query: value as Record<string, unknown> })
      else if (part === 'params') add(what, { params: value as Record<string, unknown> })
      else add(what, { headers: stringHeaders(value as Record<string, unknown>) })
    }
    for (const p of properties(partSchema, base)) {
      const name = `${part}/${p.path.join('/')}`
      if (p.required) put(`${name} missing`, withValue(base, p.path, undefined, true))
      for (const value of [...edgesOf(p.path.at(-1)!, p.schema, p.base), ...picks()]) put(`${name} = ${preview(value)}`, withValue(base, p.path, value))
    }
    // A window at each edge date: from that day to the next, so it passes the span checks and reaches the handler.
    const times = [...properties(partSchema, base)].filter((p) => p.path.length === 1 && isTime(p.path[0]!, p.schema)).map((p) => p.path[0]!)
    if (times.length >= 2) {
      for (const date of DATES) {
        const next = dayAfter(date)
        put(`${part}/${times.join('+')} = ${date} for a day`, { ...(base as object), [times[0]!]: date, ...Object.fromEntries(times.slice(1).map((k) => [k, next ?? date])) })
      }
    }
    for (const path of closedObjects(partSchema)) put(`${part}/${[...path, 'stray'].join('/')} added`, withValue(base, [...path, 'stray'], 1))
  }

  // The body as a whole: not an object, deeply nested, and the raw bytes no schema sees.
  if (hasBody) {
    for (const body of [null, [], [baseBody], 'text', 42, true, nested(2000)]) add(`body = ${preview(body)}`, { body })
    const raw = (what: string, contentType: string | undefined, payload: string) => {
      cases.push({ what, method: route.method, url: pathOf(route.url, baseParams), headers: contentType ? { 'content-type': contentType } : {}, payload })
    }
    raw('an empty JSON body', 'application/json', '')
    raw('invalid JSON', 'application/json', '{"a": ')
    raw('JSON with a prototype key', 'application/json', '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"x": 1}}}')
    raw('JSON in UTF-16', 'application/json; charset=utf-16', JSON.stringify(baseBody ?? {}))
    raw('XML', 'application/xml', '<request/>')
    raw('a form', 'application/x-www-form-urlencoded', 'a=1&b=2')
    raw('multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--')
    raw('JSON as text/plain', 'text/plain', JSON.stringify(baseBody ?? {}))
    raw('no content type', undefined, JSON.stringify(baseBody ?? {}))
    raw('a body over the limit', 'application/json', JSON.stringify({ pad: 'x'.repeat((route.bodyLimit ?? 64 * 1024) + 1) }))
  }

  // The path and the query as raw text.
  for (const name of paramNames(route.url).concat(route.url.includes('*') ? ['*'] : [])) {
    for (const value of ['%E0%A4%A', '%', '%zz', '%00', '%C0%AF', '%2F..%2F..', '..', 'x'.repeat(101), '字'.repeat(40), '\u0000']) {
      add(`path ${name} = ${preview(value)} (raw)`, { rawPath: pathOf(route.url, { ...baseParams, [name]: value }, true) })
    }
  }
  const oddCredentials = [
    { cookie: 'outpost_session=%E0%A4%A' },
    { cookie: `outpost_session=${'A'.repeat(5000)}` },
    { cookie: 'outpost_session=a; outpost_session=b; =; ;;' },
    { authorization: 'Bearer ' },
    { authorization: `Bearer opk_${'x'.repeat(5000)}` },
    { authorization: 'Bearer opk___' },
    { authorization: 'Basic Zm9vOmJhcg==' },
  ]
  for (const headers of oddCredentials) {
    cases.push({ what: `credentials ${preview(headers)}`, method: route.method, url: pathOf(route.url, baseParams) + queryString(baseQuery), headers, ownCredentials: true })
  }
  for (const rawQuery of ['?unit=%E0%A4%A', '?%zz=1', '?=1', '?unit', '?unit=640106001&unit=640106002', `?pad=${'x'.repeat(8000)}`, '?a[b]=1', '?&&&']) {
    add(`query ${preview(rawQuery)} (raw)`, { rawQuery })
  }
  return cases
}

function stringHeaders(headers: Record<string, unknown>): Record<string, string> {
  // HTTP carries header values as Latin-1 text without control characters; others cannot be sent.
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const text = typeof value === 'string' ? value : JSON.stringify(value)
    if (/^[\x20-\x7e]*$/.test(text)) out[key] = text
  }
  return out
}

function preview(value: unknown): string {
  const text = value === undefined ? 'undefined' : typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value)
  return text.length > 40 ? `${text.slice(0, 40)}…(${text.length})` : text
}

function hashOf(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}

// ---- credentials: what gets a request past the login, and now and then what does not ----

function credentials(route: Route, random: () => number): { headers: Record<string, string>; as: string } {
  const r = random()
  if (route.onRequest.includes(t.app.requireIngestKey)) {
    if (r < 0.05) return { headers: {}, as: 'no key' }
    if (r < 0.1) return { headers: { authorization: 'Bearer opk_forged_secret' }, as: 'a forged key' }
    return { headers: { authorization: t.headers.authorization }, as: 'the ingest key' }
  }
  // A page of this server sends its Origin with the cookie; without it a write is refused before validation.
  const session = (cookie: string, as: string) => ({ headers: { cookie, origin: 'http://localhost' }, as })
  // A write a person or a system makes: the key, a center or a leader session, now and then neither.
  if (route.onRequest.includes(t.app.requireWriter)) {
    if (r < 0.05) return { headers: {}, as: 'no one' }
    if (r < 0.1) return { headers: { authorization: 'Bearer opk_forged_secret' }, as: 'a forged key' }
    if (r < 0.4) return { headers: { authorization: t.headers.authorization }, as: 'the ingest key' }
    return r < 0.7 ? session(t.headers.cookie, 'the center') : session(leaderCookie, 'a leader')
  }
  // Logging out with a real session would end it for the cases after.
  if (route.method === 'DELETE' && route.url === '/api/v1/session') return session('outpost_session=forged', 'a forged session')
  if (!route.onRequest.includes(t.app.requireUser)) return r < 0.9 ? { headers: {}, as: 'no one' } : session(t.headers.cookie, 'the center')
  if (r < 0.05) return { headers: {}, as: 'no session' }
  if (r < 0.1) return session('outpost_session=AAAAforgedAAAAforged', 'a forged session')
  return r < 0.55 ? session(t.headers.cookie, 'the center') : session(leaderCookie, 'a leader')
}

// ---- the run ----

async function lastSeq(): Promise<number> {
  return t.store.lastSeq()
}

describe(`fuzz (seed ${SEED}): no 5xx, every 4xx in the one shape and changing nothing`, () => {
  it('found the routes: the API, the kiosk, the base map and the pages', () => {
    const names = routes.map((r) => `${r.method} ${r.url}`)
    for (const route of ['POST /api/v1/requests', 'GET /api/v1/requests/:id', 'POST /api/v1/requests/:id/urge', 'GET /api/v1/alarms', 'POST /api/v1/alarms/:id/ack', 'GET /api/v1/directory/on-duty', 'DELETE /api/v1/directory/rota/:id', 'PUT /api/v1/directory/contacts/:unit', 'DELETE /api/v1/directory/contacts/:unit', 'GET /api/v1/directory/contacts', 'GET /api/v1/audit', 'POST /api/v1/audit/exports', 'POST /api/v1/patrols', 'GET /api/v1/public/stats', 'GET /api/v1/alerts/:id/snapshot', 'GET /basemap/base.pmtiles', 'GET /leader/requests/:id', 'DELETE /api/v1/session', 'GET /open311/v2/requests.json', 'POST /open311/v2/requests.xml', 'GET /open311/v2/requests/:file']) {
      expect(names).toContain(route)
    }
  })

  let total = 0
  for (const route of routes) {
    it(`${route.method} ${route.url}`, async () => {
      const random = mulberry32(SEED ^ hashOf(`${route.method} ${route.url}`))
      const failures: string[] = []
      const cases = casesOf(route, random)
      for (const c of cases) {
        const who = credentials(route, random)
        const before = await lastSeq()
        let res
        try {
          res = await t.app.inject({ ...c, headers: c.ownCredentials ? c.headers : { ...c.headers, ...who.headers } })
        } catch (error) {
          failures.push(`${c.what} as ${who.as}: inject threw ${(error as Error).message}`)
          continue
        }
        const problem = check(route, res.statusCode, res.body, res.headers['content-type'])
        const stored = res.statusCode >= 400 && (await lastSeq()) !== before
        if (problem || stored) {
          failures.push(`${c.what} as ${who.as}: ${c.method} ${preview(c.url)} → ${res.statusCode} ${problem ?? 'stored an event'}: ${res.body.slice(0, 200)}`)
        }
      }
      total += cases.length
      expect(failures, `seed ${SEED}, ${failures.length} of ${cases.length} cases failed`).toEqual([])
    })
  }

  it('sent a few thousand requests', () => {
    expect(total).toBeGreaterThan(2000)
  })
})

/** Why an answer breaks the contract, or undefined. */
function check(route: Route, status: number, body: string, contentType: unknown): string | undefined {
  if (status >= 500) return 'a server error'
  if (status < 400 || route.method === 'HEAD') return undefined
  if (route.url.startsWith('/open311/')) return open311Problem(status, body, contentType)
  if (!String(contentType).includes('application/json')) return `a ${status} that is not JSON`
  let reply: Record<string, unknown>
  try {
    reply = JSON.parse(body) as Record<string, unknown>
  } catch {
    return `a ${status} that is not JSON`
  }
  if (reply.statusCode !== status) return 'statusCode differs from the status'
  for (const key of ['error', 'message', 'field', 'rule']) {
    if (typeof reply[key] !== 'string' || reply[key] === '') return `no ${key}`
  }
  // A framework's code where a rule should be: an error the API does not yet word for its callers.
  if (/^FST_/.test(reply.rule as string)) return `rule ${reply.rule as string}`
  return undefined
}

/** Open311 answers its errors as its spec has them: [{code, description}] in JSON, <errors><error> in XML. */
function open311Problem(status: number, body: string, contentType: unknown): string | undefined {
  if (String(contentType).includes('text/xml')) {
    const match = /^<\?xml version="1\.0" encoding="utf-8"\?><errors><error><code>(\d+)<\/code><description>[^<]+<\/description><\/error><\/errors>$/.exec(body)
    return match && Number(match[1]) === status ? undefined : `a ${status} that is not the spec's XML error`
  }
  if (!String(contentType).includes('application/json')) return `a ${status} that is neither JSON nor XML`
  let reply: unknown
  try {
    reply = JSON.parse(body)
  } catch {
    return `a ${status} that is not JSON`
  }
  const first = Array.isArray(reply) && reply.length === 1 ? (reply[0] as Record<string, unknown>) : undefined
  if (!first || first.code !== status || typeof first.description !== 'string' || first.description === '') return `a ${status} that is not the spec's error list`
  return undefined
}
