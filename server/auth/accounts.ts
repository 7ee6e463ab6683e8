// Users, sessions and ingest keys, as the server and `npm run users` use them, whatever keeps them:
// the SQLite file of one process (auth-store.ts, synchronous) or PostgreSQL shared by several
// processes (pg-accounts.ts, asynchronous). Callers await every answer; awaiting the SQLite store's
// plain values costs a microtask. An engine shared by processes also brings the login throttle and
// the ingest rate limits' counters, so that spreading tries over processes gains nothing.
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { IngestKey, Session, User } from './auth-store'
import type { PasswordHash } from './passwords'
import type { Admission } from './throttle'

export type Awaitable<T> = T | Promise<T>

/** What the login route asks before checking a password (throttle.ts, pg-throttle.ts). */
export interface LoginGate {
  admit(username: string, ip: string, now: number): Awaitable<Admission>
}

/** A `store` class for @fastify/rate-limit (it constructs it with its own options). */
export type RateLimitStoreClass = FastifyRateLimitStoreCtor

export interface Accounts {
  addUser(user: Omit<User, 'demo'> & { demo?: boolean }, password: PasswordHash, now?: number): Awaitable<void>
  user(username: string): Awaitable<(User & { password: PasswordHash }) | undefined>
  users(): Awaitable<User[]>
  /** A new password ends every session of the user. */
  setPassword(username: string, password: PasswordHash): Awaitable<boolean>
  removeUser(username: string): Awaitable<boolean>
  /** Demo accounts and keys exist only while the simulator runs. */
  removeDemo(): Awaitable<{ users: number; keys: number }>
  hasCenterUser(): Awaitable<boolean>

  createSession(username: string, ttlMs: number, now?: number): Awaitable<{ token: string; expiresAt: number }>
  /** The live session of a token; a session in use is extended (sliding expiry). */
  session(token: string, now?: number, extendMs?: number): Awaitable<Session | undefined>
  endSession(token: string): Awaitable<void>
  /**
   * Calls `listener` when sessions may have ended (logout, a new password, a removed user): in this
   * process at once, and in other processes where the engine can tell them (PostgreSQL: NOTIFY).
   * Returns the unsubscribe.
   */
  onSessionsEnded(listener: () => void): () => void
  /**
   * Changes when changes made elsewhere may have gone unannounced (SQLite: another connection
   * committed; PostgreSQL: the notification connection was lost and opened again).
   */
  externalVersion(): Awaitable<number>

  /** A new key: `opk_<id>_<secret>`. Only its hash is kept; the key itself is shown once. */
  addKey(name: string, options?: { demo?: boolean; now?: number }): Awaitable<{ key: string; id: string }>
  /** The key's source name when it is valid and not revoked; a known key answers without a query. */
  checkKey(key: string): Awaitable<string | undefined>
  /** Revokes by id, or every live key of a source name. */
  revokeKey(idOrName: string, now?: number): Awaitable<number>
  keys(): Awaitable<IngestKey[]>

  /** A login throttle shared by every process on this engine; the app keeps one in memory otherwise. */
  loginThrottle?(): LoginGate
  /** A rate-limit store shared by every process on this engine; the app counts in memory otherwise. */
  rateLimitStore?(): RateLimitStoreClass

  close(): Awaitable<void>
}
