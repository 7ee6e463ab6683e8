import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRotation } from '../../client/kiosk/rotation'

describe('kiosk card rotation', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('shows each card in turn on the beat, then starts again', () => {
    const seen: number[] = []
    const rotation = createRotation({ intervalMs: 12_000, length: () => 3, onChange: (i) => seen.push(i) })
    rotation.start()
    expect(rotation.index).toBe(0)
    vi.advanceTimersByTime(11_999)
    expect(seen).toEqual([])
    vi.advanceTimersByTime(1)
    expect(seen).toEqual([1])
    vi.advanceTimersByTime(12_000 * 3)
    expect(seen).toEqual([1, 2, 0, 1])
    expect(rotation.index).toBe(1)
  })

  it('stops when told, and starting twice does not double the pace', () => {
    const seen: number[] = []
    const rotation = createRotation({ intervalMs: 5000, length: () => 4, onChange: (i) => seen.push(i) })
    rotation.start()
    rotation.start()
    vi.advanceTimersByTime(10_000)
    expect(seen).toEqual([1, 2])
    rotation.stop()
    vi.advanceTimersByTime(60_000)
    expect(seen).toEqual([1, 2])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stays on a single card, and goes back to the first when the list shrinks under it', () => {
    let length = 1
    const seen: number[] = []
    const rotation = createRotation({ intervalMs: 1000, length: () => length, onChange: (i) => seen.push(i) })
    rotation.start()
    vi.advanceTimersByTime(5000)
    expect(seen).toEqual([])
    length = 5
    vi.advanceTimersByTime(3000)
    expect(seen).toEqual([1, 2, 3])
    length = 2
    vi.advanceTimersByTime(2000)
    expect(seen).toEqual([1, 2, 3, 0, 1])
    rotation.stop()
  })
})
