import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import CommonExportButton from '../../client/components/common/CommonExportButton.vue'
import LeaderChildrenTable from '../../client/components/leader/LeaderChildrenTable.vue'
import LeaderFigureCards from '../../client/components/leader/LeaderFigureCards.vue'
import LeaderOverdueList from '../../client/components/leader/LeaderOverdueList.vue'
import LeaderRequestPage from '../../client/components/leader/LeaderRequestPage.vue'
import { createAppI18n } from '../../client/i18n'
import type { OverdueItem } from '../../client/leader/api'
import { rankChildren } from '../../client/leader/ranking'
import { useGeographyStore } from '../../client/stores/geography'
import { child, figures, metricsReply, r, smallGeography } from '../fixtures/leader-fixtures'

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('leader components', () => {
  let pinia: ReturnType<typeof createPinia>
  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    useGeographyStore().setGeography(smallGeography())
    window.localStorage.clear()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
  })

  const plugins = (locale: 'zh-CN' | 'en' = 'zh-CN') => [pinia, createAppI18n(locale)]

  it('lists the children in rank order with n beside every rate, and drills on a row', async () => {
    const reply = metricsReply('640106001', [
      child('640106001002', '宝湖社区', { onTimeResponse: r(2, 2), requests: 2 }),
      child('640106001001', '阅海社区', { onTimeResponse: r(180, 200), requests: 200, responseTime: { p50: 900, p90: 5400, n: 180 } }),
    ], { rankings: { onTimeResponse: ['640106001001', '640106001002'], resolution: [], satisfaction: [], proactive: [] } })
    const wrapper = mount(LeaderChildrenTable, {
      props: { rows: rankChildren(reply, 'onTimeResponse'), figure: 'onTimeResponse', unit: '640106001' },
      global: { plugins: plugins() },
    })
    const table = wrapper.get('[data-testid="children-table"]')
    const rows = table.findAll('tbody tr[data-unit]')
    expect(rows.map((row) => row.attributes('data-unit'))).toEqual(['640106001001', '640106001002'])
    expect(rows.map((row) => row.attributes('data-rank'))).toEqual(['1', '2'])
    const rate = rows[0]!.get('[data-col="onTimeResponse"]').text()
    expect(rate).toContain('90.0%')
    expect(rate).toContain('n=200')
    expect(rows[1]!.get('[data-col="onTimeResponse"]').text()).toContain('n=2')
    expect(rows[0]!.get('[data-col="responseP50"]').text()).toBe('15 分钟')
    // The second rate is greyed: two cases are not a result (shared/display.ts).
    expect(rows[1]!.get('[data-col="onTimeResponse"]').classes()).toContain('thin')
    expect(rows[0]!.get('[data-col="onTimeResponse"]').classes()).not.toContain('thin')
    expect(table.get('th[aria-sort]').text()).toBe('响应率')
    // P90 is not among the columns that fit 1440 px; the chooser adds it, and the choice is kept.
    expect(rows[0]!.find('[data-col="responseP90"]').exists()).toBe(false)
    await wrapper.get('[data-testid="column-chooser"] input[data-column="responseP90"]').trigger('change')
    expect(wrapper.get('tbody tr[data-unit="640106001001"] [data-col="responseP90"]').text()).toBe('1.5 小时')
    expect(JSON.parse(window.localStorage.getItem('outpost.leader.columns')!)).toContain('responseP90')
    // The ranking column cannot be hidden.
    expect(wrapper.get('[data-testid="column-chooser"] input[data-column="onTimeResponse"]').attributes('disabled')).toBeDefined()

    await rows[1]!.trigger('click')
    expect(wrapper.emitted('select')).toEqual([['640106001002']])
    await table.findAll('thead button').find((b) => b.text() === '满意率')!.trigger('click')
    expect(wrapper.emitted('sort')).toEqual([['satisfaction']])
  })

  it('shows the unit’s figures with their sample sizes', () => {
    const wrapper = mount(LeaderFigureCards, {
      props: { figures: figures({ requests: 12, satisfaction: r(8, 10), overdue: { response: 2, resolution: 5 } }) },
      global: { plugins: plugins('en') },
    })
    expect(wrapper.get('[data-figure="requests"] [data-testid="figure-value"]').text()).toBe('12')
    expect(wrapper.get('[data-figure="satisfaction"]').text()).toContain('80.0%')
    expect(wrapper.get('[data-figure="satisfaction"]').text()).toContain('n=10')
    expect(wrapper.get('[data-figure="overdue"] [data-testid="figure-value"]').text()).toBe('2 / 5')
  })

  it('lists overdue requests oldest first with age, stage and grid name', async () => {
    const items: OverdueItem[] = [
      { id: 'r-old', gridId: '64010600100101', priority: 'urgent', category: 'noise', stage: 'dispatched', receivedAt: Date.parse('2026-11-25T01:00:00Z'), ageSec: 3 * 86400 + 4 * 3600, late: ['response', 'resolution'] },
      { id: 'r-new', gridId: 'unknown-grid', priority: 'general', category: 'environment', stage: 'accepted', receivedAt: Date.parse('2026-11-28T01:00:00Z'), ageSec: 2.5 * 3600, late: ['response'] },
    ]
    const gridName = (id: string) => useGeographyStore().unit(id)?.name ?? id
    const wrapper = mount(LeaderOverdueList, { props: { items, unit: '640106001', gridName }, global: { plugins: plugins() } })
    const rows = wrapper.get('[data-testid="overdue-list"]').findAll('tbody tr[data-request]')
    expect(rows.map((row) => row.attributes('data-request'))).toEqual(['r-old', 'r-new'])
    expect(rows[0]!.text()).toContain('3天4小时')
    expect(rows[0]!.text()).toContain('派单')
    expect(rows[0]!.text()).toContain('阅海社区第1网格')
    expect(rows[0]!.text()).toContain('响应超期')
    expect(rows[1]!.text()).toContain('2小时30分')
    await rows[1]!.trigger('click')
    expect(wrapper.emitted('open')).toEqual([['r-new']])
  })

  it('downloads <table>-<unit>-<date>.csv with a BOM and the table’s rows', async () => {
    let blob: Blob | undefined
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blob = b as Blob
      return 'blob:test'
    })
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {})
    const downloads: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(this.download)
    })
    // The export is recorded in the audit trail before the file is handed over.
    const recorded: unknown[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        recorded.push({ url, method: init?.method, body: JSON.parse(String(init?.body)), downloadsSoFar: downloads.length })
        return new Response(null, { status: 204 })
      }),
    )
    const wrapper = mount(CommonExportButton, {
      props: { table: 'children', unit: '640106001', label: '下级单位排名', build: () => ({ header: ['名称', '数'], rows: [['阅海社区', 1]] }) },
      global: { plugins: plugins() },
    })
    const button = wrapper.get('[data-testid="export-csv"]')
    expect(button.attributes('aria-label')).toBe('将“下级单位排名”导出为 CSV')
    await button.trigger('click')
    await flushPromises()
    expect(recorded).toEqual([{ url: '/api/v1/audit/exports', method: 'POST', body: { what: 'children', unit: '640106001', rows: 1 }, downloadsSoFar: 0 }])
    expect(downloads).toHaveLength(1)
    expect(downloads[0]).toMatch(/^children-640106001-\d{4}-\d{2}-\d{2}\.csv$/)
    expect(blob!.type).toBe('text/csv;charset=utf-8')
    const bytes = new Uint8Array(await blob!.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(new TextDecoder().decode(bytes.slice(3))).toBe('名称,数\r\n阅海社区,1\r\n')
  })

  it('shows a request’s whole timeline, and says when it is out of scope', async () => {
    const detail = {
      id: 'r-1',
      source: 'hotline',
      category: 'noise',
      priority: 'general',
      location: { lon: 106.2, lat: 38.5 },
      gridId: '64010600100101',
      communityId: '640106001001',
      streetId: '640106001',
      receivedAt: Date.parse('2026-11-28T01:00:00Z'),
      stage: 'reviewed',
      reporter: { name: '张*', phone: '138****5678' },
      stages: [
        { seq: 1, stage: 'received', at: '2026-11-28T01:00:00Z' },
        { seq: 2, stage: 'dispatched', at: '2026-11-28T01:05:00Z', assignee: 'w-1' },
        { seq: 3, stage: 'resolved', at: '2026-11-28T03:00:00Z', note: '已协调施工方' },
        { seq: 4, stage: 'reviewed', at: '2026-11-28T05:00:00Z', review: { resolved: true, satisfaction: 'basically_satisfied' } },
      ],
    }
    const fetchMock = vi.fn(async (input: string) => (input.endsWith('/r-1') ? json(detail) : input.endsWith('/config') ? json({ message: 'no' }, 500) : json({ message: 'forbidden' }, 403)))
    vi.stubGlobal('fetch', fetchMock)
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { render: () => null } }] })
    await router.push('/leader/requests/r-1')
    // No WebGL in happy-dom: the small map is a browser test's business.
    const wrapper = mount(LeaderRequestPage, { props: { id: 'r-1' }, global: { plugins: [...plugins(), router], stubs: { LeaderRequestMap: true } } })
    await flushPromises()
    const stages = wrapper.get('[data-testid="request-timeline"]').findAll('li')
    expect(stages.map((s) => s.attributes('data-stage'))).toEqual(['received', 'dispatched', 'resolved', 'reviewed'])
    expect(stages[0]!.text()).toContain('2026-11-28 09:00')
    expect(stages[1]!.text()).toContain('w-1')
    expect(stages[2]!.text()).toContain('已协调施工方')
    expect(stages[3]!.text()).toContain('基本满意')
    expect(wrapper.get('[data-testid="request-reporter"]').text()).toContain('张*')
    expect(wrapper.text()).toContain('阅海社区第1网格')

    await wrapper.setProps({ id: 'r-2' })
    await flushPromises()
    expect(wrapper.get('[role="alert"]').attributes('data-problem')).toBe('outOfScope')
    expect(wrapper.get('[role="alert"]').text()).toContain('不在您的管辖范围内')
    expect(fetchMock.mock.calls.at(-1)![0]).toBe('/api/v1/requests/r-2')
  })
})

describe('LeaderWindowPicker', () => {
  it('picks a preset at once, and a custom window only on apply, its dates in order', async () => {
    const { default: LeaderWindowPicker } = await import('../../client/components/leader/LeaderWindowPicker.vue')
    const wrapper = mount(LeaderWindowPicker, {
      props: { window: 'today', from: null, to: null, today: '2026-11-28' },
      global: { plugins: [createAppI18n('zh-CN')] },
    })
    expect(wrapper.get('[data-window="today"]').attributes('aria-pressed')).toBe('true')
    await wrapper.get('[data-window="7d"]').trigger('click')
    expect(wrapper.emitted('change')).toEqual([[{ window: '7d', from: null, to: null }]])

    await wrapper.get('[data-window="custom"]').trigger('click')
    expect(wrapper.emitted('change')).toHaveLength(1)
    expect(wrapper.get('label:has([data-testid="window-from"])').text()).toContain('开始日期')
    await wrapper.get('[data-testid="window-from"]').setValue('2026-11-20')
    await wrapper.get('[data-testid="window-to"]').setValue('2026-11-01')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('change')![1]).toEqual([{ window: 'custom', from: '2026-11-01', to: '2026-11-20' }])
  })
})
