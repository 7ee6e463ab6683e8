import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick, watch } from 'vue'
import type { AlarmAckedEvent, AlarmRaisedEvent, LiveEvent, OpenAlarm, RequestUrgedEvent } from '../../shared/events'
import type { AlarmReason } from '../../shared/domain'
import { ONLINE_WINDOW_MS } from '../../shared/metrics'
import { RECENT_LIMIT, TRAIL_LENGTH, useLiveStore, workersOnline } from '../../client/stores/live'
import { GRID, T0, openAlert, openRequest, patrol, raised, received, reviewed, snapshot, transitioned, worker } from '../fixtures/live-fixtures'

const urged = (seq: number, requestId: string, by = 'center'): RequestUrgedEvent => ({ type: 'request.urged', seq, at: T0 + seq * 1000, gridId: GRID, requestId, by })
const alarmId = (reason: AlarmReason, subject: string) => `${reason === 'urgent_request' ? 'urgent' : reason === 'camera_alert' ? 'alert' : 'overdue'}:${subject}`
const alarm = (seq: number, subjectId: string, reason: AlarmReason = 'urgent_request'): AlarmRaisedEvent => ({
  type: 'alarm.raised',
  seq,
  at: T0 + seq * 1000,
  gridId: GRID,
  alarmId: alarmId(reason, subjectId),
  reason,
  subjectId,
  lon: 106.2,
  lat: 38.47,
})
const acked = (seq: number, id: string, by = 'center'): AlarmAckedEvent => ({ type: 'alarm.acked', seq, at: T0 + seq * 1000, gridId: GRID, alarmId: id, by })
const openAlarm = (subjectId: string, over: Partial<OpenAlarm> = {}): OpenAlarm => ({
  alarmId: alarmId('overdue', subjectId),
  reason: 'overdue',
  subjectId,
  gridId: GRID,
  lon: 106.2,
  lat: 38.47,
  at: T0,
  ...over,
})

describe('useLiveStore', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
  })

  it('starts empty and connecting', () => {
    const live = useLiveStore()
    expect(live.$id).toBe('live')
    expect(live.seq).toBe(0)
    expect(live.openRequests.size).toBe(0)
    expect(live.connection).toBe('connecting')
    expect(live.lastEventAt).toBeNull()
  })

  it('applySnapshot replaces everything, then applyEvents builds on it', () => {
    const live = useLiveStore()
    live.applyEvents([received(1, 'old')])
    live.applySnapshot(10, snapshot({ requests: [openRequest('r1')], alerts: [openAlert('a1')], workers: [worker('w1')] }), 5_000)

    expect(live.seq).toBe(10)
    expect([...live.openRequests.keys()]).toEqual(['r1'])
    expect(live.openRequests.get('r1')?.stage).toBe('dispatched')
    expect([...live.alerts.keys()]).toEqual(['a1'])
    expect(live.workers.get('w1')?.trail).toEqual([{ lon: 106.23, lat: 38.45, at: T0 }])
    expect(live.recent).toEqual([]) // the old scope's ticker goes too
    expect(live.lastEventAt).toBe(5_000)

    const applied = live.applyEvents([received(11, 'r2', { priority: 'urgent' }), transitioned(12, 'r1', 'accepted')], undefined, 6_000)
    expect(applied).toBe(2)
    expect(live.seq).toBe(12)
    expect([...live.openRequests.keys()].sort()).toEqual(['r1', 'r2'])
    expect(live.openRequests.get('r2')).toMatchObject({ stage: 'received', priority: 'urgent', receivedAt: T0 + 11_000, stageAt: T0 + 11_000 })
    expect(live.openRequests.get('r1')).toMatchObject({ stage: 'accepted', stageAt: T0 + 12_000, receivedAt: T0 })
    expect(live.lastEventAt).toBe(6_000)
  })

  it('ignores events at or below the current seq (duplicates after a resubscribe)', () => {
    const live = useLiveStore()
    live.applySnapshot(10, snapshot({ requests: [openRequest('r1')] }))

    const applied = live.applyEvents([received(9, 'stale'), received(10, 'same'), transitioned(8, 'r1', 'resolved')])
    expect(applied).toBe(0)
    expect([...live.openRequests.keys()]).toEqual(['r1'])
    expect(live.seq).toBe(10)
    expect(live.recent).toEqual([])

    // A batch seen twice changes nothing the second time.
    const batch = [received(11, 'r2'), transitioned(12, 'r2', 'dispatched')]
    live.applyEvents(batch)
    const before = live.openRequests
    expect(live.applyEvents(batch)).toBe(0)
    expect(live.openRequests).toBe(before)
    expect(live.recent.map((e) => e.seq)).toEqual([12, 11])
  })

  it('applies a batch in seq order even when it arrives shuffled, and skips a repeated seq', () => {
    const live = useLiveStore()
    live.applyEvents([transitioned(3, 'r1', 'accepted'), received(1, 'r1'), transitioned(2, 'r1', 'dispatched'), received(1, 'r1')])
    expect(live.openRequests.get('r1')?.stage).toBe('accepted')
    expect(live.seq).toBe(3)
    expect(live.recent.map((e) => e.seq)).toEqual([3, 2, 1])
  })

  it('follows a request through its lifecycle and drops it once resolved', () => {
    const live = useLiveStore()
    live.applyEvents([received(1, 'r1'), transitioned(2, 'r1', 'dispatched'), transitioned(3, 'r1', 'returned')])
    expect(live.openRequests.get('r1')?.stage).toBe('returned')

    live.applyEvents([transitioned(4, 'r1', 'dispatched'), transitioned(5, 'r1', 'accepted'), transitioned(6, 'r1', 'onsite')])
    expect(live.openRequests.get('r1')?.stage).toBe('onsite')

    live.applyEvents([transitioned(7, 'r1', 'resolved')])
    expect(live.openRequests.has('r1')).toBe(false)

    // A later review or reopening of a request it no longer holds re-adds nothing.
    live.applyEvents([transitioned(8, 'r1', 'reviewed'), transitioned(9, 'r1', 'reopened'), transitioned(10, 'ghost', 'dispatched')])
    expect(live.openRequests.size).toBe(0)
    expect(live.seq).toBe(10)
    expect(live.recent[0].seq).toBe(10) // still on the ticker
  })

  it('drops a request that is reviewed straight from a snapshot', () => {
    const live = useLiveStore()
    live.applySnapshot(5, snapshot({ requests: [openRequest('r1', { stage: 'onsite' }), openRequest('r2')] }))
    live.applyEvents([transitioned(6, 'r1', 'reviewed')])
    expect([...live.openRequests.keys()]).toEqual(['r2'])
  })

  it('adds raised alerts and removes reviewed ones', () => {
    const live = useLiveStore()
    live.applyEvents([raised(1, 'a1'), raised(2, 'a2', { kind: 'crowd_gathering', confidence: 0.7 })])
    expect(live.alerts.size).toBe(2)
    expect(live.alerts.get('a2')).toMatchObject({ kind: 'crowd_gathering', confidence: 0.7, cameraId: 'cam-1', at: T0 + 2_000 })

    live.applyEvents([reviewed(3, 'a1')])
    expect([...live.alerts.keys()]).toEqual(['a2'])

    // Raised and reviewed within one batch: gone by the end of it.
    live.applyEvents([raised(4, 'a3'), reviewed(5, 'a3'), reviewed(6, 'unknown')])
    expect([...live.alerts.keys()]).toEqual(['a2'])
  })

  it('keeps the ticker newest first and bounded at RECENT_LIMIT', () => {
    const live = useLiveStore()
    const first: LiveEvent[] = Array.from({ length: 150 }, (_, i) => received(i + 1, `r${i + 1}`))
    live.applyEvents(first)
    expect(live.recent).toHaveLength(150)

    const second: LiveEvent[] = Array.from({ length: 120 }, (_, i) => received(151 + i, `r${151 + i}`))
    live.applyEvents(second)
    expect(live.recent).toHaveLength(RECENT_LIMIT)
    expect(live.recent[0].seq).toBe(270)
    expect(live.recent[RECENT_LIMIT - 1].seq).toBe(270 - RECENT_LIMIT + 1)

    // One batch larger than the ring keeps its newest N.
    live.applyEvents(Array.from({ length: 250 }, (_, i) => received(300 + i, `s${i}`)))
    expect(live.recent).toHaveLength(RECENT_LIMIT)
    expect(live.recent[0].seq).toBe(549)
    expect(live.recent.at(-1)?.seq).toBe(350)
  })

  it('leaves routine position pings out of the ticker, but not visits', () => {
    const live = useLiveStore()
    const visit = { ...patrol(3, 'w1', 106.2), kind: 'visit' as const }
    live.applyEvents([patrol(1, 'w1', 106.2), received(2, 'r1'), visit])
    expect(live.recent.map((e) => e.seq)).toEqual([3, 2])
    expect(live.workers.get('w1')?.kind).toBe('visit')
  })

  it('moves a worker and keeps only its last TRAIL_LENGTH positions', () => {
    const live = useLiveStore()
    live.applySnapshot(1, snapshot({ workers: [worker('w1', { lon: 106.0 })] }))
    const lons = [106.1, 106.11, 106.12, 106.13, 106.14, 106.15, 106.16]
    const pings = lons.map((lon, i) => patrol(2 + i, 'w1', lon))
    live.applyEvents(pings.slice(0, 3))
    expect(live.workers.get('w1')?.trail.map((p) => p.lon)).toEqual([106.0, 106.1, 106.11, 106.12])

    live.applyEvents(pings.slice(3))
    const track = live.workers.get('w1')!
    expect(track.trail).toHaveLength(TRAIL_LENGTH)
    expect(track.trail.map((p) => p.lon)).toEqual([106.12, 106.13, 106.14, 106.15, 106.16])
    expect(track).toMatchObject({ lon: 106.16, at: T0 + 8_000, kind: 'ping' })

    live.applyEvents([patrol(20, 'w2', 106.3)])
    expect(live.workers.get('w2')?.trail).toHaveLength(1)
    expect(live.workers.get('w1')).toBe(track) // an untouched worker keeps its object
  })

  it('replaces each collection once per batch, and leaves untouched ones alone', async () => {
    const live = useLiveStore()
    live.applySnapshot(0, snapshot({ alerts: [openAlert('a0')] }))
    let requestUpdates = 0
    let alertUpdates = 0
    let recentUpdates = 0
    watch(() => live.openRequests, () => requestUpdates++, { flush: 'sync' })
    watch(() => live.alerts, () => alertUpdates++, { flush: 'sync' })
    watch(() => live.recent, () => recentUpdates++, { flush: 'sync' })

    const batch: LiveEvent[] = []
    for (let i = 0; i < 100; i++) batch.push(received(i * 2 + 1, `r${i}`), transitioned(i * 2 + 2, `r${i}`, 'dispatched'))
    live.applyEvents(batch)
    await nextTick()

    expect(live.openRequests.size).toBe(100)
    expect(requestUpdates).toBe(1)
    expect(recentUpdates).toBe(1)
    expect(alertUpdates).toBe(0)

    live.applyEvents([received(5, 'dup')]) // all duplicates: nothing replaced
    expect(requestUpdates).toBe(1)
    expect(recentUpdates).toBe(1)
  })

  it('advances seq to throughSeq when a resync reply covers more than its events', () => {
    const live = useLiveStore()
    live.applySnapshot(10, snapshot())
    live.applyEvents([received(12, 'r1')], 40)
    expect(live.seq).toBe(40)
    expect(live.openRequests.has('r1')).toBe(true)
    live.applyEvents([], 30) // never backwards
    expect(live.seq).toBe(40)
  })

  it('counts workers online within five minutes', () => {
    const now = T0 + 60 * 60_000
    const workers = new Map([
      ['a', worker('a', { at: now - 1_000 })],
      ['b', worker('b', { at: now - ONLINE_WINDOW_MS })],
      ['c', worker('c', { at: now - ONLINE_WINDOW_MS - 1 })],
    ])
    expect(workersOnline(workers, now)).toBe(2)
  })

  it('pins raised alarms until they are acknowledged, once per cause', () => {
    const live = useLiveStore()
    live.applyEvents([received(1, 'r1', { priority: 'urgent' }), alarm(2, 'r1'), raised(3, 'a1'), alarm(4, 'a1', 'camera_alert')])
    expect([...live.alarms.keys()].sort()).toEqual(['alert:a1', 'urgent:r1'])
    expect(live.alarms.get('urgent:r1')).toEqual({ alarmId: 'urgent:r1', reason: 'urgent_request', subjectId: 'r1', gridId: GRID, lon: 106.2, lat: 38.47, at: T0 + 2_000 })

    // Raised again (the same cause): still the first one, at its first time.
    live.applyEvents([{ ...alarm(5, 'r1'), at: T0 + 99_000 }])
    expect(live.alarms.get('urgent:r1')?.at).toBe(T0 + 2_000)

    // A request closing or an alert reviewed does not take its alarm off: only a person's ack does.
    live.applyEvents([transitioned(6, 'r1', 'resolved'), reviewed(7, 'a1')])
    expect(live.alarms.size).toBe(2)
    live.applyEvents([acked(8, 'urgent:r1'), acked(9, 'unknown')])
    expect([...live.alarms.keys()]).toEqual(['alert:a1'])

    // Raised and acknowledged within one batch: gone by the end of it.
    live.applyEvents([alarm(10, 'r9', 'overdue'), acked(11, 'overdue:r9')])
    expect([...live.alarms.keys()]).toEqual(['alert:a1'])
    // Each is a ticker line.
    expect(live.recent.slice(0, 2).map((e) => e.type)).toEqual(['alarm.acked', 'alarm.raised'])
  })

  it('takes the open alarms from a snapshot, and copes with a server that sends none', () => {
    const live = useLiveStore()
    live.applyEvents([alarm(1, 'gone')])
    live.applySnapshot(10, snapshot({ alarms: [openAlarm('r1'), openAlarm('r2', { at: T0 + 5 })] }))
    expect([...live.alarms.keys()].sort()).toEqual(['overdue:r1', 'overdue:r2'])
    live.applyEvents([acked(11, 'overdue:r2')])
    expect([...live.alarms.keys()]).toEqual(['overdue:r1'])

    const older = { requests: [], alerts: [], workers: [] } as unknown as Parameters<typeof live.applySnapshot>[1]
    live.applySnapshot(20, older)
    expect(live.alarms.size).toBe(0)
  })

  it('marks urged open requests: how often, when last, by whom; the mark goes when the request closes', () => {
    const live = useLiveStore()
    live.applyEvents([received(1, 'r1'), received(2, 'r2'), urged(3, 'r1', 'zhang'), urged(4, 'r1', 'li'), urged(5, 'ghost')])
    expect(live.urged.get('r1')).toEqual({ count: 2, lastAt: T0 + 4_000, by: 'li' })
    expect(live.urged.has('r2')).toBe(false)
    expect(live.urged.has('ghost')).toBe(false) // not known here: only the ticker tells it
    expect(live.recent.slice(0, 3).map((e) => e.type)).toEqual(['request.urged', 'request.urged', 'request.urged'])
    // Urging does not move the stage.
    expect(live.openRequests.get('r1')?.stage).toBe('received')

    live.applyEvents([transitioned(6, 'r1', 'dispatched')])
    expect(live.urged.get('r1')?.count).toBe(2)
    live.applyEvents([transitioned(7, 'r1', 'resolved')])
    expect(live.urged.has('r1')).toBe(false)
  })

  it('keeps the urge marks of requests a fresh snapshot still holds open', () => {
    const live = useLiveStore()
    live.applyEvents([received(1, 'r1'), received(2, 'r2'), urged(3, 'r1'), urged(4, 'r2')])
    live.applySnapshot(10, snapshot({ requests: [openRequest('r1')] }))
    expect([...live.urged.keys()]).toEqual(['r1'])
    live.reset()
    expect(live.urged.size).toBe(0)
    expect(live.alarms.size).toBe(0)
  })

  it('replaces the alarms and urge marks once per batch, and leaves them alone when untouched', () => {
    const live = useLiveStore()
    live.applyEvents([received(1, 'r0')])
    let alarmUpdates = 0
    let urgeUpdates = 0
    watch(() => live.alarms, () => alarmUpdates++, { flush: 'sync' })
    watch(() => live.urged, () => urgeUpdates++, { flush: 'sync' })
    const batch: LiveEvent[] = []
    for (let i = 0; i < 50; i++) batch.push(received(10 + i * 3, `r${i + 1}`), alarm(11 + i * 3, `r${i + 1}`), urged(12 + i * 3, `r${i + 1}`))
    live.applyEvents(batch)
    expect(live.alarms.size).toBe(50)
    expect(live.urged.size).toBe(50)
    expect(alarmUpdates).toBe(1)
    expect(urgeUpdates).toBe(1)
    live.applyEvents([patrol(500, 'w1', 106.2), transitioned(501, 'r0', 'dispatched')])
    expect(alarmUpdates).toBe(1)
    expect(urgeUpdates).toBe(1)
  })
})
