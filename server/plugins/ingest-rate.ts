// A limit per ingest key (OUTPOST_INGEST_RATE requests a second), so one runaway source cannot
// crowd out the others. Every route that asks for an ingest key (`onRequest: app.requireIngestKey`,
// or `app.requireWriter` when the request came with a key) gets the limiter right after that check: it counts by the verified key's id, never by anything a
// caller sends before being authenticated, a request without a valid key is refused (401) before it
// counts, and a refused one (429) is refused before its body is read. Session (cookie) requests,
// reads and the kiosk side have no ingest key and are not counted.
//
// @fastify/rate-limit's local store counts in memory, synchronously (no await between reading and
// raising a count), so requests arriving together cannot slip under the limit; its LRU holds at most
// `MAX_KEYS` keys. That count is per process; when the accounts are shared by several processes
// (PostgreSQL, OUTPOST_DATABASE_URL) they bring a shared store (server/auth/pg-rate-store.ts), so
// N processes behind a balancer still let a key through at its rate, not N times it.
import { createRequire } from 'node:module'
import fp from 'fastify-plugin'
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { HttpError } from '../errors'

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1]

// The plugin's own in-memory store (its fixed window, its LRU), which its typings do not export.
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache: number,
) => FastifyRateLimitStore

/**
 * The local store with one change: it answers with a copy of the count. The local store hands back
 * the very object it keeps counting in, and the plugin reads it only after an await; requests
 * arriving together then all read the burst's final count, and a burst of 20 at a rate of 5 was
 * refused whole instead of 5 let through (test/server/plugins/ingest-rate.test.ts).
 */
export class SnapshotStore implements FastifyRateLimitStore {
  private readonly local: FastifyRateLimitStore

  /** The plugin constructs it with its own settings, which carry no `cache`: MAX_KEYS then. */
  constructor(options: { cache?: number } = {}) {
    this.local = new LocalStore(false, false, options.cache ?? MAX_KEYS)
  }

  incr(key: string, callback: IncrCallback, timeWindow: number, max: number): void {
    this.local.incr(key, (error, result) => callback(error, result && { current: result.current, ttl: result.ttl }), timeWindow, max)
  }

  child(): FastifyRateLimitStore {
    return new SnapshotStore()
  }
}

export interface IngestRateOptions {
  /** Requests a second per ingest key; 0 turns the limit off. */
  perSecond: number
}

/** Keys counted at once; only verified keys are counted, so this is above any real number of sources. */
export const MAX_KEYS = 10_000

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The one limiter, for a route that checks its key itself (Open311 takes `api_key` in the body):
     * call it once `request.ingestKeyId` is set; it counts with every other ingest route. A request
     * without a verified key is not counted.
     */
    limitIngestKey: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

async function ingestRate(app: FastifyInstance, options: IngestRateOptions) {
  if (options.perSecond === 0) {
    app.decorate('limitIngestKey', async () => {})
    return
  }
  await app.register(rateLimit, {
    global: false,
    max: options.perSecond,
    timeWindow: 1000,
    store: app.auth.rateLimitStore?.() ?? SnapshotStore,
    keyGenerator: (request: FastifyRequest) => {
      // The limiter is placed after the key check; without its id it was placed wrong.
      if (request.ingestKeyId === null) throw new Error('ingest rate limit reached before the key check')
      return request.ingestKeyId
    },
    // An accepted request carries no rate headers (ingest runs at thousands a second); a refused one
    // says when to come back (Retry-After, whole seconds) and what the limit is.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, `this ingest key is over its limit of ${context.max} requests a second (OUTPOST_INGEST_RATE): retry in ${context.after}`, {
        field: 'header/authorization',
        rule: 'rate',
      }),
  })
  // One limiter for every ingest route: a key's requests count together, whichever route they hit.
  const limit = app.rateLimit()
  // A route that takes a key or a session (`requireWriter`) counts the requests a key made; a
  // session's are not counted, as on every other route people use.
  const limitKeys = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.ingestKeyId !== null) await limit.call(app, request, reply)
  }
  app.decorate('limitIngestKey', limitKeys)
  const { requireIngestKey, requireWriter } = app
  app.addHook('onRoute', (route: RouteOptions) => {
    const onRequest = route.onRequest === undefined ? [] : [route.onRequest].flat()
    if (onRequest.includes(requireIngestKey)) route.onRequest = [...onRequest, limit]
    else if (onRequest.includes(requireWriter)) route.onRequest = [...onRequest, limitKeys]
  })
}

export default fp(ingestRate, { name: 'ingest-rate', dependencies: ['auth'] })
