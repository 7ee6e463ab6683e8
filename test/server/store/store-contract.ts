// The contract every store engine must meet. Each engine's test file calls `storeContract`.
import { describe, expect, it, beforeEach, afterEach } from 'vitest'
import type { LiveEvent } from '../../../shared/events'
import type { NewRequest, Store } from '../../../server/store/types'
import { firstGrid, pointIn, sampleGeography } from '../../helpers/build-app'

const geography = sampleGeography()
const STREET_A = '640106001'
const STREET_B = '640106002'
const T0 = Date.parse('2026-11-28T01:00:00Z')

export function newRequest(id: string, unit = STREET_A, receivedAt = T0): NewRequest {
  const point = pointIn(geography, unit)
  const path = geography.locate(point)!
  return { id, fingerprint: `fp-${id}`, source: 'hotline', category: 'noise', priority: 'general', ...point, path, receivedAt, reporter: { name: '王五', phone: '13900001111' } }
}

export function storeContract(engine: string, open: () => Promise<Store>, reopen?: (previous: Store) => Promise<Store>) {
  describe(`store contract: ${engine}`, () => {
    let store: Store
    beforeEach(async () => {
      store = await open()
    })
    afterEach(async () => {
      await store.close()
    })

    it('gives every accepted event a strictly increasing seq, also for writes issued together', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.createRequest(newRequest(`r-${i}`))))
      const seqs = results.map((r) => (r.ok ? r.value.seq : -1))
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
      expect(await store.lastSeq()).toBe(50)
    })

    it('a failing write in a group commit leaves the others intact and writes nothing itself', async () => {
      await store.createRequest(newRequest('dup'))
      const [ok1, conflict, ok2, missing] = await Promise.all([
        store.createRequest(newRequest('x1')),
        store.createRequest({ ...newRequest('dup'), fingerprint: 'other' }),
        store.createRequest(newRequest('x2')),
        store.transitionRequest({ requestId: 'nope', fingerprint: 'f', stage: 'dispatched', at: T0 }),
      ])
      expect(ok1.ok && ok2.ok).toBe(true)
      expect(conflict).toMatchObject({ ok: false, code: 'conflict' })
      expect(missing).toMatchObject({ ok: false, code: 'not_found' })
      expect(await store.lastSeq()).toBe(3)
    })

    it('publishes committed events in seq order, once, after they are durable', async () => {
      const seen: LiveEvent[][] = []
      store.onCommit((events) => seen.push(events))
      await Promise.all([store.createRequest(newRequest('p1')), store.createRequest(newRequest('p2'))])
      const flat = seen.flat()
      expect(flat.map((e) => e.seq)).toEqual([1, 2])
      expect(flat[0]).toMatchObject({ type: 'request.received', requestId: 'p1' })
      expect(JSON.stringify(flat)).not.toContain('13900001111')
    })

    it('derives the request state from its events and enforces the lifecycle', async () => {
      await store.createRequest(newRequest('life'))
      const bad = await store.transitionRequest({ requestId: 'life', fingerprint: 'a', stage: 'resolved', at: T0 + 1 })
      expect(bad).toMatchObject({ ok: false, code: 'invalid_transition', current: 'received', allowed: ['dispatched'] })
      for (const [i, stage] of (['dispatched', 'accepted', 'resolved'] as const).entries()) {
        const r = await store.transitionRequest({ requestId: 'life', fingerprint: `s${i}`, stage, at: T0 + (i + 1) * 60_000 })
        expect(r.ok).toBe(true)
      }
      const detail = await store.getRequest('life')
      expect(detail?.stage).toBe('resolved')
      expect(detail?.stages.map((s) => s.stage)).toEqual(['received', 'dispatched', 'accepted', 'resolved'])
      expect(detail?.reporter).toEqual({ name: '王*', phone: '139****1111' })
    })

    it('answers "events in this subtree after seq N" and the snapshot of a unit', async () => {
      await store.createRequest(newRequest('a1', STREET_A))
      await store.createRequest(newRequest('b1', STREET_B))
      await store.createRequest(newRequest('a2', STREET_A))
      await store.transitionRequest({ requestId: 'a2', fingerprint: 'd', stage: 'dispatched', at: T0 + 1 })
      await store.transitionRequest({ requestId: 'a2', fingerprint: 'acc', stage: 'accepted', at: T0 + 2 })
      await store.transitionRequest({ requestId: 'a2', fingerprint: 'res', stage: 'resolved', at: T0 + 3 })
      const a = geography.ref(STREET_A)!
      const after = await store.eventsAfter(a, 1, 100)
      expect(after?.events.map((e) => e.seq)).toEqual([3, 4, 5, 6])
      expect(after?.seq).toBe(6)
      expect(await store.eventsAfter(a, 0, 2)).toBeUndefined()
      const grid = geography.ref(firstGrid(geography, STREET_A))!
      expect((await store.eventsAfter(grid, 0, 100))?.events.length).toBe(5)
      const { seq, snapshot } = await store.snapshot(a)
      expect(seq).toBe(6)
      expect(snapshot.requests.map((r) => r.requestId)).toEqual(['a1'])
      const district = await store.snapshot(geography.ref('640106')!)
      expect(district.snapshot.requests.map((r) => r.requestId).sort()).toEqual(['a1', 'b1'])
    })

    it('reads requests by unit and time range, half-open', async () => {
      await store.createRequest(newRequest('early', STREET_A, T0 - 1))
      await store.createRequest(newRequest('edge', STREET_A, T0))
      await store.createRequest(newRequest('late', STREET_A, T0 + 3_600_000))
      await store.createRequest(newRequest('other', STREET_B, T0))
      const rows = await store.requestsReceived(geography.ref(STREET_A)!, T0, T0 + 3_600_000)
      expect(rows.map((r) => r.id)).toEqual(['edge'])
      const between = await store.eventsBetween(geography.ref('640106')!, T0, T0 + 1, 100)
      expect(between.map((e) => (e.type === 'request.received' ? e.requestId : '')).sort()).toEqual(['edge', 'other'])
    })

    it('keeps alerts and worker positions: unreviewed alerts and the latest ping per worker', async () => {
      const point = pointIn(geography, STREET_A)
      const path = geography.locate(point)!
      await store.createAlert({ id: 'al', fingerprint: 'f', cameraId: 'c', kind: 'smoke_fire', confidence: 0.8, ...point, path, at: T0 })
      await store.createAlert({ id: 'al2', fingerprint: 'f2', cameraId: 'c', kind: 'ebike_in_elevator', confidence: 0.7, ...point, path, at: T0 })
      await store.reviewAlert({ alertId: 'al2', verdict: 'false_positive', at: T0 + 1000 })
      await store.appendPings([
        { workerId: 'w', kind: 'ping', ...point, path, at: T0 + 2000 },
        { workerId: 'w', kind: 'visit', ...point, lon: point.lon + 1e-4, path, at: T0 + 1000 },
      ])
      const { snapshot } = await store.snapshot(geography.ref(STREET_A)!)
      expect(snapshot.alerts.map((a) => a.alertId)).toEqual(['al'])
      // The later ping wins even though it arrived first in the batch.
      expect(snapshot.workers).toEqual([expect.objectContaining({ workerId: 'w', kind: 'ping', at: T0 + 2000 })])
    })

    it('imports history in bulk without publishing it', async () => {
      const seen: LiveEvent[] = []
      store.onCommit((events) => seen.push(...events))
      const result = await store.importHistory([
        { op: 'request', request: newRequest('h1') },
        { op: 'transition', transition: { requestId: 'h1', fingerprint: 'x', stage: 'dispatched', at: T0 + 1 } },
        { op: 'transition', transition: { requestId: 'h1', fingerprint: 'y', stage: 'onsite', at: T0 + 2 } },
      ])
      expect(result).toEqual({ applied: 2, rejected: 1, seq: 2 })
      expect(seen).toEqual([])
    })

    it('keeps a geography record: none at first, then the last one recorded, whole', async () => {
      expect(await store.geographyRecord()).toBeUndefined()
      const first = {
        hash: 'a'.repeat(64),
        recordedAt: T0,
        units: [
          { id: 'd', level: 'district' as const, parentId: null, name: '区' },
          { id: 's1', level: 'street' as const, parentId: 'd', name: '街道一' },
          { id: 's2', level: 'street' as const, parentId: 'd', name: '街道二' },
        ],
      }
      await store.recordGeography(first)
      const read = await store.geographyRecord()
      expect({ ...read, units: [...read!.units].sort((a, b) => a.id.localeCompare(b.id)) }).toEqual(first)
      // A new record replaces the old one: a unit it no longer has is gone from the record.
      const second = { hash: 'b'.repeat(64), recordedAt: T0 + 1, units: [first.units[0]!, { ...first.units[1]!, name: '新名' }] }
      await store.recordGeography(second)
      const reread = await store.geographyRecord()
      expect({ ...reread, units: [...reread!.units].sort((a, b) => a.id.localeCompare(b.id)) }).toEqual(second)
      // Recording writes no event.
      expect(await store.lastSeq()).toBe(0)
    })

    it('keeps the rollup checkpoint of each basis: undefined before one, the saved one whole, a higher seq only', async () => {
      expect(await store.loadCheckpoint('v1.a')).toBeUndefined()
      const first = { seq: 40, basis: 'v1.a', savedAt: T0, data: Buffer.from([0, 1, 2, 255, 0]) }
      await store.saveCheckpoint(first)
      expect(await store.loadCheckpoint('v1.a')).toEqual(first)
      // A lower or equal seq (another process behind this one) changes nothing.
      await store.saveCheckpoint({ seq: 39, basis: 'v1.a', savedAt: T0 + 1, data: Buffer.from('older') })
      await store.saveCheckpoint({ seq: 40, basis: 'v1.a', savedAt: T0 + 2, data: Buffer.from('same seq') })
      expect(await store.loadCheckpoint('v1.a')).toEqual(first)
      // Another basis is kept apart, and a later one of the first basis replaces it whole.
      // Big enough to span many pages (a blob of several MiB), compared byte for byte below.
      const other = { seq: 7, basis: 'v1.b', savedAt: T0 + 3, data: Buffer.alloc(3 * 1024 * 1024, 7) }
      other.data[other.data.length - 1] = 1
      await store.saveCheckpoint(other)
      const later = { seq: 41, basis: 'v1.a', savedAt: T0 + 4, data: Buffer.from('later') }
      await store.saveCheckpoint(later)
      expect(await store.loadCheckpoint('v1.a')).toEqual(later)
      const { data, ...head } = (await store.loadCheckpoint('v1.b'))!
      expect(head).toEqual({ seq: 7, basis: 'v1.b', savedAt: T0 + 3 })
      expect(Buffer.compare(data, other.data)).toBe(0)
      expect(await store.loadCheckpoint('v1')).toBeUndefined()
      // A checkpoint is no event: the log is untouched and nothing is published.
      expect(await store.lastSeq()).toBe(0)
    })

    it('saves checkpoints issued together: the highest seq of each basis stays', async () => {
      const seen: LiveEvent[] = []
      const stop = store.onCommit((events) => seen.push(...events))
      await Promise.all(
        [5, 9, 2, 8].flatMap((seq) => [
          store.saveCheckpoint({ seq, basis: 'v1.x', savedAt: T0 + seq, data: Buffer.from(`x${seq}`) }),
          store.saveCheckpoint({ seq: seq * 10, basis: 'v1.y', savedAt: T0 + seq, data: Buffer.from(`y${seq}`) }),
        ]),
      )
      stop()
      expect(await store.loadCheckpoint('v1.x')).toEqual({ seq: 9, basis: 'v1.x', savedAt: T0 + 9, data: Buffer.from('x9') })
      expect(await store.loadCheckpoint('v1.y')).toEqual({ seq: 90, basis: 'v1.y', savedAt: T0 + 9, data: Buffer.from('y9') })
      expect(seen).toEqual([])
    })

    it('counts the events that name each unit, at the level asked, in the order asked', async () => {
      const gridA = firstGrid(geography, STREET_A)
      const communityA = geography.get(gridA)!.parentId!
      const point = pointIn(geography, STREET_A)
      const path = geography.locate(point)!
      await store.createRequest(newRequest('c1', STREET_A))
      await store.transitionRequest({ requestId: 'c1', fingerprint: 'd', stage: 'dispatched', at: T0 + 1 })
      await store.createAlert({ id: 'ca', fingerprint: 'f', cameraId: 'c', kind: 'smoke_fire', confidence: 0.8, ...point, path, at: T0 })
      await store.appendPings([
        { workerId: 'w', kind: 'ping', ...point, path, at: T0 },
        { workerId: 'w', kind: 'ping', ...point, path, at: T0 + 1 },
      ])
      await store.createRequest(newRequest('c2', STREET_B))
      const gridB = newRequest('c2', STREET_B).path.gridId
      const counts = await store.eventCountsByUnit([
        { id: gridA, level: 'grid' },
        { id: communityA, level: 'community' },
        { id: STREET_A, level: 'street' },
        { id: '640106', level: 'district' },
        { id: gridB, level: 'grid' },
        { id: STREET_B, level: 'street' },
        // Asked at a level events do not name it at, or not named at all: none.
        { id: STREET_A, level: 'community' },
        { id: communityA, level: 'grid' },
        { id: 'no-such-unit', level: 'grid' },
        { id: 'no-such-unit', level: 'district' },
      ])
      // The alert raised its alarm (an event of the same place): 5 events in street A.
      expect(counts).toEqual([6, 6, 6, 7, 1, 1, 0, 0, 0, 0])
      expect(await store.eventCountsByUnit([])).toEqual([])
      // The same when the grids' communities hold a small part of the log (an engine may read
      // differently then).
      const elsewhere = newRequest('x', STREET_B)
      await store.appendPings(Array.from({ length: 40 }, (_, i) => ({ workerId: 'w2', kind: 'ping' as const, lon: elsewhere.lon, lat: elsewhere.lat, path: elsewhere.path, at: T0 + i })))
      expect(await store.eventCountsByUnit([{ id: gridA, level: 'grid' }, { id: '640106', level: 'district' }])).toEqual([6, 47])
      expect(await store.eventCountsByUnit([{ id: gridB, level: 'grid' }, { id: gridA, level: 'grid' }])).toEqual([41, 6])
    })

    it('counts a grid stored under two communities (a moved grid) once per event, across both', async () => {
      const moved = newRequest('m2')
      await store.createRequest(newRequest('m1'))
      await store.createRequest({ ...moved, path: { ...moved.path, communityId: 'another-community' } })
      const units = [
        { id: moved.path.gridId, level: 'grid' as const },
        { id: moved.path.communityId, level: 'community' as const },
        { id: 'another-community', level: 'community' as const },
      ]
      expect(await store.eventCountsByUnit(units)).toEqual([2, 1, 1])
      // Also when the two communities hold a small part of the log.
      const elsewhere = newRequest('x', STREET_B)
      await store.appendPings(Array.from({ length: 20 }, (_, i) => ({ workerId: 'w', kind: 'ping' as const, lon: elsewhere.lon, lat: elsewhere.lat, path: elsewhere.path, at: T0 + i })))
      expect(await store.eventCountsByUnit(units)).toEqual([2, 1, 1])
    })

    it('lists the units the log names, each at its level', async () => {
      expect(await store.unitsInLog()).toEqual([])
      await store.createRequest(newRequest('u1', STREET_A))
      await store.appendPings([{ workerId: 'w', kind: 'ping', ...pointIn(geography, STREET_B), path: newRequest('x', STREET_B).path, at: T0 }])
      const a = newRequest('u1', STREET_A).path
      const b = newRequest('x', STREET_B).path
      const units = await store.unitsInLog()
      const key = (u: { id: string; level: string }) => `${u.level}:${u.id}`
      expect(units.map(key).sort()).toEqual(
        [
          { id: '640106', level: 'district' },
          { id: STREET_A, level: 'street' },
          { id: STREET_B, level: 'street' },
          { id: a.communityId, level: 'community' },
          { id: b.communityId, level: 'community' },
          { id: a.gridId, level: 'grid' },
          { id: b.gridId, level: 'grid' },
        ]
          .map(key)
          .sort(),
      )
    })

    it('records the actor of every write in the log, shows it on each step, and never on the live event', async () => {
      const seen: LiveEvent[] = []
      store.onCommit((events) => seen.push(...events))
      const officer = { kind: 'user' as const, name: 'duty-li' }
      const system = { kind: 'key' as const, source: 'city-12345' }
      await store.createRequest({ ...newRequest('act'), actor: system })
      const target = { kind: 'department' as const, id: 'zj-jf' }
      const dispatched = await store.transitionRequest({ requestId: 'act', fingerprint: 'd', stage: 'dispatched', at: T0 + 1, assignee: target, actor: officer })
      await store.transitionRequest({ requestId: 'act', fingerprint: 'a', stage: 'accepted', at: T0 + 2 })
      const detail = await store.getRequest('act')
      expect(detail?.stages).toEqual([
        { seq: 1, stage: 'received', at: new Date(T0).toISOString(), actor: system },
        { seq: 2, stage: 'dispatched', at: new Date(T0 + 1).toISOString(), actor: officer, assignee: target },
        { seq: 3, stage: 'accepted', at: new Date(T0 + 2).toISOString() },
      ])
      expect(detail?.seq).toBe(3)
      expect(detail?.urges).toEqual([])
      expect(dispatched).toMatchObject({ ok: true, value: { seq: 2 } })
      // The typed target travels as the object; the actor does not travel at all.
      expect(seen[1]).toMatchObject({ type: 'request.transitioned', assignee: target })
      expect(JSON.stringify(seen)).not.toContain('duty-li')
      expect(JSON.stringify(seen)).not.toContain('city-12345')
      // The request keeps its current assignee through later steps.
      const [summary] = await store.listRequests(geography.ref(STREET_A)!, { openOnly: true, from: 0, limit: 10 })
      expect(summary).toMatchObject({ id: 'act', stage: 'accepted', assignee: target, urges: 0, lon: newRequest('act').lon, lat: newRequest('act').lat })
      // A reviewed alert records its reviewer, on the review and on the request it raised.
      const point = pointIn(geography, STREET_A)
      await store.createAlert({ id: 'al-act', fingerprint: 'f', cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, ...point, path: geography.locate(point)!, at: T0, actor: system })
      await store.reviewAlert({ alertId: 'al-act', verdict: 'confirmed', at: T0 + 5, raise: { requestId: 'from-al', category: 'safety_hazard', priority: 'general' }, actor: officer })
      expect((await store.getRequest('from-al'))?.stages[0]?.actor).toEqual(officer)
    })

    it('refuses a transition whose expected stage is gone (stale: where it is now, nothing stored), after recognising a retry', async () => {
      await store.createRequest(newRequest('two'))
      const first = { requestId: 'two', fingerprint: 'officer-1', stage: 'dispatched' as const, at: T0 + 1, expectedStage: 'received' as const, assignee: { kind: 'worker' as const, id: 'w-1' } }
      expect(await store.transitionRequest(first)).toMatchObject({ ok: true, replayed: false, value: { seq: 2, stage: 'dispatched' } })
      const seq = await store.lastSeq()
      // The second officer acted on the same view of the request.
      const second = await store.transitionRequest({ ...first, fingerprint: 'officer-2', assignee: { kind: 'department', id: 'cg-1' } })
      expect(second).toEqual({ ok: false, code: 'stale', message: expect.stringContaining('dispatched'), current: 'dispatched', seq: 2 })
      expect(await store.lastSeq()).toBe(seq)
      expect((await store.getRequest('two'))?.stages.map((s) => s.stage)).toEqual(['received', 'dispatched'])
      // The first officer's retry (same body) replays instead of failing as stale.
      expect(await store.transitionRequest(first)).toEqual({ ok: true, replayed: true, value: { id: 'two', seq: 2, stage: 'dispatched' } })
      // The stage's seq stays the last stage's, whatever else is written about the request.
      await store.urgeRequest({ requestId: 'two', at: T0 + 2, actor: { kind: 'user', name: 'lead' } })
      const stale = await store.transitionRequest({ requestId: 'two', fingerprint: 'x', stage: 'accepted', at: T0 + 3, expectedStage: 'received' })
      expect(stale).toMatchObject({ ok: false, code: 'stale', current: 'dispatched', seq: 2 })
      expect((await store.getRequest('two'))?.seq).toBe(2)
      // Named right, it goes through.
      expect(await store.transitionRequest({ requestId: 'two', fingerprint: 'y', stage: 'accepted', at: T0 + 3, expectedStage: 'dispatched' })).toMatchObject({ ok: true })
      expect(await store.transitionRequest({ requestId: 'nobody', fingerprint: 'z', stage: 'dispatched', at: T0, expectedStage: 'received' })).toMatchObject({ ok: false, code: 'not_found' })
    })

    it('urges an open request (督办): an event of its own, the note private, the stage unchanged; not a closed or unknown one', async () => {
      const seen: LiveEvent[] = []
      store.onCommit((events) => seen.push(...events))
      await store.createRequest(newRequest('late'))
      const lead = { kind: 'user' as const, name: 'lead-zhang' }
      const urged = await store.urgeRequest({ requestId: 'late', at: T0 + 60_000, actor: lead, note: '今日内办结' })
      expect(urged).toEqual({ ok: true, replayed: false, value: { id: 'late', seq: 2 } })
      await store.urgeRequest({ requestId: 'late', at: T0 + 120_000, actor: { kind: 'key', source: 'oa' } })
      expect(seen.filter((e) => e.type === 'request.urged')).toEqual([
        { type: 'request.urged', seq: 2, at: T0 + 60_000, gridId: newRequest('late').path.gridId, requestId: 'late', by: 'lead-zhang' },
        { type: 'request.urged', seq: 3, at: T0 + 120_000, gridId: newRequest('late').path.gridId, requestId: 'late', by: 'oa' },
      ])
      expect(JSON.stringify(seen)).not.toContain('今日内办结')
      const detail = await store.getRequest('late')
      expect(detail?.stage).toBe('received')
      expect(detail?.stages.map((s) => s.stage)).toEqual(['received'])
      expect(detail?.urges).toEqual([
        { seq: 2, at: new Date(T0 + 60_000).toISOString(), actor: lead, note: '今日内办结' },
        { seq: 3, at: new Date(T0 + 120_000).toISOString(), actor: { kind: 'key', source: 'oa' } },
      ])
      expect(detail?.seq).toBe(1)
      expect((await store.listRequests(geography.ref(STREET_A)!, { openOnly: true, from: 0, limit: 10 }))[0]?.urges).toBe(2)
      // Its place in the subtree's log, like its other events.
      expect((await store.eventsAfter(geography.ref(STREET_A)!, 0, 10))?.events.map((e) => e.type)).toEqual(['request.received', 'request.urged', 'request.urged'])
      expect(await store.urgeRequest({ requestId: 'nope', at: T0, actor: lead })).toMatchObject({ ok: false, code: 'not_found' })
      for (const [i, stage] of (['dispatched', 'accepted', 'resolved'] as const).entries()) {
        await store.transitionRequest({ requestId: 'late', fingerprint: `s${i}`, stage, at: T0 + 200_000 + i })
      }
      const seq = await store.lastSeq()
      const closed = await store.urgeRequest({ requestId: 'late', at: T0 + 300_000, actor: lead })
      expect(closed).toMatchObject({ ok: false, code: 'invalid_transition', current: 'resolved', message: expect.stringContaining('closed') })
      expect(await store.lastSeq()).toBe(seq)
    })

    it('raises an alarm with an urgent request and with a camera alert, in the same commit; none for a general request', async () => {
      const seen: LiveEvent[][] = []
      store.onCommit((events) => seen.push(events))
      const urgent = { ...newRequest('fire'), priority: 'urgent' as const }
      await store.createRequest(newRequest('calm'))
      expect(await store.createRequest(urgent)).toMatchObject({ ok: true, value: { seq: 2 } })
      const point = pointIn(geography, STREET_A)
      const path = geography.locate(point)!
      expect(await store.createAlert({ id: 'cam', fingerprint: 'f', cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, ...point, path, at: T0 + 10 })).toMatchObject({ value: { seq: 4 } })
      const flat = seen.flat()
      expect(flat.map((e) => e.type)).toEqual(['request.received', 'request.received', 'alarm.raised', 'alert.raised', 'alarm.raised'])
      // Each alarm is published with the event that raised it.
      expect(seen.find((batch) => batch.some((e) => e.type === 'alert.raised'))?.map((e) => e.type)).toContain('alarm.raised')
      expect(seen.find((batch) => batch.some((e) => e.seq === 2))?.map((e) => e.seq)).toContain(3)
      expect(flat[2]).toEqual({ type: 'alarm.raised', seq: 3, at: T0, gridId: urgent.path.gridId, alarmId: 'urgent:fire', reason: 'urgent_request', subjectId: 'fire', lon: urgent.lon, lat: urgent.lat })
      expect(flat[4]).toMatchObject({ alarmId: 'alert:cam', reason: 'camera_alert', subjectId: 'cam', lon: point.lon, lat: point.lat })
      expect(await store.getAlarm('urgent:fire')).toEqual({
        id: 'urgent:fire',
        reason: 'urgent_request',
        subjectId: 'fire',
        gridId: urgent.path.gridId,
        lon: urgent.lon,
        lat: urgent.lat,
        raisedAt: new Date(T0).toISOString(),
        seq: 3,
      })
      expect(await store.getAlarm('urgent:calm')).toBeUndefined()
      // A replayed request or alert raises nothing again.
      expect(await store.createRequest(urgent)).toMatchObject({ ok: true, replayed: true })
      expect(await store.lastSeq()).toBe(5)
      // A confirmed alert that raises an urgent request raises that request's alarm too.
      await store.reviewAlert({ alertId: 'cam', verdict: 'confirmed', at: T0 + 20, raise: { requestId: 'from-cam', category: 'safety_hazard', priority: 'urgent' } })
      expect((await store.getAlarm('urgent:from-cam'))?.subjectId).toBe('from-cam')
    })

    it('raises no alarm from imported history', async () => {
      const seen: LiveEvent[] = []
      store.onCommit((events) => seen.push(...events))
      const point = pointIn(geography, STREET_A)
      const result = await store.importHistory([
        { op: 'request', request: { ...newRequest('old-urgent'), priority: 'urgent' } },
        { op: 'alert', alert: { id: 'old-cam', fingerprint: 'f', cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, ...point, path: geography.locate(point)!, at: T0 } },
      ])
      expect(result).toEqual({ applied: 2, rejected: 0, seq: 2 })
      expect(await store.listAlarms(geography.ref('640106')!, { openOnly: false, limit: 10 })).toEqual([])
      expect((await store.snapshot(geography.ref('640106')!)).snapshot.alarms).toEqual([])
      // And the live path raises them again afterwards.
      await store.createRequest({ ...newRequest('new-urgent'), priority: 'urgent' })
      expect((await store.listAlarms(geography.ref('640106')!, { openOnly: true, limit: 10 })).map((a) => a.id)).toEqual(['urgent:new-urgent'])
    })

    it('raises an overdue alarm once (again: a replay, nothing stored), and takes one acknowledgement', async () => {
      const r = newRequest('slow')
      await store.createRequest(r)
      const alarm = { id: 'overdue:slow', reason: 'overdue' as const, subjectId: 'slow', lon: r.lon, lat: r.lat, path: r.path, at: T0 + 3_600_000 }
      expect(await store.raiseAlarm(alarm)).toEqual({ ok: true, replayed: false, value: { id: 'overdue:slow', seq: 2 } })
      expect(await store.raiseAlarm({ ...alarm, at: T0 + 7_200_000 })).toEqual({ ok: true, replayed: true, value: { id: 'overdue:slow', seq: 2 } })
      expect(await store.lastSeq()).toBe(2)
      const seen: LiveEvent[] = []
      store.onCommit((events) => seen.push(...events))
      const officer = { kind: 'user' as const, name: 'duty-wang' }
      const acked = await store.ackAlarm({ alarmId: 'overdue:slow', at: T0 + 3_700_000, actor: officer })
      expect(acked).toEqual({ ok: true, replayed: false, value: { id: 'overdue:slow', seq: 3 } })
      expect(seen).toEqual([{ type: 'alarm.acked', seq: 3, at: T0 + 3_700_000, gridId: r.path.gridId, alarmId: 'overdue:slow', by: 'duty-wang' }])
      expect((await store.getAlarm('overdue:slow'))?.ack).toEqual({ at: new Date(T0 + 3_700_000).toISOString(), actor: officer, seq: 3 })
      const again = await store.ackAlarm({ alarmId: 'overdue:slow', at: T0 + 3_800_000, actor: { kind: 'user', name: 'duty-zhao' } })
      expect(again).toEqual({
        ok: false,
        code: 'conflict',
        message: `alarm overdue:slow was already acknowledged by duty-wang at ${new Date(T0 + 3_700_000).toISOString()}`,
      })
      expect(await store.ackAlarm({ alarmId: 'overdue:none', at: T0, actor: officer })).toMatchObject({ ok: false, code: 'not_found' })
      expect(await store.lastSeq()).toBe(3)
      // Acknowledged alarms stay raised: raising again is still a replay.
      expect(await store.raiseAlarm(alarm)).toMatchObject({ ok: true, replayed: true })
    })

    it('lists the alarms of a subtree newest first, the open ones alone when asked, and puts the open ones in the snapshot', async () => {
      const a1 = { ...newRequest('ua1', STREET_A), priority: 'urgent' as const }
      const b1 = { ...newRequest('ub1', STREET_B), priority: 'urgent' as const }
      const a2 = { ...newRequest('ua2', STREET_A, T0 + 1000), priority: 'urgent' as const }
      for (const r of [a1, b1, a2]) await store.createRequest(r)
      await store.ackAlarm({ alarmId: 'urgent:ua1', at: T0 + 2000, actor: { kind: 'user', name: 'duty' } })
      const street = geography.ref(STREET_A)!
      const all = await store.listAlarms(street, { openOnly: false, limit: 10 })
      expect(all.map((a) => [a.id, a.ack !== undefined])).toEqual([
        ['urgent:ua2', false],
        ['urgent:ua1', true],
      ])
      expect((await store.listAlarms(street, { openOnly: true, limit: 10 })).map((a) => a.id)).toEqual(['urgent:ua2'])
      expect((await store.listAlarms(street, { openOnly: false, limit: 1 })).map((a) => a.id)).toEqual(['urgent:ua2'])
      const district = geography.ref('640106')!
      expect((await store.listAlarms(district, { openOnly: false, limit: 10 })).map((a) => a.id)).toEqual(['urgent:ua2', 'urgent:ub1', 'urgent:ua1'])
      expect((await store.listAlarms(district, { openOnly: true, limit: 10 })).map((a) => a.id)).toEqual(['urgent:ua2', 'urgent:ub1'])
      const community = geography.ref(a1.path.communityId)!
      expect((await store.listAlarms(community, { openOnly: true, limit: 10 })).map((a) => a.subjectId)).toEqual(
        [a2, a1].filter((r) => r.path.communityId === a1.path.communityId).map((r) => r.id).slice(0, 1),
      )
      const grid = geography.ref(a1.path.gridId)!
      expect((await store.listAlarms(grid, { openOnly: false, limit: 10 })).map((a) => a.subjectId)).toEqual(
        [a2, a1].filter((r) => r.path.gridId === a1.path.gridId).map((r) => r.id),
      )
      const { snapshot } = await store.snapshot(street)
      expect(snapshot.alarms).toEqual([{ alarmId: 'urgent:ua2', reason: 'urgent_request', subjectId: 'ua2', gridId: a2.path.gridId, lon: a2.lon, lat: a2.lat, at: T0 + 1000 }])
      expect((await store.snapshot(district)).snapshot.alarms.map((a) => a.alarmId)).toEqual(['urgent:ub1', 'urgent:ua2'])
    })

    it('lists the requests now at a stage, whenever received, with their place, assignee and urges', async () => {
      await store.createRequest(newRequest('old', STREET_A, T0 - 30 * 86_400_000))
      await store.createRequest(newRequest('new', STREET_A))
      await store.createRequest(newRequest('other', STREET_B))
      for (const id of ['old', 'other']) {
        await store.transitionRequest({ requestId: id, fingerprint: 'd', stage: 'dispatched', at: T0 + 1, assignee: { kind: 'expert', id: 'e-1' } })
        await store.transitionRequest({ requestId: id, fingerprint: 'a', stage: 'accepted', at: T0 + 2 })
        await store.transitionRequest({ requestId: id, fingerprint: 'r', stage: 'resolved', at: T0 + 3 })
      }
      const street = geography.ref(STREET_A)!
      const resolved = await store.listRequests(street, { openOnly: true, from: T0, limit: 10, stage: 'resolved' })
      expect(resolved).toEqual([
        expect.objectContaining({ id: 'old', stage: 'resolved', assignee: { kind: 'expert', id: 'e-1' }, urges: 0, lon: expect.any(Number), lat: expect.any(Number) }),
      ])
      expect((await store.listRequests(geography.ref('640106')!, { openOnly: false, from: 0, limit: 10, stage: 'resolved' })).map((r) => r.id)).toEqual(['old', 'other'])
      expect((await store.listRequests(geography.ref('640106')!, { openOnly: false, from: 0, limit: 1, stage: 'resolved' })).map((r) => r.id)).toEqual(['old'])
      expect((await store.listRequests(street, { openOnly: true, from: 0, limit: 10, stage: 'received' })).map((r) => r.id)).toEqual(['new'])
      expect((await store.listRequests(street, { openOnly: true, from: 0, limit: 10, stage: 'onsite' }))).toEqual([])
      const [fresh] = await store.listRequests(street, { openOnly: true, from: 0, limit: 10 })
      expect(fresh).not.toHaveProperty('assignee')
    })

    it('knows the workers it has seen report', async () => {
      expect(await store.hasWorker('w-9')).toBe(false)
      const point = pointIn(geography, STREET_A)
      await store.appendPings([{ workerId: 'w-9', kind: 'ping', ...point, path: geography.locate(point)!, at: T0 }])
      expect(await store.hasWorker('w-9')).toBe(true)
      expect(await store.hasWorker('w-10')).toBe(false)
    })

    if (reopen) {
      it('keeps every acknowledged event across a close and reopen', async () => {
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.createRequest(newRequest(`d-${i}`))))
        store = await reopen(store)
        expect(await store.lastSeq()).toBe(20)
        expect((await store.getRequest('d-19'))?.id).toBe('d-19')
        const next = await store.createRequest(newRequest('after'))
        expect(next.ok && next.value.seq).toBe(21)
      })

      it('keeps the geography record across a close and reopen', async () => {
        const record = { hash: 'c'.repeat(64), recordedAt: T0, units: [{ id: 'd', level: 'district' as const, parentId: null, name: '区' }] }
        await store.recordGeography(record)
        store = await reopen(store)
        expect(await store.geographyRecord()).toEqual(record)
      })

      it('keeps a rollup checkpoint across a close and reopen', async () => {
        const checkpoint = { seq: 12, basis: 'v1.c', savedAt: T0, data: Buffer.from('state') }
        await store.saveCheckpoint(checkpoint)
        store = await reopen(store)
        expect(await store.loadCheckpoint('v1.c')).toEqual(checkpoint)
      })
    }
  })
}
