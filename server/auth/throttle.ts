// Login throttling, three counts of failed logins over the last 15 minutes, each aimed at a
// different attack and none a lever to lock other people out:
// - a username from one address (the pair): strict, `pairLimit` failures block that pair until the
//   oldest ages out. This is the guessing limit; only someone at that address who knows the username
//   can trip it, and it blocks nobody else.
// - an address (any usernames), and a username (from any addresses): after `after` failures a delay
//   that doubles with each further failure up to a short cap, not a lock: it slows a spray of
//   usernames from one address and a botnet on one user. A pair that has logged in before skips
//   both, so a colleague behind the same NAT address, or the user at their own desk, is not held up
//   by a stranger's failures.
// A try takes its failure slot atomically, before the password is checked, so concurrent tries see
// each other; a success gives its slot back. Here the counts live in memory (one process, taken
// synchronously); pg-throttle.ts keeps the same counts in PostgreSQL for several processes.
import { isIPv6 } from 'node:net'

export interface DelayRule {
  /** Failures in the window before the delay starts. */
  after: number
  firstDelayMs: number
  maxDelayMs: number
}

export interface LoginPolicy {
  windowMs: number
  pairLimit: number
  address: DelayRule
  user: DelayRule
  /** Keys of failures held at most (least recently used dropped first), so a flood of usernames is bounded. */
  maxKeys: number
  /** Pairs remembered as having logged in (least recently used dropped first). */
  maxKnownPairs: number
}

export const LOGIN_POLICY: LoginPolicy = {
  windowMs: 15 * 60_000,
  pairLimit: 5,
  address: { after: 20, firstDelayMs: 1_000, maxDelayMs: 5 * 60_000 },
  user: { after: 20, firstDelayMs: 1_000, maxDelayMs: 60_000 },
  maxKeys: 50_000,
  maxKnownPairs: 10_000,
}

/** Failures kept per key beyond a rule's threshold: enough to reach any cap, since each doubles the delay. */
const DOUBLINGS = 32

/** A try that was let through: it stays a failure unless it succeeds or is cancelled. */
export interface LoginAttempt {
  /** The password was right: the pair's failures are forgiven and the pair is known from now on. */
  succeeded(): void | Promise<void>
  /** The password was never checked (the server was busy): the slot goes back. */
  cancelled(): void | Promise<void>
}

export type Admission = { retryAfterMs: number; attempt?: undefined } | { retryAfterMs: 0; attempt: LoginAttempt }

/**
 * The address a client is counted under: an IPv6 client gets a whole /64 (one subscriber's
 * network), an IPv4-mapped one its IPv4 address.
 */
export function addressGroup(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped) return mapped[1]!
  if (!isIPv6(ip)) return ip
  const [head = '', tail] = ip.split('%')[0]!.split('::')
  const groups = head ? head.split(':') : []
  if (tail !== undefined) {
    const rest = tail ? tail.split(':') : []
    // An embedded IPv4 tail stands for two groups; it is past the /64 either way.
    const restLength = rest.length + (rest.at(-1)?.includes('.') ? 1 : 0)
    groups.push(...Array<string>(Math.max(0, 8 - groups.length - restLength)).fill('0'), ...rest)
  }
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`
}

/** The keys a try is counted under: the pair strictly, the address and the user with delays. */
export function throttleKeys(username: string, ip: string): { pair: string; address: string; user: string } {
  const address = addressGroup(ip)
  return { pair: `pair\n${username}\n${address}`, address: `address\n${address}`, user: `user\n${username}` }
}

/** Failures worth keeping per key: past a threshold plus every doubling, more change nothing. */
export function failuresKept(policy: LoginPolicy): number {
  return Math.max(policy.address.after, policy.user.after) + DOUBLINGS
}

/**
 * Milliseconds a try must wait, given each key's failures in the window (oldest first) and whether
 * the pair has logged in before; 0 lets it through. Shared by the in-memory throttle and the
 * PostgreSQL one (pg-throttle.ts), so both decide alike.
 */
export function throttleWait(policy: LoginPolicy, now: number, failures: { pair: number[]; address: number[]; user: number[] }, knownPair: boolean): number {
  let wait = failures.pair.length >= policy.pairLimit ? failures.pair[0]! + policy.windowMs - now : 0
  if (!knownPair) wait = Math.max(wait, ruleDelay(failures.address, policy.address, now), ruleDelay(failures.user, policy.user, now))
  return wait
}

/** Milliseconds until the rule lets another try through after these failures. */
function ruleDelay(failures: number[], rule: DelayRule, now: number): number {
  const beyond = failures.length - rule.after
  if (beyond < 0) return 0
  const delay = Math.min(rule.maxDelayMs, rule.firstDelayMs * 2 ** Math.min(beyond, DOUBLINGS))
  return Math.max(0, failures.at(-1)! + delay - now)
}

export class LoginThrottle {
  /** Failure times by key, oldest first; the map in order of last use. */
  private readonly failures = new Map<string, number[]>()
  private readonly known = new Map<string, true>()

  constructor(private readonly policy: LoginPolicy = LOGIN_POLICY) {}

  /** Keys held (for tests of the bound). */
  get size(): number {
    return this.failures.size
  }

  /** Lets a try through, taking its failure slot, or says how long to wait (milliseconds). */
  admit(username: string, ip: string, now: number): Admission {
    this.dropStale(now)
    const { pair, address: byAddress, user: byUser } = throttleKeys(username, ip)
    const wait = throttleWait(
      this.policy,
      now,
      { pair: this.recent(pair, now), address: this.recent(byAddress, now), user: this.recent(byUser, now) },
      this.known.has(pair),
    )
    if (wait > 0) return { retryAfterMs: wait }

    const keys = [pair, byAddress, byUser]
    for (const key of keys) this.record(key, now)
    return {
      retryAfterMs: 0,
      attempt: {
        succeeded: () => {
          this.failures.delete(pair)
          this.release([byAddress, byUser], now)
          this.known.delete(pair)
          this.known.set(pair, true)
          this.evict(this.known, this.policy.maxKnownPairs)
        },
        cancelled: () => this.release(keys, now),
      },
    }
  }

  private recent(key: string, now: number): number[] {
    const list = this.failures.get(key)
    if (!list) return []
    while (list.length > 0 && list[0]! <= now - this.policy.windowMs) list.shift()
    return list
  }

  private record(key: string, now: number): void {
    const list = this.recent(key, now)
    list.push(now)
    // Past a threshold plus every doubling, more failures change nothing: a key's list stays bounded.
    if (list.length > failuresKept(this.policy)) list.shift()
    this.failures.delete(key)
    this.failures.set(key, list)
    this.evict(this.failures, this.policy.maxKeys)
  }

  private release(keys: string[], at: number): void {
    for (const key of keys) {
      const list = this.failures.get(key)
      const i = list ? list.lastIndexOf(at) : -1
      if (i >= 0) list!.splice(i, 1)
    }
  }

  /** Keys are in order of last use: those at the front whose newest failure has aged out go. */
  private dropStale(now: number): void {
    for (const [key, list] of this.failures) {
      if (list.length > 0 && list.at(-1)! > now - this.policy.windowMs) return
      this.failures.delete(key)
    }
  }

  private evict(map: Map<string, unknown>, max: number): void {
    for (const key of map.keys()) {
      if (map.size <= max) return
      map.delete(key)
    }
  }
}
