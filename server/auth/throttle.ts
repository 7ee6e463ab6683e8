// Login throttling: after `limit` failures for a username or from an address within `windowMs`,
// further attempts are refused until the oldest failure ages out.
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>()

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 15 * 60_000,
  ) {}

  /** Milliseconds until another attempt is allowed for any of the keys; 0 when allowed now. */
  retryAfter(keys: string[], now = Date.now()): number {
    let wait = 0
    for (const key of keys) {
      const recent = this.recent(key, now)
      if (recent.length >= this.limit) wait = Math.max(wait, recent[0]! + this.windowMs - now)
    }
    return wait
  }

  fail(keys: string[], now = Date.now()): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now])
  }

  succeed(key: string): void {
    this.failures.delete(key)
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs)
    if (list.length === 0) this.failures.delete(key)
    return list
  }
}
