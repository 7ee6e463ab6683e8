// A `/live` socket streams only while the session it was opened with lives. Sessions end here
// (logout, a new password, a removed user: the auth store says so at once), in `npm run users`
// run by another process (seen by the file's data version, asked every second), or by expiring
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
  let version = app.auth.externalVersion()

  /** Reads the sessions again (all of them, or those due to expire) and closes the ended ones' sockets. */
  const check = (all: boolean): void => {
    const now = app.now()
    nextExpiry = Infinity
    for (const [token, watched] of bySession) {
      if (all || watched.expiresAt <= now) {
        const session = app.auth.session(token, now)
        if (!session || session.user.role !== watched.user.role || session.user.unit !== watched.user.unit) {
          bySession.delete(token)
          for (const socket of [...watched.sockets]) socket.disconnect(true)
          continue
        }
        watched.expiresAt = session.expiresAt
      }
      nextExpiry = Math.min(nextExpiry, watched.expiresAt)
    }
  }

  live.on('connection', (socket) => {
    const token = socket.data.sessionToken
    const user = socket.data.user
    if (!token || !user) return
    let watched = bySession.get(token)
    if (!watched) {
      // Read here rather than taken from the handshake: a session ended in between is caught.
      const session = app.auth.session(token, app.now())
      if (!session) {
        socket.disconnect(true)
        return
      }
      watched = { user, expiresAt: session.expiresAt, sockets: new Set() }
      bySession.set(token, watched)
      nextExpiry = Math.min(nextExpiry, session.expiresAt)
    }
    watched.sockets.add(socket)
    const entry = watched
    socket.on('disconnect', () => {
      entry.sockets.delete(socket)
      if (entry.sockets.size === 0 && bySession.get(token) === entry) bySession.delete(token)
    })
  })

  const stopListening = app.auth.onSessionsEnded(() => check(true))
  const timer = setInterval(() => {
    if (bySession.size === 0) return
    // Read before the pass: a commit during it shows at the next tick.
    const current = app.auth.externalVersion()
    if (current !== version) {
      version = current
      check(true)
    } else if (app.now() >= nextExpiry) {
      check(false)
    }
  }, checkEveryMs)
  timer.unref()

  app.addHook('preClose', async () => {
    clearInterval(timer)
    stopListening()
  })
}
