import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_POLICY } from '../../shared/metrics'
import { createConsoleActions } from '../../client/console/actions'
import { createConsoleApi, type RequestItem } from '../../client/console/api'
import { formErrors } from '../../client/console/errors'
import { centreOf, inGeometry } from '../../client/console/location'
import { actionsFor, countdownOf, deadlineQueue, dispatchQueue, followUpQueue, formatClock } from '../../client/console/queues'
import { parseTargetKey, suggestTargets, targetKey } from '../../client/console/targets'
import { createAppI18n } from '../../client/i18n'
import { NOTICE_LIMIT, useConsoleStore } from '../../client/stores/console'

const MIN = 60_000
const NOW = Date.parse('2026-12-05T10:00:00+08:00')

function item(id: string, patch: Partial<RequestItem> = {}): RequestItem {
  return { id, gridId: '64010600100101', source: 'walk_in', category: 'noise', priority: 'general', stage: 'received', stageAt: NOW - 5 * MIN, receivedAt: NOW - 5 * MIN, ...patch }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('console queues', () => {
  it('counts down to the response deadline until someone accepts, then to the resolution deadline', () => {
    // Urgent: respond in 30 min, resolve in 2 h.
    const fresh = countdownOf(item('a', { priority: 'urgent', receivedAt: NOW - 5 * MIN }), DEFAULT_POLICY, NOW)
    expect(fresh).toMatchObject({ kind: 'response', leftMs: 25 * MIN, state: 'ok' })
    // The last 10 minutes of a 30-minute deadline nag.
    expect(countdownOf(item('b', { priority: 'urgent', receivedAt: NOW - 21 * MIN }), DEFAULT_POLICY, NOW).state).toBe('nearing')
    expect(countdownOf(item('c', { priority: 'urgent', receivedAt: NOW - 31 * MIN }), DEFAULT_POLICY, NOW)).toMatchObject({ kind: 'response', leftMs: -MIN, state: 'overdue' })
    const accepted = countdownOf(item('d', { priority: 'urgent', stage: 'accepted', receivedAt: NOW - 31 * MIN }), DEFAULT_POLICY, NOW)
    expect(accepted).toMatchObject({ kind: 'resolution', leftMs: 89 * MIN, state: 'ok' })
    // Past the resolution deadline, that is the one that counts, accepted or not.
    expect(countdownOf(item('e', { priority: 'urgent', stage: 'dispatched', receivedAt: NOW - 3 * 60 * MIN }), DEFAULT_POLICY, NOW).kind).toBe('resolution')
    // A 7-day resolution nags in its last quarter (42 h).
    expect(countdownOf(item('f', { stage: 'onsite', receivedAt: NOW - 5 * 86_400_000 }), DEFAULT_POLICY, NOW).state).toBe('ok')
    expect(countdownOf(item('g', { stage: 'onsite', receivedAt: NOW - 5.5 * 86_400_000 }), DEFAULT_POLICY, NOW).state).toBe('nearing')
  })

  it('orders the queues: urgent first to dispatch, least time left first, oldest resolution first', () => {
    const open = [
      item('old', { stageAt: NOW - 50 * MIN }),
      item('urgent', { priority: 'urgent', stageAt: NOW - MIN }),
      item('returned', { stage: 'returned', stageAt: NOW - 60 * MIN }),
      item('busy', { stage: 'dispatched' }),
    ]
    expect(dispatchQueue(open).map((r) => r.id)).toEqual(['urgent', 'returned', 'old'])
    const late = [
      item('later', { priority: 'urgent', receivedAt: NOW - 25 * MIN }),
      item('fine', { receivedAt: NOW - MIN }),
      item('over', { priority: 'urgent', receivedAt: NOW - 40 * MIN }),
    ]
    expect(deadlineQueue(late, DEFAULT_POLICY, NOW).map((e) => e.item.id)).toEqual(['over', 'later'])
    expect(followUpQueue([item('b', { stage: 'resolved', stageAt: 2 }), item('a', { stage: 'resolved', stageAt: 1 }), item('x', { stage: 'reviewed' })]).map((r) => r.id)).toEqual(['a', 'b'])
  })

  it('offers what the lifecycle allows at each stage', () => {
    expect(actionsFor('received')).toEqual(['dispatch', 'urge'])
    expect(actionsFor('accepted')).toEqual(['resolve', 'return', 'urge'])
    expect(actionsFor('resolved')).toEqual(['review', 'reopen'])
    expect(actionsFor('reviewed')).toEqual(['review', 'reopen'])
  })

  it('writes countdowns as a clock', () => {
    expect(formatClock(25 * MIN)).toBe('25:00')
    expect(formatClock(-(61 * MIN + 5000))).toBe('1:01:05')
    expect(formatClock(2 * 86_400_000 + 3 * 3_600_000)).toBe('2d 3:00:00')
  })
})

describe('dispatch suggestions', () => {
  it('puts the rota first (on duty now before later today), then the grid’s worker, the experts, the other departments', () => {
    const department = (id: string, name: string) => ({ id, name, kind: 'housing' as const })
    const suggestions = suggestTargets({
      gridId: 'g1',
      onDuty: [
        { department: department('later', '城管'), streetId: 's', from: '14:00', to: '18:00', now: false },
        { department: department('now', '住建'), streetId: 's', from: '09:00', to: '12:00', now: true },
      ],
      workers: [
        { workerId: 'w-old', gridId: 'g1', kind: 'ping', lon: 0, lat: 0, at: 1 },
        { workerId: 'w-elsewhere', gridId: 'g2', kind: 'ping', lon: 0, lat: 0, at: 3 },
        { workerId: 'w-new', gridId: 'g1', kind: 'ping', lon: 0, lat: 0, at: 2 },
      ],
      directory: {
        departments: [department('now', '住建'), department('other', '水务')],
        rota: [],
        experts: [
          { id: 'psy', pool: 'psychological', name: '李老师', contact: '1***' },
          { id: 'law', pool: 'legal', name: '王律师', contact: '1***' },
        ],
      },
    })
    expect(suggestions.map((s) => `${s.group}:${targetKey(s.target)}`)).toEqual([
      'onDutyNow:department:now',
      'onDutyToday:department:later',
      'gridWorker:worker:w-new',
      'gridWorker:worker:w-old',
      'expert:expert:law',
      'expert:expert:psy',
      'department:department:other',
    ])
    expect(parseTargetKey('expert:law:01')).toEqual({ kind: 'expert', id: 'law:01' })
    expect(parseTargetKey('nobody:x')).toBeNull()
  })
})

describe('console helpers', () => {
  it('puts a refusal’s message next to the field it names', () => {
    expect(formErrors({ field: 'body/reporter/phone', message: 'bad phone' }, ['reporter/phone', 'description'])).toEqual({ 'reporter/phone': 'bad phone' })
    expect(formErrors({ field: 'body/location/lon', message: 'outside' }, ['location'])).toEqual({ location: 'outside' })
    expect(formErrors({ field: 'header/origin', message: 'no' }, ['id'])).toEqual({ _form: 'no' })
  })

  it('takes a community’s middle, inside it even when the community is not convex', () => {
    const square = { type: 'Polygon' as const, coordinates: [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]] as [number, number][][] }
    expect(centreOf(square)).toEqual({ lon: 1, lat: 1 })
    // A U shape: the box's centre is in the notch.
    const u = { type: 'Polygon' as const, coordinates: [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]] as [number, number][][] }
    expect(inGeometry(u, { lon: 1.5, lat: 1.5 })).toBe(false)
    expect(inGeometry(u, centreOf(u))).toBe(true)
  })
})

describe('console store and actions', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('keeps lists of its own scope only, and the newest notices', () => {
    const store = useConsoleStore()
    store.setUnit('640106001')
    expect(store.setLists('640106002', { open: [item('x')] })).toBe(false)
    expect(store.setLists('640106001', { open: [item('a')], resolved: [item('b', { stage: 'resolved' })] })).toBe(true)
    store.drop('request', 'a')
    expect(store.open).toEqual([])
    for (let i = 0; i < NOTICE_LIMIT + 2; i++) store.notify('info', 'console.notice.acked')
    expect(store.notices).toHaveLength(NOTICE_LIMIT)
  })

  it('sends expectedStage, and explains a 409 with who moved the request and where it is now', async () => {
    const store = useConsoleStore()
    store.setUnit('640106')
    const sent: { url: string; body: unknown }[] = []
    const fetchImpl = async (url: string, init?: RequestInit) => {
      if (init?.method === 'POST') {
        sent.push({ url, body: JSON.parse(String(init.body)) })
        return json({ statusCode: 409, error: 'Conflict', message: 'stale', field: 'body/expectedStage', rule: 'stale', stage: 'dispatched', seq: 9 }, 409)
      }
      return json({ id: 'r1', stage: 'dispatched', stages: [{ seq: 1, stage: 'received', at: '' }, { seq: 9, stage: 'dispatched', at: '', actor: { kind: 'user', name: '值班员乙' } }], urges: [], seq: 9 })
    }
    let refreshed = 0
    const { t } = createAppI18n('zh-CN').global
    const actions = createConsoleActions({ api: createConsoleApi(fetchImpl), store, t: (k, p) => (p ? t(k, p) : t(k)), refresh: () => refreshed++, onUnauthorized: () => {} })
    const outcome = await actions.transition({ id: 'r1', stage: 'received' }, 'dispatch', { assignee: { kind: 'department', id: 'zj-jf' } })
    expect(outcome.ok).toBe(false)
    expect(sent).toEqual([{ url: '/api/v1/requests/r1/transitions', body: { assignee: { kind: 'department', id: 'zj-jf' }, stage: 'dispatched', expectedStage: 'received' } }])
    expect(refreshed).toBe(1)
    const notice = store.notices[0]!
    expect(notice.kind).toBe('conflict')
    expect(t(notice.key, notice.params)).toBe('已被 值班员乙 处理：当前阶段 派单（r1）')
  })

  it('drops an alert another officer reviewed first, naming the verdict that stands', async () => {
    const store = useConsoleStore()
    store.setUnit('640106')
    store.setLists('640106', { alerts: [{ alertId: 'a1', gridId: 'g', cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, lon: 0, lat: 0, at: 0, verdict: null, requestId: null }] })
    const fetchImpl = async (_url: string, init?: RequestInit) =>
      init?.method === 'POST'
        ? json({ statusCode: 409, error: 'Conflict', message: 'already reviewed', field: 'params/id', rule: 'reviewed' }, 409)
        : json({ items: [{ alertId: 'a1', gridId: 'g', cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, lon: 0, lat: 0, at: 0, verdict: 'false_positive', requestId: null }] })
    const { t } = createAppI18n('zh-CN').global
    const actions = createConsoleActions({ api: createConsoleApi(fetchImpl), store, t: (k, p) => (p ? t(k, p) : t(k)), refresh: () => {}, onUnauthorized: () => {} })
    await actions.reviewAlert('a1', 'confirmed')
    expect(store.alerts).toEqual([])
    expect(t(store.notices[0]!.key, store.notices[0]!.params)).toBe('该告警已被其他值班员核查：误报')
  })
})
