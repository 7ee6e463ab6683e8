// npm run report -- --unit U --period day|week --date YYYY-MM-DD --out report.pdf [--csv report.csv] [--lang en]
// Renders the report page (/report) to PDF with Debian's Chromium, and the CSV of its tables. It
// opens the data the way the server does (OUTPOST_DATA_DIR, or OUTPOST_DATABASE_URL), serves the
// built page on 127.0.0.1:0 in this process with a short-lived center session of its own (an
// in-memory account: nothing is added to the users), and closes it all when done.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../app'
import { AuthStore } from '../auth/auth-store'
import { hashPassword } from '../auth/passwords'
import { ConfigError, loadConfig } from '../config'
import { loadGeography } from '../geo/geography-file'
import { SqliteStore } from '../store/sqlite-store'
import { PgStore } from '../store/pg-store'
import type { Store } from '../store/types'
import { SqliteReportArchive } from '../reports/archive'
import { PrintError, printReportPdf } from '../reports/print'
import { REPORT_PERIODS, type ReportPeriod } from '../../shared/report'
import { isCalendarDate } from '../../shared/time'
import { loadLiveReport } from '../../client/report/load'
import { reportCsv } from '../../client/report/csv'
import { fetchConfig } from '../../client/api'
import { SESSION_COOKIE } from '../plugins/auth'

const USAGE = `usage: npm run report -- --unit <unit id> --period <day|week> --date <YYYY-MM-DD> --out <report.pdf> [--csv <report.csv>] [--lang zh-CN|en]
  --date: any day of the period (a week runs Monday to Sunday, in OUTPOST_TZ)
Data: $OUTPOST_DATA_DIR (default data) or $OUTPOST_DATABASE_URL; the page: dist/client (npm run build); PDF: Debian's chromium.`

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const clientDir = join(repoRoot, 'dist', 'client')

class UsageError extends Error {}

function args(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      unit: { type: 'string' },
      period: { type: 'string', default: 'day' },
      date: { type: 'string' },
      out: { type: 'string' },
      csv: { type: 'string' },
      lang: { type: 'string', default: 'zh-CN' },
      help: { type: 'boolean' },
    },
    strict: true,
  })
  if (values.help) throw new UsageError('')
  if (!values.unit || !/^[0-9]{6,14}$/.test(values.unit)) throw new UsageError('--unit: a unit id is required')
  if (!(REPORT_PERIODS as readonly string[]).includes(values.period!)) throw new UsageError('--period: day or week')
  if (!values.date || !isCalendarDate(values.date)) throw new UsageError('--date: a date YYYY-MM-DD is required')
  if (!values.out) throw new UsageError('--out: the PDF file to write is required')
  if (values.lang !== 'zh-CN' && values.lang !== 'en') throw new UsageError('--lang: zh-CN or en')
  return { unit: values.unit, period: values.period as ReportPeriod, date: values.date, out: resolve(values.out), csv: values.csv ? resolve(values.csv) : undefined, lang: values.lang }
}

async function main(argv: string[]): Promise<number> {
  let a: ReturnType<typeof args>
  try {
    a = args(argv)
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      if ((error as Error).message) console.error(`report: ${(error as Error).message}`)
      console.error(USAGE)
      return 2
    }
    throw error
  }
  if (!existsSync(join(clientDir, 'index.html'))) {
    console.error(`report: no built page in ${clientDir}: run \`npm run build\` first`)
    return 1
  }
  const config = loadConfig()
  const geography = loadGeography(config.geographyFile)
  if (!geography.get(a.unit)) {
    console.error(`report: unknown unit ${a.unit} in ${geography.district.name}`)
    return 1
  }
  const dataDir = resolve(config.dataDir)
  mkdirSync(dataDir, { recursive: true })
  const store: Store = config.databaseUrl ? await PgStore.open({ url: config.databaseUrl }) : new SqliteStore({ filename: join(dataDir, 'outpost.db'), synchronous: config.sqliteSync })
  // The page's session: a center account that lives in this process only, for a few minutes.
  const auth = new AuthStore(':memory:')
  const username = `report-${randomBytes(4).toString('hex')}`
  await auth.addUser({ username, role: 'center', unit: geography.district.id }, await hashPassword(randomBytes(24).toString('base64url')))
  const { token } = await auth.createSession(username, 10 * 60_000)
  const reports = config.databaseUrl ? undefined : SqliteReportArchive.open(dataDir)
  const app = await buildApp({
    store,
    auth,
    geography,
    clientDir,
    realtime: false,
    reportsIntervalMs: 0,
    hotspots: config.hotspots,
    policy: config.policy,
    timeZone: config.timeZone,
    ...(reports ? { reports } : {}),
    logger: { level: process.env.LOG_LEVEL ?? 'warn' },
  })
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const query = new URLSearchParams({ unit: a.unit, period: a.period, date: a.date, ...(a.lang === 'en' ? { lang: 'en' } : {}) })
    const pdf = await printReportPdf({ baseUrl, sessionToken: token, path: `/report?${query}` })
    writeFileSync(a.out, pdf)
    console.log(`report: ${a.out} (${pdf.length} bytes)`)
    if (a.csv) {
      const fetchImpl = (input: string, init?: RequestInit) =>
        fetch(`${baseUrl}${input}`, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie: `${SESSION_COOKIE}=${token}` } })
      const data = await loadLiveReport(a.unit, a.period, a.date, await fetchConfig(fetchImpl), { fetchImpl })
      writeFileSync(a.csv, reportCsv(data))
      console.log(`report: ${a.csv}`)
    }
    return 0
  } catch (error) {
    if (error instanceof PrintError) {
      console.error(`report: ${error.message}`)
      return 1
    }
    throw error
  } finally {
    await app.close()
    await store.close()
    await auth.close()
    await reports?.close()
  }
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`report: configuration error: ${error.message}`)
    process.exitCode = 1
  } else throw error
}
