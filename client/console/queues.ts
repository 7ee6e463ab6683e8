// What the console's queues hold, from the lists the API answers: pure functions of the lists, the
// policy and the clock, so that the countdowns and the order are tested without a screen.
import { allowedNextStages, type Stage, type TransitionStage } from '../../shared/domain'
import type { Policy } from '../../shared/metrics'
import type { RequestItem } from './api'

/** Stages a request waits at for the center to dispatch it (new, handed back, reopened). */
export const TO_DISPATCH: readonly Stage[] = ['received', 'returned', 'reopened']

/** The stages before a response (签收): the response deadline still runs. */
const BEFORE_RESPONSE: readonly Stage[] = ['received', 'dispatched']

export type DeadlineKind = 'response' | 'resolution'

export interface Countdown {
  kind: DeadlineKind
  /** The deadline, epoch ms. */
  due: number
  /** ms left; negative once past. */
  leftMs: number
  state: 'ok' | 'nearing' | 'overdue'
}

/**
 * A deadline is "nearing" in its last quarter, and never later than 10 minutes before it: an
 * urgent request's 30-minute response deadline starts to nag at 10 minutes, a 7-day resolution at
 * 42 hours.
 */
export function nearingWindowMs(spanMs: number): number {
  return Math.max(spanMs / 4, Math.min(10 * 60_000, spanMs))
}

/**
 * The deadline that matters now for an open request: the response deadline until someone has
 * accepted it (unless the resolution deadline has passed already), else the resolution deadline.
 */
export function countdownOf(item: Pick<RequestItem, 'priority' | 'receivedAt' | 'stage'>, policy: Policy, now: number): Countdown {
  const deadline = policy.deadlines[item.priority]
  const resolutionDue = item.receivedAt + deadline.resolutionSec * 1000
  const responseDue = item.receivedAt + deadline.responseSec * 1000
  const response = BEFORE_RESPONSE.includes(item.stage) && now <= resolutionDue
  const kind: DeadlineKind = response ? 'response' : 'resolution'
  const due = response ? responseDue : resolutionDue
  const span = (response ? deadline.responseSec : deadline.resolutionSec) * 1000
  const leftMs = due - now
  const state = leftMs < 0 ? 'overdue' : leftMs <= nearingWindowMs(span) ? 'nearing' : 'ok'
  return { kind, due, leftMs, state }
}

/** Requests waiting for a dispatch, urgent first, then oldest first. */
export function dispatchQueue(open: readonly RequestItem[]): RequestItem[] {
  const rank = (p: RequestItem['priority']) => (p === 'urgent' ? 0 : 1)
  return open.filter((r) => TO_DISPATCH.includes(r.stage)).sort((a, b) => rank(a.priority) - rank(b.priority) || a.stageAt - b.stageAt || (a.id < b.id ? -1 : 1))
}

export interface DeadlineEntry {
  item: RequestItem
  countdown: Countdown
}

/** Open requests past or nearing their deadline, the most pressing (least time left) first. */
export function deadlineQueue(open: readonly RequestItem[], policy: Policy, now: number): DeadlineEntry[] {
  return open
    .map((item) => ({ item, countdown: countdownOf(item, policy, now) }))
    .filter((e) => e.countdown.state !== 'ok')
    .sort((a, b) => a.countdown.leftMs - b.countdown.leftMs || (a.item.id < b.item.id ? -1 : 1))
}

/** Resolved requests awaiting the follow-up call (回访), oldest resolution first. */
export function followUpQueue(resolved: readonly RequestItem[]): RequestItem[] {
  return resolved.filter((r) => r.stage === 'resolved').sort((a, b) => a.stageAt - b.stageAt || (a.id < b.id ? -1 : 1))
}

/** "12:34" / "1:02:03" / "3天4小时": how long, for a countdown. */
export function clockParts(ms: number): { days: number; hours: number; minutes: number; seconds: number } {
  const s = Math.floor(Math.abs(ms) / 1000)
  return { days: Math.floor(s / 86400), hours: Math.floor((s % 86400) / 3600), minutes: Math.floor((s % 3600) / 60), seconds: s % 60 }
}

export function formatClock(ms: number): string {
  const { days, hours, minutes, seconds } = clockParts(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  const hms = hours > 0 || days > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${pad(minutes)}:${pad(seconds)}`
  return days > 0 ? `${days}d ${hms}` : hms
}

/** The actions the console offers on a request at a stage (what the lifecycle allows, in the order shown). */
export type RequestAction = 'dispatch' | 'resolve' | 'return' | 'review' | 'reopen' | 'urge'

export function actionsFor(stage: Stage): RequestAction[] {
  const next = new Set<TransitionStage>(allowedNextStages(stage))
  const out: RequestAction[] = []
  if (next.has('dispatched')) out.push('dispatch')
  if (next.has('reviewed')) out.push('review')
  if (next.has('resolved')) out.push('resolve')
  if (next.has('returned')) out.push('return')
  if (next.has('reopened')) out.push('reopen')
  if (stage !== 'resolved' && stage !== 'reviewed') out.push('urge')
  return out
}

/** The stage each action moves a request to (urge moves none). */
export const ACTION_STAGE: Readonly<Record<Exclude<RequestAction, 'urge'>, TransitionStage>> = {
  dispatch: 'dispatched',
  resolve: 'resolved',
  return: 'returned',
  review: 'reviewed',
  reopen: 'reopened',
}
