// The API reference, generated from the routes' own schemas (shared/schemas): the OpenAPI 3.1
// document at /api/v1/openapi.json and a readable page at /docs, served from this server (no CDN).
// Registered before the routes, so that it sees each one as it is added.
import type { FastifyInstance, FastifyPluginAsync, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { ErrorReplySchema } from '../../shared/schemas/common'
import { SESSION_COOKIE } from './auth'

export const OPENAPI_PATH = '/api/v1/openapi.json'
export const DOCS_PREFIX = '/docs'

/** The tag of each documented path, by its first segment after /api/v1/ (or /basemap). */
const TAGS: Record<string, string> = {
  requests: 'requests',
  alerts: 'alerts',
  alarms: 'alarms',
  patrols: 'patrols',
  activities: 'activities',
  metrics: 'metrics',
  overdue: 'metrics',
  hotspots: 'hotspots',
  config: 'config',
  geography: 'geography',
  health: 'health',
  public: 'public',
  session: 'session',
  basemap: 'basemap',
  events: 'events',
  'open-requests': 'events',
  workers: 'workers',
  directory: 'directory',
  audit: 'audit',
  reports: 'reports',
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  requests: 'Service requests (诉求工单): ingest, lifecycle, reads',
  alerts: 'Camera alerts (雪亮工程) and their review',
  alarms: 'Alarms (urgent requests, camera alerts, overdue requests) pinned until a person acknowledges them',
  patrols: "Grid workers' patrol pings, in batches",
  activities: 'Service activities held in a street or community',
  metrics: 'Figures of a unit: whole window, series, per grid, overdue requests',
  hotspots: 'Recurring hotspots (重复热点): the same place coming back across requests and confirmed alerts of one category',
  config: "What the pages need to know of the server's configuration",
  geography: 'The district, streets, communities and grids (GeoJSON)',
  health: 'Liveness and the last committed seq',
  public: 'The kiosk: aggregates only, no login',
  session: 'Log in and out (the session cookie)',
  basemap: 'The local PMTiles base map, in byte ranges',
  events: 'Playback: the events of a day and the requests open at its start',
  workers: 'Last known positions of grid workers',
  directory: 'Departments, their rota at streets (坐班) and expert pools; who is on duty (changes: the center role)',
  audit: 'The audit trail (the center role) and the record of a CSV export',
  reports: 'Kept daily and weekly reports of the streets and the district (日报/周报), as JSON and CSV',
  open311: 'Open311 GeoReport v2 (/open311/v2/): services, requests to read (no login, no personal data) and to post (`api_key`: an ingest key); JSON or XML by extension; errors as the spec has them',
}

/** The resource a documented path belongs to; undefined for what is not the API (the pages, /docs). */
export function tagOf(url: string): string | undefined {
  if (url.startsWith('/open311/v2/')) return 'open311'
  const match = /^\/(?:api\/v1\/)?([a-z-]+)/.exec(url)
  if (!match || !(url.startsWith('/api/v1/') || url.startsWith('/basemap/'))) return undefined
  return TAGS[match[1]!]
}

const REPLY_DESCRIPTIONS: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
  206: 'Partial content',
  304: 'Not modified',
  '4xx': 'The error: `field` names what was wrong, `rule` what it broke (ErrorReply)',
}

type JsonSchema = Record<string, unknown>

/**
 * The replies as the document shows them: each described, and a route's own media type (`produces`)
 * on its successes only — its errors are JSON like every other. The route's schemas stay untouched.
 */
function documentedReplies(response: Record<string, JsonSchema>, produces: string[] | undefined): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.entries(response).map(([code, schema]) => {
      const description = (schema['description'] as string | undefined) ?? REPLY_DESCRIPTIONS[code] ?? 'Reply'
      if (!produces || !/^2/.test(code) || schema['type'] === 'null') return [code, { ...schema, description }]
      return [code, { description, content: Object.fromEntries(produces.map((type) => [type, { schema }])) }]
    }),
  )
}

function securityOf(app: FastifyInstance, route: RouteOptions): Record<string, string[]>[] | undefined {
  const hooks = [route.onRequest ?? []].flat()
  if (hooks.includes(app.requireUser)) return [{ session: [] }]
  if (hooks.includes(app.requireIngestKey)) return [{ ingestKey: [] }]
  // Either one: a person's session (with the page's Origin) or a system's key.
  if (hooks.includes(app.requireWriter)) return [{ ingestKey: [] }, { session: [] }]
  return undefined
}

const openapi: FastifyPluginAsync = async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Outpost',
        version: '1',
        description:
          'The HTTP API of a district governance center: ingest (requests, alerts, patrols, activities, with an ingest key), ' +
          'reads for the wall and the leaders (with a session), and the public kiosk. Every error answers `ErrorReply`. ' +
          'The live stream (Socket.IO `/live`, `/public`) is not HTTP and is typed in shared/events.ts.',
      },
      tags: Object.entries(TAG_DESCRIPTIONS).map(([name, description]) => ({ name, description })),
      components: {
        securitySchemes: {
          ingestKey: { type: 'http', scheme: 'bearer', description: 'An ingest key (OUTPOST_INGEST_KEYS): `Authorization: Bearer <key>`' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The session cookie set by `POST /api/v1/session`' },
        },
        schemas: { ErrorReply: ErrorReplySchema },
      },
    },
    transform: ({ schema, url, route }) => {
      const tag = tagOf(url)
      // The pages, the static files and the reference itself are not the API.
      if (!tag || url === OPENAPI_PATH) return { schema: { ...schema, hide: true }, url }
      const security = securityOf(app, route)
      const { produces, response, ...rest } = schema as typeof schema & { produces?: string[]; response?: Record<string, JsonSchema> }
      return {
        schema: { ...rest, tags: [tag], ...(response ? { response: documentedReplies(response, produces) } : {}), ...(security ? { security } : {}) },
        url,
      }
    },
  })

  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger())

  // Its own CSP, as strict as the pages' (helmet in app.ts): every asset of the page is served from
  // here, the scripts are files (no inline script), Swagger UI's inline styles need 'unsafe-inline'.
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: { deepLinking: true, docExpansion: 'list' },
    staticCSP: {
      'default-src': ["'self'"],
      'base-uri': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'frame-ancestors': ["'self'"],
    },
  })
}

export default fp(openapi, { name: 'openapi', dependencies: ['auth'] })
