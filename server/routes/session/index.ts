import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema, NoContentSchema } from '../../../shared/schemas/common'
import { LoginSchema, SessionReplySchema } from '../../../shared/schemas/session'
import { PasswordsBusyError, verifyPassword } from '../../auth/passwords'
import { HttpError } from '../../errors'
import { homeUnit } from '../../auth/scope'

/** A hash to verify against when the user does not exist, so both cases take the same time. */
const DUMMY = { salt: 'AAAAAAAAAAAAAAAAAAAAAA==', hash: 'A'.repeat(86) + '==' }

const session: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/v1/session',
    { schema: { body: LoginSchema, response: { 200: SessionReplySchema, '4xx': ErrorReplySchema } } },
    async (request, reply) => {
      const { username, password } = request.body
      const now = app.now()
      // The failure slot is taken here, atomically (in memory, or in one PostgreSQL transaction shared
      // by every process), before the password is checked: concurrent tries count against each other.
      const { retryAfterMs, attempt } = await app.loginThrottle.admit(username, request.ip, now)
      if (!attempt) {
        const seconds = Math.ceil(retryAfterMs / 1000)
        reply.header('retry-after', seconds)
        const after = seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`
        throw new HttpError(429, `too many failed logins; try again in ${after}`, { field: 'body', rule: 'throttle' })
      }
      const user = await app.auth.user(username)
      let ok: boolean
      try {
        ok = await verifyPassword(password, user?.password ?? DUMMY)
      } catch (error) {
        await attempt.cancelled()
        if (!(error instanceof PasswordsBusyError)) throw error
        reply.header('retry-after', 1)
        throw new HttpError(429, 'too many logins at once; try again in a second', { field: 'body', rule: 'busy' })
      }
      if (!user || !ok) throw new HttpError(401, 'wrong username or password', { field: 'body', rule: 'credentials' })
      await attempt.succeeded()
      // A leader bound to a unit the district in use no longer has (another OUTPOST_GEOGRAPHY) would see nothing.
      if (!app.geography.get(homeUnit(app.geography, user))) {
        throw new HttpError(403, `your unit ${user.unit} is not in the district in use (${app.geography.district.name}); ask the center to move your account`, {
          field: 'body/username',
          rule: 'unit-in-district',
        })
      }
      const { token, expiresAt } = await app.auth.createSession(user.username, app.sessionTtlMs, now)
      app.setSessionCookie(reply, token, expiresAt)
      return { username: user.username, role: user.role, unit: homeUnit(app.geography, user), expiresAt: new Date(expiresAt).toISOString() }
    },
  )

  app.get(
    '/api/v1/session',
    { onRequest: app.requireUser, schema: { response: { 200: SessionReplySchema, '4xx': ErrorReplySchema } } },
    async (request) => {
      const s = (await app.auth.session(request.sessionToken!, app.now()))!
      return { username: s.user.username, role: s.user.role, unit: homeUnit(app.geography, s.user), expiresAt: new Date(s.expiresAt).toISOString() }
    },
  )

  app.delete('/api/v1/session', { schema: { response: { 204: NoContentSchema, '4xx': ErrorReplySchema } } }, async (request, reply) => {
    const current = await app.sessionOf(request.headers.cookie)
    // Sockets opened with this session close with it (server/realtime/session-watch.ts).
    if (current) await app.auth.endSession(current.token)
    app.clearSessionCookie(reply)
    return reply.code(204).send()
  })
}

export default session
