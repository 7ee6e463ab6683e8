import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { useLeaderStore } from '../../client/stores/leader'
import { figures, metricsReply } from '../fixtures/leader-fixtures'

const today = { unit: '640106001', from: '2026-11-28', to: '2026-11-29' }

describe('useLeaderStore', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('drops a reply for a unit or window no longer on screen', () => {
    const store = useLeaderStore()
    expect(store.$id).toBe('leader')
    store.show(today)
    store.show({ ...today, unit: '640106001001' })
    expect(store.setMetrics(today, metricsReply('640106001', []))).toBe(false)
    expect(store.metrics).toBeNull()
    const next = { ...today, unit: '640106001001' }
    expect(store.setMetrics(next, metricsReply('640106001001', []))).toBe(true)
    expect(store.metrics?.unit).toBe('640106001001')
    // a new window clears the figures but keeps the lists, which do not depend on it
    store.setOverdue('640106001001', [])
    store.show({ ...next, from: '2026-11-22' })
    expect(store.metrics).toBeNull()
    expect(store.overdue).toEqual([])
    // a new unit clears the lists
    store.show(today)
    expect(store.overdue).toBeNull()
  })

  it('takes live figures for the unit on screen over today, never older ones', () => {
    const store = useLeaderStore()
    store.show(today)
    store.setMetrics(today, metricsReply('640106001', [], { now: '2026-11-28T10:00:00+08:00' }))
    const update = (unit: string, now: string, requests: number) => ({ unit, from: '', to: '', now, figures: figures({ requests }) })

    expect(store.applyLive(update('640106001', '2026-11-28T10:00:05+08:00', 42), true)).toBe(true)
    expect(store.metrics?.figures.requests).toBe(42)
    // another unit, an older update, or a window that is not today: ignored
    expect(store.applyLive(update('640106002', '2026-11-28T10:00:10+08:00', 1), true)).toBe(false)
    expect(store.applyLive(update('640106001', '2026-11-28T09:59:00+08:00', 2), true)).toBe(false)
    expect(store.applyLive(update('640106001', '2026-11-28T10:00:10+08:00', 3), false)).toBe(false)
    expect(store.metrics?.figures.requests).toBe(42)
    // the children keep their figures
    expect(store.metrics?.children).toEqual([])
  })

  it('keeps lists and problems per unit', () => {
    const store = useLeaderStore()
    store.show({ ...today, unit: '64010600100101' })
    store.setGridLists('elsewhere', { requests: [] })
    expect(store.requests).toBeNull()
    store.setGridLists('64010600100101', { workers: [] })
    expect(store.workers).toEqual([])
    store.setProblem('64010600100101', 'outOfScope')
    expect(store.problem).toBe('outOfScope')
    store.setMetrics({ ...today, unit: '64010600100101' }, metricsReply('64010600100101', []))
    expect(store.problem).toBeNull()
  })
})
