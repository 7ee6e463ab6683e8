// The session cookie goes with every request a browser makes to this host, whichever page asks
// (SameSite counts a page on another port of the same host as the same site). So what the cookie
// authorises — a write, a `/live` stream — is granted only to pages of this server's own origin
// and of the origins in OUTPOST_ALLOWED_ORIGINS, by the Origin header browsers set themselves.
import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Socket } from 'socket.io'
import { SESSION_COOKIE } from './auth'
import { HttpError } from '../errors'

export interface OriginOptions {
  /** Origins besides the server's own whose pages may use the session (OUTPOST_ALLOWED_ORIGINS), normalised. */
  allowedOrigins?: readonly string[]
  /** The app's trustProxy: the socket handshake reads X-Forwarded-Proto/-Host only when it is set, as Fastify does. */
  trustProxy?: boolean | readonly string[]
}

declare module 'fastify' {
  interface FastifyInstance {
    /** `live.use(app.refuseForeignOrigin)`: a handshake from a page of another origin gets `connect_error`. */
    refuseForeignOrigin: (socket: Socket, next: (error?: Error) => void) => void
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** `scheme://host[:port]` as browsers write it (lower case, no default port), or undefined for anything else. */
export function normalizeOrigin(text: string | undefined): string | undefined {
  if (!text) return undefined
  try {
    const url = new URL(text)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined
  } catch {
    return undefined
  }
}

/** The last of a repeated forwarding header's values: the one the nearest proxy wrote. */
function lastEntry(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.at(-1) : value
  return text?.split(',').at(-1)?.trim() || undefined
}

async function origin(app: FastifyInstance, options: OriginOptions) {
  const allowed = new Set((options.allowedOrigins ?? []).map(normalizeOrigin))
  const trustsProxy = options.trustProxy === true || (Array.isArray(options.trustProxy) && options.trustProxy.length > 0)

  const isAllowedOrigin = (candidate: string | undefined, own: string): boolean => {
    const normalized = normalizeOrigin(candidate)
    return normalized !== undefined && (normalized === normalizeOrigin(own) || allowed.has(normalized))
  }

  // A write that the session cookie may authenticate: refused unless a page of an allowed origin
  // sent it. A browser sends Origin with every such request; where a privacy setting drops it, the
  // Referer says the same; neither: not a page of ours. A Bearer key is no cookie, and no page of
  // another origin can add one without a CORS preflight this server never grants.
  const requireSameOrigin = async (request: FastifyRequest): Promise<void> => {
    if (request.headers.authorization?.startsWith('Bearer ') || request.cookies[SESSION_COOKIE] === undefined) return
    const claimed = request.headers.origin ?? request.headers.referer
    if (isAllowedOrigin(claimed, `${request.protocol}://${request.host}`)) return
    const message =
      claimed === undefined
        ? 'a write with the session cookie needs an Origin (or Referer) header of this site'
        : `a page of ${normalizeOrigin(claimed) ?? 'an unknown origin'} may not write with this site's session`
    throw new HttpError(403, message, { field: 'header/origin', rule: 'same-origin' })
  }
  // Every unsafe route registered from here on, present and future, but the key-only ingest routes:
  // a cookie sent along authorises nothing there. A route that takes a key or a session
  // (`app.requireWriter`) gets the check: its Bearer requests pass it, its cookie requests need the
  // Origin.
  app.addHook('onRoute', (route) => {
    if ([route.method].flat().every((method) => SAFE_METHODS.has(method))) return
    const onRequest = [route.onRequest ?? []].flat()
    if (onRequest.includes(app.requireIngestKey)) return
    route.onRequest = [requireSameOrigin, ...onRequest]
  })

  /**
   * Socket.IO middleware for a namespace the cookie opens (`/live`). A browser always sends Origin
   * on a WebSocket handshake, and on a cross-origin polling request; only a same-origin polling
   * GET and non-browser clients send none. Those are let through to the session check: a client
   * outside a browser sets any Origin it likes anyway, so refusing it protects nothing.
   */
  app.decorate('refuseForeignOrigin', (socket: Socket, next: (error?: Error) => void) => {
    const request = socket.request
    const claimed = request.headers.origin
    if (claimed === undefined || isAllowedOrigin(claimed, ownOrigin(request, trustsProxy))) next()
    else next(new Error('forbidden origin: this stream is open to the pages of this site only'))
  })
}

/**
 * A handshake's own origin, from the raw request (Fastify's request.protocol and .host are not
 * there). Forwarding headers count whenever a proxy is trusted, without Fastify's check of the
 * peer's address: no page can set them on a handshake, so they come from the proxy or from a
 * client outside a browser, which can send any Origin anyway.
 */
function ownOrigin(request: IncomingMessage, trustsProxy: boolean): string {
  const forwardedProto = trustsProxy ? lastEntry(request.headers['x-forwarded-proto']) : undefined
  const forwardedHost = trustsProxy ? lastEntry(request.headers['x-forwarded-host']) : undefined
  const protocol = forwardedProto ?? ((request.socket as TLSSocket).encrypted ? 'https' : 'http')
  return `${protocol}://${forwardedHost ?? request.headers.host ?? ''}`
}

export default fp(origin, { name: 'origin', dependencies: ['auth'] })
