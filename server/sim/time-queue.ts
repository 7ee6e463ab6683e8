// A min-heap of timed items. Equal times come out in insertion order, so the steps of one
// request, pushed in order, are also taken in order.

interface Entry<T> {
  at: number
  order: number
  item: T
}

export class TimeQueue<T> {
  private readonly heap: Entry<T>[] = []
  private counter = 0

  get size(): number {
    return this.heap.length
  }

  push(at: number, item: T): void {
    const heap = this.heap
    heap.push({ at, order: this.counter++, item })
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  /** The earliest time queued, or Infinity. */
  peekAt(): number {
    return this.heap.length > 0 ? this.heap[0]!.at : Infinity
  }

  /** The earliest item if its time is at or before `until`. */
  popUntil(until: number): { at: number; item: T } | undefined {
    const heap = this.heap
    if (heap.length === 0 || heap[0]!.at > until) return undefined
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r
        if (m === i) break
        ;[heap[i], heap[m]] = [heap[m]!, heap[i]!]
        i = m
      }
    }
    return { at: top.at, item: top.item }
  }

  clear(): void {
    this.heap.length = 0
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order)
}
