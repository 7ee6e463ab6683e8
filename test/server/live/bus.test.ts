import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { EventBatch, LiveEvent } from '../../../shared/events'
import { unitRoom } from '../../../shared/rooms'
import { LiveBus, SLICE_MS } from '../../../server/live/bus'
import { firstGrid, sampleGeography } from '../../helpers/build-app'

const geography = sampleGeography()
const GRID_A = firstGrid(geography, '640106001')
const GRID_B = firstGrid(geography, '640106002')

function ping(seq: number, gridId = GRID_A): LiveEvent {
  return { seq, at: seq, gridId, type: 'patrol.reported', workerId: 'w', kind: 'ping', lon: 0, lat: 0 }
}
function alert(seq: number, gridId = GRID_A): LiveEvent {
  return { seq, at: seq, gridId, type: 'alert.raised', alertId: `a${seq}`, cameraId: 'c', kind: 'smoke_fire', confidence: 0.9, lon: 0, lat: 0 }
}

let sent: [string, EventBatch][]
let watched: Set<string>
let bus: LiveBus
beforeEach(() => {
  vi.useFakeTimers()
  sent = []
  watched = new Set([unitRoom('640106'), unitRoom('640106001'), unitRoom(GRID_A)])
  bus = new LiveBus({ geography, sink: (room, batch) => sent.push([room, batch]), tickMs: 150, quietTickMs: 50, busyEvents: 10, isWatched: (r) => watched.has(r) })
})
afterEach(() => {
  bus.close()
  vi.useRealTimers()
})

describe('LiveBus', () => {
  it('holds a light stream for the quiet tick, then sends one batch per watched room in seq order', () => {
    bus.publish([ping(1)])
    bus.publish([ping(2), ping(3, GRID_B)])
    vi.advanceTimersByTime(49)
    expect(sent).toEqual([])
    vi.advanceTimersByTime(1)
    const rooms = Object.fromEntries(sent.map(([room, b]) => [room, b.events.map((e) => e.seq)]))
    // The district sees all three; street A and grid A theirs; street B and the communities are not watched.
    expect(rooms).toEqual({ [unitRoom('640106')]: [1, 2, 3], [unitRoom('640106001')]: [1, 2], [unitRoom(GRID_A)]: [1, 2] })
    expect(sent.every(([, b]) => b.seq === b.events.at(-1)!.seq)).toBe(true)
  })

  it("hands each room's batch with its JSON, each event serialised once for all of its rooms", () => {
    const json = new Map<string, string>()
    const encodings = new Map<number, number>()
    const counted = (event: LiveEvent): LiveEvent => {
      // JSON.stringify calls toJSON once per serialisation of the object.
      const { seq } = event
      return Object.assign({ ...event }, { toJSON: () => (encodings.set(seq, (encodings.get(seq) ?? 0) + 1), { ...event }) })
    }
    const encoded = new LiveBus({ geography, sink: (room, _batch, text) => json.set(room, text), isWatched: (r) => watched.has(r) })
    // Not pings: those are written by a template (see the next test).
    encoded.publish([counted(alert(1)), counted(alert(2, GRID_B)), counted(alert(3))])
    encoded.close()
    // Alerts 1 and 3 went to three rooms each, alert 2 to the district only: one encoding each.
    expect([...encodings.values()]).toEqual([1, 1, 1])
    expect(json.size).toBe(3)
    expect(JSON.parse(json.get(unitRoom('640106'))!)).toEqual({ seq: 3, events: [alert(1), alert(2, GRID_B), alert(3)] })
  })

  it('the JSON is the batch; for pings as the store builds them, byte for byte what JSON.stringify writes', () => {
    const pairs: [EventBatch, string][] = []
    const plain = new LiveBus({ geography, sink: (_room, batch, text) => pairs.push([batch, text]), isWatched: (r) => watched.has(r) })
    // Key order as SqliteStore.applyPings builds a ping.
    const stored = (seq: number, workerId: string, lon: number): LiveEvent => ({ type: 'patrol.reported', at: 1764400000000 + seq, gridId: GRID_A, workerId, kind: 'visit', lon, lat: -0.5, seq })
    plain.publish([stored(1, 'w-1', 106.2265123), stored(2, 'w "引号" \\ \u2028', 0), alert(3), ping(4)])
    plain.close()
    expect(pairs.length).toBe(3)
    for (const [batch, text] of pairs) expect(JSON.parse(text)).toEqual(batch)
    const district = pairs.find(([batch]) => batch.events.length === 4)!
    expect(district[1].slice(0, district[1].indexOf(',{"seq":3'))).toBe(JSON.stringify({ seq: 4, events: district[0].events.slice(0, 2) }).slice(0, -2))
  })

  it('after a busy flush holds the full tick, and goes back to the quiet tick when it calms', () => {
    bus.publish(Array.from({ length: 12 }, (_, i) => ping(i + 1)))
    vi.advanceTimersByTime(50)
    expect(sent.length).toBeGreaterThan(0)
    sent = []
    bus.publish([ping(20)])
    vi.advanceTimersByTime(100)
    expect(sent).toEqual([])
    vi.advanceTimersByTime(50)
    expect(sent.length).toBeGreaterThan(0)
    sent = []
    bus.publish([ping(21)])
    vi.advanceTimersByTime(50)
    expect(sent.length).toBeGreaterThan(0)
  })

  it('flushes at once on a camera alert, alert rooms first, with what was pending', () => {
    watched.add(unitRoom('640106002'))
    bus.publish([ping(1, GRID_B)])
    bus.publish([alert(2)])
    // No timer needed: the urgent lane.
    expect(sent.length).toBeGreaterThan(0)
    const order = sent.map(([room]) => room)
    const firstWithout = order.findIndex((room) => !sent.find(([r]) => r === room)![1].events.some((e) => e.type === 'alert.raised'))
    const lastWith = order.map((room) => sent.find(([r]) => r === room)![1].events.some((e) => e.type === 'alert.raised')).lastIndexOf(true)
    expect(lastWith).toBeLessThan(firstWithout)
    expect(sent.find(([room]) => room === unitRoom('640106'))![1].events.map((e) => e.seq)).toEqual([1, 2])
  })

  it('sends a long flush in slices, yielding to the event loop between them', () => {
    // A sink that takes longer than a slice (on the bus's clock): one room per slice.
    let clock = 0
    const slow = (room: string, batch: EventBatch) => {
      clock += SLICE_MS + 1
      sent.push([room, batch])
    }
    const sliced = new LiveBus({ geography, sink: slow, tickMs: 150, quietTickMs: 50, isWatched: (r) => watched.has(r), clock: () => clock })
    sliced.publish([ping(1)])
    vi.advanceTimersByTime(50)
    expect(sent).toHaveLength(1)
    expect(sliced.waiting).toBe(2)
    vi.runOnlyPendingTimers() // the next slice (setImmediate)
    expect(sent).toHaveLength(2)
    vi.runAllTimers()
    expect(sent.map(([room]) => room).sort()).toEqual([unitRoom('640106'), unitRoom('640106001'), unitRoom(GRID_A)].sort())
    expect(sliced.waiting).toBe(0)
    sliced.close()
  })

  it('sends an alert before the rest of a slow flush, after its rooms\' older batches, keeping seq order per room', () => {
    let clock = 0
    const slow = (room: string, batch: EventBatch) => {
      clock += SLICE_MS + 1
      sent.push([room, batch])
    }
    watched.add(unitRoom('640106002'))
    watched.add(unitRoom(GRID_B))
    const sliced = new LiveBus({ geography, sink: slow, tickMs: 150, quietTickMs: 50, isWatched: (r) => watched.has(r), clock: () => clock })
    sliced.publish([ping(1), ping(2, GRID_B)])
    vi.advanceTimersByTime(50)
    // One room sent, the others wait in the outbox; now an alert in grid A.
    expect(sliced.waiting).toBeGreaterThan(0)
    const before = sent.length
    sliced.publish([alert(3)])
    const alertRooms = [unitRoom('640106'), unitRoom('640106001'), unitRoom(GRID_A)]
    // Synchronously: every alert room has its alert batch, and nothing of street/grid B jumped ahead.
    const now = sent.slice(before)
    for (const room of alertRooms) expect(sent.some(([r, b]) => r === room && b.events.some((e) => e.seq === 3))).toBe(true)
    expect(now.every(([room]) => alertRooms.includes(room))).toBe(true)
    vi.runAllTimers()
    sliced.close()
    // Per room, seqs only go up, and every event reached every room it belongs to exactly once.
    const byRoom = new Map<string, number[]>()
    for (const [room, b] of sent) byRoom.set(room, [...(byRoom.get(room) ?? []), ...b.events.map((e) => e.seq)])
    expect(Object.fromEntries(byRoom)).toEqual({
      [unitRoom('640106')]: [1, 2, 3],
      [unitRoom('640106001')]: [1, 3],
      [unitRoom(GRID_A)]: [1, 3],
      [unitRoom('640106002')]: [2],
      [unitRoom(GRID_B)]: [2],
    })
  })
})
