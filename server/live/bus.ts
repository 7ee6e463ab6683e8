// The live bus: committed events are grouped per tick and per room (district, street, community,
// grid) and each room gets one batch. A camera alert flushes at once: it is the urgent lane.
import type { EventBatch, LiveEvent } from '../../shared/events'
import { unitRoom } from '../../shared/events'
import type { Geography } from '../geo/geography'

export type BatchSink = (room: string, batch: EventBatch) => void

export interface LiveBusOptions {
  geography: Geography
  sink: BatchSink
  /** Milliseconds between flushes (100–250 keeps the wall smooth and the batches large). */
  tickMs?: number
}

export class LiveBus {
  private pending: LiveEvent[] = []
  private timer: NodeJS.Timeout | undefined
  private urgent = false
  private readonly tickMs: number

  constructor(private readonly options: LiveBusOptions) {
    this.tickMs = options.tickMs ?? 150
  }

  publish(events: readonly LiveEvent[]): void {
    for (const event of events) {
      this.pending.push(event)
      if (event.type === 'alert.raised') this.urgent = true
    }
    if (this.urgent) {
      this.urgent = false
      if (this.timer) clearTimeout(this.timer)
      this.timer = undefined
      setImmediate(() => this.flush())
    } else if (!this.timer && this.pending.length > 0) {
      this.timer = setTimeout(() => this.flush(), this.tickMs)
    }
  }

  /** Emits one batch per room that has events; events keep seq order within every batch. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    const events = this.pending
    if (events.length === 0) return
    this.pending = []
    const byRoom = new Map<string, LiveEvent[]>()
    for (const event of events) {
      const path = this.options.geography.pathOf(event.gridId)
      if (!path) continue
      for (const unitId of [path.districtId, path.streetId, path.communityId, path.gridId]) {
        const room = unitRoom(unitId)
        const list = byRoom.get(room)
        if (list) list.push(event)
        else byRoom.set(room, [event])
      }
    }
    for (const [room, list] of byRoom) {
      this.options.sink(room, { seq: list[list.length - 1]!.seq, events: list })
    }
  }

  close(): void {
    this.flush()
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}
