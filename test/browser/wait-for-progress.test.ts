import { describe, expect, it } from 'vitest'
import { waitForProgress } from '../helpers/wait-for'

// The browser tests' wait on a stream (test/helpers/wait-for.ts), checked on its own.
describe('waitForProgress', () => {
  it('keeps waiting, past its stall limit in all, while the value keeps changing', async () => {
    let value = 0
    const reads: number[] = []
    // Moves one step per read: done at 30 reads, about three times the stall limit's worth of reads.
    const result = await waitForProgress(
      () => {
        reads.push(value)
        return value++
      },
      (v) => v >= 30,
      { stallMs: 50, intervalMs: 5 },
    )
    expect(result).toBe(30)
    expect(reads).toHaveLength(31)
  })

  it('returns at once when the value is already there', async () => {
    let reads = 0
    expect(await waitForProgress(() => ++reads, () => true, { stallMs: 1 })).toBe(1)
    expect(reads).toBe(1)
  })

  it('fails once the value stops changing, naming what it waited for and where it stopped', async () => {
    let value = 0
    const wait = waitForProgress(() => Math.min(3, value++), (v) => v >= 10, { stallMs: 50, intervalMs: 5, what: 'the ticker' })
    await expect(wait).rejects.toThrow(/^the ticker: no progress for 50 ms, still at 3$/)
  })

  it('sees a change in a structured value, not only in a number', async () => {
    let n = 0
    const reads = ['a', 'a', 'b', 'b', 'c']
    const result = await waitForProgress(() => ({ seqs: [reads[Math.min(n++, reads.length - 1)]] }), (v) => v.seqs[0] === 'c', { stallMs: 1_000, intervalMs: 1 })
    expect(result).toEqual({ seqs: ['c'] })
  })
})
