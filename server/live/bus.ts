// The live bus: committed events are grouped per tick and per room (district, street, community,
// grid) and each room gets one batch. A camera alert or an alarm flushes at once: the urgent lane.
// The tick adapts: while the stream is light a batch is held briefly, for latency; once a flush
// carries many events the next is held the full tick, so that a busy stream goes out in fewer,
// larger frames (the cost of a send is mostly per frame, not per event).
// Sending a flush to a thousand sockets takes milliseconds of the event loop, so batches leave in
// slices of a few milliseconds with the loop free in between: an alert that arrives meanwhile is
// read, stored and sent between two slices instead of after the whole flush. Each room's batches
// still leave in seq order.
// Each event is serialised once per flush, whatever the number of rooms it goes to (district,
// street, community, grid): a room's batch is the concatenation of its events' JSON.
import type { EventBatch, LiveEvent } from '../../shared/events'
import { unitRoom } from '../../shared/rooms'
import type { Geography } from '../geo/geography'

/**
 * `json` is the batch as JSON (the value `JSON.stringify(batch)` writes), built from each event's
 * JSON made once per flush.
 */
export type BatchSink = (room: string, batch: EventBatch, json: string) => void

/** A room's events of one flush, and each one's JSON. */
interface RoomList {
  events: LiveEvent[]
  json: string[]
}

interface Outgoing {
  room: string
  batch: EventBatch
  json: string
}

/** The hold under load. */
export const DEFAULT_TICK_MS = 150
/**
 * The hold while the stream is light: an event's wait for its batch is most of its ingest → screen
 * latency (at 1,000 events/s, P99 89 ms with 25 ms against 118 ms with 50 ms, fan-out bench), and
 * a light stream has CPU to spare for the extra frames.
 */
export const DEFAULT_QUIET_TICK_MS = 25
/** A flush with at least this many events marks the stream busy (≈5,000 events/s at the quiet tick). */
export const DEFAULT_BUSY_EVENTS = 125
/** Milliseconds of sending before the bus lets the event loop run (at least one room per slice). */
export const SLICE_MS = 3

export interface LiveBusOptions {
  geography: Geography
  sink: BatchSink
  /** Milliseconds a batch is held under load (100–250 keeps the wall smooth and the batches large). */
  tickMs?: number
  /** Milliseconds a batch is held while the stream is light; never more than `tickMs`. */
  quietTickMs?: number
  /** Events in one flush from which the stream counts as busy. */
  busyEvents?: number
  /**
   * Whether anybody is in a room. A batch for a room nobody watches is neither built nor encoded:
   * with the district, 8 streets, 50 communities and 300 grids, most rooms are empty most of the time.
   */
  isWatched?: (room: string) => boolean
  /** Milliseconds, for the send slices; performance.now by default. */
  clock?: () => number
}

export class LiveBus {
  private pending: LiveEvent[] = []
  /** Room batches built but not sent yet, oldest first. */
  private outbox: Outgoing[] = []
  private draining: NodeJS.Immediate | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly tickMs: number
  private readonly quietTickMs: number
  private readonly busyEvents: number
  /** The hold for the next batch: the quiet tick, or the full tick after a busy flush. */
  private hold: number
  /** The four room names of each grid, built once instead of four strings per event per flush. */
  private readonly roomsOfGrid = new Map<string, readonly string[] | null>()

  constructor(private readonly options: LiveBusOptions) {
    this.tickMs = options.tickMs ?? DEFAULT_TICK_MS
    this.quietTickMs = Math.min(options.quietTickMs ?? DEFAULT_QUIET_TICK_MS, this.tickMs)
    this.busyEvents = options.busyEvents ?? DEFAULT_BUSY_EVENTS
    this.hold = this.quietTickMs
  }

  publish(events: readonly LiveEvent[]): void {
    let urgent = false
    for (const event of events) {
      this.pending.push(event)
      if (isUrgent(event)) urgent = true
    }
    // An alert or an alarm goes out now, with what is pending, not on a later turn of the event loop: the
    // I/O that turn would process first could be many requests.
    if (urgent) this.flush()
    else if (!this.timer && this.pending.length > 0) this.timer = setTimeout(() => this.flush(), this.hold)
  }

  /**
   * Builds one batch per watched room that has events; events keep seq order within every batch.
   * Rooms with a camera alert are sent at once (after anything older still waiting for them); the
   * others join the outbox, sent in slices.
   */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    const events = this.pending
    if (events.length === 0) return
    this.pending = []
    this.hold = events.length >= this.busyEvents ? this.tickMs : this.quietTickMs
    const isWatched = this.options.isWatched
    // null: nobody watches the room, asked once per flush.
    const byRoom = new Map<string, RoomList | null>()
    let urgentRooms: Set<string> | undefined
    for (const event of events) {
      const rooms = this.roomsOf(event.gridId)
      if (!rooms) continue
      // Serialised on its first watched room, and only then.
      let json: string | undefined
      for (const room of rooms) {
        let list = byRoom.get(room)
        if (list === undefined) {
          list = isWatched && !isWatched(room) ? null : { events: [], json: [] }
          byRoom.set(room, list)
        }
        if (list === null) continue
        list.events.push(event)
        list.json.push((json ??= eventJson(event)))
        if (isUrgent(event)) (urgentRooms ??= new Set()).add(room)
      }
    }
    if (urgentRooms) {
      // Older batches of these rooms go first, or a client would see seqs out of order.
      const older = this.outbox.filter((out) => urgentRooms.has(out.room))
      if (older.length > 0) this.outbox = this.outbox.filter((out) => !urgentRooms.has(out.room))
      for (const out of older) this.send(out)
      for (const room of urgentRooms) this.send(outgoing(room, byRoom.get(room)!))
    }
    for (const [room, list] of byRoom) if (list && !urgentRooms?.has(room)) this.outbox.push(outgoing(room, list))
    if (this.outbox.length > 0 && !this.draining) this.drain()
  }

  /** Sends from the outbox for about SLICE_MS, then yields to the event loop and goes on. */
  private drain(): void {
    this.draining = undefined
    const clock = this.options.clock ?? performance.now.bind(performance)
    const start = clock()
    let sent = 0
    while (sent < this.outbox.length) {
      this.send(this.outbox[sent++]!)
      if (clock() - start >= SLICE_MS) break
    }
    this.outbox = sent === this.outbox.length ? [] : this.outbox.slice(sent)
    if (this.outbox.length > 0) this.draining = setImmediate(() => this.drain())
  }

  /** Sends everything now: what is pending and what waits in the outbox. */
  close(): void {
    this.flush()
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.draining) clearImmediate(this.draining)
    this.draining = undefined
    const outbox = this.outbox
    this.outbox = []
    for (const out of outbox) this.send(out)
  }

  private send(out: Outgoing): void {
    this.options.sink(out.room, out.batch, out.json)
  }

  /** Room batches not sent yet (for tests and gauges). */
  get waiting(): number {
    return this.outbox.length
  }

  private roomsOf(gridId: string): readonly string[] | null {
    let rooms = this.roomsOfGrid.get(gridId)
    if (rooms === undefined) {
      const path = this.options.geography.pathOf(gridId)
      rooms = path ? [path.districtId, path.streetId, path.communityId, path.gridId].map(unitRoom) : null
      this.roomsOfGrid.set(gridId, rooms)
    }
    return rooms
  }
}

/** What goes out at once, ahead of the tick: a camera alert, and an alarm (pinned on the wall until acknowledged). */
function isUrgent(event: LiveEvent): boolean {
  return event.type === 'alert.raised' || event.type === 'alarm.raised'
}

/**
 * An event's JSON. Patrol pings, most of a busy stream, are written by a template (about half the
 * time of JSON.stringify on the object), keys in the order the store builds them, so for those the
 * bytes are JSON.stringify's; strings still go through JSON.stringify for escaping, and lon, lat, at
 * and seq are finite numbers (validated at ingest), which a template writes as JSON does.
 */
export function eventJson(event: LiveEvent): string {
  if (event.type === 'patrol.reported') {
    return `{"type":"patrol.reported","at":${event.at},"gridId":${JSON.stringify(event.gridId)},"workerId":${JSON.stringify(event.workerId)},"kind":${JSON.stringify(event.kind)},"lon":${event.lon},"lat":${event.lat},"seq":${event.seq}}`
  }
  return JSON.stringify(event)
}

/** The room's batch, and its JSON. */
function outgoing(room: string, list: RoomList): Outgoing {
  const seq = list.events[list.events.length - 1]!.seq
  return { room, batch: { seq, events: list.events }, json: `{"seq":${seq},"events":[${list.json.join(',')}]}` }
}
