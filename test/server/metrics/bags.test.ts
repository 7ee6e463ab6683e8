// Percentiles over many bags: the histogram-narrowed search must give exactly the nearest-rank value
// of the sorted union, for any mix of large and small bags and any value distribution.
import { describe, expect, it } from 'vitest'
import { nearestRank } from '../../../shared/metrics'
import { mulberry32 } from '../../../shared/random'
import { BUCKETS, BUCKET_FLOORS, Bag, HISTOGRAM_FROM, bucketOf, statOf, type Part } from '../../../server/metrics/bags'

function direct(values: number[]): { p50: number | null; p90: number | null; n: number } {
  const s = [...values].sort((a, b) => a - b)
  if (s.length === 0) return { p50: null, p90: null, n: 0 }
  return { p50: s[nearestRank(50, s.length) - 1]! / 1000, p90: s[nearestRank(90, s.length) - 1]! / 1000, n: s.length }
}

describe('buckets', () => {
  it('have whole, strictly increasing floors from 1 s, and bucketOf finds the floor at or below', () => {
    expect(BUCKET_FLOORS[0]).toBe(-Infinity)
    expect(BUCKET_FLOORS[1]).toBe(1000)
    for (let k = 2; k < BUCKETS; k++) {
      expect(Number.isInteger(BUCKET_FLOORS[k])).toBe(true)
      expect(BUCKET_FLOORS[k]!).toBeGreaterThan(BUCKET_FLOORS[k - 1]!)
    }
    expect(BUCKET_FLOORS[BUCKETS - 1]!).toBeGreaterThan(30 * 86_400_000)
    for (const k of [1, 2, 100, 300, BUCKETS - 1]) {
      expect(bucketOf(BUCKET_FLOORS[k]!)).toBe(k)
      expect(bucketOf(BUCKET_FLOORS[k]! - 1)).toBe(k - 1)
    }
    expect(bucketOf(-5)).toBe(0)
    expect(bucketOf(0)).toBe(0)
    expect(bucketOf(1e15)).toBe(BUCKETS - 1)
  })
})

describe('statOf over many bags', () => {
  // Distributions like the figures': clustered minutes, long tails, ties, zeros, and values beyond
  // the last bucket's floor.
  const draws: Record<string, (r: () => number) => number> = {
    minutes: (r) => Math.round(60_000 + r() * 1_800_000),
    tail: (r) => Math.round(Math.exp(r() * 21)),
    ties: (r) => [0, 1000, 1000, 5000, 5000, 5000, 86_400_000][Math.floor(r() * 7)]!,
    huge: (r) => Math.round(40 * 86_400_000 + r() * 1e9),
    mixed: (r) => (r() < 0.5 ? Math.round(r() * 999) : Math.round(r() * 20 * 86_400_000)),
  }

  for (const [name, draw] of Object.entries(draws)) {
    it(`equals the sorted union (${name})`, () => {
      const rand = mulberry32(name.length * 7919)
      for (let round = 0; round < 12; round++) {
        const bags: Bag[] = []
        const all: number[] = []
        const count = 1 + Math.floor(rand() * 40)
        for (let b = 0; b < count; b++) {
          const bag = new Bag()
          // Some bags large enough for a histogram, some small.
          const size = rand() < 0.5 ? Math.floor(rand() * 50) : HISTOGRAM_FROM + Math.floor(rand() * 1500)
          for (let i = 0; i < size; i++) {
            const v = draw(rand)
            bag.add(v, i)
            all.push(v)
          }
          bags.push(bag)
        }
        const parts: Part[] = bags.filter((b) => b.size > 0).map((b) => b.part())
        expect(statOf(parts)).toEqual(direct(all))
      }
    })
  }

  it('takes the narrowed path on large unions and stays exact after removals', () => {
    const rand = mulberry32(42)
    const bags = Array.from({ length: 30 }, () => new Bag())
    const kept: [number, number, number][] = []
    for (let i = 0; i < 30_000; i++) {
      const b = Math.floor(rand() * 30)
      const v = Math.round(Math.exp(8 + rand() * 12))
      bags[b]!.add(v, i)
      kept.push([b, v, i])
    }
    expect(bags.every((b) => b.part().histogram !== null)).toBe(true)
    // Remove a third (as a reopened request's resolution time leaves its bag).
    const removed = new Set<number>()
    for (let i = 0; i < 10_000; i++) {
      const j = Math.floor(rand() * kept.length)
      if (removed.has(j)) continue
      removed.add(j)
      const [b, v, t] = kept[j]!
      expect(bags[b]!.remove(v, t)).toBe(true)
    }
    const values = kept.filter((_, j) => !removed.has(j)).map(([, v]) => v)
    const parts = bags.map((b) => b.part())
    const histogramTotal = parts.reduce((sum, p) => sum + p.histogram!.reduce((a, c) => a + c, 0), 0)
    expect(histogramTotal).toBe(values.length)
    expect(statOf(parts)).toEqual(direct(values))
    // A partial day (no histogram) mixed in.
    const partial = bags[0]!.between(0, 15_000)
    expect(partial.histogram).toBeNull()
    const withPartial = [...parts.slice(1), partial]
    const expected = [...kept.filter(([b], j) => b !== 0 && !removed.has(j)).map(([, v]) => v), ...partial.sorted]
    expect(statOf(withPartial)).toEqual(direct(expected))
  })

  it('is null with n = 0, and exact on n = 1 and 2', () => {
    expect(statOf([])).toEqual({ p50: null, p90: null, n: 0 })
    const one = new Bag()
    one.add(42_000, 0)
    expect(statOf([one.part()])).toEqual({ p50: 42, p90: 42, n: 1 })
    one.add(7000, 1)
    expect(statOf([one.part()])).toEqual({ p50: 7, p90: 42, n: 2 })
  })
})
