// The ingest rate limits' counters (plugins/ingest-rate.ts) in PostgreSQL, shared by every process:
// a @fastify/rate-limit `store` whose `incr` is one statement that raises the key's count, or starts
// a new fixed window when the old one has passed, and returns the count and the time left. The row
// lock of the upsert orders concurrent requests of one key from any process, so a burst spread over
// processes gets `max` through per window, not `max` per process.
//
// The window's clock is the database's (one clock for every process, so no skew between them moves
// the windows); tests may give a clock of their own. The table (auth_rate_limits, unlogged: a crash
// only forgets one window's counts, and no increment waits for a WAL flush) has a row per verified
// ingest key id (plugins/ingest-rate.ts counts nothing else), so its size is the number of keys.
// This costs one short statement per ingest request, in the same round-trip range as the event's own
// append to the PostgreSQL store.
import type pg from 'pg'
import type { FastifyRateLimitStore } from '@fastify/rate-limit'
import type { RateLimitStoreClass } from './accounts'

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1]

const INCREMENT = `
INSERT INTO auth_rate_limits AS r (key, count, reset_at)
VALUES ($1, 1, COALESCE($3::bigint, (extract(epoch FROM statement_timestamp()) * 1000)::bigint) + $2)
ON CONFLICT (key) DO UPDATE SET
  count    = CASE WHEN r.reset_at <= EXCLUDED.reset_at - $2 THEN 1 ELSE r.count + 1 END,
  reset_at = CASE WHEN r.reset_at <= EXCLUDED.reset_at - $2 THEN EXCLUDED.reset_at ELSE r.reset_at END
RETURNING count, reset_at - COALESCE($3::bigint, (extract(epoch FROM statement_timestamp()) * 1000)::bigint) AS ttl`

/** A store class bound to a pool (the plugin constructs the class itself, with its own options). */
export function pgRateLimitStore(pool: pg.Pool, clock?: () => number): RateLimitStoreClass {
  return class PgRateLimitStore implements FastifyRateLimitStore {
    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      pool.query<{ count: string; ttl: string }>(INCREMENT, [key, timeWindow, clock ? clock() : null]).then(
        ({ rows }) => callback(null, { current: Number(rows[0]!.count), ttl: Math.max(0, Number(rows[0]!.ttl)) }),
        (error: Error) => callback(error),
      )
    }

    child(): FastifyRateLimitStore {
      return new PgRateLimitStore()
    }
  }
}
