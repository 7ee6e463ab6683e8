// buildApp: everything registered, nothing listening. main.ts alone reads the environment.
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify'
import helmet from '@fastify/helmet'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Camera } from './geo/cameras'
import type { Geography } from './geo/geography'
import type { Store } from './store/types'
import context from './plugins/context'
import directoryPlugin from './plugins/directory'
import directoryRoutes from './routes/directory/index'
import auditRoutes from './routes/audit/index'
import type { Directory } from './directory/types'
import type { AuditLog } from './audit/types'
import type { Basemap } from './basemap/basemap'
import validation, { frameworkErrorReply, MAX_PARAM_LENGTH } from './plugins/validation'
import headers, { apiHeaders } from './plugins/headers'
import client from './plugins/client'
import realtime, { type RealtimeOptions } from './realtime/index'
import { DEFAULT_PUBLIC_PUSH_MS } from './realtime/public'
import requests from './routes/requests/index'
import alerts from './routes/alerts/index'
import alertSnapshots, { type SnapshotRouteOptions } from './routes/alerts/snapshot'
import alarmRoutes from './routes/alarms/index'
import overdueSweep, { DEFAULT_SWEEP_MS } from './alarms/overdue'
import patrols from './routes/patrols/index'
import geographyRoutes from './routes/geography/index'
import metricsPlugin from './plugins/metrics'
import live from './live/index'
import type { CheckpointOptions } from './metrics/checkpoint'
import metricsRoutes from './routes/metrics/index'
import hotspotRoutes from './routes/hotspots/index'
import type { HotspotConfig } from './metrics/hotspots'
import sessionRoutes from './routes/session/index'
import workerRoutes from './routes/workers/index'
import eventRoutes from './routes/events/index'
import auth, { type CookieSecure } from './plugins/auth'
import publicSide from './plugins/public'
import origin from './plugins/origin'
import ingestRate from './plugins/ingest-rate'
import { DEFAULT_INGEST_RATE } from './config'
import openapi from './plugins/openapi'
import publicRoutes from './routes/public/index'
import basemapRoutes from './routes/basemap/index'
import reportsPlugin, { DEFAULT_REPORTS_MS } from './plugins/reports'
import reportRoutes from './routes/reports/index'
import open311, { OPEN311_PREFIX } from './open311/index'
import type { ReportArchive } from './reports/archive'
import type { Accounts } from './auth/accounts'
import { DEFAULT_POLICY, type Policy } from '../shared/metrics'
import { DEFAULT_TIME_ZONE } from '../shared/domain'

export interface AppOptions {
  store: Store
  /** Users, sessions and ingest keys. */
  auth: Accounts
  /** Session lifetime in ms (sliding); 12 hours by default. */
  sessionTtlMs?: number
  geography: Geography
  /** The center's registered cameras (OUTPOST_CAMERAS): an alert from one may omit its location. */
  cameras?: readonly Camera[]
  now?: () => number
  logger?: FastifyServerOptions['logger']
  /** The built client (dist/client); omitted in API-only tests. */
  clientDir?: string
  /** Socket.IO on the app's server; false for inject-only tests. */
  realtime?: RealtimeOptions | false
  /** Deadlines and review weights (OUTPOST_POLICY); the defaults otherwise. */
  policy?: Policy
  /** The center's zone for days (OUTPOST_TZ). */
  timeZone?: string
  /** An optional base map under the wall's layers (OUTPOST_BASEMAP_STYLE or _PMTILES, OUTPOST_BASEMAP_CRS). */
  basemap?: Basemap
  /** Kiosk: counts under this at community level are suppressed (OUTPOST_KIOSK_THRESHOLD). */
  publicThreshold?: number
  /** Kiosk: how often `/public` pushes `stats:updated` (ms). */
  publicPushIntervalMs?: number
  /** Kiosk: bytes a `/public` socket may leave unread before it is dropped (1 MiB). */
  publicMaxQueuedBytes?: number
  /** The session cookie's Secure flag (OUTPOST_COOKIE_SECURE); `auto` by default. */
  secureCookie?: CookieSecure
  /** The reverse proxies whose X-Forwarded-* headers count (OUTPOST_TRUST_PROXY); none by default. */
  trustProxy?: boolean | string[]
  /** Called for every route as it is registered (the fuzz test enumerates the routes with it). */
  onRoute?: (route: RouteOptions) => void
  /** Origins besides the server's own whose pages may write with the session and open `/live` (OUTPOST_ALLOWED_ORIGINS). */
  allowedOrigins?: string[]
  /** Requests a second per ingest key (OUTPOST_INGEST_RATE), 20,000 by default; 0 turns the limit off. */
  ingestRate?: number
  /** How often the overdue sweep raises alarms (ms): 30 s by default, 0 off; off by default without sockets (inject-only tests). */
  overdueSweepMs?: number
  /** Departments, rota and experts (directory.db); an in-memory one when absent. */
  directory?: Directory
  /** The audit trail (audit.db); an in-memory one when absent. */
  audit?: AuditLog
  /** Kept daily and weekly reports (reports.db); an in-memory archive when absent. */
  reports?: ReportArchive
  /** How often the report generator looks for a closed day or week (ms): 5 min by default, 0 off; off by default without sockets. */
  reportsIntervalMs?: number
  /** Camera snapshots through the server: the origins it may fetch from (OUTPOST_SNAPSHOT_ORIGINS) and the fetch bounds. */
  snapshots?: SnapshotRouteOptions
  /** Rollup checkpoints: how often they are saved (server/metrics/checkpoint.ts); false neither restores nor saves. */
  checkpoints?: CheckpointOptions | false
  /** Recurring hotspots: radius, least count, default window (OUTPOST_HOTSPOT_*); 50 m, 3, 30 days by default. */
  hotspots?: HotspotConfig
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 64 * 1024,
    // Unknown query parameters are rejected by the schemas; keep the parser strict and simple.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    trustProxy: options.trustProxy ?? false,
    // The router's own 400/414 (a bad %-escape, an over-long segment) come before any hook.
    frameworkErrors: (error, request, reply) => {
      if (request.url.startsWith('/api/')) apiHeaders(reply)
      frameworkErrorReply(error, request, reply)
    },
  }).withTypeProvider<TypeBoxTypeProvider>()
  if (options.onRoute) app.addHook('onRoute', options.onRoute)

  await app.register(context, {
    store: options.store,
    geography: options.geography,
    now: options.now ?? Date.now,
    ...(options.basemap ? { basemap: options.basemap } : {}),
    ...(options.cameras ? { cameras: options.cameras } : {}),
  })
  await app.register(directoryPlugin, { ...(options.directory ? { directory: options.directory } : {}), ...(options.audit ? { audit: options.audit } : {}) })
  await app.register(validation)
  await app.register(headers)
  await app.register(auth, {
    auth: options.auth,
    secureCookie: options.secureCookie ?? 'auto',
    ...(options.sessionTtlMs !== undefined ? { sessionTtlMs: options.sessionTtlMs } : {}),
  })
  await app.register(origin, { allowedOrigins: options.allowedOrigins ?? [], trustProxy: options.trustProxy ?? false })
  // Before the routes: it places its limiter on each ingest route as that route is registered.
  await app.register(ingestRate, { perSecond: options.ingestRate ?? DEFAULT_INGEST_RATE })
  // Before the routes: the API reference (/api/v1/openapi.json, /docs) collects them as they are added.
  await app.register(openapi)
  await app.register(requests)
  await app.register(alerts)
  await app.register(alertSnapshots, options.snapshots ?? {})
  await app.register(alarmRoutes)
  await app.register(patrols)
  await app.register(geographyRoutes)
  await app.register(metricsPlugin, { policy: options.policy ?? DEFAULT_POLICY, timeZone: options.timeZone ?? DEFAULT_TIME_ZONE })
  // Every commit's way out (server/live/README.md): the rollups, then the bus to the /live sockets.
  await app.register(live, {
    sockets: options.realtime === false ? false : (options.realtime ?? {}),
    ...(options.checkpoints !== undefined ? { checkpoints: options.checkpoints } : {}),
  })
  await app.register(metricsRoutes)
  await app.register(hotspotRoutes, options.hotspots ? { config: options.hotspots } : {})
  await app.register(overdueSweep, {
    policy: options.policy ?? DEFAULT_POLICY,
    intervalMs: options.overdueSweepMs ?? (options.realtime === false ? 0 : DEFAULT_SWEEP_MS),
  })
  await app.register(directoryRoutes, { timeZone: options.timeZone ?? DEFAULT_TIME_ZONE })
  await app.register(auditRoutes)
  await app.register(reportsPlugin, {
    ...(options.reports ? { archive: options.reports } : {}),
    intervalMs: options.reportsIntervalMs ?? (options.realtime === false ? 0 : DEFAULT_REPORTS_MS),
    ...(options.hotspots ? { hotspots: options.hotspots } : {}),
  })
  await app.register(reportRoutes)
  await app.register(open311, { prefix: OPEN311_PREFIX, policy: options.policy ?? DEFAULT_POLICY, timeZone: options.timeZone ?? DEFAULT_TIME_ZONE })
  await app.register(sessionRoutes)
  await app.register(workerRoutes)
  await app.register(eventRoutes)
  await app.register(publicRoutes)
  await app.register(basemapRoutes)
  const publicPushIntervalMs = options.publicPushIntervalMs ?? DEFAULT_PUBLIC_PUSH_MS
  await app.register(publicSide, { threshold: options.publicThreshold ?? 5, pushIntervalMs: publicPushIntervalMs })
  if (options.realtime !== false) {
    await app.register(realtime, {
      ...options.realtime,
      kiosks: {
        pushIntervalMs: publicPushIntervalMs,
        ...(options.publicMaxQueuedBytes !== undefined ? { maxQueuedBytes: options.publicMaxQueuedBytes } : {}),
      },
    })
  }
  if (options.clientDir) {
    const root = options.clientDir
    // A base map on another host (a tile server on the LAN) must be let through the CSP; a PMTiles
    // file is served from this origin.
    const style = options.basemap && 'style' in options.basemap ? options.basemap.style : undefined
    const basemapOrigin = style && /^https?:/.test(style) ? [new URL(style).origin] : []
    // The pages get the security headers (CSP for MapLibre's worker and the socket); the JSON API,
    // hit thousands of times a second by ingest, does not pay for them.
    await app.register(async (pages) => {
      await pages.register(helmet, {
        contentSecurityPolicy: {
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'", "'unsafe-inline'"],
            workerSrc: ["'self'", 'blob:'],
            imgSrc: ["'self'", 'data:', 'blob:', ...basemapOrigin],
            connectSrc: ["'self'", 'ws:', 'wss:', ...basemapOrigin],
            fontSrc: ["'self'", 'data:'],
            upgradeInsecureRequests: null,
          },
        },
        // The wall runs on plain http inside a center's LAN.
        strictTransportSecurity: false,
      })
      await pages.register(client, { root })
    })
  }
  return app
}
