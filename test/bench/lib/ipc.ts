// The messages between a benchmark script and the server it runs in a child process. The child
// answers each request with the same `id`, so the script can await it.

export interface Usage {
  /** process.cpuUsage() of the server process, microseconds. */
  userUs: number
  systemUs: number
  rss: number
  heapUsed: number
  /** performance.now() of the server when sampled, ms; paired with cpu to get cores. */
  at: number
}

export interface ReadyMessage {
  type: 'ready'
  port: number
  /** Headers an ingest client must send (e.g. `Authorization`); empty when the server needs none. */
  ingestHeaders: Record<string, string>
  /** Headers a live socket must send on its upgrade (e.g. a session `Cookie`). */
  socketHeaders: Record<string, string>
}

export type Request =
  | { id: number; type: 'usage'; gc?: boolean }
  | { id: number; type: 'stop' }
  /** Starts the V8 CPU profiler, or stops it and writes the .cpuprofile to `file`. */
  | { id: number; type: 'profile'; action: 'start' | 'stop'; file?: string }
  /** raw-ws baseline only: what to generate and how to batch it. */
  | { id: number; type: 'configure'; pool: PoolEvent[]; tickMs: number; rooms: string[] }
  /** raw-ws baseline only: events per second to generate (0 stops), in the driver's cadence. */
  | { id: number; type: 'rate'; eventsPerSec: number; intervalMs: number }
  /** raw-ws baseline only: the (seq range → generation time) records since the last call. */
  | { id: number; type: 'records' }
  /** Outpost only: how long each fdatasync of the WAL took since the last call, ms. */
  | { id: number; type: 'syncs' }

export interface Reply {
  id: number
  usage?: Usage
  records?: SeqRecord[]
  syncs?: number[]
  error?: string
}

/** One ingest call (or one generation step of the baseline): events seqFrom..seqTo, pool entries from poolStart on. */
export interface SeqRecord {
  seqFrom: number
  seqTo: number
  poolStart: number
  /** Date.now() when the request was sent (or the events generated). */
  sentAt: number
}

/** A patrol ping the load uses, with where it lands. */
export interface PoolEvent {
  gridId: string
  workerId: string
  kind: 'ping'
  lon: number
  lat: number
  /** Indices into the subscribed rooms (street, community) this event is delivered to. */
  rooms: number[]
}
