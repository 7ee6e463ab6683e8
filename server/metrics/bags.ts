// Bags of time values (whole milliseconds) and exact nearest-rank percentiles over many of them.
//
// A percentile over a window is the value at rank r of the union of the window's day bags. The
// bags are never merged: the value is found by binary search over the value range, counting the
// values ≤ x in each sorted bag. At a million requests a district's day bags hold tens of
// thousands of values each, and thirty of them searched thirty times over the whole range miss the
// cache on nearly every probe. So a large bag also keeps a histogram over fixed buckets: summing the
// histograms (a few hundred counters per bag, read in order) names the bucket that holds rank r and
// the rank within it, and the binary search then runs only over each bag's slice of that bucket, a
// narrow value range over a few hundred neighbouring values. The answer is the same exact value.
import { nearestRank, type TimeStat } from '../../shared/metrics'

/** Number of histogram buckets. */
export const BUCKETS = 512

/**
 * Bucket lower bounds: bucket 0 holds everything below 1 s; buckets 1… grow by a fixed ratio from
 * 1 s to 40 days (~6% wide), the last one holds the rest. Whole numbers, strictly increasing.
 */
export const BUCKET_FLOORS: Float64Array = (() => {
  const floors = new Float64Array(BUCKETS)
  floors[0] = -Infinity
  const ratio = Math.pow((40 * 86_400_000) / 1000, 1 / (BUCKETS - 2))
  for (let k = 1; k < BUCKETS; k++) floors[k] = Math.max(Math.round(1000 * Math.pow(ratio, k - 1)), floors[k - 1]! + 1)
  return floors
})()

/** The bucket of a value: the largest k with BUCKET_FLOORS[k] ≤ value. */
export function bucketOf(value: number): number {
  let lo = 0
  let hi = BUCKETS - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (BUCKET_FLOORS[mid]! <= value) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** Bags with at least this many values keep a histogram; smaller ones are cheap to search whole. */
export const HISTOGRAM_FROM = 256

/** Values with their receipt time; sorted lazily when read. */
export class Bag {
  values: number[] = []
  times: number[] = []
  private sorted: Float64Array | null = null
  private histogram: Int32Array | null = null

  get size(): number {
    return this.values.length
  }

  add(value: number, time: number): void {
    this.values.push(value)
    this.times.push(time)
    this.sorted = null
    if (this.histogram) this.histogram[bucketOf(value)]!++
    else if (this.values.length >= HISTOGRAM_FROM) {
      this.histogram = new Int32Array(BUCKETS)
      for (const v of this.values) this.histogram[bucketOf(v)]!++
    }
  }

  remove(value: number, time: number): boolean {
    for (let i = this.values.length - 1; i >= 0; i--) {
      if (this.values[i] === value && this.times[i] === time) {
        this.values[i] = this.values[this.values.length - 1]!
        this.times[i] = this.times[this.times.length - 1]!
        this.values.pop()
        this.times.pop()
        this.sorted = null
        if (this.histogram) this.histogram[bucketOf(value)]!--
        return true
      }
    }
    return false
  }

  /** Whether the bag keeps a histogram (it does once it has held HISTOGRAM_FROM values). */
  get keepsHistogram(): boolean {
    return this.histogram !== null
  }

  /** A bag holding these values and times, with its histogram rebuilt when it kept one. */
  static restored(values: number[], times: number[], keepsHistogram: boolean): Bag {
    const bag = new Bag()
    bag.values = values
    bag.times = times
    if (keepsHistogram) {
      const histogram = new Int32Array(BUCKETS)
      for (const v of values) histogram[bucketOf(v)]!++
      bag.histogram = histogram
    }
    return bag
  }

  /** All values, sorted, with the histogram when the bag keeps one. */
  part(): Part {
    if (!this.sorted) this.sorted = Float64Array.from(this.values).sort()
    return { sorted: this.sorted, histogram: this.histogram }
  }

  /** Values whose time lies in [from, to), sorted. */
  between(from: number, to: number): Part {
    const out: number[] = []
    for (let i = 0; i < this.values.length; i++) {
      const t = this.times[i]!
      if (t >= from && t < to) out.push(this.values[i]!)
    }
    return { sorted: Float64Array.from(out).sort(), histogram: null }
  }
}

/** A sorted run of values, and its bucket counts when it has them. */
export interface Part {
  sorted: Float64Array
  histogram: Int32Array | null
}

/** Count of values < x in a sorted array. */
function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The value at 1-based rank r of the union of sorted arrays (whole numbers), by bisecting the range. */
function bisectRank(arrays: Float64Array[], r: number): number {
  let lo = Infinity
  let hi = -Infinity
  for (const a of arrays) {
    if (a.length === 0) continue
    if (a[0]! < lo) lo = a[0]!
    if (a[a.length - 1]! > hi) hi = a[a.length - 1]!
  }
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    let count = 0
    for (const a of arrays) count += countBelow(a, mid + 1)
    if (count >= r) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** Below this many values in all, the histograms are not worth summing. */
const NARROW_FROM = 4096

/** Bucket counts of the union of the parts (histograms summed; runs without one counted in order). */
function sumHistograms(parts: readonly Part[]): Int32Array {
  const total = new Int32Array(BUCKETS)
  for (const { sorted, histogram } of parts) {
    if (histogram) {
      for (let k = 0; k < BUCKETS; k++) total[k]! += histogram[k]!
      continue
    }
    let k = 0
    for (let i = 0; i < sorted.length; i++) {
      const v = sorted[i]!
      while (k < BUCKETS - 1 && BUCKET_FLOORS[k + 1]! <= v) k++
      total[k]!++
    }
  }
  return total
}

/** The value at rank r: find its bucket from the counts, then bisect the parts' slices of it. */
function narrowRank(parts: readonly Part[], counts: Int32Array, r: number): number {
  let below = 0
  let k = 0
  while (below + counts[k]! < r) below += counts[k++]!
  const floor = BUCKET_FLOORS[k]!
  const ceiling = k + 1 < BUCKETS ? BUCKET_FLOORS[k + 1]! : Infinity
  const slices: Float64Array[] = []
  for (const { sorted } of parts) {
    const start = countBelow(sorted, floor)
    const end = ceiling === Infinity ? sorted.length : countBelow(sorted, ceiling)
    if (end > start) slices.push(sorted.subarray(start, end))
  }
  return bisectRank(slices, r - below)
}

/** P50 and P90 (nearest rank, values in ms → seconds) with n, over the union of the parts. */
export function statOf(parts: readonly Part[]): TimeStat {
  let n = 0
  for (const p of parts) n += p.sorted.length
  if (n === 0) return { p50: null, p90: null, n: 0 }
  const r50 = nearestRank(50, n)
  const r90 = nearestRank(90, n)
  if (n < NARROW_FROM || !parts.some((p) => p.histogram)) {
    const arrays = parts.map((p) => p.sorted)
    return { p50: bisectRank(arrays, r50) / 1000, p90: bisectRank(arrays, r90) / 1000, n }
  }
  const counts = sumHistograms(parts)
  return { p50: narrowRank(parts, counts, r50) / 1000, p90: narrowRank(parts, counts, r90) / 1000, n }
}
