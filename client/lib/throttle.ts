/**
 * At most one run per `intervalMs`: the first request runs at once, requests during the interval
 * fold into one run at its end. A burst of live batches costs the server one refetch.
 */
export function throttle(run: () => void, intervalMs: number, now: () => number = () => Date.now()) {
  let last = -Infinity
  let timer: ReturnType<typeof setTimeout> | undefined
  let cancelled = false

  function fire(): void {
    timer = undefined
    if (cancelled) return
    last = now()
    run()
  }

  return {
    request(): void {
      if (cancelled || timer !== undefined) return
      const wait = last + intervalMs - now()
      if (wait <= 0) fire()
      else timer = setTimeout(fire, wait)
    },
    cancel(): void {
      cancelled = true
      clearTimeout(timer)
      timer = undefined
    },
  }
}
