import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import type { AlarmRaisedEvent, LiveEvent, OpenAlarm } from '../../shared/events'
import type { OnDutyReply } from '../../shared/schemas/directory'
import WallAlarmPanel from '../../client/components/wall/WallAlarmPanel.vue'
import WallOnDuty from '../../client/components/wall/WallOnDuty.vue'
import WallTicker from '../../client/components/wall/WallTicker.vue'
import { createAppI18n } from '../../client/i18n'
import { useGeographyStore } from '../../client/stores/geography'
import { ageOf, alarmRows, isChimeWorthy } from '../../client/wall/alarms'
import { GRID, T0, openAlert, openRequest, raised, received } from '../fixtures/live-fixtures'

const alarm = (id: string, reason: OpenAlarm['reason'], subjectId: string, at: number): OpenAlarm => ({ alarmId: id, reason, subjectId, gridId: GRID, lon: 106.2, lat: 38.47, at })
const alarmMap = (...list: OpenAlarm[]) => new Map(list.map((a) => [a.alarmId, a]))
const raisedAlarm = (seq: number, reason: AlarmRaisedEvent['reason']): AlarmRaisedEvent => ({
  type: 'alarm.raised',
  seq,
  at: T0,
  gridId: GRID,
  alarmId: `x:${seq}`,
  reason,
  subjectId: `s${seq}`,
  lon: 106.2,
  lat: 38.47,
})

describe('the wall alarms, pure', () => {
  it('says an age as the wall does: now under a minute, minutes under two hours, then hours', () => {
    expect(ageOf(T0, T0 + 59_999)).toEqual({ unit: 'now', n: 0 })
    expect(ageOf(T0, T0 - 5_000)).toEqual({ unit: 'now', n: 0 }) // a clock slightly behind
    expect(ageOf(T0, T0 + 60_000)).toEqual({ unit: 'minutes', n: 1 })
    expect(ageOf(T0, T0 + 119 * 60_000 + 59_999)).toEqual({ unit: 'minutes', n: 119 })
    expect(ageOf(T0, T0 + 120 * 60_000)).toEqual({ unit: 'hours', n: 2 })
  })

  it('lists the newest first, at most the limit, with what each is about and its 督办', () => {
    const alarms = alarmMap(
      alarm('urgent:r1', 'urgent_request', 'r1', T0 + 1_000),
      alarm('alert:a1', 'camera_alert', 'a1', T0 + 3_000),
      alarm('overdue:r2', 'overdue', 'r2', T0 + 2_000),
      alarm('overdue:gone', 'overdue', 'gone', T0 + 3_000),
    )
    const requests = new Map([['r1', openRequest('r1', { category: 'dispute' })], ['r2', openRequest('r2', { category: 'noise' })]])
    const alerts = new Map([['a1', openAlert('a1', { kind: 'smoke_fire' })]])
    const urged = new Map([['r1', { count: 2, lastAt: T0, by: 'zhang' }]])
    const rows = alarmRows(alarms, 3, requests, alerts, urged)
    expect(rows.map((r) => r.alarmId)).toEqual(['alert:a1', 'overdue:gone', 'overdue:r2'])
    expect(rows[0]!.subject).toEqual({ alertKind: 'smoke_fire' })
    expect(rows[1]!.subject).toBeNull() // closed or not known here: the reason alone
    expect(rows[2]!.subject).toEqual({ category: 'noise' })
    expect(alarmRows(alarms, 10, requests, alerts, urged).find((r) => r.alarmId === 'urgent:r1')).toMatchObject({ urges: 2, subject: { category: 'dispute' } })
  })

  it('rings for camera alerts and urgent requests, not for overdue alarms or other news', () => {
    expect(isChimeWorthy(raised(1, 'a1'))).toBe(true)
    expect(isChimeWorthy(raisedAlarm(2, 'urgent_request'))).toBe(true)
    expect(isChimeWorthy(raisedAlarm(3, 'overdue'))).toBe(false)
    expect(isChimeWorthy(raisedAlarm(4, 'camera_alert'))).toBe(false) // its alert.raised rings already
    expect(isChimeWorthy(received(5, 'r1', { priority: 'urgent' }))).toBe(false)
  })
})

describe('the wall alarm and on-duty panels', () => {
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
        {
          type: 'Feature',
          id: '640106001',
          properties: { id: '640106001', level: 'street', parentId: '640106', name: '满城北街街道' },
          geometry: { type: 'Polygon', coordinates: [[[106, 38], [106.1, 38], [106.1, 38.1], [106, 38]]] },
        },
      ],
    })
  })

  const global = (locale: 'zh-CN' | 'en' = 'zh-CN') => ({ plugins: [pinia, createAppI18n(locale)] })

  it('pins each open alarm with its reason, place and age, counts the rest, and marks the urged', () => {
    const list = Array.from({ length: 7 }, (_, i) => alarm(`overdue:r${i}`, 'overdue', `r${i}`, T0 - i * 60_000))
    list.push(alarm('urgent:u1', 'urgent_request', 'u1', T0 + 1))
    const wrapper = mount(WallAlarmPanel, {
      props: {
        alarms: alarmMap(...list),
        requests: new Map([['u1', openRequest('u1', { category: 'safety_hazard' })]]),
        alerts: new Map(),
        urged: new Map([['u1', { count: 1, lastAt: T0, by: 'center' }]]),
        now: T0 + 30 * 60_000,
      },
      global: global(),
    })
    const rows = wrapper.findAll('[data-testid="alarm-row"]')
    expect(rows).toHaveLength(5)
    expect(rows[0]!.attributes('data-alarm')).toBe('urgent:u1')
    expect(rows[0]!.text()).toContain('紧急诉求 · 安全隐患')
    expect(rows[0]!.text()).toContain('阅海社区第1网格')
    expect(rows[0]!.text()).toContain('29 分钟前')
    expect(rows[0]!.find('[data-testid="alarm-urged"]').text()).toBe('督办 1')
    expect(rows[1]!.text()).toContain('诉求超期')
    expect(rows[1]!.find('[data-testid="alarm-urged"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="alarm-count"]').text()).toBe('8')
    expect(wrapper.find('[data-testid="alarm-more"]').text()).toBe('另有 3 条')
  })

  it('says so when nothing is open', () => {
    const wrapper = mount(WallAlarmPanel, { props: { alarms: new Map(), requests: new Map(), alerts: new Map(), urged: new Map(), now: T0 }, global: global('en') })
    expect(wrapper.findAll('[data-testid="alarm-row"]')).toHaveLength(0)
    expect(wrapper.text()).toContain('No open alarm')
    expect(wrapper.find('[data-testid="alarm-panel"]').classes()).toContain('quiet')
  })

  it("lists today's departments on duty, those on duty now first, with kind and slot", () => {
    const entry = (id: string, name: string, kind: 'housing' | 'water', from: string, to: string, now: boolean): OnDutyReply['entries'][number] => ({
      department: { id, name, kind },
      streetId: '640106001',
      from,
      to,
      now,
    })
    const wrapper = mount(WallOnDuty, {
      props: { entries: [entry('sw', '金凤区水务局', 'water', '14:00', '17:00', false), entry('zj', '金凤区住建局', 'housing', '09:00', '12:00', true)] },
      global: global(),
    })
    const rows = wrapper.findAll('[data-testid="on-duty-row"]')
    expect(rows.map((r) => r.attributes('data-department'))).toEqual(['zj', 'sw'])
    expect(rows[0]!.text()).toContain('金凤区住建局')
    expect(rows[0]!.text()).toContain('在岗')
    expect(rows[0]!.text()).toContain('住建 · 09:00–12:00')
    expect(rows[1]!.text()).toContain('待岗')
    // One street: its name is not repeated on each row.
    expect(rows[0]!.text()).not.toContain('满城北街街道')

    const empty = mount(WallOnDuty, { props: { entries: [] }, global: global() })
    expect(empty.text()).toContain('今日暂无坐班部门')
  })

  it('tells urges, alarms and acknowledgements on the ticker', () => {
    const events: LiveEvent[] = [
      { type: 'alarm.acked', seq: 3, at: T0, gridId: GRID, alarmId: 'urgent:r1', by: 'li' },
      { type: 'request.urged', seq: 2, at: T0, gridId: GRID, requestId: 'r1', by: 'zhang' },
      raisedAlarm(1, 'overdue'),
      // An urgent request's alarm is the request's own row: not twice on the ticker.
      raisedAlarm(0, 'urgent_request'),
    ]
    const wrapper = mount(WallTicker, { props: { events, now: T0 }, global: global() })
    const rows = wrapper.findAll('[data-testid="ticker-row"]')
    expect(rows.map((r) => r.attributes('data-type'))).toEqual(['alarm.acked', 'request.urged', 'alarm.raised'])
    expect(rows[0]!.text()).toContain('警情确认')
    expect(rows[0]!.text()).toContain('确认人 li')
    expect(rows[1]!.text()).toContain('督办')
    expect(rows[1]!.text()).toContain('督办人 zhang')
    expect(rows[1]!.classes()).toContain('urged')
    expect(rows[2]!.text()).toContain('新警情')
    expect(rows[2]!.text()).toContain('诉求超期')
  })
})
