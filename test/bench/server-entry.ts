// The Outpost server as the benchmarks run it: the real buildApp on a file-backed SQLite store
// (durable: `--sync full`, the default, or `full-inline`; `normal` is not), listening on port 0 in a
// process of its own.
//
//   node --import tsx test/bench/server-entry.ts [--tick 150] [--sync full|full-inline|normal] [--store instant]   (started by lib/child.ts)
//
// Besides the HTTP API it answers `configure`/`rate`/`records` over IPC like the raw ws baseline,
// publishing generated events straight into the live bus: fan-out alone, without ingest; and
// `syncs`: how long each of the store's fdatasyncs took.
import { fdatasync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { buildSampleGeography } from '../../shared/sample-geography'
import { buildApp } from '../../server/app'
import { Geography } from '../../server/geo/geography'
import { SqliteStore, type SqliteSync } from '../../server/store/sqlite-store'
import { AuthStore, authFileIn } from '../../server/auth/auth-store'
import { hashPassword } from '../../server/auth/passwords'
import { SESSION_COOKIE } from '../../server/plugins/auth'
import type { RealtimeOptions } from '../../server/realtime/index'
import { EventGenerator } from './lib/generator'
import type { Request } from './lib/ipc'
import { serveIpc } from './lib/serve-ipc'

const geography = new Geography(buildSampleGeography())

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : undefined
}

/**
 * Diagnostic (`--store instant`): POST /api/v1/requests's store call answers in the next turn of the
 * event loop (as a group commit would at best) without writing, syncing or publishing anything. The
 * ingest benchmark runs the app so beside the durable store, to tell what the app's own request
 * path costs (key check, placement, fingerprint, plugins) from what durability adds.
 */
function answerAtOnce(store: SqliteStore): void {
  let seq = 0
  store.createRequest = async (request) => {
    await new Promise((resolve) => setImmediate(resolve))
    return { ok: true, replayed: false, value: { id: request.id, seq: ++seq, gridId: request.path.gridId } }
  }
}

/**
 * Each fdatasync of the WAL that the store's commits wait on, timed from the call to its answer on
 * the event loop (the thread pool's hand-offs included): the store's own fdatasync, only timed.
 * Kept until `syncs` takes them, at most SYNC_TIMES_KEPT (a bench that never asks stays small).
 */
const syncTimes: number[] = []
const SYNC_TIMES_KEPT = 100_000
function timedFdatasync(fd: number): Promise<void> {
  const started = performance.now()
  return new Promise<void>((resolve, reject) =>
    fdatasync(fd, (error) => {
      if (syncTimes.length < SYNC_TIMES_KEPT) syncTimes.push(performance.now() - started)
      if (error) reject(error)
      else resolve()
    }),
  )
}

/**
 * Everything a benchmark needs to reach the server, in one place: the store and the auth store
 * in files of their own in one data directory (as main.ts has them), an ingest key for the load's
 * `Authorization` header and a logged-in center user whose session cookie the live sockets send.
 */
async function prepareServer(realtime: RealtimeOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-'))
  const store = new SqliteStore({ filename: join(dir, 'outpost.db'), synchronous: (arg('sync') ?? 'full') as SqliteSync, syncWal: timedFdatasync })
  const storeMode = arg('store')
  if (storeMode !== undefined && storeMode !== 'instant') throw new Error(`--store instant, or no --store; got ${storeMode}`)
  if (storeMode === 'instant') answerAtOnce(store)
  const auth = new AuthStore(authFileIn(dir))
  const user = { username: 'bench', password: 'bench-password-1' }
  auth.addUser({ username: user.username, role: 'center', unit: geography.district.id }, await hashPassword(user.password))
  const { key } = auth.addKey('bench')
  // The instant-store diagnostic passes 20,000 requests a second on one key at times: the per-key
  // limit (OUTPOST_INGEST_RATE's default) would cap the figure it exists to show. The durable
  // server keeps the default limiter on its path.
  const app = await buildApp({ store, auth, geography, realtime, ...(storeMode === 'instant' ? { ingestRate: 0 } : {}) })
  const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: user })
  const session = login.cookies.find((c) => c.name === SESSION_COOKIE)
  if (login.statusCode !== 200 || !session) throw new Error(`bench login failed: ${login.statusCode} ${login.body}`)
  return {
    app,
    ingestHeaders: { Authorization: `Bearer ${key}` } as Record<string, string>,
    socketHeaders: { Cookie: `${session.name}=${session.value}` } as Record<string, string>,
    async close() {
      await app.close()
      await store.close()
      auth.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const tick = arg('tick')
const server = await prepareServer(tick ? { tickMs: Number(tick) } : {})
await server.app.listen({ port: 0, host: '127.0.0.1' })

// Bus-only mode, for the fan-out figure: the benchmark's own events published straight into the
// live bus (as the store does after a commit), in a seq range of their own far above the store's.
let generator: EventGenerator | undefined
const handle = (request: Request) => {
  if (request.type === 'configure') {
    generator?.stop()
    generator = new EventGenerator(request.pool, 1_000_000_000)
    return {}
  }
  if (request.type === 'rate') {
    if (!generator) throw new Error('configure first')
    generator.run(request.eventsPerSec, request.intervalMs, (events) => server.app.liveBus.publish(events))
    return {}
  }
  if (request.type === 'records') return { records: generator?.takeRecords() ?? [] }
  if (request.type === 'syncs') return { syncs: syncTimes.splice(0) }
  throw new Error(`unknown request ${request.type}`)
}

serveIpc(
  { port: (server.app.server.address() as AddressInfo).port, ingestHeaders: server.ingestHeaders, socketHeaders: server.socketHeaders },
  async () => {
    generator?.stop()
    await server.close()
  },
  handle,
)
