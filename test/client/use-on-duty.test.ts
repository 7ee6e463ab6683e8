import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import type { OnDutyReply } from '../../shared/schemas/directory'
import { useOnDuty } from '../../client/composables/use-on-duty'
import type { FetchLike } from '../../client/http'

const reply = (name: string): OnDutyReply => ({
  at: '640106001',
  entries: [{ department: { id: 'zj', name, kind: 'housing' }, streetId: '640106001', from: '09:00', to: '12:00', now: true }],
})

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
  await nextTick()
}

describe('useOnDuty', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('asks for the scene, again every few minutes and at once on a scene change', async () => {
    const asked: string[] = []
    let name = '住建局'
    const fetchImpl: FetchLike = async (input) => {
      asked.push(String(input))
      return new Response(JSON.stringify(reply(name)), { status: 200, headers: { 'content-type': 'application/json' } })
    }
    const unit = ref('640106001')
    const scope = effectScope()
    const { entries } = scope.run(() => useOnDuty(unit, { fetchImpl, everyMs: 1_000 }))!
    await flush()
    expect(asked).toHaveLength(1)
    expect(asked[0]).toContain('/api/v1/directory/on-duty?unit=640106001')
    expect(entries.value?.[0]?.department.name).toBe('住建局')

    name = '城管局'
    await vi.advanceTimersByTimeAsync(1_000)
    await flush()
    expect(asked).toHaveLength(2)
    expect(entries.value?.[0]?.department.name).toBe('城管局')

    unit.value = '640106002'
    await nextTick()
    expect(entries.value).toBeNull() // the old scene's departments are not shown for the new one
    await flush()
    expect(asked.at(-1)).toContain('unit=640106002')
    expect(entries.value).toHaveLength(1)

    scope.stop()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(asked).toHaveLength(3)
  })

  it('stays null on a server without the directory, and asks nothing for an empty scene', async () => {
    const asked: string[] = []
    const fetchImpl: FetchLike = async (input) => {
      asked.push(String(input))
      return new Response(JSON.stringify({ statusCode: 404, error: 'Not Found', message: 'no route' }), { status: 404, headers: { 'content-type': 'application/json' } })
    }
    const unit = ref('')
    const scope = effectScope()
    const { entries } = scope.run(() => useOnDuty(unit, { fetchImpl, everyMs: 1_000 }))!
    await flush()
    expect(asked).toHaveLength(0)
    unit.value = '640106'
    await nextTick()
    await flush()
    expect(asked).toHaveLength(1)
    expect(entries.value).toBeNull()
    scope.stop()
  })
})
