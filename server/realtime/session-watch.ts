// A `/live` socket streams only while the session it was opened with lives. Sessions end here
// (logout, a new password, a removed user: the accounts say so at once), in another process (with
// PostgreSQL the accounts pass its NOTIFY on at once; with SQLite, `npm run users` is seen by the
// file's data version, asked every second), or by expiring
// (each session's expiry is known; sliding use moves it, so it is read again before closing).
// One lookup per distinct session, never per socket, and none at all on a tick where nothing
// changed and nothing is due to expire.
import type { FastifyInstance } from 'fastify'
import type { Socket } from 'socket.io'
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData, SocketUser } from '../../shared/events'
import type { LiveNamespace } from './index'

/** How often the auth file is asked whether another process changed it (ms). */
export const SESSION_CHECK_MS = 1000

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

interface Watched {
  /** What the handshake found; a session now naming another role or unit closes its sockets too. */
  user: SocketUser
  expiresAt: number
  sockets: Set<LiveSocket>
}

export function watchSessions(app: FastifyInstance, live: LiveNamespace, checkEveryMs = SESSION_CHECK_MS): void {
  const bySession = new Map<string, Watched>()
  /** No session expires before this; a stale (earlier) value only costs one needless pass. */
  let nextExpiry = Infinity
  let version: number | undefined

  /** Reads the sessions again (all of them, or those due to expire) and closes the ended ones' sockets. */
  const pass = async (all: boolean): Promise<void> => {
    const now = app.now()
    for (const [token, watched] of [...bySession]) {
      if (all || watched.expiresAt <= now) {
        const session = await app.auth.session(token, now)
        if (!session || session.user.role !== watched.user.role || session.user.unit !== watched.user.unit) {
          bySession.delete(token)
          for (const socket of [...watched.sockets]) socket.disconnect(true)
          continue
        }
        watched.expiresAt = session.expiresAt
      }
    }
    // Over every watched session, those that began to be watched during the pass too.
    nextExpiry = Infinity
    for (const watched of bySession.values()) nextExpiry = Math.min(nextExpiry, watched.expiresAt)
  }

  // One pass at a time (the accounts may answer asynchronously); a pass asked for meanwhile runs
  // after it, reading everything again if any of the requests asked for that.
  let running: Promise<void> | undefined
  let queued: boolean | undefined
  const check = (all: boolean): void => {
    if (running) {
      queued = (queued ?? false) || all
      return
    }
    running = pass(all)
      .catch((error: unknown) => app.log.error({ err: error }, 'session watch: the check failed'))
      .finally(() => {
        running = undefined
        const again = queued
        queued = undefined
        if (again !== undefined) check(again)
      })
  }

  live.on('connection', (socket) => {
    const token = socket.data.sessionToken
    const user = socket.data.user
    if (!token || !user) return
    let watched = bySession.get(token)
    if (!watched) {
      // Watched from now, then read again rather than taken from the handshake: a session ended in
      // between is caught (by this read, or by a check that runs after the watch began).
      watched = { user, expiresAt: -Infinity, sockets: new Set() }
      bySession.set(token, watched)
      nextExpiry = -Infinity
      const entry = watched
      Promise.resolve(app.auth.session(token, app.now())).then(
        (session) => {
          if (!session) {
            if (bySession.get(token) === entry) bySession.delete(token)
            for (const s of [...entry.sockets]) s.disconnect(true)
            return
          }
          entry.expiresAt = session.expiresAt
          nextExpiry = Math.min(nextExpiry, session.expiresAt)
        },
        (error: unknown) => app.log.error({ err: error }, 'session watch: the check failed'),
      )
    }
    watched.sockets.add(socket)
    const entry = watched
    socket.on('disconnect', () => {
      entry.sockets.delete(socket)
      if (entry.sockets.size === 0 && bySession.get(token) === entry) bySession.delete(token)
    })
  })

  const stopListening = app.auth.onSessionsEnded(() => check(true))
  const tick = async (): Promise<void> => {
    // Read before the pass: a commit during it shows at the next tick.
    const current = await app.auth.externalVersion()
    if (version === undefined) version = current
    if (bySession.size === 0) return
    if (current !== version) {
      version = current
      check(true)
    } else if (app.now() >= nextExpiry) {
      check(false)
    }
  }
  void tick()
  const timer = setInterval(() => void tick().catch((error: unknown) => app.log.error({ err: error }, 'session watch: the check failed')), checkEveryMs)
  timer.unref()

  app.addHook('preClose', async () => {
    clearInterval(timer)
    stopListening()
  })
}
