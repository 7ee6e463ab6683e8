import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { DEFAULT_POLICY } from '../../shared/metrics'
import ConsoleAdmin from '../../client/components/console/ConsoleAdmin.vue'
import ConsoleAlertCard from '../../client/components/console/ConsoleAlertCard.vue'
import ConsoleDialog from '../../client/components/console/ConsoleDialog.vue'
import ConsoleDispatchForm from '../../client/components/console/ConsoleDispatchForm.vue'
import ConsoleOnDuty from '../../client/components/console/ConsoleOnDuty.vue'
import ConsoleRequestDetail from '../../client/components/console/ConsoleRequestDetail.vue'
import ConsoleRequestRow from '../../client/components/console/ConsoleRequestRow.vue'
import ConsoleTakeRequest from '../../client/components/console/ConsoleTakeRequest.vue'
import { createConsoleApi, type AlertItem, type RequestItem } from '../../client/console/api'
import { countdownOf } from '../../client/console/queues'
import { createAppI18n } from '../../client/i18n'
import { useGeographyStore } from '../../client/stores/geography'
import ConsoleView from '../../client/views/ConsoleView.vue'
import { smallGeography } from '../fixtures/leader-fixtures'

const MIN = 60_000
const NOW = Date.parse('2026-12-05T10:00:00+08:00')
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
const request = (patch: Partial<RequestItem> = {}): RequestItem => ({
  id: 'r1', gridId: '64010600100101', source: 'walk_in', category: 'noise', priority: 'urgent', stage: 'received', stageAt: NOW - 40 * MIN, receivedAt: NOW - 40 * MIN, ...patch,
})
const department = (id: string, name: string) => ({ id, name, kind: 'housing' as const })

describe('console components', () => {
  let pinia: ReturnType<typeof createPinia>
  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    useGeographyStore().setGeography(smallGeography())
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })
  const plugins = (locale: 'zh-CN' | 'en' = 'zh-CN') => [pinia, createAppI18n(locale)]

  it('shows a request with its countdown and emits its actions', async () => {
    const item = request()
    const wrapper = mount(ConsoleRequestRow, {
      props: { item, gridName: '阅海社区第1网格', now: NOW, actions: ['urge', 'dispatch'], countdown: countdownOf(item, DEFAULT_POLICY, NOW) },
      global: { plugins: plugins() },
    })
    expect(wrapper.get('[data-testid="countdown"]').text()).toBe('响应超时 10:00')
    expect(wrapper.get('[data-testid="countdown"]').attributes('data-state')).toBe('overdue')
    expect(wrapper.text()).toContain('阅海社区第1网格')
    const buttons = wrapper.findAll('button[data-action]')
    expect(buttons.map((b) => b.text())).toEqual(['督办', '派单'])
    expect(buttons[0]!.classes()).toContain('primary')
    await buttons[1]!.trigger('click')
    expect(wrapper.emitted('act')).toEqual([['dispatch', item]])

    const en = mount(ConsoleRequestRow, { props: { item, gridName: 'g', now: NOW, actions: [], countdown: countdownOf(item, DEFAULT_POLICY, NOW) }, global: { plugins: plugins('en') } })
    expect(en.get('[data-testid="countdown"]').text()).toBe('response overdue by 10:00')
  })

  it('shows the camera’s snapshot when there is one, and reviews with the three buttons', async () => {
    const alert: AlertItem = { alertId: 'a1', gridId: 'g', cameraId: 'cam-1', kind: 'smoke_fire', confidence: 0.87, lon: 0, lat: 0, at: NOW, verdict: null, requestId: null, snapshotUrl: '/snap/a1.jpg' }
    const wrapper = mount(ConsoleAlertCard, { props: { alert, gridName: 'g' }, global: { plugins: plugins() } })
    const img = wrapper.get('[data-testid="alert-snapshot"]')
    // Through the server with the session, never the camera's own URL.
    expect(img.attributes('src')).toBe('/api/v1/alerts/a1/snapshot')
    expect(wrapper.html()).not.toContain('/snap/a1.jpg')
    expect(img.attributes('alt')).toBe('烟火告警抓拍')
    expect(wrapper.text()).toContain('置信度 87%')
    await wrapper.get('[data-action="confirm-raise"]').trigger('click')
    await wrapper.get('[data-action="dismiss"]').trigger('click')
    expect(wrapper.emitted('review')).toEqual([[alert, 'confirmed', true], [alert, 'false_positive', false]])
    const none = mount(ConsoleAlertCard, { props: { alert: { ...alert, snapshotUrl: undefined }, gridName: 'g' }, global: { plugins: plugins() } })
    expect(none.find('[data-testid="alert-snapshot"]').exists()).toBe(false)
    // One the server cannot get (a 404) is said in words, not shown broken.
    await img.trigger('error')
    expect(wrapper.find('[data-testid="alert-snapshot"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="alert-snapshot-unavailable"]').text()).toBe('抓拍图暂时无法获取')
  })

  it('suggests the department on duty now first, chosen already, and sends it', async () => {
    const urls: string[] = []
    const api = createConsoleApi(async (url) => {
      urls.push(url)
      if (url.startsWith('/api/v1/directory/on-duty')) {
        return json({ at: '640106001', entries: [
          { department: department('later', '城管'), streetId: '640106001', from: '14:00', to: '18:00', now: false },
          { department: department('zj', '住建'), streetId: '640106001', from: '09:00', to: '12:00', now: true },
        ] })
      }
      return json({ items: [{ workerId: 'w-1', gridId: '64010600100101', kind: 'ping', lon: 0, lat: 0, at: 1 }] })
    })
    const wrapper = mount(ConsoleDispatchForm, {
      props: { item: request(), api, directory: { departments: [department('zj', '住建')], rota: [], experts: [{ id: 'law', pool: 'legal', name: '王律师', contact: '139****5678' }] } },
      global: { plugins: plugins() },
    })
    await flushPromises()
    expect(urls).toEqual(['/api/v1/directory/on-duty?unit=64010600100101', '/api/v1/workers?unit=64010600100101'])
    expect(wrapper.findAll('fieldset').map((f) => f.attributes('data-group'))).toEqual(['onDutyNow', 'onDutyToday', 'gridWorker', 'expert'])
    expect(wrapper.findAll('fieldset legend').map((l) => l.text())).toEqual(['正在坐班', '今日坐班', '本网格网格员', '专家库'])
    expect((wrapper.get('input[type="radio"]:checked').element as HTMLInputElement).value).toBe('department:zj')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('submit')).toEqual([[{ kind: 'department', id: 'zj' }, '']])
  })

  it('takes a request at a community’s middle, and will not send one without a place', async () => {
    const wrapper = mount(ConsoleTakeRequest, {
      props: { unitId: '640106001', errors: {} },
      global: { plugins: plugins(), stubs: { ConsoleLocationMap: true } },
    })
    await wrapper.get('form').trigger('submit')
    expect(wrapper.find('[data-testid="error-location"]').exists()).toBe(true)
    expect(wrapper.emitted('submit')).toBeUndefined()

    const options = wrapper.findAll('[data-testid="take-community"] option').map((o) => o.text())
    expect(options).toEqual(['— 选择社区 —', '满城北街街道 · 阅海社区', '满城北街街道 · 宝湖社区'])
    await wrapper.get('[data-testid="take-community"]').setValue('640106001002')
    await wrapper.get('[data-testid="take-priority"]').setValue('urgent')
    await wrapper.get('[data-testid="take-description"]').setValue('  路灯不亮  ')
    await wrapper.get('[data-testid="take-phone"]').setValue('13900001111')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('submit')).toEqual([[{
      source: 'walk_in', category: 'environment', priority: 'urgent',
      location: { lon: 106.025, lat: 38.005 },
      description: '路灯不亮',
      reporter: { phone: '13900001111' },
    }]])
    await wrapper.setProps({ errors: { 'reporter/phone': 'body/reporter/phone must match pattern' } })
    expect(wrapper.get('[data-testid="error-phone"]').text()).toBe('body/reporter/phone must match pattern')
    expect(wrapper.get('[data-testid="take-phone"]').attributes('aria-invalid')).toBe('true')
  })

  it('a dialog takes the focus to its first field and closes on Escape', async () => {
    const wrapper = mount(ConsoleDialog, {
      props: { title: '派单' },
      slots: { default: '<form><input data-testid="first" /><button type="submit">ok</button></form>' },
      global: { plugins: plugins() },
      attachTo: document.body,
    })
    await flushPromises()
    expect(document.activeElement?.getAttribute('data-testid')).toBe('first')
    expect(wrapper.get('[role="dialog"]').attributes('aria-label')).toBe('派单')
    await wrapper.get('[role="dialog"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.emitted('close')).toHaveLength(1)
    wrapper.unmount()
  })

  it('says who is on duty now at the street', () => {
    const wrapper = mount(ConsoleOnDuty, {
      props: {
        streets: [{ id: '640106001', name: '满城北街街道' }],
        street: '640106001',
        reply: { at: '640106001', entries: [
          { department: department('later', '城管局'), streetId: '640106001', from: '14:00', to: '18:00', now: false },
          { department: department('zj', '住建局'), streetId: '640106001', from: '09:00', to: '12:00', now: true },
        ] },
      },
      global: { plugins: plugins() },
    })
    expect(wrapper.text()).toContain('满城北街街道 当前在岗')
    expect(wrapper.findAll('li').map((li) => li.attributes('data-department'))).toEqual(['zj', 'later'])
    expect(wrapper.findAll('li')[0]!.text()).toContain('在岗')
    expect(wrapper.findAll('li')[1]!.text()).toContain('今日 14:00–18:00')
  })

  it('the admin page shows a refusal next to the field it names', async () => {
    const posted: unknown[] = []
    const api = createConsoleApi(async (url, init) => {
      if (init?.method === 'POST') {
        posted.push(JSON.parse(String(init.body)))
        return json({ statusCode: 400, error: 'Bad Request', message: 'body/id must match pattern', field: 'body/id', rule: 'pattern' }, 400)
      }
      expect(url).toBe('/api/v1/directory')
      return json({ departments: [department('zj', '住建局')], rota: [{ id: 'r1', departmentId: 'zj', streetId: '640106001', weekday: 1, from: '09:00', to: '12:00' }], experts: [] })
    })
    const wrapper = mount(ConsoleAdmin, { props: { api }, global: { plugins: plugins(), stubs: { RouterLink: true } } })
    await flushPromises()
    expect(wrapper.get('[data-rota="r1"]').text()).toContain('住建局')
    expect(wrapper.get('[data-rota="r1"]').text()).toContain('满城北街街道')
    expect(wrapper.get('[data-rota="r1"]').text()).toContain('周一')
    const form = wrapper.get('[data-testid="add-department"]')
    await form.get('input[name="id"]').setValue('bad id')
    await form.get('input[name="name"]').setValue('水务局')
    await form.trigger('submit')
    await flushPromises()
    expect(posted).toEqual([{ id: 'bad id', name: '水务局', kind: 'housing' }])
    expect(form.get('[data-field="id"]').text()).toBe('body/id must match pattern')
    expect(form.get('input[name="id"]').attributes('aria-invalid')).toBe('true')
  })

  it('tells a leader that the admin page is the center’s', async () => {
    vi.stubGlobal('fetch', async (url: string) => {
      if (url === '/api/v1/session') return json({ username: 'leader', role: 'leader', unit: '640106001', expiresAt: '' })
      if (url === '/api/v1/geography') return json(smallGeography())
      if (url === '/api/v1/config') return json({ timeZone: 'Asia/Shanghai', policy: DEFAULT_POLICY, basemap: null })
      return json({ departments: [], rota: [], experts: [] })
    })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/console/admin', name: 'console-admin', component: ConsoleView }, { path: '/:p(.*)*', component: ConsoleView }] })
    await router.push('/console/admin')
    const wrapper = mount(ConsoleView, { global: { plugins: [...plugins(), router] } })
    await flushPromises()
    expect(wrapper.get('[data-testid="center-only"]').text()).toBe('仅限中心账号：部门、坐班和专家库由指挥中心管理。')
    expect(wrapper.find('[data-testid="console-admin"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="to-admin"]').exists()).toBe(false)
  })
})

describe('console request detail', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    useGeographyStore().setGeography(smallGeography())
  })

  it('shows who did each step, a key by its source, and the actions the stage allows', async () => {
    const api = createConsoleApi(async () =>
      json({
        id: 'r1', source: 'walk_in', category: 'noise', priority: 'general', location: { lon: 106.005, lat: 38.005 },
        gridId: '64010600100101', communityId: '640106001001', streetId: '640106001', receivedAt: '2026-12-05T02:00:00Z', stage: 'resolved',
        stages: [
          { seq: 1, stage: 'received', at: '2026-12-05T02:00:00Z', actor: { kind: 'user', name: '值班员甲' } },
          { seq: 2, stage: 'dispatched', at: '2026-12-05T02:05:00Z', actor: { kind: 'user', name: '值班员甲' }, assignee: { kind: 'department', id: 'zj' }, assigneeName: '住建局' },
          { seq: 3, stage: 'resolved', at: '2026-12-05T03:00:00Z', actor: { kind: 'key', source: 'zj-app' }, note: '已修复' },
        ],
        urges: [{ seq: 4, at: '2026-12-05T02:30:00Z', actor: { kind: 'user', name: '值班员乙' }, note: '请加快' }],
        seq: 3,
      }),
    )
    const wrapper = mount(ConsoleRequestDetail, { props: { id: 'r1', api }, global: { plugins: [createAppI18n('zh-CN')] } })
    await flushPromises()
    expect(wrapper.findAll('[data-testid="detail-actor"]').map((a) => a.text())).toEqual(['操作人：值班员甲', '操作人：值班员甲', '操作人：zj-app（接口）'])
    expect(wrapper.get('[data-testid="detail-timeline"]').text()).toContain('住建局')
    expect(wrapper.text()).toContain('值班员乙')
    const actions = wrapper.findAll('button[data-action]')
    expect(actions.map((b) => b.attributes('data-action'))).toEqual(['review', 'reopen'])
    await actions[0]!.trigger('click')
    expect(wrapper.emitted('act')![0]![0]).toBe('review')
  })
})
