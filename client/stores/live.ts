import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { isClosedStage } from '../../shared/domain'
import type { LiveEvent, LiveSnapshot, OpenAlarm, OpenAlert, OpenRequest, WorkerPosition } from '../../shared/events'
import { ONLINE_WINDOW_MS } from '../../shared/metrics'
import type { HeatPoint, UrgeMark, WorkerTrack } from '../lib/live-types'

/** How many events the ticker keeps (newest first). */
export const RECENT_LIMIT = 200
/** How many positions a worker's trail keeps, the current one included. */
export const TRAIL_LENGTH = 5
/** The heatmap shows requests received in the last 24 hours… */
export const HEAT_WINDOW_MS = 24 * 3_600_000
/** …at most this many (about ten busy days of the sample district): the wall's memory stays flat. */
export const HEAT_LIMIT = 5_000

export type ConnectionState = 'connecting' | 'live' | 'stale' | 'offline'

/** Points received in (now − window, now], oldest first, at most HEAT_LIMIT (the newest). */
export function trimHeat(points: readonly HeatPoint[], now: number): readonly HeatPoint[] {
  const cutoff = now - HEAT_WINDOW_MS
  let start = 0
  while (start < points.length && points[start]!.at <= cutoff) start++
  start = Math.max(start, points.length - HEAT_LIMIT)
  return start === 0 ? points : points.slice(start)
}

export function workersOnline(workers: ReadonlyMap<string, WorkerPosition>, now: number): number {
  let n = 0
  for (const w of workers.values()) if (now - w.at <= ONLINE_WINDOW_MS) n++
  return n
}

function trackOf(position: WorkerPosition, previous?: WorkerTrack): WorkerTrack {
  const point = { lon: position.lon, lat: position.lat, at: position.at }
  const trail = previous ? [...previous.trail, point].slice(-TRAIL_LENGTH) : [point]
  return { workerId: position.workerId, gridId: position.gridId, kind: position.kind, lon: position.lon, lat: position.lat, at: position.at, trail }
}

/**
 * The live state of one scope. Pure state and actions: the socket lives in `useLiveStream`.
 * The big collections sit in shallowRefs and are replaced once per batch (copy on first write),
 * so a batch of 500 events costs watchers and the map one update, not 500.
 */
/** Events worth a line in the ticker: everything but routine position pings. */
export function isNotable(event: LiveEvent): boolean {
  return !(event.type === 'patrol.reported' && event.kind === 'ping')
}

export const useLiveStore = defineStore('live', () => {
  /** The last seq applied; anything at or below it is a duplicate. */
  const seq = ref(0)
  const openRequests = shallowRef<ReadonlyMap<string, OpenRequest>>(new Map())
  const alerts = shallowRef<ReadonlyMap<string, OpenAlert>>(new Map())
  const workers = shallowRef<ReadonlyMap<string, WorkerTrack>>(new Map())
  /** Alarms not yet acknowledged (pinned on the wall until an `alarm.acked` arrives). */
  const alarms = shallowRef<ReadonlyMap<string, OpenAlarm>>(new Map())
  /** Open requests urged (督办) since this client started following them, by request id. */
  const urged = shallowRef<ReadonlyMap<string, UrgeMark>>(new Map())
  const recent = shallowRef<readonly LiveEvent[]>([])
  /** Requests received in the last 24 h of the scope, oldest first (the heatmap). */
  const heat = shallowRef<readonly HeatPoint[]>([])
  /** The scope the heat points belong to: a history that arrives after a scene change is dropped. */
  const heatUnit = ref<string | null>(null)
  const connection = ref<ConnectionState>('connecting')
  /** When (epoch ms, local clock) the last snapshot or batch arrived. */
  const lastEventAt = ref<number | null>(null)

  function applySnapshot(atSeq: number, snapshot: LiveSnapshot, now: number = Date.now()): void {
    seq.value = atSeq
    openRequests.value = new Map(snapshot.requests.map((r) => [r.requestId, r]))
    alerts.value = new Map(snapshot.alerts.map((a) => [a.alertId, a]))
    workers.value = new Map(snapshot.workers.map((w) => [w.workerId, trackOf(w)]))
    // An older server's snapshot has no alarms.
    alarms.value = new Map((snapshot.alarms as OpenAlarm[] | undefined)?.map((a) => [a.alarmId, a]) ?? [])
    // The snapshot does not say what was urged: the marks of requests still open are kept.
    if (urged.value.size > 0) urged.value = new Map([...urged.value].filter(([id]) => openRequests.value.has(id)))
    recent.value = []
    lastEventAt.value = now
    // Open requests received in the last 24 h are heat already; the closed ones come with the
    // scope's history (`mergeHeat`) where the server can send it.
    const open = snapshot.requests.map((r) => ({ id: r.requestId, lon: r.lon, lat: r.lat, at: r.receivedAt }))
    if (open.length > 0 && heatUnit.value !== null) mergeHeat(heatUnit.value, open, now)
  }

  /**
   * Applies a batch in seq order, skipping what was already applied (duplicates are normal after a
   * resubscribe). `throughSeq` says the batch covers the scope up to that seq even where no event
   * of the scope carries it (seqs are global), so the next resync can start from there.
   * Returns how many events were applied.
   */
  function applyEvents(events: readonly LiveEvent[], throughSeq?: number, now: number = Date.now()): number {
    const last = seq.value
    const fresh = events.filter((e) => e.seq > last).sort((a, b) => a.seq - b.seq)
    const applied = applyInOrder(fresh, now, true)
    const through = Math.max(seq.value, throughSeq ?? 0)
    if (through > seq.value) seq.value = through
    return applied
  }

  /**
   * Playback: applies events in the order given (the replayed day's time order), without the live
   * path's seq filter, since a request received late may carry a higher seq than a ping before it.
   * `now` is the replay's clock.
   */
  function replayEvents(events: readonly LiveEvent[], now: number): number {
    return applyInOrder(events, now, false)
  }

  function applyInOrder(events: readonly LiveEvent[], now: number, bySeq: boolean): number {
    lastEventAt.value = now
    let last = seq.value

    let requests: Map<string, OpenRequest> | null = null
    let openAlerts: Map<string, OpenAlert> | null = null
    let tracks: Map<string, WorkerTrack> | null = null
    let openAlarms: Map<string, OpenAlarm> | null = null
    let marks: Map<string, UrgeMark> | null = null
    let received: HeatPoint[] | null = null
    const applied: LiveEvent[] = []

    for (const e of events) {
      if (bySeq && e.seq <= last) continue // the same seq twice in one batch
      last = Math.max(last, e.seq)
      applied.push(e)
      switch (e.type) {
        case 'request.received':
          requests ??= new Map(openRequests.value)
          requests.set(e.requestId, {
            requestId: e.requestId,
            gridId: e.gridId,
            source: e.source,
            category: e.category,
            priority: e.priority,
            lon: e.lon,
            lat: e.lat,
            receivedAt: e.at,
            stage: 'received',
            stageAt: e.at,
          })
          ;(received ??= []).push({ id: e.requestId, lon: e.lon, lat: e.lat, at: e.at })
          break
        case 'request.transitioned': {
          const current = (requests ?? openRequests.value).get(e.requestId)
          if (!current) break // closed already, or outside what this client knows
          requests ??= new Map(openRequests.value)
          if (isClosedStage(e.stage)) {
            requests.delete(e.requestId)
            if ((marks ?? urged.value).has(e.requestId)) (marks ??= new Map(urged.value)).delete(e.requestId)
          } else requests.set(e.requestId, { ...current, stage: e.stage, stageAt: e.at })
          break
        }
        case 'request.urged': {
          // Marked only while open and known here; the ticker tells it either way.
          if (!(requests ?? openRequests.value).has(e.requestId)) break
          marks ??= new Map(urged.value)
          const previous = marks.get(e.requestId)
          marks.set(e.requestId, { count: (previous?.count ?? 0) + 1, lastAt: e.at, by: e.by })
          break
        }
        case 'alarm.raised':
          // One alarm per cause: raised again, it keeps the time it was first raised.
          if ((openAlarms ?? alarms.value).has(e.alarmId)) break
          openAlarms ??= new Map(alarms.value)
          openAlarms.set(e.alarmId, { alarmId: e.alarmId, reason: e.reason, subjectId: e.subjectId, gridId: e.gridId, lon: e.lon, lat: e.lat, at: e.at })
          break
        case 'alarm.acked':
          if (!(openAlarms ?? alarms.value).has(e.alarmId)) break
          openAlarms ??= new Map(alarms.value)
          openAlarms.delete(e.alarmId)
          break
        case 'alert.raised':
          openAlerts ??= new Map(alerts.value)
          openAlerts.set(e.alertId, {
            alertId: e.alertId,
            gridId: e.gridId,
            cameraId: e.cameraId,
            kind: e.kind,
            confidence: e.confidence,
            lon: e.lon,
            lat: e.lat,
            at: e.at,
          })
          break
        case 'alert.reviewed':
          if (!(openAlerts ?? alerts.value).has(e.alertId)) break
          openAlerts ??= new Map(alerts.value)
          openAlerts.delete(e.alertId)
          break
        case 'patrol.reported': {
          tracks ??= new Map(workers.value)
          const position = { workerId: e.workerId, gridId: e.gridId, kind: e.kind, lon: e.lon, lat: e.lat, at: e.at }
          tracks.set(e.workerId, trackOf(position, tracks.get(e.workerId)))
          break
        }
      }
    }

    if (requests) openRequests.value = requests
    if (openAlerts) alerts.value = openAlerts
    if (tracks) workers.value = tracks
    if (openAlarms) alarms.value = openAlarms
    if (marks) urged.value = marks
    if (received) {
      // Nearly sorted already (TimSort is linear then): a late-dated request lands in its place.
      heat.value = trimHeat(heat.value.concat(received).sort((a, b) => a.at - b.at), now)
    } else if (heat.value.length > 0 && heat.value[0]!.at <= now - HEAT_WINDOW_MS) {
      heat.value = trimHeat(heat.value, now)
    }
    // The ticker tells what happened; a worker's routine position ping is not news.
    const notable = applied.filter(isNotable)
    if (notable.length > 0) {
      notable.reverse()
      recent.value = notable.length >= RECENT_LIMIT ? notable.slice(0, RECENT_LIMIT) : [...notable, ...recent.value.slice(0, RECENT_LIMIT - notable.length)]
    }
    if (last > seq.value) seq.value = last
    return applied.length
  }

  /** A new scope for the heatmap: its points are dropped until its history arrives. */
  function resetHeat(unit: string | null): void {
    heatUnit.value = unit
    heat.value = []
  }

  /** Merges the scope's recent history (points already held, from the stream, are kept once). */
  function mergeHeat(unit: string, points: readonly HeatPoint[], now: number = Date.now()): void {
    if (heatUnit.value !== unit) return
    const byId = new Map<string, HeatPoint>()
    for (const p of points) byId.set(p.id, p)
    for (const p of heat.value) byId.set(p.id, p)
    heat.value = trimHeat([...byId.values()].sort((a, b) => a.at - b.at), now)
  }

  /**
   * Playback: the requests still open when the replayed day began (received on earlier days), so
   * the map shows them as the live wall did; the day's own events then move or close them.
   */
  function seedOpenRequests(list: readonly OpenRequest[]): void {
    if (list.length === 0) return
    const requests = new Map(openRequests.value)
    for (const r of list) if (!requests.has(r.requestId)) requests.set(r.requestId, r)
    openRequests.value = requests
  }

  /** Forgets everything: a replay starts from an empty day. */
  function reset(): void {
    seq.value = 0
    openRequests.value = new Map()
    alerts.value = new Map()
    workers.value = new Map()
    alarms.value = new Map()
    urged.value = new Map()
    recent.value = []
    heat.value = []
    lastEventAt.value = null
  }

  function setConnection(state: ConnectionState): void {
    connection.value = state
  }

  return {
    seq,
    openRequests,
    alerts,
    workers,
    alarms,
    urged,
    recent,
    heat,
    heatUnit,
    connection,
    lastEventAt,
    applySnapshot,
    seedOpenRequests,
    applyEvents,
    replayEvents,
    resetHeat,
    mergeHeat,
    reset,
    setConnection,
  }
})

export type LiveStore = ReturnType<typeof useLiveStore>
