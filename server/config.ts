// Configuration comes from the environment only, and is checked at start with a message that
// names the variable and what it accepts.
import { accessSync, constants, readFileSync, statSync } from 'node:fs'
import { isIP } from 'node:net'
import { resolve } from 'node:path'
import { DEFAULT_TIME_ZONE, PRIORITIES } from '../shared/domain'
import { DEFAULT_POLICY, type Policy } from '../shared/metrics'
import { PolicyFileSchema, type PolicyFile } from '../shared/schemas/metrics'
import { isValidTimeZone, zoneOffset } from '../shared/time'
import { createAjv, describeValidationError } from './validate'
import { passwordProblem } from './auth/passwords'
import { checkPmtilesArchive } from './basemap/archive'
import type { Basemap } from './basemap/basemap'
import type { CookieSecure } from './plugins/auth'
import { normalizeOrigin } from './plugins/origin'
import type { SqliteSync } from './store/sqlite-store'
import { DEFAULT_HOTSPOT_CONFIG, type HotspotConfig } from './metrics/hotspots'
export interface Config {
  port: number
  host: string
  dataDir: string
  sim: boolean
  simSpeed: number
  sqliteSync: SqliteSync
  /**
   * OUTPOST_DATABASE_URL: a PostgreSQL (postgres://…) that holds the log and the accounts, shared by
   * every Outpost process pointed at it; unset, the embedded SQLite files in `dataDir`.
   */
  databaseUrl: string | undefined
  timeZone: string
  policy: Policy
  /** Creates the center user `admin` on a start that finds no center user. */
  adminPassword: string | undefined
  /** Kiosk: counts under this at community level show as "<N>". */
  kioskThreshold: number
  /** A style URL or a local PMTiles file (absolute path), never both. */
  basemap: Basemap | undefined
  /** The session cookie's Secure flag; `auto`: when the request came over https. */
  secureCookie: CookieSecure
  /** Whose X-Forwarded-For/-Proto count: no one, every peer, or these addresses and ranges. */
  trustProxy: boolean | string[]
  /** Origins besides the server's own whose pages may use the session (writes, `/live`). */
  allowedOrigins: string[]
  /** The center's own district (OUTPOST_GEOGRAPHY, a geography file); the sample when unset. */
  geographyFile: string | undefined
  /** The center's cameras (OUTPOST_CAMERAS, a CSV file); none when unset. */
  camerasFile: string | undefined
  /** Requests a second per ingest key (OUTPOST_INGEST_RATE); 0: no limit. */
  ingestRate: number
  /** The LAN origins (cameras, NVRs) the server may fetch alert snapshots from (OUTPOST_SNAPSHOT_ORIGINS); none: same-origin paths only. */
  snapshotOrigins: string[]
  /** Recurring hotspots (OUTPOST_HOTSPOT_RADIUS_M, _MIN_COUNT, _WINDOW_DAYS): 50 m, 3, 30 days. */
  hotspots: HotspotConfig
}

/** OUTPOST_INGEST_RATE's default: far above what the simulator and the benchmarks send with one key. */
export const DEFAULT_INGEST_RATE = 20_000

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>

export function loadConfig(env: Env = process.env): Config {
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: nonEmpty(env, 'HOST', '127.0.0.1'),
    dataDir: nonEmpty(env, 'OUTPOST_DATA_DIR', 'data'),
    sim: oneOf(env, 'OUTPOST_SIM', ['on', 'off'], 'on') === 'on',
    simSpeed: number(env, 'OUTPOST_SIM_SPEED', 1, 0.01, 10_000),
    sqliteSync: oneOf(env, 'OUTPOST_SQLITE_SYNC', ['full', 'full-inline', 'normal'], 'full'),
    databaseUrl: databaseUrl(env, 'OUTPOST_DATABASE_URL'),
    timeZone: timeZone(env, 'OUTPOST_TZ', DEFAULT_TIME_ZONE),
    policy: policy(env, 'OUTPOST_POLICY'),
    adminPassword: adminPassword(env, 'OUTPOST_ADMIN_PASSWORD'),
    kioskThreshold: integer(env, 'OUTPOST_KIOSK_THRESHOLD', 5, 1, 100),
    basemap: basemap(env),
    secureCookie: oneOf(env, 'OUTPOST_COOKIE_SECURE', ['auto', 'on', 'off'], 'auto'),
    trustProxy: trustProxy(env, 'OUTPOST_TRUST_PROXY'),
    allowedOrigins: origins(env, 'OUTPOST_ALLOWED_ORIGINS', 'http://10.0.0.5:3000'),
    geographyFile: readableFile(env, 'OUTPOST_GEOGRAPHY'),
    camerasFile: readableFile(env, 'OUTPOST_CAMERAS'),
    ingestRate: integer(env, 'OUTPOST_INGEST_RATE', DEFAULT_INGEST_RATE, 0, 10_000_000),
    snapshotOrigins: origins(env, 'OUTPOST_SNAPSHOT_ORIGINS', 'http://10.0.0.7'),
    hotspots: {
      radiusM: number(env, 'OUTPOST_HOTSPOT_RADIUS_M', DEFAULT_HOTSPOT_CONFIG.radiusM, 1, 5000),
      minCount: integer(env, 'OUTPOST_HOTSPOT_MIN_COUNT', DEFAULT_HOTSPOT_CONFIG.minCount, 2, 10_000),
      windowDays: integer(env, 'OUTPOST_HOTSPOT_WINDOW_DAYS', DEFAULT_HOTSPOT_CONFIG.windowDays, 1, 400),
    },
  }
}

/** A postgres:// or postgresql:// URL with a host; whether it answers is checked when the store opens. */
function databaseUrl(env: Env, name: string): string | undefined {
  const value = raw(env, name)
  if (value === undefined) return undefined
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  if (!url || !/^postgres(ql)?:$/.test(url.protocol) || (url.hostname === '' && !url.searchParams.has('host'))) {
    throw new ConfigError(`${name} must be a PostgreSQL URL such as postgres://outpost@10.0.0.9:5432/outpost, got "${value.replace(/:[^:@/]*@/, ':***@')}"`)
  }
  return value
}

/** A file that must exist and be readable now; what it holds is checked where it is read. */
function readableFile(env: Env, name: string): string | undefined {
  const value = raw(env, name)
  if (value === undefined) return undefined
  const file = resolve(value)
  try {
    accessSync(file, constants.R_OK)
    if (!statSync(file).isFile()) throw new Error('not a file')
  } catch (error) {
    throw new ConfigError(`${name}: cannot read ${file}: ${(error as Error).message}`)
  }
  return file
}

/** Bare origins only: a path or a wildcard would suggest a finer or wider rule than the one applied. */
function origins(env: Env, name: string, example: string): string[] {
  const value = raw(env, name)
  if (value === undefined) return []
  return value.split(',').map((entry) => {
    const text = entry.trim()
    const origin = /^https?:\/\/[^/?#@\s*]+$/i.test(text) ? normalizeOrigin(text) : undefined
    if (!origin) {
      throw new ConfigError(`${name} must be a comma list of origins scheme://host[:port] such as ${example}, got "${text}"`)
    }
    return origin
  })
}

/** Names proxy-addr (Fastify's trustProxy) knows for the usual private ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal']

function trustProxy(env: Env, name: string): boolean | string[] {
  const value = raw(env, name)
  if (value === undefined || value === 'off') return false
  if (value === 'on') return true
  const entries = value.split(',').map((entry) => entry.trim())
  for (const entry of entries) {
    if (!PROXY_RANGE_NAMES.includes(entry) && !isAddressOrRange(entry)) {
      throw new ConfigError(`${name} must be on, off or a comma list of addresses and CIDR ranges, got "${entry}"`)
    }
  }
  return entries
}

function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/')
  const version = isIP(address)
  if (version === 0 || rest.length > 0) return false
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128))
}

function basemap(env: Env): Config['basemap'] {
  const style = raw(env, 'OUTPOST_BASEMAP_STYLE')
  const pmtiles = raw(env, 'OUTPOST_BASEMAP_PMTILES')
  const crs = oneOf(env, 'OUTPOST_BASEMAP_CRS', ['wgs84', 'gcj02'], 'wgs84')
  if (style !== undefined && pmtiles !== undefined) {
    throw new ConfigError('OUTPOST_BASEMAP_STYLE and OUTPOST_BASEMAP_PMTILES are both set: a wall has one base map, set only one of them')
  }
  if (pmtiles !== undefined) {
    const file = resolve(pmtiles)
    try {
      checkPmtilesArchive(file)
    } catch (error) {
      throw new ConfigError(`OUTPOST_BASEMAP_PMTILES: ${(error as Error).message}`)
    }
    return { pmtiles: file, crs }
  }
  if (style === undefined) return undefined
  if (!/^(https?:\/\/|\/)\S+$/.test(style)) {
    throw new ConfigError(`OUTPOST_BASEMAP_STYLE must be a style URL (http(s)://… or /…), got "${style}"`)
  }
  return { style, crs }
}

function adminPassword(env: Env, name: string): string | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  const problem = passwordProblem(value)
  if (problem) throw new ConfigError(`${name}: ${problem}`)
  return value
}

function timeZone(env: Env, name: string, fallback: string): string {
  const value = raw(env, name) ?? fallback
  if (!isValidTimeZone(value)) throw new ConfigError(`${name} must be an IANA time zone such as Asia/Shanghai, got "${value}"`)
  // Figures are kept per hour; a zone whose days do not start on a whole UTC hour cannot use them.
  const year = new Date().getUTCFullYear()
  for (const month of [0, 6]) {
    if (zoneOffset(Date.UTC(year, month, 1), value) % 3_600_000 !== 0) {
      throw new ConfigError(`${name} must be a zone with whole-hour offsets from UTC, got "${value}"`)
    }
  }
  return value
}

const validatePolicy = createAjv(false).compile(PolicyFileSchema)

function policy(env: Env, name: string): Policy {
  const file = raw(env, name)
  if (file === undefined) return DEFAULT_POLICY
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new ConfigError(`${name}: cannot read ${file} as JSON: ${(error as Error).message}`)
  }
  if (!validatePolicy(parsed)) {
    throw new ConfigError(`${name} (${file}): ${describeValidationError('policy', validatePolicy.errors![0]!).message}`)
  }
  return mergePolicy(DEFAULT_POLICY, parsed as PolicyFile)
}

export function mergePolicy(base: Policy, file: PolicyFile): Policy {
  const deadlines = { ...base.deadlines }
  for (const p of PRIORITIES) deadlines[p] = { ...base.deadlines[p], ...file.deadlines?.[p] }
  return { deadlines, satisfactionWeights: { ...base.satisfactionWeights, ...file.satisfactionWeights } }
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim()
  return value === '' ? undefined : value
}

function nonEmpty(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name)
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${value}"`)
  }
  return Number(value)
}

function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name)
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a number from ${min} to ${max}, got "${value}"`)
  }
  return n
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name)
  if (value === undefined) return fallback
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`)
  }
  return value as T
}

/** OUTPOST_DATABASE_URL alone, checked as at start: the commands that share the server's accounts read it (npm run users). */
export function databaseUrlFrom(env: Env = process.env): string | undefined {
  return databaseUrl(env, 'OUTPOST_DATABASE_URL')
}
