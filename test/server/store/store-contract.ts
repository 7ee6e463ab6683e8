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
    }
  })
}
