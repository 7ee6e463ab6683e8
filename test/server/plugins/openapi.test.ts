// The API reference (server/plugins/openapi.ts): a valid OpenAPI document that lists every route the
// app registers (collected as they are registered, as the fuzz test does), each with its tag, its
// success and error replies and, where it takes one, its credential; and a /docs page whose every
// asset is served by this server under a CSP that lets it load.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import SwaggerParser from '@apidevtools/swagger-parser'
import type { RouteOptions } from 'fastify'
import { buildTestApp } from '../../helpers/build-app'
import { solidRasterArchive } from '../../helpers/pmtiles'
import { APP_ROUTES } from '../../../server/plugins/client'
import { CreateRequestSchema } from '../../../shared/schemas/requests'
import { EVENT_TYPES } from '../../../shared/events'
import { DOCS_PREFIX, OPENAPI_PATH } from '../../../server/plugins/openapi'

interface Operation {
  tags?: string[]
  security?: Record<string, string[]>[]
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>
  requestBody?: { content: Record<string, { schema: Record<string, unknown>; examples?: Record<string, { value: unknown }> }> }
}
interface Doc {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components: { securitySchemes: Record<string, Record<string, string>> }
}

// Every optional route registered: a base map and a (stand-in) built client.
const dir = mkdtempSync(join(tmpdir(), 'outpost-openapi-'))
const clientDir = join(dir, 'client')
mkdirSync(join(clientDir, 'assets'), { recursive: true })
writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>outpost</title>')
const pmtiles = join(dir, 'base.pmtiles')
writeFileSync(pmtiles, solidRasterArchive([10, 20, 30], [106, 38.4, 106.3, 38.6], 0, 2))

const registered: RouteOptions[] = []
const t = await buildTestApp({ clientDir, basemap: { pmtiles, crs: 'wgs84' }, onRoute: (route) => registered.push(route) })
afterAll(async () => {
  await t.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Not the API, so not in the document: the pages and their static files, and the reference itself. */
function excluded(method: string, url: string): boolean {
  if ((APP_ROUTES as readonly string[]).includes(url) || url === '/' || url === '/*') return true // the built client
  if (url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`)) return true // the reference page and its assets
  if (url === OPENAPI_PATH) return true
  // Fastify adds a HEAD beside each GET; the document lists HEAD only where a route declares it.
  return method === 'HEAD' && registered.some((r) => r.url === url && [r.method].flat().includes('GET') && !([r.method].flat().includes('HEAD')))
}

/** Fastify's `:id` → OpenAPI's `{id}`. */
const openapiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}')

const res = await t.app.inject({ method: 'GET', url: OPENAPI_PATH })
const doc = res.json() as Doc

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, without a login', async () => {
    expect(res.statusCode).toBe(200)
    expect(doc.openapi).toBe('3.1.0')
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy()
  })

  const routes = registered.flatMap((r) => [r.method].flat().map((method) => ({ method, url: r.url, route: r })))
  const api = routes.filter((r) => !excluded(r.method, r.url))

  it('lists every registered route but the pages and the reference itself', () => {
    expect(api.length).toBeGreaterThan(20)
    const missing = api.filter((r) => !doc.paths[openapiPath(r.url)]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.url}`)
    expect(missing).toEqual([])
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    expect(listed.sort()).toEqual(api.map((r) => `${r.method} ${openapiPath(r.url)}`).sort())
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/docs') || p === '/wall')).toBe(false)
  })

  it('gives each route its tag, a success reply and the error reply', () => {
    for (const { method, url } of api) {
      const op = doc.paths[openapiPath(url)]![method.toLowerCase()]!
      const name = `${method} ${url}`
      expect(op.tags, name).toHaveLength(1)
      const codes = Object.keys(op.responses)
      expect(codes.some((c) => /^2\d\d$/.test(c)), `${name}: ${codes}`).toBe(true)
      expect(codes, name).toContain('4XX')
      for (const [code, reply] of Object.entries(op.responses)) expect(reply.description, `${name} ${code}`).not.toBe('Default Response')
      const error = op.responses['4XX']!.content!['application/json']!.schema
      // Open311 answers its errors as its spec has them: a list of {code, description}.
      if (url.startsWith('/open311/v2/')) {
        expect(Object.keys((error['items'] as Record<string, object>)['properties']!).sort(), name).toEqual(['code', 'description'])
        continue
      }
      expect(Object.keys(error['properties'] as object).sort(), name).toEqual(['allowed', 'error', 'field', 'message', 'rule', 'statusCode'])
    }
  })

  it('tags routes by resource', () => {
    const tagOf = (method: string, path: string) => doc.paths[path]![method]!.tags![0]
    expect(tagOf('post', '/api/v1/requests')).toBe('requests')
    expect(tagOf('get', '/api/v1/requests/{id}')).toBe('requests')
    expect(tagOf('post', '/api/v1/alerts/{id}/review')).toBe('alerts')
    expect(tagOf('get', '/api/v1/metrics/grids')).toBe('metrics')
    expect(tagOf('get', '/api/v1/hotspots')).toBe('hotspots')
    expect(tagOf('get', '/api/v1/events')).toBe('events')
    expect(tagOf('post', '/api/v1/session')).toBe('session')
    expect(tagOf('get', '/api/v1/public/stats')).toBe('public')
    expect(tagOf('get', '/basemap/base.pmtiles')).toBe('basemap')
    expect(tagOf('post', '/api/v1/activities')).toBe('activities')
    expect(tagOf('get', '/api/v1/activities/totals')).toBe('activities')
    expect(tagOf('get', '/api/v1/reports')).toBe('reports')
    expect(tagOf('get', '/api/v1/reports/{id}')).toBe('reports')
    expect(tagOf('get', '/api/v1/reports/{id}.csv')).toBe('reports')
    expect(tagOf('get', '/open311/v2/requests.json')).toBe('open311')
    expect(tagOf('post', '/open311/v2/requests.xml')).toBe('open311')
    expect(tagOf('get', '/open311/v2/requests/{file}')).toBe('open311')
  })

  it('declares the ingest key and the session cookie, each on the routes that take it', () => {
    expect(doc.components.securitySchemes['ingestKey']).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.components.securitySchemes['session']).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'outpost_session' })
    for (const { method, url, route } of api) {
      const op = doc.paths[openapiPath(url)]![method.toLowerCase()]!
      const hooks = [route.onRequest ?? []].flat()
      const expected = hooks.includes(t.app.requireUser)
        ? [{ session: [] }]
        : hooks.includes(t.app.requireIngestKey)
          ? [{ ingestKey: [] }]
          : hooks.includes(t.app.requireWriter)
            ? [{ ingestKey: [] }, { session: [] }]
            : undefined
      expect(op.security, `${method} ${url}`).toEqual(expected)
    }
    // One of each, and one open route, so the loop above cannot pass on routes that all lack it.
    expect(doc.paths['/api/v1/patrols']!['post']!.security).toEqual([{ ingestKey: [] }])
    expect(doc.paths['/api/v1/requests']!['post']!.security).toEqual([{ ingestKey: [] }, { session: [] }])
    expect(doc.paths['/api/v1/metrics']!['get']!.security).toEqual([{ session: [] }])
    expect(doc.paths['/api/v1/health']!['get']!.security).toBeUndefined()
  })

  it('carries the schemas: typed events, the config, the examples of the bodies', () => {
    const events = doc.paths['/api/v1/events']!['get']!.responses['200']!.content!['application/json']!.schema
    const items = (events['properties'] as Record<string, Record<string, unknown>>)['events']!['items'] as { anyOf: { properties: { type: { enum: string[] } } }[] }
    expect(items.anyOf.map((e) => e.properties.type.enum[0]).sort()).toEqual([...EVENT_TYPES].sort())
    const config = doc.paths['/api/v1/config']!['get']!.responses['200']!.content!['application/json']!.schema
    expect(Object.keys(config['properties'] as object).sort()).toEqual(['basemap', 'center', 'policy', 'timeZone'])
    // The documented examples, as the media type's examples.
    const body = doc.paths['/api/v1/requests']!['post']!.requestBody!.content['application/json']!
    expect(Object.values(body.examples!).map((e) => e.value)).toEqual((CreateRequestSchema as { examples?: unknown[] }).examples)
    expect(Object.keys(doc.paths['/basemap/base.pmtiles']!['get']!.responses['206']!.content!)).toEqual(['application/vnd.pmtiles'])
    expect(Object.keys(doc.paths['/api/v1/geography']!['get']!.responses['200']!.content!)).toEqual(['application/geo+json'])
  })

  it('documents the alert snapshot as an image for a session, with its errors in JSON', () => {
    const op = doc.paths['/api/v1/alerts/{id}/snapshot']!['get']!
    expect(op.tags).toEqual(['alerts'])
    expect(op.security).toEqual([{ session: [] }])
    const ok = op.responses['200']!.content!
    expect(Object.keys(ok)).toEqual(['image/jpeg', 'image/png', 'image/webp'])
    for (const media of Object.values(ok)) expect(media.schema).toMatchObject({ type: 'string', format: 'binary' })
    expect(Object.keys(op.responses['4XX']!.content!)).toEqual(['application/json'])
    expect(op.responses['503']!.description).toContain('Retry-After')
  })
})

describe('/docs', () => {
  it('is a page whose every script, style and icon is served here, under a CSP of this origin only', async () => {
    const page = await t.app.inject({ method: 'GET', url: DOCS_PREFIX })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/text\/html/)
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self';")
    expect(csp).not.toMatch(/https?:|unsafe-eval/)
    // No inline script: the CSP would block it.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(assets.length).toBeGreaterThanOrEqual(5)
    for (const asset of assets) {
      expect(asset, 'no CDN').toMatch(/^\/docs\//)
      const got = await t.app.inject({ method: 'GET', url: asset })
      expect(got.statusCode, asset).toBe(200)
      expect(got.body.length, asset).toBeGreaterThan(0)
    }
    // The initializer loads the document from beside the page, on this origin.
    const init = await t.app.inject({ method: 'GET', url: `${DOCS_PREFIX}/static/swagger-initializer.js` })
    expect(init.body).toContain("resolveUrl('./json')")
    const json = await t.app.inject({ method: 'GET', url: `${DOCS_PREFIX}/json` })
    expect(json.json()).toEqual(doc)
  })
})
