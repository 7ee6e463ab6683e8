// The overdue sweep: every so often, each open request of the district whose response or resolution
// deadline (the policy of shared/metrics.ts, as the overdue figures count it) passed within the last
// hour raises its alarm, `overdue:<requestId>`, which stays on the wall until a person acknowledges
// it. Raising is idempotent (the store replays an alarm it holds), so sweeps may overlap in what
// they see; a request raises one overdue alarm, whichever deadline passed first. A deadline passed
// more than an hour ago (a server down that long, a backfill) raises none: the overdue list shows it.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { alarmIdOf } from '../../shared/domain'
import { contributionOf, isOpenStage, type Policy } from '../../shared/metrics'
import type { Geography } from '../geo/geography'
import type { PlacedRequestFacts, Store } from '../store/types'

/** 30 s: a deadline's alarm is on the wall within half a minute of it. */
export const DEFAULT_SWEEP_MS = 30_000
/** How far back a passed deadline still raises an alarm. */
export const SWEEP_WINDOW_MS = 3_600_000
/** Alarms raised by one sweep at most; the rest wait for the next (they stay in the window an hour). */
export const MAX_RAISES_PER_SWEEP = 500

export interface OverdueSweepOptions {
  policy: Policy
  /** Milliseconds between sweeps; 0: no timer (`app.overdueSweep()` still runs one). */
  intervalMs: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs one sweep now; resolves to the ids of the alarms it raised (replays left out). */
    overdueSweep: () => Promise<string[]>
  }
}

/**
 * The deadline of this request that passed in (now − window, now], if any: the response deadline
 * while it is not accepted, the resolution deadline while it is open. `now > deadline` is overdue,
 * as computeFigures counts it.
 */
export function deadlinePassed(facts: PlacedRequestFacts, policy: Policy, now: number, windowMs = SWEEP_WINDOW_MS): number | undefined {
  const c = contributionOf(facts, policy)
  const deadline = policy.deadlines[facts.priority]
  const passed: number[] = []
  if (c.response === null) passed.push(facts.receivedAt + deadline.responseSec * 1000)
  if (isOpenStage(c.stage)) passed.push(facts.receivedAt + deadline.resolutionSec * 1000)
  return passed.find((due) => now > due && due >= now - windowMs)
}

/** One sweep over the district's open requests; the ids of the alarms newly raised. */
export async function sweepOverdue(store: Store, geography: Geography, policy: Policy, now: number): Promise<string[]> {
  const open = await store.openRequests(geography.ref(geography.district.id)!)
  const due = open.filter((facts) => deadlinePassed(facts, policy, now) !== undefined).slice(0, MAX_RAISES_PER_SWEEP)
  // Together, so that the store's group commit takes them in one transaction.
  const outcomes = await Promise.all(
    due.map(async (facts) => {
      const path = geography.pathOf(facts.gridId)
      if (!path) return undefined
      const id = alarmIdOf('overdue', facts.id)
      const outcome = await store.raiseAlarm({ id, reason: 'overdue', subjectId: facts.id, lon: facts.lon, lat: facts.lat, path, at: now })
      return outcome.ok && !outcome.replayed ? id : undefined
    }),
  )
  return outcomes.filter((id): id is string => id !== undefined)
}

async function overdueSweep(app: FastifyInstance, options: OverdueSweepOptions) {
  let running: Promise<string[]> | undefined
  // One sweep at a time: a call while one runs shares its answer.
  const sweep = (): Promise<string[]> =>
    (running ??= sweepOverdue(app.store, app.geography, options.policy, app.now()).finally(() => {
      running = undefined
    }))
  app.decorate('overdueSweep', sweep)
  if (options.intervalMs <= 0) return

  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      sweep().catch((error: unknown) => app.log.error({ err: error }, 'overdue sweep failed'))
    }, options.intervalMs)
    timer.unref()
  })
  app.addHook('preClose', async () => {
    clearInterval(timer)
    // A sweep under way finishes before the store closes.
    await running?.catch(() => undefined)
  })
}

export default fp(overdueSweep, { name: 'overdue-sweep', dependencies: ['context'] })
