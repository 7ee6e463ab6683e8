// A request's page: how long each step took, and its two deadlines (时限) from the policy in force
// (`GET /api/v1/config`, OUTPOST_POLICY over the defaults), measured as shared/metrics.ts measures
// them: the response is the first `accepted`, the resolution the last `resolved` while the request
// stands resolved or reviewed; a deadline is met at or before its time (≤).
import type { Policy } from '../../shared/metrics'
import type { RequestDetail } from './api'

type StageRecord = RequestDetail['stages'][number]

export interface StepTiming {
  seq: number
  /** ms since the step before it (the receipt for the first); null for the receipt itself. */
  sincePrevious: number | null
  /** ms since the receipt. */
  sinceReceived: number
}

/** Each step's time since the previous step and since the receipt, by seq. */
export function stepTimings(detail: Pick<RequestDetail, 'receivedAt' | 'stages'>): Map<number, StepTiming> {
  const received = Date.parse(detail.receivedAt)
  const out = new Map<number, StepTiming>()
  let previous: number | null = null
  for (const s of detail.stages) {
    const at = Date.parse(s.at)
    const first = previous === null
    out.set(s.seq, { seq: s.seq, sincePrevious: first && s.stage === 'received' ? null : at - (previous ?? received), sinceReceived: at - received })
    previous = at
  }
  return out
}

export type DeadlineKind = 'response' | 'resolution'
/** met / missed: done in time or late; open: not done, time left; overdue: not done, past due. */
export type DeadlineState = 'met' | 'missed' | 'open' | 'overdue'

export interface DeadlineStatus {
  kind: DeadlineKind
  limitSec: number
  dueAt: number
  /** When it was done (first accepted, last resolved); null while not done. */
  doneAt: number | null
  state: DeadlineState
  /** ms: how long it took (done), or how long is left (open, ≥ 0), or how late (missed, overdue). */
  tookMs: number | null
  leftMs: number | null
  lateMs: number | null
}

function doneAt(stages: readonly StageRecord[], kind: DeadlineKind, current: RequestDetail['stage']): number | null {
  if (kind === 'response') {
    const first = stages.find((s) => s.stage === 'accepted')
    return first ? Date.parse(first.at) : null
  }
  if (current !== 'resolved' && current !== 'reviewed') return null
  const last = [...stages].reverse().find((s) => s.stage === 'resolved')
  return last ? Date.parse(last.at) : null
}

export function deadlineStatus(detail: Pick<RequestDetail, 'receivedAt' | 'stages' | 'priority' | 'stage'>, policy: Policy, now: number): DeadlineStatus[] {
  const received = Date.parse(detail.receivedAt)
  const deadline = policy.deadlines[detail.priority]
  return (['response', 'resolution'] as const).map((kind) => {
    const limitSec = kind === 'response' ? deadline.responseSec : deadline.resolutionSec
    const dueAt = received + limitSec * 1000
    const done = doneAt(detail.stages, kind, detail.stage)
    if (done !== null) {
      const met = done <= dueAt
      return { kind, limitSec, dueAt, doneAt: done, state: met ? 'met' : 'missed', tookMs: done - received, leftMs: null, lateMs: met ? null : done - dueAt }
    }
    const late = now > dueAt
    return { kind, limitSec, dueAt, doneAt: null, state: late ? 'overdue' : 'open', tookMs: null, leftMs: late ? null : dueAt - now, lateMs: late ? now - dueAt : null }
  })
}
