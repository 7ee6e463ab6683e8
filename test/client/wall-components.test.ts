import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import type { LiveEvent } from '../../shared/events'
import WallAlertPanel from '../../client/components/wall/WallAlertPanel.vue'
import WallConnection from '../../client/components/wall/WallConnection.vue'
import WallKpiStrip from '../../client/components/wall/WallKpiStrip.vue'
import WallMapLegend from '../../client/components/wall/WallMapLegend.vue'
import WallTicker from '../../client/components/wall/WallTicker.vue'
import { createAppI18n } from '../../client/i18n'
import { useGeographyStore } from '../../client/stores/geography'
import { GRID, T0, openAlert, patrol, raised, received, transitioned } from '../fixtures/live-fixtures'
import { computeFigures, DEFAULT_POLICY, rate, type Figures } from '../../shared/metrics'
import { nextTick } from 'vue'

describe('wall components', () => {
  let pinia: ReturnType<typeof createPinia>

  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    useGeographyStore().setGeography({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          id: GRID,
          properties: { id: GRID, level: 'grid', parentId: '640106001001', name: '阅海社区第1网格' },
          geometry: { type: 'Polygon', coordinates: [[[106, 38], [106.1, 38], [106.1, 38.1], [106, 38]]] },
        },
      ],
    })
  })

  function mountTicker(events: LiveEvent[], locale: 'zh-CN' | 'en' = 'zh-CN') {
    return mount(WallTicker, { props: { events, now: T0 }, global: { plugins: [pinia, createAppI18n(locale)] } })
  }

  it('shows one row per notable event, newest first, with its seq and translated names', () => {
    const events: LiveEvent[] = [
      patrol(5, 'w-1', 106.2),
      raised(4, 'a1', { kind: 'high_altitude_throwing' }),
      transitioned(3, 'r1', 'resolved'),
      transitioned(2, 'r1', 'dispatched'),
      received(1, 'r1', { category: 'noise', source: 'hotline', gridId: 'elsewhere' }),
    ]
    const rows = mountTicker(events).findAll('[data-testid="ticker-row"]')
    // A patrol's check-in and a request's routine dispatch are not news on the wall.
    expect(rows.map((r) => r.attributes('data-seq'))).toEqual(['4', '3', '1'])
    expect(rows[0].text()).toContain('高空抛物')
    expect(rows[0].text()).toContain('阅海社区第1网格')
    expect(rows[1].text()).toContain('办结')
    expect(rows[2].text()).toContain('噪音扰民')
    expect(rows[2].text()).toContain('12345热线')
    expect(rows[2].text()).toContain('未知网格')
  })

  it('pins an urgent request above the rolling rows while it is recent', () => {
    const urgent = { ...received(1, 'r-urgent', { category: 'safety_hazard' }), priority: 'urgent' as const, at: T0 - 60_000 }
    const later = Array.from({ length: 40 }, (_, i) => received(2 + i, `r${i}`))
    const events = [...later.reverse(), urgent]
    const pinned = mountTicker(events).findAll('[data-pinned="true"]')
    expect(pinned.map((r) => r.attributes('data-seq'))).toEqual(['1'])
    expect(pinned[0]!.text()).toContain('紧急')
    expect(pinned[0]!.text()).toContain('置顶')
    // Twenty minutes on, it rolls with the rest (the alarm panel keeps it until acknowledged).
    const old = mount(WallTicker, { props: { events, now: T0 + 20 * 60_000 }, global: { plugins: [pinia, createAppI18n('zh-CN')] } })
    expect(old.findAll('[data-pinned="true"]')).toHaveLength(0)
  })

  it('never shows ids that could point at a person or a case', () => {
    const text = mountTicker([received(1, 'REQ-SECRET-1'), raised(2, 'ALERT-XYZ', { cameraId: 'CAM-77' })]).text()
    expect(text).not.toContain('REQ-SECRET-1')
    expect(text).not.toContain('ALERT-XYZ')
    expect(text).not.toContain('CAM-77')
  })

  it('speaks English on request and says when there is nothing yet', () => {
    expect(mountTicker([received(1, 'r1')], 'en').text()).toContain('New request')
    const empty = mountTicker([])
    expect(empty.findAll('[data-testid="ticker-row"]')).toHaveLength(0)
    expect(empty.text()).toContain('暂无需关注的动态')
  })

  it('shows the connection state as text and as data-state', () => {
    for (const [state, text] of [['live', '实时'], ['stale', '数据延迟'], ['offline', '已断开'], ['connecting', '连接中']] as const) {
      const el = mount(WallConnection, { props: { state }, global: { plugins: [createAppI18n('zh-CN')] } }).get('[data-testid="connection"]')
      expect(el.attributes('data-state')).toBe(state)
      expect(el.text()).toBe(text)
    }
  })

  it('KPI strip shows the figures as a wall reads them, and the raw values for tooling', () => {
    const base = computeFigures({ requests: [], open: [], alerts: [], cells: 0, visitedCells: 0, workersOnline: 0, population: null, now: 0, policy: DEFAULT_POLICY })
    const figures: Figures = {
      ...base,
      requests: 179,
      onTimeResponse: rate(143, 150),
      resolution: rate(0, 0),
      satisfaction: rate(8.8, 10),
      responseTime: { p50: 34 * 60, p90: 3 * 3600, n: 146 },
      overdue: { response: 2, resolution: 11 },
      patrol: { coverage: rate(1, 2), workersOnline: 287 },
    }
    const w = mount(WallKpiStrip, { props: { figures, alertsWaiting: 4 }, global: { plugins: [pinia, createAppI18n('zh-CN')] } })
    const tile = (key: string) => w.get(`[data-testid="kpi-${key}"]`)
    expect(tile('requests').attributes('data-value')).toBe('179')
    expect(tile('requests').text()).toContain('179')
    expect(tile('onTimeResponse').text()).toContain('95.3')
    expect(tile('onTimeResponse').text()).toContain('样本 150')
    expect(tile('resolution').text()).toContain('—')
    expect(tile('satisfaction').text()).toContain('88')
    expect(tile('responseP50').attributes('data-value')).toBe(String(34 * 60))
    expect(tile('responseP50').text()).toContain('34分钟')
    expect(tile('responseP90').text()).toContain('3小时')
    expect(tile('overdue').attributes('data-response')).toBe('2')
    expect(tile('overdue').attributes('data-resolution')).toBe('11')
    expect(tile('workersOnline').text()).toContain('287')
    expect(tile('alertsWaiting').text()).toContain('4')
    expect(w.findAll('.tile')).toHaveLength(9)
  })

  it('KPI strip shows dashes before the first figures arrive', () => {
    const w = mount(WallKpiStrip, { props: { figures: null, alertsWaiting: 0 }, global: { plugins: [pinia, createAppI18n('en')] } })
    expect(w.get('[data-testid="kpi-requests"]').text()).toContain('—')
    expect(w.get('[data-testid="kpi-requests"]').attributes('data-value')).toBe('')
  })

  it('alert panel lists open alerts newest first and highlights only those raised while shown', async () => {
    const before = openAlert('old', { at: 1_000, kind: 'smoke_fire' })
    const w = mount(WallAlertPanel, {
      props: { alerts: new Map([['old', before]]), recent: [] },
      global: { plugins: [pinia, createAppI18n('zh-CN')] },
    })
    expect(w.findAll('[data-testid="alert-row"]').map((r) => r.attributes('data-new'))).toEqual(['false'])
    const fresh = raised(7, 'new-1', { kind: 'crowd_gathering', at: 2_000 })
    await w.setProps({
      alerts: new Map([
        ['old', before],
        ['new-1', openAlert('new-1', { at: 2_000, kind: 'crowd_gathering' })],
      ]),
      recent: [fresh],
    })
    await nextTick()
    const rows = w.findAll('[data-testid="alert-row"]')
    expect(rows.map((r) => [r.attributes('data-alert'), r.attributes('data-new')])).toEqual([
      ['new-1', 'true'],
      ['old', 'false'],
    ])
    expect(rows[0]!.text()).toContain('人员聚集')
    expect(rows[0]!.text()).toContain('阅海社区第1网格')
    expect(w.get('[data-testid="alert-count"]').text()).toBe('2')
  })

  it('map legend names the figure and its fixed classes', () => {
    const w = mount(WallMapLegend, { props: { figure: 'onTimeResponse' }, global: { plugins: [pinia, createAppI18n('zh-CN')] } })
    expect(w.text()).toContain('响应率')
    expect(w.findAll('[data-testid="legend-entry"]').map((e) => e.text())).toEqual(['< 60%', '60%–80%', '80%–90%', '90%–95%', '≥ 95%'])
    const overdue = mount(WallMapLegend, { props: { figure: 'overdue' }, global: { plugins: [pinia, createAppI18n('en')] } })
    expect(overdue.findAll('[data-testid="legend-entry"]').map((e) => e.text())).toEqual(['0', '1–2', '3–5', '6–9', '10+'])
  })
})
