import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import type { LiveEvent } from '../../shared/events'
import WallConnection from '../../client/components/wall/WallConnection.vue'
import WallTicker from '../../client/components/wall/WallTicker.vue'
import { createAppI18n } from '../../client/i18n'
import { useGeographyStore } from '../../client/stores/geography'
import { GRID, patrol, raised, received, transitioned } from './live-fixtures'

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
    return mount(WallTicker, { props: { events }, global: { plugins: [pinia, createAppI18n(locale)] } })
  }

  it('shows one row per event, newest first, with its seq and translated names', () => {
    const events: LiveEvent[] = [
      patrol(4, 'w-1', 106.2),
      raised(3, 'a1', { kind: 'high_altitude_throwing' }),
      transitioned(2, 'r1', 'dispatched'),
      received(1, 'r1', { category: 'noise', source: 'hotline', gridId: 'elsewhere' }),
    ]
    const rows = mountTicker(events).findAll('[data-testid="ticker-row"]')
    expect(rows.map((r) => r.attributes('data-seq'))).toEqual(['4', '3', '2', '1'])
    expect(rows[0].text()).toContain('网格巡查')
    expect(rows[0].text()).toContain('阅海社区第1网格')
    expect(rows[1].text()).toContain('高空抛物')
    expect(rows[2].text()).toContain('派单')
    expect(rows[3].text()).toContain('噪音扰民')
    expect(rows[3].text()).toContain('12345热线')
    expect(rows[3].text()).toContain('未知网格')
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
    expect(empty.text()).toContain('等待实时数据')
  })

  it('shows the connection state as text and as data-state', () => {
    for (const [state, text] of [['live', '实时'], ['stale', '数据延迟'], ['offline', '已断开'], ['connecting', '连接中']] as const) {
      const el = mount(WallConnection, { props: { state }, global: { plugins: [createAppI18n('zh-CN')] } }).get('[data-testid="connection"]')
      expect(el.attributes('data-state')).toBe(state)
      expect(el.text()).toBe(text)
    }
  })
})
