// Keeps the kiosk's figures current: the REST answer first, then `stats:updated` pushes on the
// public socket, a REST refetch on every reconnect, and a REST poll whenever the pushes stop.
// The last figures stay on screen through any outage; only newer ones replace them.
import type { PublicStats } from '../../shared/public'
import { fetchPublicStats, isPublicStats, type StatsResult } from './api'
import { createSubscriber } from '../lib/subscriber'
import type { PublicSocket } from './socket'

export const POLL_MS = 60_000
/** After the server itself closed the socket (it will not reconnect on its own). */
const SERVER_CLOSE_RETRY_MS = 5_000

export type FeedState = 'connecting' | 'live' | 'offline'
/** What the footer says: the feed's state, or `stale` when a live feed has gone quiet. */
export type KioskDisplayState = FeedState | 'stale'

/** Why there are no figures: a unit the server refuses (400), does not know (404), or no answer. */
export type FeedProblem = { kind: 'bad-unit' | 'unknown-unit' | 'unavailable'; message?: string }

export interface KioskFeedOptions {
  unit: string
  socket: PublicSocket
  fetchStats?: (unit: string) => Promise<StatsResult>
  pollMs?: number
  ackTimeoutMs?: number
  onStats: (stats: PublicStats) => void
  onState?: (state: FeedState) => void
  onProblem?: (problem: FeedProblem | null) => void
}

export interface KioskFeed {
  start(): void
  /** Removes this feed's handlers and timers; the socket belongs to the caller. */
  stop(): void
}

export function problemOf(status: number, message?: string): FeedProblem {
  const kind = status === 400 ? 'bad-unit' : status === 404 ? 'unknown-unit' : 'unavailable'
  return message === undefined ? { kind } : { kind, message }
}

export function createKioskFeed(options: KioskFeedOptions): KioskFeed {
  const { unit, socket } = options
  const fetchStats = options.fetchStats ?? ((u: string) => fetchPublicStats(u))
  const pollMs = options.pollMs ?? POLL_MS

  let stopped = false
  let connectedBefore = false
  let watching = false
  /** `updatedAt` of the figures on screen, so a slow answer never replaces newer figures. */
  let shownAt = -Infinity
  /** When figures last arrived (this machine's clock): the poll runs only when they stop. */
  let receivedAt = -Infinity
  let pollTimer: ReturnType<typeof setInterval> | undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined

  const setState = (state: FeedState) => options.onState?.(state)

  function apply(stats: unknown): void {
    if (stopped || !isPublicStats(stats) || stats.unit !== unit) return
    const at = Date.parse(stats.updatedAt)
    if (Number.isFinite(at)) {
      if (at < shownAt) return
      shownAt = at
    }
    receivedAt = Date.now()
    options.onProblem?.(null)
    options.onStats(stats)
  }

  async function refetch(): Promise<void> {
    const result = await fetchStats(unit)
    if (stopped) return
    if (result.ok) apply(result.stats)
    // With figures on screen, a failed poll changes nothing: they stay, "last updated" tells their age.
    else if (receivedAt === -Infinity) options.onProblem?.(problemOf(result.status, result.message))
  }

  const watcher = createSubscriber<{ unit: string }, PublicStats>({
    send: (ms, request, ack) => socket.timeout(ms).emit('stats:watch', request, ack),
    ackTimeoutMs: options.ackTimeoutMs,
    request: () => ({ unit }),
    onSend: () => {
      watching = true
    },
    // No retry of its own: the poll tries again; until then the REST figures stand, and REST's
    // status says what is wrong (a socket refusal has no status to tell an unknown unit from a fault).
    onFailure: () => {
      watching = false
    },
    onReply: (_request, stats) => {
      apply(stats)
      if (socket.connected) setState('live')
    },
  })
  const watch = (): void => watcher.subscribe()

  const onConnect = (): void => {
    if (connectedBefore) void refetch()
    connectedBefore = true
    watch()
  }

  const onDisconnect = (reason: string): void => {
    watcher.reset()
    watching = false
    setState('offline')
    if (reason === 'io server disconnect') {
      clearTimeout(retryTimer)
      retryTimer = setTimeout(() => {
        if (!stopped) socket.connect()
      }, SERVER_CLOSE_RETRY_MS)
    }
  }

  const onConnectError = (): void => setState('offline')

  const onUpdated = (stats: PublicStats): void => apply(stats)

  function poll(): void {
    // Pushes come every ~15 s; half a poll without one means they stopped.
    if (Date.now() - receivedAt >= pollMs / 2) void refetch()
    if (socket.connected && !watching) watch()
  }

  return {
    start() {
      setState('connecting')
      socket.on('connect', onConnect)
      socket.on('disconnect', onDisconnect)
      socket.on('connect_error', onConnectError)
      socket.on('stats:updated', onUpdated)
      void refetch()
      pollTimer = setInterval(poll, pollMs)
      if (socket.connected) onConnect()
      else socket.connect()
    },
    stop() {
      stopped = true
      watcher.dispose()
      clearInterval(pollTimer)
      clearTimeout(retryTimer)
      socket.off('connect', onConnect)
      socket.off('disconnect', onDisconnect)
      socket.off('connect_error', onConnectError)
      socket.off('stats:updated', onUpdated)
    },
  }
}
