// Users, sessions and ingest keys in PostgreSQL (OUTPOST_DATABASE_URL), shared by every Outpost
// process on the database: a session made on one works on all, a logout, a new password, a removed
// user or a revoked key on one takes effect on all. Plain SQL on `pg`, tables of its own (`auth_*`)
// with a schema version, created at open under an advisory lock (several processes may start at once).
//
// - Sessions are read from the database at every check (one indexed query; people make few requests),
//   so a session ended anywhere is refused everywhere by the next request.
// - Ingest keys are checked at thousands a second: a key found valid is trusted from memory for at
//   most `KEY_TRUST_MS`, and every change to keys (revoke, demo keys removed) sends
//   NOTIFY outpost_accounts 'keys' in its transaction, which empties every process's memory once it
//   commits. A revoked key therefore stops working everywhere as soon as the notification arrives, and
//   in any case within KEY_TRUST_MS of the commit; while the notification connection is down no key is
//   trusted from memory at all.
// - Ended sessions send NOTIFY outpost_accounts 'sessions:<process>' so that every process's
//   `onSessionsEnded` listeners (the `/live` socket watch) close the sockets those sessions opened.
// - The login throttle (pg-throttle.ts) and the ingest rate limits (pg-rate-store.ts) count in tables
//   here too, so spreading tries over processes gains nothing.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto'
import pg from 'pg'
import type { Accounts, LoginGate, RateLimitStoreClass } from './accounts'
import type { IngestKey, Role, Session, User } from './auth-store'
import type { PasswordHash } from './passwords'
import { PgLoginThrottle } from './pg-throttle'
import { pgRateLimitStore } from './pg-rate-store'
import { LOGIN_POLICY, type LoginPolicy } from './throttle'

/** The version of the `auth_*` tables this build writes; a database at another version is refused. */
export const ACCOUNTS_SCHEMA_VERSION = 1

/** The channel every process listens on. */
export const ACCOUNTS_CHANNEL = 'outpost_accounts'

/**
 * How long a key found valid is trusted from memory (ms): the bound on a revocation reaching a
 * process whose notification has not arrived yet.
 */
export const KEY_TRUST_MS = 1000
const KEYS_REMEMBERED = 1000
/** Wait before opening a lost notification connection again (ms). */
const RELISTEN_MS = 1000

/** An arbitrary constant: the advisory lock that serialises schema creation between processes. */
const SCHEMA_LOCK = 7_310_420_001

const SCHEMA = `
CREATE TABLE IF NOT EXISTS auth_schema (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS auth_users (
  username   text PRIMARY KEY,
  role       text    NOT NULL,
  unit_id    text    NOT NULL,
  salt       text    NOT NULL,
  hash       text    NOT NULL,
  demo       boolean NOT NULL DEFAULT false,
  created_at bigint  NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_sessions (
  token_hash text PRIMARY KEY,
  username   text   NOT NULL REFERENCES auth_users (username) ON DELETE CASCADE,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_sessions_user ON auth_sessions (username);
CREATE INDEX IF NOT EXISTS auth_sessions_expiry ON auth_sessions (expires_at);
CREATE TABLE IF NOT EXISTS auth_ingest_keys (
  id          text PRIMARY KEY,
  name        text    NOT NULL,
  secret_hash text    NOT NULL,
  demo        boolean NOT NULL DEFAULT false,
  created_at  bigint  NOT NULL,
  revoked_at  bigint
);
-- Failed logins by throttle key (pg-throttle.ts): the failure times in the window, oldest first.
CREATE TABLE IF NOT EXISTS auth_login_failures (
  key      text PRIMARY KEY,
  failures bigint[] NOT NULL,
  last_at  bigint   NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_login_failures_last ON auth_login_failures (last_at);
CREATE TABLE IF NOT EXISTS auth_login_known (
  pair text PRIMARY KEY,
  at   bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_login_known_at ON auth_login_known (at);
-- Ingest rate counters (pg-rate-store.ts): a fixed window per key. Unlogged: a crash only forgets
-- the current second's counts, and no increment waits for a WAL flush.
CREATE UNLOGGED TABLE IF NOT EXISTS auth_rate_limits (
  key      text PRIMARY KEY,
  count    bigint NOT NULL,
  reset_at bigint NOT NULL
);
`

export class AccountsSchemaError extends Error {}

function sha256(text: string): string {
  return hash('sha256', text, 'base64url')
}

interface UserRow {
  username: string
  role: Role
  unit_id: string
  salt: string
  hash: string
  demo: boolean
}

function toUser(row: UserRow): User {
  return { username: row.username, role: row.role, unit: row.unit_id, demo: row.demo }
}

export interface PgAccountsOptions {
  keyTrustMs?: number
  /** A monotonic clock in ms for the key memory (tests). */
  clock?: () => number
  /** Listen for other processes' notifications (default true; false shows the KEY_TRUST_MS bound alone in tests). */
  listen?: boolean
  loginPolicy?: LoginPolicy
  /** The rate limits' clock in epoch ms; the database's clock by default, the same for every process (tests freeze it). */
  rateClock?: () => number
  /** Connections in the pool (default 10). */
  poolSize?: number
}

export class PgAccounts implements Accounts {
  /** Tells this process's own notifications from others'. */
  private readonly instance = randomBytes(8).toString('hex')
  private readonly keyTrustMs: number
  private readonly clock: () => number
  private readonly validKeys = new Map<string, { name: string; at: number }>()
  /** Raised by every key notification: a lookup begun before one must not fill the memory after it. */
  private keysGeneration = 0
  private readonly sessionsEndedListeners = new Set<() => void>()
  private listener: pg.Client | undefined
  private listening = false
  private relistenTimer: NodeJS.Timeout | undefined
  private closed = false
  /** Raised each time the notification connection is opened again (notifications may have been missed). */
  private listenEpoch = 0
  private throttle: PgLoginThrottle | undefined

  private constructor(
    readonly pool: pg.Pool,
    private readonly url: string,
    private readonly options: PgAccountsOptions,
  ) {
    this.keyTrustMs = options.keyTrustMs ?? KEY_TRUST_MS
    this.clock = options.clock ?? (() => performance.now())
  }

  /**
   * Connects, creates the tables when missing (or refuses a database written by another schema
   * version) and starts listening. An unreachable database fails here, with pg's message.
   */
  static async open(url: string, options: PgAccountsOptions = {}): Promise<PgAccounts> {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 })
    // An idle connection that the server drops must not take the process down.
    pool.on('error', () => undefined)
    const accounts = new PgAccounts(pool, url, options)
    try {
      await accounts.prepareSchema()
      if (options.listen !== false) await accounts.startListening()
    } catch (error) {
      await accounts.close()
      throw error
    }
    return accounts
  }

  private async prepareSchema(): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK])
      const present = await c.query(`SELECT to_regclass('auth_schema') IS NOT NULL AS present`)
      if (present.rows[0].present) {
        const found = await c.query<{ version: number }>('SELECT version FROM auth_schema')
        const version = found.rows[0]?.version
        if (version !== undefined && version !== ACCOUNTS_SCHEMA_VERSION) {
          throw new AccountsSchemaError(
            `the database's accounts tables are at schema version ${version}, this build uses ${ACCOUNTS_SCHEMA_VERSION}: run the build that matches the database`,
          )
        }
        if (version !== undefined) return
      }
      await c.query(SCHEMA)
      await c.query('INSERT INTO auth_schema (version) VALUES ($1)', [ACCOUNTS_SCHEMA_VERSION])
    })
  }

  private async startListening(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url })
    client.on('notification', (message) => {
      if (message.channel !== ACCOUNTS_CHANNEL) return
      const payload = message.payload ?? ''
      if (payload === 'keys') this.forgetKeys()
      else if (payload.startsWith('sessions:') && payload !== `sessions:${this.instance}`) this.sessionsEnded()
    })
    const lost = () => {
      if (this.listener !== client) return
      this.listener = undefined
      this.listening = false
      this.forgetKeys()
      client.end().catch(() => undefined)
      if (!this.closed) this.relistenTimer = setTimeout(() => void this.relisten(), RELISTEN_MS)
    }
    client.on('error', lost)
    client.on('end', lost)
    this.listener = client
    await client.connect()
    await client.query(`LISTEN ${ACCOUNTS_CHANNEL}`)
    this.listening = true
  }

  private async relisten(): Promise<void> {
    if (this.closed) return
    try {
      await this.startListening()
      // What was sent while no one listened is lost: every watcher reads its sessions again.
      this.listenEpoch++
      this.sessionsEnded()
    } catch {
      const client = this.listener
      this.listener = undefined
      client?.end().catch(() => undefined)
      if (!this.closed) this.relistenTimer = setTimeout(() => void this.relisten(), RELISTEN_MS)
    }
  }

  private async tx<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const result = await run(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  private notify(client: pg.PoolClient, payload: string): Promise<unknown> {
    return client.query('SELECT pg_notify($1, $2)', [ACCOUNTS_CHANNEL, payload])
  }

  // ---- users ------------------------------------------------------------------------------------

  async addUser(user: Omit<User, 'demo'> & { demo?: boolean }, password: PasswordHash, now = Date.now()): Promise<void> {
    await this.pool.query(`INSERT INTO auth_users (username, role, unit_id, salt, hash, demo, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      user.username,
      user.role,
      user.unit,
      password.salt,
      password.hash,
      user.demo ?? false,
      now,
    ])
  }

  async user(username: string): Promise<(User & { password: PasswordHash }) | undefined> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM auth_users WHERE username = $1', [username])
    const row = rows[0]
    return row ? { ...toUser(row), password: { salt: row.salt, hash: row.hash } } : undefined
  }

  async users(): Promise<User[]> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM auth_users ORDER BY username COLLATE "C"')
    return rows.map(toUser)
  }

  async setPassword(username: string, password: PasswordHash): Promise<boolean> {
    const changed = await this.tx(async (c) => {
      const { rowCount } = await c.query('UPDATE auth_users SET salt = $1, hash = $2 WHERE username = $3', [password.salt, password.hash, username])
      await c.query('DELETE FROM auth_sessions WHERE username = $1', [username])
      await this.notify(c, `sessions:${this.instance}`)
      return (rowCount ?? 0) > 0
    })
    this.sessionsEnded()
    return changed
  }

  async removeUser(username: string): Promise<boolean> {
    const removed = await this.tx(async (c) => {
      // Its sessions go with it (ON DELETE CASCADE).
      const { rowCount } = await c.query('DELETE FROM auth_users WHERE username = $1', [username])
      await this.notify(c, `sessions:${this.instance}`)
      return (rowCount ?? 0) > 0
    })
    this.sessionsEnded()
    return removed
  }

  async removeDemo(): Promise<{ users: number; keys: number }> {
    const removed = await this.tx(async (c) => {
      const users = (await c.query('DELETE FROM auth_users WHERE demo')).rowCount ?? 0
      const keys = (await c.query('DELETE FROM auth_ingest_keys WHERE demo')).rowCount ?? 0
      await this.notify(c, 'keys')
      await this.notify(c, `sessions:${this.instance}`)
      return { users, keys }
    })
    this.forgetKeys()
    this.sessionsEnded()
    return removed
  }

  async hasCenterUser(): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM auth_users WHERE role = 'center' AND NOT demo LIMIT 1`)
    return (rowCount ?? 0) > 0
  }

  // ---- sessions ------------------------------------------------------------------------------------

  async createSession(username: string, ttlMs: number, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url')
    const expiresAt = now + ttlMs
    await this.pool.query('DELETE FROM auth_sessions WHERE expires_at <= $1', [now])
    await this.pool.query('INSERT INTO auth_sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)', [sha256(token), username, now, expiresAt])
    return { token, expiresAt }
  }

  async session(token: string, now = Date.now(), extendMs?: number): Promise<Session | undefined> {
    const tokenHash = sha256(token)
    const { rows } = await this.pool.query<UserRow & { expires_at: string }>(
      `SELECT s.expires_at, u.* FROM auth_sessions s JOIN auth_users u ON u.username = s.username WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [tokenHash, now],
    )
    const row = rows[0]
    if (!row) return undefined
    let expiresAt = Number(row.expires_at)
    // Extend at most once a minute, so that reads stay reads.
    if (extendMs !== undefined && now + extendMs - expiresAt > 60_000) {
      expiresAt = now + extendMs
      await this.pool.query('UPDATE auth_sessions SET expires_at = GREATEST(expires_at, $1) WHERE token_hash = $2', [expiresAt, tokenHash])
    }
    return { user: toUser(row), expiresAt }
  }

  async endSession(token: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query('DELETE FROM auth_sessions WHERE token_hash = $1', [sha256(token)])
      await this.notify(c, `sessions:${this.instance}`)
    })
    this.sessionsEnded()
  }

  onSessionsEnded(listener: () => void): () => void {
    this.sessionsEndedListeners.add(listener)
    return () => this.sessionsEndedListeners.delete(listener)
  }

  private sessionsEnded(): void {
    for (const listener of this.sessionsEndedListeners) listener()
  }

  externalVersion(): number {
    return this.listenEpoch
  }

  // ---- ingest keys ------------------------------------------------------------------------------------

  async addKey(name: string, options: { demo?: boolean; now?: number } = {}): Promise<{ key: string; id: string }> {
    const id = randomBytes(6).toString('hex')
    const secret = randomBytes(24).toString('base64url')
    await this.pool.query('INSERT INTO auth_ingest_keys (id, name, secret_hash, demo, created_at) VALUES ($1, $2, $3, $4, $5)', [
      id,
      name,
      sha256(secret),
      options.demo ?? false,
      options.now ?? Date.now(),
    ])
    return { key: `opk_${id}_${secret}`, id }
  }

  /** A key trusted from memory answers at once, without a promise; any other is looked up. */
  checkKey(key: string): string | undefined | Promise<string | undefined> {
    const known = this.validKeys.get(key)
    if (known !== undefined && this.listening && this.clock() - known.at < this.keyTrustMs) return known.name
    return this.lookupKey(key)
  }

  private async lookupKey(key: string): Promise<string | undefined> {
    const match = /^opk_([0-9a-f]{12})_([A-Za-z0-9_-]{20,64})$/.exec(key)
    if (!match) return undefined
    const generation = this.keysGeneration
    const at = this.clock()
    const { rows } = await this.pool.query<{ name: string; secret_hash: string }>('SELECT name, secret_hash FROM auth_ingest_keys WHERE id = $1 AND revoked_at IS NULL', [
      match[1],
    ])
    const row = rows[0]
    if (!row) return undefined
    const expected = Buffer.from(row.secret_hash)
    const actual = Buffer.from(sha256(match[2]!))
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined
    // A change announced while the query ran may postdate what it read: answer, but remember nothing.
    if (generation === this.keysGeneration) {
      if (this.validKeys.size >= KEYS_REMEMBERED) this.validKeys.clear()
      this.validKeys.set(key, { name: row.name, at })
    }
    return row.name
  }

  private forgetKeys(): void {
    this.keysGeneration++
    this.validKeys.clear()
  }

  async revokeKey(idOrName: string, now = Date.now()): Promise<number> {
    const changes = await this.tx(async (c) => {
      const { rowCount } = await c.query('UPDATE auth_ingest_keys SET revoked_at = $1 WHERE (id = $2 OR name = $2) AND revoked_at IS NULL', [now, idOrName])
      await this.notify(c, 'keys')
      return rowCount ?? 0
    })
    this.forgetKeys()
    return changes
  }

  async keys(): Promise<IngestKey[]> {
    const { rows } = await this.pool.query<{ id: string; name: string; created_at: string; revoked_at: string | null; demo: boolean }>(
      'SELECT id, name, created_at, revoked_at, demo FROM auth_ingest_keys ORDER BY created_at, id',
    )
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: Number(r.created_at), revokedAt: r.revoked_at === null ? null : Number(r.revoked_at), demo: r.demo }))
  }

  // ---- shared limits ------------------------------------------------------------------------------------

  loginThrottle(): LoginGate {
    this.throttle ??= new PgLoginThrottle(this.pool, this.options.loginPolicy ?? LOGIN_POLICY)
    return this.throttle
  }

  rateLimitStore(): RateLimitStoreClass {
    return pgRateLimitStore(this.pool, this.options.rateClock)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.relistenTimer)
    const listener = this.listener
    this.listener = undefined
    this.listening = false
    await listener?.end().catch(() => undefined)
    await this.pool.end()
  }
}
