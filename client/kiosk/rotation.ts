// The kiosk's cards take turns on a fixed beat. No Vue here: the view owns the index.

export interface RotationOptions {
  intervalMs: number
  /** How many cards there are now: the list can grow or shrink between two turns. */
  length: () => number
  onChange: (index: number) => void
}

export interface Rotation {
  readonly index: number
  start(): void
  stop(): void
}

/** Steps 0 → 1 → … → n-1 → 0 every `intervalMs`; with one card or none it stays put. */
export function createRotation(options: RotationOptions): Rotation {
  let index = 0
  let timer: ReturnType<typeof setInterval> | undefined

  function step(): void {
    const n = options.length()
    // Past the end (or a list that shrank under the index): back to the first card.
    const next = index + 1 < n ? index + 1 : 0
    if (next === index) return
    index = next
    options.onChange(index)
  }

  return {
    get index() {
      return index
    },
    start() {
      if (timer === undefined) timer = setInterval(step, options.intervalMs)
    },
    stop() {
      clearInterval(timer)
      timer = undefined
    },
  }
}
