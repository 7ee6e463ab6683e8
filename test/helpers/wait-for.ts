/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * How long one thing (an event reaching the screen, a page drawing) may take on a machine busy
 * with other work: a bound on liveness, not a measure of speed.
 */
export const LIVENESS_MS = 30_000

export interface ProgressOptions {
  /** Fails after this long without a change in what `read` returns. */
  stallMs?: number
  intervalMs?: number
  /** Names the wait in the error. */
  what?: string
}

/**
 * Waits until `done(read())`, for as long as what `read` returns keeps changing: it fails only
 * after `stallMs` without any change, never because the whole wait took long. For waits on the
 * app catching up with a stream, which a busy machine slows but does not stop.
 */
export async function waitForProgress<T>(read: () => T | Promise<T>, done: (value: T) => boolean, options: ProgressOptions = {}): Promise<T> {
  const { stallMs = 15_000, intervalMs = 100, what = 'progress' } = options
  let last: string | undefined
  let changedAt = Date.now()
  for (;;) {
    const value = await read()
    if (done(value)) return value
    const seen = JSON.stringify(value)
    if (seen !== last) {
      last = seen
      changedAt = Date.now()
    } else if (Date.now() - changedAt > stallMs) {
      throw new Error(`${what}: no progress for ${stallMs} ms, still at ${seen}`)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
