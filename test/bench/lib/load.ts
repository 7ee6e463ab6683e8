import { polygonsOf } from '../../../shared/domain'
// The load: which units the clients watch, where the events land, how they are sent, and what the
// clients' logs say about deliveries and latency.
import { buildSampleGeography } from '../../../shared/sample-geography'
import { Geography } from '../../../server/geo/geography'
import type { KeepAliveClient } from './http-client'
import type { PoolEvent, SeqRecord } from './ipc'
import type { BatchLog } from './live-clients'
import { clock, percentile, sleep } from './stats'

export const geography = new Geography(buildSampleGeography())

export interface Scene {
  /** The 20 watched units: every street, then communities (two from each of the first four streets, one from the rest). */
  rooms: string[]
  /** Where events land: grids of the watched communities, so each reaches a street room and a community room. */
  grids: string[]
  pool: PoolEvent[]
  /** Each ping's JSON as POST /api/v1/patrols takes it, parallel to `pool`. */
  pingJson: string[]
}

export function scene(roomCount = 20, poolSize = 4096): Scene {
  const streets = geography.children(geography.district.id).map((u) => u.id)
  const communities: string[] = []
  for (let round = 0; communities.length < roomCount - streets.length; round++) {
    for (const street of streets) {
      const children = geography.children(street)
      if (children[round] && communities.length < roomCount - streets.length) communities.push(children[round]!.id)
    }
  }
  const rooms = [...streets, ...communities]
  const grids = communities.flatMap((c) => geography.children(c).map((g) => g.id))
  const pool: PoolEvent[] = []
  const pingJson: string[] = []
  for (let i = 0; i < poolSize; i++) {
    const gridId = grids[(i * 7919) % grids.length]!
    const path = geography.pathOf(gridId)!
    const { lon, lat } = centreOf(gridId)
    const workerId = `w-bench-${i % 1000}`
    pool.push({ gridId, workerId, kind: 'ping', lon, lat, rooms: [rooms.indexOf(path.streetId), rooms.indexOf(path.communityId)].filter((r) => r >= 0) })
    pingJson.push(JSON.stringify({ workerId, kind: 'ping', location: { lon, lat } }))
  }
  return { rooms, grids, pool, pingJson }
}

/** The middle of a grid (sample grids are rectangles), rounded as the server stores it. */
export function centreOf(gridId: string): { lon: number; lat: number } {
  const ring = polygonsOf(geography.get(gridId)!.geometry)[0]![0]!
  const lons = ring.map((p) => p[0])
  const lats = ring.map((p) => p[1])
  const r7 = (x: number) => Math.round(x * 1e7) / 1e7
  return { lon: r7((Math.min(...lons) + Math.max(...lons)) / 2), lat: r7((Math.min(...lats) + Math.max(...lats)) / 2) }
}

/** Client i watches rooms[i % rooms.length]: the same number of clients in every room. */
export function unitsFor(clients: number, rooms: string[]): string[] {
  return Array.from({ length: clients }, (_, i) => rooms[i % rooms.length]!)
}

export interface DriveResult {
  posted: number
  accepted: number
  failed: number
  /** Due events not sent because `maxInFlight` requests were already outstanding. */
  skipped: number
  errors: string[]
}

/**
 * Open-loop patrol ingest at `eventsPerSec`: every `intervalMs`, the pings now due go out in one
 * POST /api/v1/patrols (split at 1,000). When `maxInFlight` requests are outstanding the due
 * pings are skipped, not queued, so an overloaded server shows as a lower achieved rate.
 */
export async function drivePatrols(options: {
  client: KeepAliveClient
  scene: Scene
  eventsPerSec: number
  durationMs: number
  records: SeqRecord[]
  intervalMs?: number
  maxInFlight?: number
  cursor?: { pool: number }
}): Promise<DriveResult> {
  const { client, scene, eventsPerSec, durationMs, records } = options
  const intervalMs = options.intervalMs ?? 10
  const maxInFlight = options.maxInFlight ?? 8
  const cursor = options.cursor ?? { pool: 0 }
  const result: DriveResult = { posted: 0, accepted: 0, failed: 0, skipped: 0, errors: [] }
  const inFlight = new Set<Promise<void>>()
  const started = clock()
  let due = 0
  while (clock() - started < durationMs) {
    const target = Math.floor(((clock() - started) * eventsPerSec) / 1000)
    while (due < target) {
      const n = Math.min(1000, target - due)
      due += n
      if (inFlight.size >= maxInFlight) {
        result.skipped += n
        continue
      }
      const poolStart = cursor.pool
      const parts: string[] = []
      for (let i = 0; i < n; i++) {
        parts.push(scene.pingJson[cursor.pool]!)
        cursor.pool = (cursor.pool + 1) % scene.pool.length
      }
      const sentAt = clock()
      result.posted += n
      const p: Promise<void> = client.post('/api/v1/patrols', `{"pings":[${parts.join(',')}]}`).then(
        (answer) => {
          inFlight.delete(p)
          if (answer.status !== 202) {
            result.failed += n
            if (result.errors.length < 3) result.errors.push(`${answer.status} ${answer.body.slice(0, 200)}`)
            return
          }
          const { accepted, seq } = JSON.parse(answer.body) as { accepted: number; seq: number }
          result.accepted += accepted
          records.push({ seqFrom: seq - accepted + 1, seqTo: seq, poolStart, sentAt })
        },
        (error: Error) => {
          inFlight.delete(p)
          result.failed += n
          if (result.errors.length < 3) result.errors.push(error.message)
        },
      )
      inFlight.add(p)
    }
    await sleep(intervalMs)
  }
  await Promise.all(inFlight)
  return result
}

/** What the clients' logs say for the batches received in [from, to). */
export interface Delivery {
  batches: number
  deliveries: number
  deliveriesPerSec: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyMaxMs: number
  /** Clients that counted every event: how many deliveries they counted and how many the seq ranges imply. */
  counted: number
  countedExpected: number
}

/**
 * Deliveries are computed from each batch's first and last seq and the known room of every seq
 * (each ingest call records its seq range and pool position). The latency of a batch is that of
 * its oldest event, arrival minus when that event's request was sent: an upper bound for every
 * event in the batch.
 */
export function analyse(log: BatchLog, records: SeqRecord[], scene: Scene, clientRooms: number[], from: number, to: number): Delivery {
  const sorted = [...records].sort((a, b) => a.seqFrom - b.seqFrom)
  // The seqs each room gets, ascending, to count a batch's events by binary search.
  const perRoom: number[][] = scene.rooms.map(() => [])
  for (const r of sorted) {
    for (let seq = r.seqFrom, k = r.poolStart; seq <= r.seqTo; seq++, k = (k + 1) % scene.pool.length) {
      for (const room of scene.pool[k]!.rooms) perRoom[room]!.push(seq)
    }
  }
  const lowerBound = (a: number[], x: number) => {
    let lo = 0
    let hi = a.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (a[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  const sentAtOf = (seq: number): number | undefined => {
    let lo = 0
    let hi = sorted.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const r = sorted[mid]!
      if (seq < r.seqFrom) hi = mid - 1
      else if (seq > r.seqTo) lo = mid + 1
      else return r.sentAt
    }
    return undefined
  }
  const latencies: number[] = []
  let deliveries = 0
  let counted = 0
  let countedExpected = 0
  const start = log.indexAt(from)
  const end = log.indexAt(to)
  for (let i = start; i < end; i++) {
    const seqs = perRoom[clientRooms[log.client[i]!]!]!
    const n = lowerBound(seqs, log.last[i]! + 1) - lowerBound(seqs, log.first[i]!)
    deliveries += n
    if (log.counted[i]! >= 0) {
      counted += log.counted[i]!
      countedExpected += n
    }
    const sentAt = sentAtOf(log.first[i]!)
    if (sentAt !== undefined) latencies.push(log.recvAt[i]! - sentAt)
  }
  const lat = Float64Array.from(latencies).sort()
  return {
    batches: end - start,
    deliveries,
    deliveriesPerSec: deliveries / ((to - from) / 1000),
    latencyP50Ms: percentile(lat, 50),
    latencyP99Ms: percentile(lat, 99),
    latencyMaxMs: lat.length ? lat[lat.length - 1]! : NaN,
    counted,
    countedExpected,
  }
}

/** One urgent event sent on its own: its seq, where it lands and when it was sent. */
export interface Urgent {
  seq: number
  rooms: number[]
  sentAt: number
}

/**
 * For each urgent event, each client watching one of its rooms: arrival of the first batch that
 * holds its seq, minus when it was sent. Clients that never got it are counted as missing.
 */
export function urgentLatencies(log: BatchLog, urgent: Urgent[], clientRooms: number[]): { latencies: Float64Array; missing: number } {
  const latencies: number[] = []
  let missing = 0
  for (const u of urgent) {
    const seen = new Set<number>()
    const end = log.indexAt(u.sentAt + 5000)
    for (let i = log.indexAt(u.sentAt); i < end; i++) {
      const client = log.client[i]!
      if (seen.has(client) || log.first[i]! > u.seq || log.last[i]! < u.seq) continue
      if (!u.rooms.includes(clientRooms[client]!)) continue
      seen.add(client)
      latencies.push(log.recvAt[i]! - u.sentAt)
    }
    const expected = clientRooms.filter((r) => u.rooms.includes(r)).length
    missing += expected - seen.size
  }
  return { latencies: Float64Array.from(latencies).sort(), missing }
}
