// A socket's budget of requests that each cost a store read or a large answer: `burst` in a row,
// then one more every `refillMs`.

/** Takes one from the budget: 0 when the request may go ahead now, else the whole seconds to wait. */
export type TakeToken = () => number

export function tokenBucket(burst: number, refillMs: number, clock: () => number = () => performance.now()): TakeToken {
  let tokens = burst
  let at = clock()
  return () => {
    const now = clock()
    tokens = Math.min(burst, tokens + (now - at) / refillMs)
    at = now
    if (tokens >= 1) {
      tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil(((1 - tokens) * refillMs) / 1000))
  }
}
