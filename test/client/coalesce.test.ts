import { afterEach, describe, expect, it, vi } from 'vitest'
import { coalesce } from '../../client/map/coalesce'

describe('coalesce', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  function setup() {
    vi.useFakeTimers()
    const frames: (() => void)[] = []
    const run = vi.fn()
    const c = coalesce(run, { minIntervalMs: 250, frame: (fn) => frames.push(fn), now: () => Date.now() })
    const flushFrames = () => frames.splice(0).forEach((fn) => fn())
    return { run, c, frames, flushFrames }
  }

  it('runs a burst of requests once, on the next frame', () => {
    const { run, c, frames, flushFrames } = setup()
    for (let i = 0; i < 50; i++) c.request()
    expect(run).not.toHaveBeenCalled()
    expect(frames).toHaveLength(1)
    flushFrames()
    expect(run).toHaveBeenCalledTimes(1)
  })

  it('runs at most once per interval, and never drops the last request', () => {
    const { run, c, frames, flushFrames } = setup()
    c.request()
    flushFrames()
    c.request()
    c.request()
    expect(frames).toHaveLength(0) // waiting out the interval
    vi.advanceTimersByTime(249)
    expect(frames).toHaveLength(0)
    vi.advanceTimersByTime(1)
    flushFrames()
    expect(run).toHaveBeenCalledTimes(2)
  })

  it('does nothing after cancel', () => {
    const { run, c, flushFrames } = setup()
    c.request()
    c.cancel()
    flushFrames()
    c.request()
    vi.advanceTimersByTime(1000)
    flushFrames()
    expect(run).not.toHaveBeenCalled()
  })
})
