/**
 * The clock of a replayed day: it runs `speed` times faster than the wall's own clock, never past
 * the end of the day, and never past the data already loaded (so a slow fetch holds the replay
 * rather than letting layers and panels run ahead of their events). Pure: the caller says how much
 * real time has passed.
 */
export class PlaybackClock {
  private t: number

  constructor(
    readonly start: number,
    readonly end: number,
    readonly speed: number,
    /** Where the clock starts: the start of the day, or an instant a replay resumes from. */
    at: number = start,
  ) {
    if (!(end > start)) throw new Error('PlaybackClock: end must be after start')
    if (!(speed > 0)) throw new Error('PlaybackClock: speed must be positive')
    this.t = Math.min(end, Math.max(start, at))
  }

  /** The replayed instant (epoch ms). */
  get now(): number {
    return this.t
  }

  get ended(): boolean {
    return this.t >= this.end
  }

  /** Share of the day replayed, 0 to 1. */
  get progress(): number {
    return (this.t - this.start) / (this.end - this.start)
  }

  /**
   * Moves the clock by `realMs` of wall time, up to `availableUntil` (the end of the loaded events;
   * the end of the day when everything is loaded). Returns the new instant.
   */
  advance(realMs: number, availableUntil: number = this.end): number {
    const limit = Math.min(this.end, Math.max(this.t, availableUntil))
    this.t = Math.min(limit, this.t + Math.max(0, realMs) * this.speed)
    return this.t
  }
}

/** Time-ordered queue of replayed items: take everything due at an instant, in time order. */
export class DueQueue<T extends { at: number; seq: number }> {
  private items: T[] = []
  private head = 0

  /** Adds items (any order); they are kept sorted by time, then seq. */
  push(items: readonly T[]): void {
    if (items.length === 0) return
    const pending = this.items.slice(this.head).concat(items)
    pending.sort((a, b) => a.at - b.at || a.seq - b.seq)
    this.items = pending
    this.head = 0
  }

  /** Removes and returns every item with `at <= t`, oldest first. */
  takeDue(t: number): T[] {
    const start = this.head
    while (this.head < this.items.length && this.items[this.head]!.at <= t) this.head++
    const due = this.items.slice(start, this.head)
    // Release what was handed out, so a long replay does not keep the whole day alive.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return due
  }

  get size(): number {
    return this.items.length - this.head
  }
}
