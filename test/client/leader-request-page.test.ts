import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { RequestDetail } from '../../shared/schemas/requests'
import LeaderRequestPage from '../../client/components/leader/LeaderRequestPage.vue'
import { createAppI18n } from '../../client/i18n'
import { useGeographyStore } from '../../client/stores/geography'
import { DEFAULT_POLICY } from '../../shared/metrics'
import { smallGeography } from '../fixtures/leader-fixtures'

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })

const detail: RequestDetail = {
  id: 'r-1',
  source: 'hotline',
  category: 'noise',
  priority: 'urgent',
  location: { lon: 106.2, lat: 38.5 },
  gridId: '64010600100101',
  communityId: '640106001001',
  streetId: '640106001',
  receivedAt: '2026-11-28T01:00:00Z',
  stage: 'accepted',
  stages: [
    { seq: 1, stage: 'received', at: '2026-11-28T01:00:00Z', actor: { kind: 'key', source: '12345热线' } },
    { seq: 3, stage: 'dispatched', at: '2026-11-28T01:05:00Z', actor: { kind: 'user', name: '张三' }, assignee: { kind: 'department', id: 'zj-jf' }, assigneeName: '金凤区住建局' },
    { seq: 4, stage: 'returned', at: '2026-11-28T01:20:00Z', assignee: { kind: 'expert', id: 'law-01' } },
    { seq: 6, stage: 'dispatched', at: '2026-11-28T01:30:00Z', assignee: '老王（旧记录）' },
    { seq: 7, stage: 'accepted', at: '2026-11-28T01:40:00Z' },
  ],
  urges: [
    { seq: 2, at: '2026-11-28T01:03:00Z', actor: { kind: 'user', name: '李四' }, note: '请尽快' },
    { seq: 5, at: '2026-11-28T01:25:00Z' },
  ],
  seq: 7,
}

describe('the leader request page', () => {
  let lastWrapper: ReturnType<typeof mount> | null = null
  let pinia: ReturnType<typeof createPinia>
  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    useGeographyStore().setGeography(smallGeography())
  })
  afterEach(() => vi.unstubAllGlobals())

  async function open(locale: 'zh-CN' | 'en') {
    vi.stubGlobal('fetch', vi.fn(async (input: string) => (input.endsWith('/config') ? json({ timeZone: 'Asia/Shanghai', policy: DEFAULT_POLICY, basemap: null }) : json(detail))))
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { render: () => null } }] })
    await router.push('/leader/requests/r-1')
    // No WebGL in happy-dom: the small map is a browser test's business.
    const wrapper = mount(LeaderRequestPage, { props: { id: 'r-1' }, global: { plugins: [pinia, createAppI18n(locale), router], stubs: { LeaderRequestMap: true } } })
    await flushPromises()
    lastWrapper = wrapper
    return wrapper.get('[data-testid="request-timeline"]').findAll('li')
  }

  it('shows who did each step, the target by kind and name, and each 督办 in its place', async () => {
    const items = await open('zh-CN')
    expect(items.map((li) => li.attributes('data-stage'))).toEqual(['received', 'urged', 'dispatched', 'returned', 'urged', 'dispatched', 'accepted'])
    expect(items[0]!.get('[data-testid="step-actor"]').text()).toContain('系统：12345热线')
    expect(items[0]!.get('[data-testid="step-actor"]').attributes('data-kind')).toBe('key')
    expect(items[1]!.text()).toContain('督办')
    expect(items[1]!.get('[data-testid="step-actor"]').text()).toContain('李四')
    expect(items[1]!.text()).toContain('请尽快')
    expect(items[2]!.get('[data-testid="step-actor"]').text()).toContain('张三')
    expect(items[2]!.get('[data-testid="step-assignee"]').text()).toContain('部门 金凤区住建局')
    // Without a directory name: the id; an older free-text assignee as it was written.
    expect(items[3]!.get('[data-testid="step-assignee"]').text()).toContain('专家 law-01')
    expect(items[3]!.find('[data-testid="step-actor"]').exists()).toBe(false)
    expect(items[4]!.find('[data-testid="step-actor"]').exists()).toBe(false)
    expect(items[5]!.get('[data-testid="step-assignee"]').text()).toContain('老王（旧记录）')
  })

  it('says how long each step took and whether each deadline (urgent: 30 min, 2 h) was met', async () => {
    const items = await open('zh-CN')
    // received 01:00, dispatched 01:05, returned 01:20, dispatched 01:30, accepted 01:40
    const since = items.filter((li) => li.find('[data-testid="step-since"]').exists()).map((li) => Number(li.get('[data-testid="step-since"]').attributes('data-ms')) / 60_000)
    expect(since).toEqual([5, 15, 10, 10])
    expect(items[2]!.get('[data-testid="step-since"]').text()).toContain('+5 分钟')
    const deadlines = lastWrapper!.findAll('[data-testid="deadline"]')
    expect(deadlines.map((d) => [d.attributes('data-kind'), d.attributes('data-state'), d.attributes('data-due')])).toEqual([
      ['response', 'missed', '2026-11-28T01:30:00.000Z'],
      ['resolution', 'overdue', '2026-11-28T03:00:00.000Z'],
    ])
    expect(deadlines[0]!.text()).toContain('用时 40 分钟，超出 10 分钟')
  })

  it('in English too', async () => {
    const items = await open('en')
    expect(items[0]!.text()).toContain('System: 12345热线')
    expect(items[1]!.text()).toContain('Urged')
    expect(items[2]!.get('[data-testid="step-assignee"]').text()).toContain('Department 金凤区住建局')
  })
})
