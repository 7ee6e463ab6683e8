// Identity: the session cookie for people, `Authorization: Bearer <key>` for ingest sources.
// Routes declare which they need with `onRequest: app.requireUser`, `app.requireIngestKey`, or
// `app.requireWriter` (either: the writes people make on the console and systems make with a key),
// so a request without it is refused before its body is even read.
import fp from 'fastify-plugin'
import cookie from '@fastify/cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../../shared/domain'
import type { AuditActor } from '../../shared/schemas/audit'
import type { Session, User } from '../auth/auth-store'
import type { Accounts, LoginGate } from '../auth/accounts'
import { LoginThrottle } from '../auth/throttle'
import { HttpError } from '../errors'

export const SESSION_COOKIE = 'outpost_session'

/** The id part of an ingest key, `opk_<id>_<secret>` (server/auth/auth-store.ts addKey). */
const KEY_ID = /^opk_([0-9a-f]{12})_/

/** The cookie's Secure flag: `auto` sets it when the request came over https (directly or, behind a trusted proxy, by X-Forwarded-Proto). */
export type CookieSecure = 'auto' | 'on' | 'off'

export interface AuthOptions {
  auth: Accounts
  /** Session lifetime, extended while in use (sliding). */
  sessionTtlMs?: number
  /** `auto` by default. */
  secureCookie?: CookieSecure
}

declare module 'fastify' {
  interface FastifyInstance {
    auth: Accounts
    sessionTtlMs: number
    /** In memory, or shared by every process when the accounts are (PostgreSQL). */
    loginThrottle: LoginGate
    requireUser: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    requireIngestKey: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /**
     * A write a person or a system may make: `Authorization: Bearer <key>` decides when it is sent
     * (request.ingestSource, the per-key rate limit), else the session cookie (request.user, and the
     * same-origin check of plugins/origin.ts); neither is a 401.
     */
    requireWriter: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** The session a raw Cookie header carries (the socket handshake uses it). */
    sessionOf: (cookieHeader: string | undefined) => Promise<(Session & { token: string }) | undefined>
    setSessionCookie: (reply: FastifyReply, token: string, expiresAt: number) => void
    clearSessionCookie: (reply: FastifyReply) => void
  }
  interface FastifyRequest {
    user: User | null
    sessionToken: string | null
    ingestSource: string | null
    /** The verified ingest key's id (the `<id>` of `opk_<id>_<secret>`): what per-key limits count by. */
    ingestKeyId: string | null
  }
}

async function auth(app: FastifyInstance, options: AuthOptions) {
  const ttl = options.sessionTtlMs ?? 12 * 3600_000
  await app.register(cookie)
  app.decorate('auth', options.auth)
  app.decorate('sessionTtlMs', ttl)
  app.decorate('loginThrottle', options.auth.loginThrottle?.() ?? new LoginThrottle())
  app.decorateRequest('user', null)
  app.decorateRequest('sessionToken', null)
  app.decorateRequest('ingestSource', null)
  app.decorateRequest('ingestKeyId', null)

  app.decorate('sessionOf', async (header: string | undefined) => {
    const token = header ? app.parseCookie(header)[SESSION_COOKIE] : undefined
    if (!token) return undefined
    const session = await options.auth.session(token, app.now(), ttl)
    return session ? { ...session, token } : undefined
  })

  const secureMode = options.secureCookie ?? 'auto'
  // The clearing cookie carries the same attributes: a browser keeps a Secure cookie that a
  // non-Secure Set-Cookie tries to replace.
  const cookieOptions = (reply: FastifyReply) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: secureMode === 'auto' ? reply.request.protocol === 'https' : secureMode === 'on',
  })

  app.decorate('setSessionCookie', (reply: FastifyReply, token: string, expiresAt: number) => {
    reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions(reply), expires: new Date(expiresAt) })
  })
  app.decorate('clearSessionCookie', (reply: FastifyReply) => {
    reply.clearCookie(SESSION_COOKIE, cookieOptions(reply))
  })

  app.decorate('requireUser', async (request: FastifyRequest, reply: FastifyReply) => {
    const session = await app.sessionOf(request.headers.cookie)
    if (!session) {
      app.clearSessionCookie(reply)
      throw new HttpError(401, 'log in first: no valid session', { field: 'header/cookie', rule: 'authenticated' })
    }
    request.user = session.user
    request.sessionToken = session.token
    // The expiry slid forward: the cookie follows.
    app.setSessionCookie(reply, session.token, session.expiresAt)
  })

  const checkKey = async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined
    // A key the accounts remember answers synchronously (both engines): only a lookup is awaited.
    const checked = key ? options.auth.checkKey(key) : undefined
    const source = checked instanceof Promise ? await checked : checked
    if (!source) {
      throw new HttpError(401, 'an ingest key is required: Authorization: Bearer <key>', { field: 'header/authorization', rule: 'authenticated' })
    }
    request.ingestSource = source
    // Only a key that passed the check gets here, so it has the id part: a caller cannot pick whose
    // count a request goes to.
    request.ingestKeyId = KEY_ID.exec(key!)![1]!
  }

  app.decorate('requireIngestKey', async (request: FastifyRequest) => {
    await checkKey(request)
  })

  app.decorate('requireWriter', async (request: FastifyRequest, reply: FastifyReply) => {
    // A Bearer header decides alone: a bad key is a 401 even with a session cookie beside it, so
    // what authenticated a write is never in doubt (and plugins/origin.ts skips only Bearer requests).
    if (request.headers.authorization?.startsWith('Bearer ')) {
      await checkKey(request)
      return
    }
    const session = await app.sessionOf(request.headers.cookie)
    if (!session) {
      app.clearSessionCookie(reply)
      throw new HttpError(401, 'log in first, or send an ingest key: Authorization: Bearer <key>', {
        field: 'header/authorization',
        rule: 'authenticated',
      })
    }
    request.user = session.user
    request.sessionToken = session.token
    app.setSessionCookie(reply, session.token, session.expiresAt)
  })
}

/** Who a write authenticated by `requireWriter` (or either other guard) is from: the person, else the key's source. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.user) return { kind: 'user', name: request.user.username }
  if (request.ingestSource !== null) return { kind: 'key', source: request.ingestSource }
  throw new Error('actorOf: the request passed no authentication guard')
}

/** The same actor as the audit trail writes it. */
export function auditActorOf(actor: Actor): AuditActor {
  return actor.kind === 'user' ? { kind: 'user', name: actor.name } : { kind: 'key', name: actor.source }
}

/** How a live event names the actor (`by`): a username, or the key's source. */
export function actorName(actor: Actor): string {
  return actor.kind === 'user' ? actor.name : actor.source
}

export default fp(auth, { name: 'auth', dependencies: ['context'] })
