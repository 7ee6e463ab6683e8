// The login throttle of throttle.ts with its counts in PostgreSQL (auth_login_failures,
// auth_login_known; created by pg-accounts.ts), shared by every process on the database: failed
// logins spread over processes count together, and the same rules decide (`throttleWait`).
//
// A try is admitted in one transaction that first upserts the three rows it counts under (the pair,
// the address, the user; in key order) and so holds their row locks until it has recorded its own
// failure slot: concurrent tries on any process wait for each other and each sees the slots taken
// before it, so concurrency cannot pass more tries than the limit. A success or a cancel gives the
// slot back, as in memory. The tables stay bounded: rows whose newest failure left the window, and
// the least recently used beyond `maxKeys` / `maxKnownPairs`, are pruned at most every `pruneEveryMs`.
import type pg from 'pg'
import type { LoginGate } from './accounts'
import { failuresKept, throttleKeys, throttleWait, type Admission, type LoginPolicy } from './throttle'

/** PostgreSQL's codes for a transaction that lost a deadlock or a serialization race: it is retried. */
const RETRY_CODES = new Set(['40P01', '40001'])

/** Removes one occurrence of $2 from `failures`. */
const WITHOUT_ONE = `CASE WHEN array_position(failures, $2::bigint) IS NULL THEN failures
  ELSE failures[:array_position(failures, $2::bigint) - 1] || failures[array_position(failures, $2::bigint) + 1:] END`

export class PgLoginThrottle implements LoginGate {
  private lastPrune = -Infinity

  constructor(
    private readonly pool: pg.Pool,
    private readonly policy: LoginPolicy,
    private readonly pruneEveryMs = 10_000,
  ) {}

  async admit(username: string, ip: string, now: number): Promise<Admission> {
    const keys = throttleKeys(username, ip)
    for (let attempt = 0; ; attempt++) {
      try {
        const admission = await this.tryAdmit(keys, now)
        await this.prune(now)
        return admission
      } catch (error) {
        if (attempt >= 4 || !RETRY_CODES.has((error as { code?: string }).code ?? '')) throw error
      }
    }
  }

  private async tryAdmit(keys: { pair: string; address: string; user: string }, now: number): Promise<Admission> {
    const all = [keys.pair, keys.address, keys.user]
    const client = await this.pool.connect()
    let wait: number
    try {
      await client.query('BEGIN')
      // Creates missing rows and drops failures that left the window; either way the rows are locked.
      const { rows } = await client.query<{ key: string; failures: string[] }>(
        `INSERT INTO auth_login_failures AS f (key, failures, last_at)
           SELECT k, '{}', $2 FROM unnest($1::text[]) AS k ORDER BY k
         ON CONFLICT (key) DO UPDATE SET failures = ARRAY(SELECT x FROM unnest(f.failures) AS x WHERE x > $2::bigint - $3 ORDER BY x)
         RETURNING key, failures`,
        [[...all].sort(), now, this.policy.windowMs],
      )
      const failures = (key: string) => (rows.find((r) => r.key === key)?.failures ?? []).map(Number)
      const known = (await client.query('SELECT 1 FROM auth_login_known WHERE pair = $1', [keys.pair])).rowCount! > 0
      wait = throttleWait(this.policy, now, { pair: failures(keys.pair), address: failures(keys.address), user: failures(keys.user) }, known)
      if (wait <= 0) {
        // The try's failure slot, the newest of each key; a key keeps at most `failuresKept`.
        await client.query(
          `UPDATE auth_login_failures
             SET failures = (CASE WHEN cardinality(failures) >= $3 THEN failures[cardinality(failures) - $3 + 2:] ELSE failures END) || $2::bigint,
                 last_at = $2
           WHERE key = ANY($1::text[])`,
          [all, now, failuresKept(this.policy)],
        )
      }
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
    if (wait > 0) return { retryAfterMs: wait }
    return {
      retryAfterMs: 0,
      attempt: {
        succeeded: async () => {
          await this.pool.query(
            `WITH forgiven AS (DELETE FROM auth_login_failures WHERE key = $3),
                  released AS (UPDATE auth_login_failures SET failures = ${WITHOUT_ONE} WHERE key = ANY($1::text[]))
             INSERT INTO auth_login_known (pair, at) VALUES ($3, $2) ON CONFLICT (pair) DO UPDATE SET at = EXCLUDED.at`,
            [[keys.address, keys.user], now, keys.pair],
          )
        },
        cancelled: async () => {
          await this.pool.query(`UPDATE auth_login_failures SET failures = ${WITHOUT_ONE} WHERE key = ANY($1::text[])`, [all, now])
        },
      },
    }
  }

  /** Keeps the tables bounded; at most every `pruneEveryMs` per process. */
  private async prune(now: number): Promise<void> {
    if (now - this.lastPrune < this.pruneEveryMs && now >= this.lastPrune) return
    this.lastPrune = now
    await this.pool.query('DELETE FROM auth_login_failures WHERE last_at <= $1::bigint - $2', [now, this.policy.windowMs])
    await this.pool.query('DELETE FROM auth_login_failures WHERE key IN (SELECT key FROM auth_login_failures ORDER BY last_at DESC, key OFFSET $1)', [
      this.policy.maxKeys,
    ])
    await this.pool.query(`DELETE FROM auth_login_known WHERE pair IN (SELECT pair FROM auth_login_known ORDER BY at DESC, pair OFFSET $1)`, [
      this.policy.maxKnownPairs,
    ])
  }
}
