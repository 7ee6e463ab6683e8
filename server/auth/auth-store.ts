// Users, sessions and ingest keys, in a SQLite file of their own (`auth.db`) beside the events'
// `outpost.db`: each commit to a file empties the page cache of every other connection to it, and
// the event store commits many times a second, so in one file each key check read its pages again
// (about twice the time per check). WAL and a busy timeout let `npm run users` change them while the
// server runs.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { PasswordHash } from './passwords'
import type { Accounts } from './accounts'

export const ROLES = ['center', 'leader'] as const
export type Role = (typeof ROLES)[number]

export interface User {
  username: string
  role: Role
  /** The unit a leader is bound to; the district for a center user. */
  unit: string
  demo: boolean
}

export interface Session {
  user: User
  expiresAt: number
}

export interface IngestKey {
  id: string
  name: string
  createdAt: number
  revokedAt: number | null
  demo: boolean
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  username   TEXT PRIMARY KEY,
  role       TEXT    NOT NULL,
  unit_id    TEXT    NOT NULL,
  salt       TEXT    NOT NULL,
  hash       TEXT    NOT NULL,
  demo       INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  username   TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username);
CREATE TABLE IF NOT EXISTS ingest_keys (
  id         TEXT PRIMARY KEY,
  name       TEXT    NOT NULL,
  secret_hash TEXT   NOT NULL,
  demo       INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
`

/** The auth store's file in a data directory; main, the users command and the tests agree on it. */
export function authFileIn(dataDir: string): string {
  return join(dataDir, 'auth.db')
}

/** Where an older build kept these tables: the events' file. */
const LEGACY_FILE = 'outpost.db'
/** The legacy tables and their columns, named so the copy does not depend on column order. */
const LEGACY_COLUMNS = {
  users: 'username, role, unit_id, salt, hash, demo, created_at',
  sessions: 'token_hash, username, created_at, expires_at',
  ingest_keys: 'id, name, secret_hash, demo, created_at, revoked_at',
}

/**
 * Tokens are long and random: a fast hash is enough, and the table never holds a usable token.
 * The one-shot `hash` gives createHash's digest byte for byte, about 3× faster on short strings.
 */
function sha256(text: string): string {
  return hash('sha256', text, 'base64url')
}

interface UserRow {
  username: string
  role: Role
  unit_id: string
  salt: string
  hash: string
  demo: number
}

/**
 * How long an ingest key found valid is trusted before the file is asked whether anything changed
 * (ms): a key revoked by `npm run users` (another process) stops working within this time.
 */
export const KEY_RECHECK_MS = 100
/** Valid keys remembered at most (there are a handful: one per source). */
const KEYS_REMEMBERED = 1000

export interface AuthStoreOptions {
  keyRecheckMs?: number
  /** A monotonic clock in ms (tests). */
  clock?: () => number
}

export class AuthStore implements Accounts {
  private readonly db: Database.Database
  /** Every ingest request checks a key: its statement is prepared once. */
  private readonly keyLookup: Database.Statement
  private readonly dataVersion: Database.Statement
  private readonly keyRecheckMs: number
  private readonly clock: () => number
  /**
   * Whole keys found valid, and their source names. Every ingest request checks its key, and in a
   * busy server the SQLite read (a read transaction: locks, the WAL index, a B-tree, from cold
   * caches) cost about a fifth of a request that does nothing else. `PRAGMA data_version` tells
   * when another connection (the users command) has committed to the file since; this connection's
   * own key changes empty the map themselves.
   */
  private readonly validKeys = new Map<string, string>()
  private keysVersion: unknown
  private keysCheckedAt = -Infinity
  private readonly sessionsEndedListeners = new Set<() => void>()

  constructor(filename: string, options: AuthStoreOptions = {}) {
    this.db = new Database(filename)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('busy_timeout = 5000')
    this.db.exec(SCHEMA)
    this.keyLookup = this.db.prepare(`SELECT name, secret_hash FROM ingest_keys WHERE id = ? AND revoked_at IS NULL`)
    this.dataVersion = this.db.prepare(`PRAGMA data_version`).pluck()
    this.keyRecheckMs = options.keyRecheckMs ?? KEY_RECHECK_MS
    this.clock = options.clock ?? (() => performance.now())
  }

  /** The store of a data directory, with the rows an older build kept in `outpost.db` moved in. */
  static open(dataDir: string): AuthStore {
    const auth = new AuthStore(authFileIn(dataDir))
    try {
      auth.adoptLegacy(join(dataDir, LEGACY_FILE))
    } catch (error) {
      auth.close()
      throw error
    }
    return auth
  }

  /**
   * Copies the legacy tables' rows in, then drops the tables there: two transactions, so a crash
   * between them only repeats the copy (INSERT OR IGNORE) at the next open.
   */
  private adoptLegacy(file: string): void {
    // ATTACH would create a missing file.
    if (!existsSync(file)) return
    this.db.prepare(`ATTACH DATABASE ? AS legacy`).run(file)
    try {
      const present = new Set(this.db.prepare(`SELECT name FROM legacy.sqlite_master WHERE type = 'table'`).pluck().all() as string[])
      const tables = (Object.keys(LEGACY_COLUMNS) as (keyof typeof LEGACY_COLUMNS)[]).filter((t) => present.has(t))
      if (tables.length === 0) return
      this.db.transaction(() => {
        for (const t of tables) this.db.exec(`INSERT OR IGNORE INTO main.${t} (${LEGACY_COLUMNS[t]}) SELECT ${LEGACY_COLUMNS[t]} FROM legacy.${t}`)
      })()
      this.db.transaction(() => {
        for (const t of tables) this.db.exec(`DROP TABLE legacy.${t}`)
      })()
    } finally {
      this.db.exec(`DETACH DATABASE legacy`)
    }
  }

  // ---- users ------------------------------------------------------------------------------------

  addUser(user: Omit<User, 'demo'> & { demo?: boolean }, password: PasswordHash, now = Date.now()): void {
    this.db
      .prepare(`INSERT INTO users (username, role, unit_id, salt, hash, demo, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(user.username, user.role, user.unit, password.salt, password.hash, user.demo ? 1 : 0, now)
  }

  user(username: string): (User & { password: PasswordHash }) | undefined {
    const row = this.db.prepare(`SELECT * FROM users WHERE username = ?`).get(username) as UserRow | undefined
    return row ? { ...toUser(row), password: { salt: row.salt, hash: row.hash } } : undefined
  }

  users(): User[] {
    return (this.db.prepare(`SELECT * FROM users ORDER BY username`).all() as UserRow[]).map(toUser)
  }

  /** A new password ends every session of the user. */
  setPassword(username: string, password: PasswordHash): boolean {
    const changed = this.db.transaction(() => {
      const changed = this.db.prepare(`UPDATE users SET salt = ?, hash = ? WHERE username = ?`).run(password.salt, password.hash, username).changes
      this.db.prepare(`DELETE FROM sessions WHERE username = ?`).run(username)
      return changed > 0
    })()
    this.sessionsEnded()
    return changed
  }

  removeUser(username: string): boolean {
    const removed = this.db.transaction(() => {
      this.db.prepare(`DELETE FROM sessions WHERE username = ?`).run(username)
      return this.db.prepare(`DELETE FROM users WHERE username = ?`).run(username).changes > 0
    })()
    this.sessionsEnded()
    return removed
  }

  /** Demo accounts and keys exist only while the simulator runs. */
  removeDemo(): { users: number; keys: number } {
    const removed = this.db.transaction(() => {
      this.db.prepare(`DELETE FROM sessions WHERE username IN (SELECT username FROM users WHERE demo = 1)`).run()
      const users = this.db.prepare(`DELETE FROM users WHERE demo = 1`).run().changes
      const keys = this.db.prepare(`DELETE FROM ingest_keys WHERE demo = 1`).run().changes
      this.validKeys.clear()
      return { users, keys }
    })()
    this.sessionsEnded()
    return removed
  }

  hasCenterUser(): boolean {
    return this.db.prepare(`SELECT 1 FROM users WHERE role = 'center' AND demo = 0 LIMIT 1`).get() !== undefined
  }

  // ---- sessions ------------------------------------------------------------------------------------

  createSession(username: string, ttlMs: number, now = Date.now()): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url')
    const expiresAt = now + ttlMs
    this.db.prepare(`DELETE FROM sessions WHERE expires_at <= ?`).run(now)
    this.db.prepare(`INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)`).run(sha256(token), username, now, expiresAt)
    return { token, expiresAt }
  }

  /** The live session of a token; a session in use is extended (sliding expiry). */
  session(token: string, now = Date.now(), extendMs?: number): Session | undefined {
    const hash = sha256(token)
    const row = this.db
      .prepare(
        `SELECT s.expires_at, u.* FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = ? AND s.expires_at > ?`,
      )
      .get(hash, now) as (UserRow & { expires_at: number }) | undefined
    if (!row) return undefined
    let expiresAt = row.expires_at
    // Extend at most once a minute, so that reads stay reads.
    if (extendMs !== undefined && now + extendMs - expiresAt > 60_000) {
      expiresAt = now + extendMs
      this.db.prepare(`UPDATE sessions SET expires_at = ? WHERE token_hash = ?`).run(expiresAt, hash)
    }
    return { user: toUser(row), expiresAt }
  }

  endSession(token: string): void {
    this.db.prepare(`DELETE FROM sessions WHERE token_hash = ?`).run(sha256(token))
    this.sessionsEnded()
  }

  /**
   * Calls `listener` each time this store has ended sessions (logout, a new password, a removed
   * user), once the change is committed: what they opened (a `/live` socket) closes at once.
   * Returns the unsubscribe.
   */
  onSessionsEnded(listener: () => void): () => void {
    this.sessionsEndedListeners.add(listener)
    return () => this.sessionsEndedListeners.delete(listener)
  }

  private sessionsEnded(): void {
    for (const listener of this.sessionsEndedListeners) listener()
  }

  /**
   * Changes whenever another connection to the file (`npm run users` in another process) has
   * committed since the last call; this connection's own commits leave it as it is. Cheap: no
   * table is read.
   */
  externalVersion(): number {
    return this.dataVersion.get() as number
  }

  // ---- ingest keys ------------------------------------------------------------------------------------

  /** A new key: `opk_<id>_<secret>`. Only its hash is kept; the key itself is shown once. */
  addKey(name: string, options: { demo?: boolean; now?: number } = {}): { key: string; id: string } {
    const id = randomBytes(6).toString('hex')
    const secret = randomBytes(24).toString('base64url')
    this.db
      .prepare(`INSERT INTO ingest_keys (id, name, secret_hash, demo, created_at) VALUES (?, ?, ?, ?, ?)`)
      .run(id, name, sha256(secret), options.demo ? 1 : 0, options.now ?? Date.now())
    return { key: `opk_${id}_${secret}`, id }
  }

  /**
   * The key's source name when it is valid and not revoked. A key found valid is remembered; the
   * file is asked at most every `keyRecheckMs` whether another process changed it since.
   */
  checkKey(key: string): string | undefined {
    const now = this.clock()
    if (now - this.keysCheckedAt >= this.keyRecheckMs) {
      this.keysCheckedAt = now
      const version = this.externalVersion()
      if (version !== this.keysVersion) {
        this.keysVersion = version
        this.validKeys.clear()
      }
    }
    const known = this.validKeys.get(key)
    if (known !== undefined) return known
    const match = /^opk_([0-9a-f]{12})_([A-Za-z0-9_-]{20,64})$/.exec(key)
    if (!match) return undefined
    const row = this.keyLookup.get(match[1]) as
      | { name: string; secret_hash: string }
      | undefined
    if (!row) return undefined
    const expected = Buffer.from(row.secret_hash)
    const actual = Buffer.from(sha256(match[2]!))
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined
    if (this.validKeys.size >= KEYS_REMEMBERED) this.validKeys.clear()
    this.validKeys.set(key, row.name)
    return row.name
  }

  /** Revokes by id, or every live key of a source name. */
  revokeKey(idOrName: string, now = Date.now()): number {
    const changes = this.db.prepare(`UPDATE ingest_keys SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL`).run(now, idOrName, idOrName).changes
    this.validKeys.clear()
    return changes
  }

  keys(): IngestKey[] {
    const rows = this.db.prepare(`SELECT id, name, created_at, revoked_at, demo FROM ingest_keys ORDER BY created_at`).all() as {
      id: string
      name: string
      created_at: number
      revoked_at: number | null
      demo: number
    }[]
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at, demo: r.demo === 1 }))
  }

  close(): void {
    this.db.close()
  }
}

function toUser(row: UserRow): User {
  return { username: row.username, role: row.role, unit: row.unit_id, demo: row.demo === 1 }
}
