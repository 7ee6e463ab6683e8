// The wall for five metres, the pure parts and the components (issue 19): thin rates, chart type,
// the ticker's news and pins, broken trails, the snapshot's image through the server.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import WallAlertPanel from '../../client/components/wall/WallAlertPanel.vue'
import WallKpiStrip from '../../client/components/wall/WallKpiStrip.vue'
import WallMapLegend from '../../client/components/wall/WallMapLegend.vue'
import { createAppI18n } from '../../client/i18n'
import type { WorkerTrack } from '../../client/lib/live-types'
import { COLOUR_SCALES, GRID_FILL_OPACITY, NO_DATA_COLOUR, onMapColour } from '../../client/map/colour-scale'
import { PRIORITY_COLORS } from '../../client/map/layers/events'
import { TRAIL_MAX_GAP_MS, buildTrailsData } from '../../client/map/sources/events'
import { MAP_BACKGROUND } from '../../client/map/style'
import { useGeographyStore } from '../../client/stores/geography'
import { WALL_MIN_FONT_SIZE, wallChartOption } from '../../client/wall/chart-type'
import { snapshotPath, useAlertSnapshots, withSnapshot } from '../../client/wall/snapshots'
import { TICKER_MAX_PINNED, TICKER_PIN_MS, isTickerWorthy, tickerRows } from '../../client/wall/ticker'
import { MIN_RATE_SAMPLE, isThinSample } from '../../shared/display'
import type { LiveEvent } from '../../shared/events'
import { computeFigures, DEFAULT_POLICY, rate, type Figures } from '../../shared/metrics'
import { GRID, T0, openAlert, patrol, raised, received, transitioned, worker } from '../fixtures/live-fixtures'

beforeEach(() => {
  setActivePinia(createPinia())
  useGeographyStore().setGeography({ type: 'FeatureCollection', features: [] })
})

describe('a rate over too few cases', () => {
  it('is thin under the one threshold of shared/display.ts', () => {
    expect(MIN_RATE_SAMPLE).toBe(10)
    expect(isThinSample(3)).toBe(true)
    expect(isThinSample(9)).toBe(true)
    expect(isThinSample(10)).toBe(false)
    expect(isThinSample(null)).toBe(true)
  })

  it('is shown greyed on the KPI strip as k/n with its n, never as a headline 100%', () => {
    const base = computeFigures({ requests: [], open: [], alerts: [], cells: 0, visitedCells: 0, workersOnline: 0, population: null, now: 0, policy: DEFAULT_POLICY })
    const figures: Figures = { ...base, resolution: rate(3, 3), satisfaction: rate(45, 50) }
    for (const [locale, says] of [
      ['zh-CN', '仅 3 件'],
      ['en', 'n = 3'],
    ] as const) {
      const w = mount(WallKpiStrip, { props: { figures, alertsWaiting: 0 }, global: { plugins: [createAppI18n(locale)] } })
      const thin = w.get('[data-testid="kpi-resolution"]')
      expect(thin.attributes('data-thin')).toBe('true')
      expect(thin.classes()).toContain('thin')
      expect(thin.get('.number').text()).toBe('3/3')
      expect(thin.text()).not.toContain('100')
      expect(thin.text()).toContain(says)
      const solid = w.get('[data-testid="kpi-satisfaction"]')
      expect(solid.attributes('data-thin')).toBeUndefined()
      expect(solid.get('.number').text()).toBe('90')
    }
  })
})

describe('chart type on the wall', () => {
  it('raises every font size under 20 px, leaves larger ones, and sets a default', () => {
    const option = { textStyle: { color: '#fff' }, legend: { textStyle: { fontSize: 15 } }, xAxis: { axisLabel: { fontSize: 12, interval: 3 } }, series: [{ label: { fontSize: 24 } }] }
    const raised = wallChartOption(option)
    expect(raised.textStyle).toEqual({ color: '#fff', fontSize: WALL_MIN_FONT_SIZE })
    expect(raised.legend.textStyle.fontSize).toBe(20)
    expect(raised.xAxis.axisLabel).toEqual({ fontSize: 20, interval: 3 })
    expect(raised.series[0]!.label.fontSize).toBe(24)
    // The builder's own option is not changed (other screens use it as it is).
    expect(option.xAxis.axisLabel.fontSize).toBe(12)
  })
})

describe('the ticker', () => {
  it('tells news, not the routine', () => {
    expect(isTickerWorthy(patrol(1, 'w1', 106.2))).toBe(false)
    expect(isTickerWorthy({ ...patrol(1, 'w1', 106.2), kind: 'check_in' })).toBe(false)
    expect(isTickerWorthy(transitioned(1, 'r1', 'accepted'))).toBe(false)
    expect(isTickerWorthy(transitioned(1, 'r1', 'resolved'))).toBe(true)
    expect(isTickerWorthy(transitioned(1, 'r1', 'returned'))).toBe(true)
    expect(isTickerWorthy(received(1, 'r1'))).toBe(true)
    expect(isTickerWorthy(raised(1, 'a1'))).toBe(true)
  })

  it('pins urgent requests for a while, a few at most, however fast the rest rolls', () => {
    const urgent = (seq: number, at: number): LiveEvent => ({ ...received(seq, `u${seq}`), priority: 'urgent', at })
    const flood = Array.from({ length: 100 }, (_, i) => received(1000 - i, `r${i}`))
    const patrols = Array.from({ length: 100 }, (_, i) => ({ ...patrol(500 - i, `w${i}`, 106.2), kind: 'check_in' as const }))
    const events = [...flood, ...patrols, urgent(3, T0 - 60_000), urgent(2, T0 - 120_000), urgent(1, T0 - 180_000)]
    const { pinned, rolling } = tickerRows(events, T0)
    expect(pinned.map((e) => e.seq)).toEqual([3, 2].slice(0, TICKER_MAX_PINNED))
    expect(rolling.every((e) => e.type === 'request.received' && e.priority !== 'urgent')).toBe(true)
    expect(tickerRows(events, T0 - 60_000 + TICKER_PIN_MS + 1).pinned.map((e) => e.seq)).toEqual([])
  })
})

describe('worker trails', () => {
  it('break at a silence of more than a few minutes instead of a straight line across it', () => {
    const now = T0
    const trail = [
      { lon: 106.2, lat: 38.45, at: now - 9 * 60_000 },
      { lon: 106.2004, lat: 38.4503, at: now - 8 * 60_000 },
      // Four minutes without a ping (a phone without signal, a stalled stream).
      { lon: 106.2008, lat: 38.4506, at: now - 8 * 60_000 + TRAIL_MAX_GAP_MS + 60_000 },
      { lon: 106.201, lat: 38.4508, at: now - 60_000 },
    ]
    const w: WorkerTrack = { ...worker('w1'), ...trail[trail.length - 1]!, trail }
    expect(buildTrailsData(new Map([['w1', w]]), now).features[0]!.geometry.coordinates).toEqual([
      [106.2008, 38.4506],
      [106.201, 38.4508],
    ])
  })
})

describe('the legend', () => {
  it('shows each priority colour and the grid classes as the map draws them', () => {
    const w = mount(WallMapLegend, { props: { figure: 'coverage' }, global: { plugins: [createAppI18n('zh-CN')] } })
    const requestColours = w.findAll('[data-testid="legend-symbol"][data-layer="events-requests"]').map((e) => e.attributes('data-colour'))
    expect(requestColours.sort()).toEqual(Object.values(PRIORITY_COLORS).sort())
    expect(w.findAll('[data-testid="legend-entry"]').map((e) => e.attributes('data-colour'))).toEqual([...COLOUR_SCALES.coverage.colours])
    expect(w.get('[data-testid="legend-no-data"]').attributes('data-colour')).toBe(NO_DATA_COLOUR)
    expect(w.text()).toContain('紧急')
    expect(w.text()).toContain('诉求聚合')
  })

  it('keeps every class of every scale, and no data, at least ΔE 25 apart as the map draws them', () => {
    const lab = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255
        return c > 0.04045 ? ((c + 0.055) / 1.055) ** 2.4 : c / 12.92
      }) as [number, number, number]
      const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116)
      const [x, y, z] = [f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047), f(0.2126 * r + 0.7152 * g + 0.0722 * b), f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)]
      return [116 * y - 16, 500 * (x - y), 200 * (y - z)] as const
    }
    for (const scale of Object.values(COLOUR_SCALES)) {
      const drawn = [...scale.colours, NO_DATA_COLOUR].map((c) => lab(onMapColour(c)))
      for (let i = 0; i < drawn.length; i++) {
        for (let j = i + 1; j < drawn.length; j++) {
          const [p, q] = [drawn[i]!, drawn[j]!]
          expect(Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]), `${scale.figure} ${i} vs ${j}`).toBeGreaterThanOrEqual(25)
        }
      }
    }
  })

  it('blends a swatch over the map background at the fills’ opacity', () => {
    expect(onMapColour('#ffffff', 1)).toBe('#ffffff')
    expect(onMapColour('#ffffff', 0)).toBe(MAP_BACKGROUND)
    expect(GRID_FILL_OPACITY).toBeGreaterThanOrEqual(0.85)
  })
})

describe('the camera snapshot', () => {
  it('keeps only which alerts have one, never the camera URL', () => {
    const ids = withSnapshot({
      items: [
        { alertId: 'a1', gridId: GRID, cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, lon: 0, lat: 0, at: 0, verdict: null, requestId: null, snapshotUrl: 'http://10.0.0.7/1.jpg' },
        { alertId: 'a2', gridId: GRID, cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, lon: 0, lat: 0, at: 0, verdict: null, requestId: null },
      ],
    })
    expect([...ids]).toEqual(['a1'])
    expect(snapshotPath('a/1')).toBe('/api/v1/alerts/a%2F1/snapshot')
  })

  it('asks the alert list when an alert it has not asked about appears, and not for a replay', async () => {
    const calls: string[] = []
    const fetchImpl = async (url: string) => {
      calls.push(url)
      return new Response(JSON.stringify({ items: [{ alertId: 'a1', snapshotUrl: 'http://cam/1.jpg' }, { alertId: 'a2' }] }), { status: 200 })
    }
    const unit = ref('640106')
    const alertIds = ref<string[]>(['a1', 'a2'])
    const scope = effectScope()
    const { ids } = scope.run(() => useAlertSnapshots(unit, alertIds, { fetchImpl, minIntervalMs: 0 }))!
    await new Promise((r) => setTimeout(r, 5))
    await flushPromises()
    expect(calls).toHaveLength(1)
    expect(calls[0]).toContain('/api/v1/alerts?unit=640106&open=true')
    expect([...ids.value]).toEqual(['a1'])
    // The same alerts again: no new question.
    alertIds.value = ['a2', 'a1']
    await nextTick()
    await new Promise((r) => setTimeout(r, 5))
    expect(calls).toHaveLength(1)
    unit.value = ''
    alertIds.value = ['a3']
    await nextTick()
    await new Promise((r) => setTimeout(r, 5))
    expect(calls).toHaveLength(1)
    scope.stop()
  })

  it('is an image from the server in the alert card, hidden when it fails to load', async () => {
    const alerts = new Map([
      ['a1', openAlert('a1', { kind: 'manhole_anomaly' })],
      ['a2', openAlert('a2', { at: T0 - 1000 })],
    ])
    const w = mount(WallAlertPanel, { props: { alerts, recent: [], snapshots: new Set(['a1']) }, global: { plugins: [createAppI18n('en')] } })
    const img = w.get('[data-alert="a1"] [data-testid="alert-snapshot"]')
    expect(img.attributes('src')).toBe('/api/v1/alerts/a1/snapshot')
    expect(w.find('[data-alert="a2"] [data-testid="alert-snapshot"]').exists()).toBe(false)
    expect(w.get('[data-alert="a1"] [data-testid="alert-kind"]').text()).toBe('Manhole cover anomaly')
    await img.trigger('error')
    expect(w.find('[data-testid="alert-snapshot"]').exists()).toBe(false)
  })

  it('says what an empty panel means', () => {
    const w = mount(WallAlertPanel, { props: { alerts: new Map(), recent: [] }, global: { plugins: [createAppI18n('zh-CN')] } })
    expect(w.text()).toContain('今日无待核告警 ✓')
  })
})
