// Process entry: configuration, the client build when stale, the store, the server, the simulator.
import { mkdirSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildApp } from './app'
import { ConfigError, loadConfig, type Config } from './config'
import type { Geography } from './geo/geography'
import { GeographyFileError, loadGeographyWithWarnings } from './geo/geography-file'
import { CamerasFileError, readCamerasFile, type Camera } from './geo/cameras'
import { GeographyMismatchError, geographyHash, guardStoreGeography } from './store/geography-guard'
import { backfill } from './sim/backfill'
import type { PendingStep } from './sim/model'
import { resumeFromSnapshot } from './sim/resume'
import { startSimulator } from './sim/simulator'
import { SqliteStore } from './store/sqlite-store'
import { PgStore } from './store/pg-store'
import type { Store } from './store/types'
import { AuthStore } from './auth/auth-store'
import type { Accounts } from './auth/accounts'
import { PgAccounts } from './auth/pg-accounts'
import { hashPassword } from './auth/passwords'
import { demoAccounts, DEMO_PASSWORD } from './auth/demo'
import { SqliteAuditLog } from './audit/audit-log'
import { PgAuditLog } from './audit/pg-audit-log'
import type { AuditLog } from './audit/types'
import { SqliteReportArchive, type ReportArchive } from './reports/archive'
import { PgReportArchive } from './reports/pg-archive'
import { DirectoryStore } from './directory/directory-store'
import { PgDirectory } from './directory/pg-directory'
import type { Directory } from './directory/types'
import { seedEmptyDemoDirectory } from './directory/demo'

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)))
const clientDir = join(repoRoot, 'dist', 'client')

async function main(): Promise<void> {
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`outpost: configuration error: ${error.message}`)
      process.exit(1)
    }
    throw error
  }

  const dataDir = resolve(config.dataDir)
  mkdirSync(dataDir, { recursive: true })
  // Before the event store opens outpost.db: an older build's users and keys move out of it.
  // With OUTPOST_DATABASE_URL, users, sessions, keys and the login and ingest limits are PostgreSQL's.
  const auth: Accounts = config.databaseUrl ? await openSharedAccounts(config.databaseUrl) : AuthStore.open(dataDir)
  // With OUTPOST_DATABASE_URL the event log is PostgreSQL's too (shared by every process on it).
  const store: Store = config.databaseUrl ? await openPgStore(config.databaseUrl) : new SqliteStore({ filename: join(dataDir, 'outpost.db'), synchronous: config.sqliteSync })
  // The district and its cameras are settings too: a bad file stops the start, naming what is wrong.
  // A layout the store was last started with passed the checks then and is not checked again.
  const accepted = (await store.geographyRecord())?.hash
  let geography: Geography
  let cameras: Camera[] = []
  try {
    const loaded = loadGeographyWithWarnings(config.geographyFile, { checked: (units) => geographyHash(units) === accepted })
    geography = loaded.geography
    for (const w of loaded.warnings.slice(0, 10)) console.warn(`outpost: warning: ${config.geographyFile}: ${w.unitId ? `feature ${w.unitId}: ` : ''}${w.message}`)
    if (loaded.warnings.length > 10) console.warn(`outpost: and ${loaded.warnings.length - 10} more warnings (npm run geo -- check ${config.geographyFile})`)
    if (config.camerasFile) cameras = readCamerasFile(config.camerasFile, geography)
  } catch (error) {
    if (error instanceof GeographyFileError || error instanceof CamerasFileError) {
      console.error(`outpost: configuration error: ${error.message}`)
      process.exit(1)
    }
    throw error
  }

  // A store written with another layout: units that events refer to must still be there.
  try {
    await guardStoreGeography(store, geography, { geographySource: config.geographyFile ?? 'the sample district', storeLocation: dataDir })
  } catch (error) {
    if (error instanceof GeographyMismatchError) {
      console.error(`outpost: ${error.message}`)
      await store.close()
      process.exit(1)
    }
    throw error
  }

  await buildClientIfStale()

  // The directory and the audit trail: files of their own beside auth.db, or with OUTPOST_DATABASE_URL
  // PostgreSQL's, shared by every process (npm run directory and npm run users write them while the
  // server runs). The demo fills an empty directory (once, however many processes start at once),
  // so that the backfill and the simulator dispatch to its departments and experts.
  const { audit, directory } = config.databaseUrl
    ? await openSharedDirectory(config.databaseUrl, geography)
    : (() => {
        const audit = SqliteAuditLog.open(dataDir)
        return { audit, directory: DirectoryStore.open(dataDir, { audit, isStreet: (id) => geography.get(id)?.level === 'street' }) as Directory }
      })()
  // Kept daily and weekly reports: reports.db beside directory.db, or PostgreSQL's, one archive for
  // every process.
  const reports: ReportArchive = config.databaseUrl ? await openSharedReports(config.databaseUrl) : SqliteReportArchive.open(dataDir)
  if (config.sim) await seedEmptyDemoDirectory(directory, geography, { kind: 'cli', name: 'demo' })

  // What the simulator must carry on with: the backfill's unfinished lifecycles, or after a
  // restart the open requests and unreviewed alerts already in the store.
  let resume: PendingStep[] = []
  if (config.sim && (await store.lastSeq()) === 0) {
    const started = Date.now()
    const filled = await backfill({ store, geography, cameras, days: 30, now: Date.now(), directory, timeZone: config.timeZone })
    resume = filled.pending
    console.log(
      `outpost: backfilled 30 days: ${filled.requests} requests, ${filled.alerts} alerts, ${filled.pings} pings in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    )
  } else if (config.sim) {
    resume = resumeFromSnapshot((await store.snapshot(geography.ref(geography.district.id)!)).snapshot, Date.now())
  }

  const accounts = await prepareAccounts(auth, config, geography)

  const app = await buildApp({
    store,
    auth,
    directory,
    audit,
    reports,
    geography,
    cameras,
    clientDir,
    policy: config.policy,
    timeZone: config.timeZone,
    publicThreshold: config.kioskThreshold,
    secureCookie: config.secureCookie,
    trustProxy: config.trustProxy,
    allowedOrigins: config.allowedOrigins,
    ingestRate: config.ingestRate,
    hotspots: config.hotspots,
    snapshots: { origins: config.snapshotOrigins },
    ...(config.basemap ? { basemap: config.basemap } : {}),
    logger: { level: process.env.LOG_LEVEL ?? 'warn' },
  })
  const address = await app.listen({ port: config.port, host: config.host })
  const base = address.replace('[::1]', 'localhost')

  const simulator = config.sim
    ? startSimulator({
        inject: (request) => app.inject(request),
        geography,
        cameras,
        speed: config.simSpeed,
        resume,
        directory,
        timeZone: config.timeZone,
        policy: config.policy,
        headers: { authorization: `Bearer ${accounts.simulatorKey}` },
        log: (message) => console.log(`outpost: ${message}`),
      })
    : undefined

  console.log(`outpost: listening on ${base} (data in ${dataDir}, simulator ${config.sim ? `on ×${config.simSpeed}` : 'off'})`)
  console.log(
    `  district ${geography.district.name} (${geography.district.id}) from ${config.geographyFile ?? 'the sample'}, ${geography.units.length} units` +
      (config.camerasFile ? `, ${cameras.length} cameras from ${config.camerasFile}` : ''),
  )
  console.log(`  wall    ${base}/wall`)
  console.log(`  leader  ${base}/leader`)
  console.log(`  kiosk   ${base}/kiosk`)
  console.log(`  console ${base}/console`)
  console.log(`  API     ${base}/docs`)
  if (config.basemap) {
    const source = 'pmtiles' in config.basemap ? `${config.basemap.pmtiles} at ${base}/basemap/base.pmtiles` : config.basemap.style
    console.log(`  base map ${source} (${config.basemap.crs})`)
  }
  for (const line of accounts.lines) console.log(line)

  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    console.log(`outpost: ${signal}, closing`)
    await simulator?.stop()
    await app.close()
    await store.close()
    await directory.close()
    await audit.close()
    await reports.close()
    await auth.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
}

/**
 * Demo mode (simulator on): demo accounts and the simulator's ingest key are made afresh at every
 * start. Simulator off: none of them exist, and the first center user comes from
 * OUTPOST_ADMIN_PASSWORD or `npm run users`.
 */
async function prepareAccounts(auth: Accounts, config: Config, geography: Geography): Promise<{ simulatorKey?: string; lines: string[] }> {
  await auth.removeDemo()
  const lines: string[] = []
  if (config.adminPassword && !(await auth.hasCenterUser()) && !(await auth.user('admin'))) {
    await auth.addUser({ username: 'admin', role: 'center', unit: geography.district.id }, await hashPassword(config.adminPassword))
    lines.push('outpost: created the center user "admin" from OUTPOST_ADMIN_PASSWORD')
  }
  if (!config.sim) {
    if (!(await auth.hasCenterUser())) lines.push('outpost: no center user yet: npm run users -- add <name> --role center')
    return { lines }
  }
  const password = await hashPassword(DEMO_PASSWORD)
  const accounts = demoAccounts(geography)
  for (const account of accounts) await auth.addUser({ ...account, demo: true }, password)
  const { key } = await auth.addKey('simulator', { demo: true })
  lines.push(`outpost: demo accounts (password "${DEMO_PASSWORD}"): ${accounts.map((a) => a.username).join(', ')}`)
  return { simulatorKey: key, lines }
}

/** The accounts in PostgreSQL; an unreachable database or another schema version stops the start, saying why. */
async function openSharedAccounts(url: string): Promise<Accounts> {
  try {
    return await PgAccounts.open(url)
  } catch (error) {
    console.error(`outpost: cannot open the accounts in OUTPOST_DATABASE_URL (${url.replace(/:[^:@/]*@/, ':***@')}): ${(error as Error).message}`)
    process.exit(1)
  }
}

/** The directory and the audit trail in PostgreSQL; an unreachable database or another schema version stops the start, saying why. */
async function openSharedDirectory(url: string, geography: Geography): Promise<{ audit: AuditLog; directory: Directory }> {
  try {
    const audit = await PgAuditLog.open(url)
    const directory = await PgDirectory.open(url, { audit, isStreet: (id) => geography.get(id)?.level === 'street' }).catch(async (error: unknown) => {
      await audit.close()
      throw error
    })
    return { audit, directory }
  } catch (error) {
    console.error(`outpost: cannot open the directory and the audit trail in OUTPOST_DATABASE_URL: ${(error as Error).message}`)
    process.exit(1)
  }
}

async function openSharedReports(url: string): Promise<ReportArchive> {
  try {
    return await PgReportArchive.open(url)
  } catch (error) {
    console.error(`outpost: cannot open the kept reports in OUTPOST_DATABASE_URL: ${(error as Error).message}`)
    process.exit(1)
  }
}

/** `npm start` on a fresh clone builds the client; later starts rebuild only when sources changed. */
async function buildClientIfStale(): Promise<void> {
  const builtAt = mtime(join(clientDir, 'index.html'))
  const sources = ['client', 'shared', 'public', 'vite.config.ts'].map((p) => join(repoRoot, p))
  if (builtAt > 0 && sources.every((p) => newestMtime(p) <= builtAt)) return
  console.log('outpost: building the client…')
  const { build } = await import('vite')
  await build({ configFile: join(repoRoot, 'vite.config.ts'), logLevel: 'warn' })
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return 0
  }
}

function newestMtime(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) return 0
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

await main()

/** The PostgreSQL event store; a failure to open it (unreachable, another schema version) stops the start in one line. */
async function openPgStore(url: string): Promise<Store> {
  try {
    return await PgStore.open({ url })
  } catch (error) {
    console.error(`outpost: cannot open the event store in OUTPOST_DATABASE_URL: ${(error as Error).message}`)
    process.exit(1)
  }
}
