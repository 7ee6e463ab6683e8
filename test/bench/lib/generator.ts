// Synthetic patrol events at a given rate, in the load driver's cadence (every `intervalMs`, the
// events now due): used by the raw ws baseline, and by Outpost's bus-only mode, so that both
// fan out the very same events.
import type { PatrolReportedEvent } from '../../../shared/events'
import type { PoolEvent, SeqRecord } from './ipc'
import { clock } from './stats'

export class EventGenerator {
  private seq: number
  private poolIndex = 0
  private timer: NodeJS.Timeout | undefined
  private records: SeqRecord[] = []

  constructor(
    private readonly pool: PoolEvent[],
    firstSeq: number,
  ) {
    this.seq = firstSeq - 1
  }

  /** Calls `emit` with the events due every `intervalMs`; a rate of 0 stops. */
  run(eventsPerSec: number, intervalMs: number, emit: (events: PatrolReportedEvent[], pool: PoolEvent[]) => void): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    if (eventsPerSec <= 0) return
    const started = clock()
    let made = 0
    this.timer = setInterval(() => {
      const now = clock()
      const due = Math.floor(((now - started) * eventsPerSec) / 1000) - made
      if (due <= 0) return
      made += due
      this.records.push({ seqFrom: this.seq + 1, seqTo: this.seq + due, poolStart: this.poolIndex, sentAt: now })
      const events: PatrolReportedEvent[] = []
      const from: PoolEvent[] = []
      const at = Math.floor(now)
      for (let i = 0; i < due; i++) {
        const p = this.pool[this.poolIndex]!
        this.poolIndex = (this.poolIndex + 1) % this.pool.length
        events.push({ type: 'patrol.reported', at, gridId: p.gridId, workerId: p.workerId, kind: p.kind, lon: p.lon, lat: p.lat, seq: ++this.seq })
        from.push(p)
      }
      emit(events, from)
    }, intervalMs)
  }

  /** The seq ranges generated since the last call, with when. */
  takeRecords(): SeqRecord[] {
    const out = this.records
    this.records = []
    return out
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }
}
