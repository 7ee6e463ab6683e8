export interface CoalesceOptions {
  /** At most one run per this many ms (250 → about 4 a second). */
  minIntervalMs?: number
  /** Where the run happens; the next animation frame in a browser. */
  frame?: (run: () => void) => unknown
  now?: () => number
}

/**
 * Turns many `request()` calls into at most one `run` per interval, on an animation frame: a burst
 * of batches costs the map one `setData`, and a hidden tab costs nothing.
 */
export function coalesce(run: () => void, options: CoalesceOptions = {}) {
  const minIntervalMs = options.minIntervalMs ?? 250
  const frame = options.frame ?? ((fn: () => void) => requestAnimationFrame(() => fn()))
  const now = options.now ?? (() => Date.now())
  let last = -Infinity
  let scheduled = false
  let cancelled = false
  let timer: ReturnType<typeof setTimeout> | undefined

  function fire(): void {
    frame(() => {
      scheduled = false
      if (cancelled) return
      last = now()
      run()
    })
  }

  return {
    request(): void {
      if (scheduled || cancelled) return
      scheduled = true
      const wait = last + minIntervalMs - now()
      if (wait > 0) timer = setTimeout(fire, wait)
      else fire()
    },
    cancel(): void {
      cancelled = true
      clearTimeout(timer)
    },
  }
}
