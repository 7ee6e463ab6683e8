// The figures a governance center is judged by, defined once. The server's rollups, the client
// and the tests all follow these definitions; `computeFigures` is the direct, obviously-correct
// computation over raw facts that the rollups are tested (and benchmarked) against.
import {
  ALERT_KINDS,
  CATEGORIES,
  type AlertKind,
  type Category,
  type DispatchTarget,
  type Priority,
  type Satisfaction,
  type Source,
  type Stage,
  type TransitionStage,
  type Verdict,
} from './domain'

// ---- policy ---------------------------------------------------------------------------------------

export interface Deadline {
  /** Seconds from receipt to the first `accepted` (响应时限). */
  responseSec: number
  /** Seconds from receipt to `resolved` (办结时限). */
  resolutionSec: number
}

export interface Policy {
  deadlines: Record<Priority, Deadline>
  satisfactionWeights: Record<Satisfaction, number>
}

export const DEFAULT_POLICY: Policy = {
  deadlines: {
    urgent: { responseSec: 30 * 60, resolutionSec: 2 * 3600 },
    utilities: { responseSec: 2 * 3600, resolutionSec: 24 * 3600 },
    general: { responseSec: 2 * 3600, resolutionSec: 7 * 86400 },
    complex: { responseSec: 2 * 3600, resolutionSec: 15 * 86400 },
  },
  satisfactionWeights: { satisfied: 1, basically_satisfied: 0.8, dissatisfied: 0 },
}

export const PROACTIVE_SOURCES: readonly Source[] = ['patrol', 'camera']

/** A worker is online with a ping in the last five minutes. */
export const ONLINE_WINDOW_MS = 5 * 60_000

/** Patrol coverage cells: 0.001° of latitude × 0.00125° of longitude (about 110 m square here). */
export const CELL_LAT = 0.001
export const CELL_LON = 0.00125

// ---- the figures ------------------------------------------------------------------------------------

/** P50 and P90 by nearest rank, in seconds; null with n = 0. */
export interface TimeStat {
  p50: number | null
  p90: number | null
  n: number
}

/** k of n, value = k / n (null with n = 0); `lower` is the Wilson 95% lower bound used for ranking. */
export interface Rate {
  value: number | null
  k: number
  n: number
  lower: number | null
}

export const SEGMENTS = ['dispatch', 'accept', 'travel', 'work'] as const
export type Segment = (typeof SEGMENTS)[number]
/** Each segment's start and end stage, first occurrence of each. */
export const SEGMENT_STAGES: Record<Segment, [Stage, TransitionStage]> = {
  dispatch: ['received', 'dispatched'],
  accept: ['dispatched', 'accepted'],
  travel: ['accepted', 'onsite'],
  work: ['onsite', 'resolved'],
}

export interface CameraKindFigures {
  alerts: number
  reviewed: number
  confirmed: number
  precision: number | null
}

export interface Figures {
  requests: number
  /** Requests per 1,000 residents; null without a population. */
  perThousand: number | null
  responseTime: TimeStat
  resolutionTime: TimeStat
  segments: Record<Segment, TimeStat>
  /** 响应率 */
  onTimeResponse: Rate
  /** 解决率 */
  resolution: Rate
  /** 满意率: k is the sum of weights, so value = mean score. */
  satisfaction: Rate
  /** 主动发现率 */
  proactive: Rate
  /** 超期 at the moment of the query, whatever the window. */
  overdue: { response: number; resolution: number }
  byCategory: Record<Category, number>
  /** Requests of the window that stand resolved or reviewed (办结), by category. */
  handledByCategory: Record<Category, number>
  camera: {
    alerts: number
    reviewed: number
    precision: Rate
    reviewTime: TimeStat
    byKind: Record<AlertKind, CameraKindFigures>
  }
  patrol: { coverage: Rate; workersOnline: number }
}

export const RANKED_RATES = ['onTimeResponse', 'resolution', 'satisfaction', 'proactive'] as const
export type RankedRate = (typeof RANKED_RATES)[number]

/** A unit's figures with its name: one of the children in `GET /api/v1/metrics`. */
export interface ChildFigures {
  unit: string
  name: string
  figures: Figures
}

/**
 * A department's figures (按部门): over the requests received in the window, in the asked unit's
 * subtree, whose latest dispatch named the department. The same definitions as the unit's.
 */
export interface DepartmentFigures {
  requests: number
  responseTime: TimeStat
  resolutionTime: TimeStat
  /** 超期 at the moment of the query, over the department's requests of the unit, whenever received. */
  overdue: { response: number; resolution: number }
  /** Requests of the window urged (督办) at least once. */
  urged: number
}

/** One department in `GET /api/v1/metrics`; `name` from the directory when it knows the id. */
export interface DepartmentRow {
  departmentId: string
  name?: string
  figures: DepartmentFigures
}

/**
 * The department a dispatch puts a request with: a department target's id. A worker, an expert,
 * free text (events written before targets were typed) or no assignee name none.
 */
export function departmentOfAssignee(assignee: DispatchTarget | string | undefined): string | null {
  return typeof assignee === 'object' && assignee !== null && assignee.kind === 'department' ? assignee.id : null
}

/** The department part of a unit's figures (the direct computation groups requests, then picks). */
export function departmentPart(f: Figures, urged: number): DepartmentFigures {
  return { requests: f.requests, responseTime: f.responseTime, resolutionTime: f.resolutionTime, overdue: f.overdue, urged }
}

/** `GET /api/v1/metrics` (validated on the way out by MetricsReplySchema, shared/schemas/metrics.ts). */
export interface MetricsReply {
  unit: string
  name: string
  from: string
  to: string
  now: string
  figures: Figures
  children: ChildFigures[]
  /** Departments with requests of the window or overdue ones in the unit, most requests first. */
  departments: DepartmentRow[]
  /** Child unit ids, best first, for each rate (Wilson lower bound, then n). */
  rankings: Record<RankedRate, string[]>
}

/** One point of `GET /api/v1/metrics/series`. */
export interface SeriesPoint {
  t: string
  value: number | null
  n: number
}

// ---- arithmetic ---------------------------------------------------------------------------------------

/** Nearest rank: P_k of n sorted values is the value at rank ⌈k·n/100⌉ (1-based). */
export function nearestRank(k: number, n: number): number {
  return Math.max(1, Math.ceil((k * n) / 100))
}

export function percentileOfSorted(sorted: ArrayLike<number>, k: number): number | null {
  if (sorted.length === 0) return null
  return sorted[nearestRank(k, sorted.length) - 1]!
}

export function timeStat(values: number[]): TimeStat {
  const sorted = [...values].sort((a, b) => a - b)
  return { p50: percentileOfSorted(sorted, 50), p90: percentileOfSorted(sorted, 90), n: sorted.length }
}

/** Wilson score interval lower bound (z = 1.96, 95%). */
export function wilsonLower(k: number, n: number, z = 1.96): number | null {
  if (n === 0) return null
  const p = k / n
  const z2 = z * z
  const centre = p + z2 / (2 * n)
  const margin = z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)
  return Math.max(0, (centre - margin) / (1 + z2 / n))
}

export function rate(k: number, n: number): Rate {
  return { value: n === 0 ? null : k / n, k, n, lower: wilsonLower(k, n) }
}

/** Children ordered best first by the lower bound, then by n, then by id: two requests never top the list. */
export function rankBy<T extends { unit: string; figures: Figures }>(children: readonly T[], which: RankedRate): string[] {
  return [...children]
    .sort((a, b) => {
      const la = a.figures[which].lower ?? -1
      const lb = b.figures[which].lower ?? -1
      if (la !== lb) return lb - la
      if (a.figures[which].n !== b.figures[which].n) return b.figures[which].n - a.figures[which].n
      return a.unit < b.unit ? -1 : 1
    })
    .map((c) => c.unit)
}

// ---- one request ----------------------------------------------------------------------------------------

export interface StageFact {
  stage: TransitionStage
  at: number
  resolved?: boolean
  satisfaction?: Satisfaction
}

/** A request as the figures see it (no personal data). Times are epoch ms; stages in seq order. */
export interface RequestFacts {
  id: string
  source: Source
  category: Category
  priority: Priority
  gridId: string
  receivedAt: number
  stages: StageFact[]
}

export interface AlertFacts {
  id: string
  kind: AlertKind
  gridId: string
  at: number
  verdict: Verdict | null
  reviewedAt: number | null
}

/** What one request contributes to the figures, apart from what depends on `now`. */
export interface Contribution {
  /** ms from receipt to the first `accepted`. */
  response: number | null
  /** ms from receipt to the last `resolved`, while the request stands resolved or reviewed. */
  resolution: number | null
  segments: Record<Segment, number | null>
  onTime: boolean | null
  latestReview: { resolved: boolean; satisfaction: Satisfaction } | null
  proactive: boolean
  stage: Stage
}

export function currentStage(facts: Pick<RequestFacts, 'stages'>): Stage {
  return facts.stages.length === 0 ? 'received' : facts.stages[facts.stages.length - 1]!.stage
}

export function contributionOf(facts: RequestFacts, policy: Policy): Contribution {
  const first = new Map<Stage, number>([['received', facts.receivedAt]])
  let lastResolved: number | null = null
  let latestReview: Contribution['latestReview'] = null
  for (const s of facts.stages) {
    if (!first.has(s.stage)) first.set(s.stage, s.at)
    if (s.stage === 'resolved') lastResolved = s.at
    if (s.stage === 'reviewed' && s.resolved !== undefined && s.satisfaction !== undefined) {
      latestReview = { resolved: s.resolved, satisfaction: s.satisfaction }
    }
  }
  const stage = currentStage(facts)
  const accepted = first.get('accepted')
  const response = accepted === undefined ? null : accepted - facts.receivedAt
  const closed = stage === 'resolved' || stage === 'reviewed'
  const segments = {} as Record<Segment, number | null>
  for (const segment of SEGMENTS) {
    const [from, to] = SEGMENT_STAGES[segment]
    const a = first.get(from)
    const b = first.get(to)
    // A stage first reached after the segment's end (onsite only after a reopen) makes no segment.
    segments[segment] = a !== undefined && b !== undefined && b >= a ? b - a : null
  }
  return {
    response,
    resolution: closed && lastResolved !== null ? lastResolved - facts.receivedAt : null,
    segments,
    onTime: response === null ? null : response <= policy.deadlines[facts.priority].responseSec * 1000,
    latestReview,
    proactive: PROACTIVE_SOURCES.includes(facts.source),
    stage,
  }
}

export function isOpenStage(stage: Stage): boolean {
  return stage !== 'resolved' && stage !== 'reviewed'
}

// ---- the direct computation -----------------------------------------------------------------------------

export interface FigureInputs {
  /** Requests received in [from, to). */
  requests: readonly RequestFacts[]
  /** Every request of the unit that is still open or not yet accepted, whenever received (for overdue). */
  open: readonly RequestFacts[]
  /** Alerts raised in [from, to). */
  alerts: readonly AlertFacts[]
  /** Patrol cells of the unit's grids, and the cells with a ping in the window. */
  cells: number
  visitedCells: number
  workersOnline: number
  population: number | null
  now: number
  policy: Policy
}

const ms = (x: number | null) => (x === null ? null : x / 1000)

function msStat(values: number[]): TimeStat {
  const s = timeStat(values)
  return { p50: ms(s.p50), p90: ms(s.p90), n: s.n }
}

export function emptySatisfactionCounts(): Record<Satisfaction, number> {
  return { satisfied: 0, basically_satisfied: 0, dissatisfied: 0 }
}

/** Sum of review weights, summed the same way everywhere so that every path gets the same float. */
export function satisfactionScore(counts: Record<Satisfaction, number>, policy: Policy): number {
  return (
    counts.satisfied * policy.satisfactionWeights.satisfied +
    counts.basically_satisfied * policy.satisfactionWeights.basically_satisfied +
    counts.dissatisfied * policy.satisfactionWeights.dissatisfied
  )
}

export function emptyByCategory(): Record<Category, number> {
  return Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>
}

export function computeFigures(input: FigureInputs): Figures {
  const { policy, now } = input
  const response: number[] = []
  const resolution: number[] = []
  const segments = Object.fromEntries(SEGMENTS.map((s) => [s, [] as number[]])) as Record<Segment, number[]>
  let onTimeK = 0
  let onTimeN = 0
  let reviewed = 0
  let reviewedResolved = 0
  const satisfactionCounts = emptySatisfactionCounts()
  let proactive = 0
  const byCategory = emptyByCategory()
  const handledByCategory = emptyByCategory()
  for (const facts of input.requests) {
    const c = contributionOf(facts, policy)
    byCategory[facts.category]++
    if (c.resolution !== null) handledByCategory[facts.category]++
    if (c.response !== null) response.push(c.response)
    if (c.resolution !== null) resolution.push(c.resolution)
    for (const s of SEGMENTS) if (c.segments[s] !== null) segments[s].push(c.segments[s]!)
    const due = facts.receivedAt + policy.deadlines[facts.priority].responseSec * 1000
    if (c.onTime !== null || due <= now) onTimeN++
    if (c.onTime) onTimeK++
    if (c.latestReview) {
      reviewed++
      if (c.latestReview.resolved) reviewedResolved++
      satisfactionCounts[c.latestReview.satisfaction]++
    }
    if (c.proactive) proactive++
  }
  let overdueResponse = 0
  let overdueResolution = 0
  for (const facts of input.open) {
    const c = contributionOf(facts, policy)
    const deadline = policy.deadlines[facts.priority]
    if (c.response === null && now > facts.receivedAt + deadline.responseSec * 1000) overdueResponse++
    if (isOpenStage(c.stage) && now > facts.receivedAt + deadline.resolutionSec * 1000) overdueResolution++
  }
  const byKind = Object.fromEntries(
    ALERT_KINDS.map((k) => [k, { alerts: 0, reviewed: 0, confirmed: 0, precision: null }]),
  ) as Record<AlertKind, CameraKindFigures>
  const reviewTimes: number[] = []
  let alertsReviewed = 0
  let confirmed = 0
  for (const a of input.alerts) {
    const kind = byKind[a.kind]
    kind.alerts++
    if (a.verdict !== null && a.reviewedAt !== null) {
      kind.reviewed++
      alertsReviewed++
      reviewTimes.push(a.reviewedAt - a.at)
      if (a.verdict === 'confirmed') {
        kind.confirmed++
        confirmed++
      }
    }
  }
  for (const k of ALERT_KINDS) byKind[k].precision = byKind[k].reviewed === 0 ? null : byKind[k].confirmed / byKind[k].reviewed
  const n = input.requests.length
  return {
    requests: n,
    perThousand: input.population ? (n * 1000) / input.population : null,
    responseTime: msStat(response),
    resolutionTime: msStat(resolution),
    segments: Object.fromEntries(SEGMENTS.map((s) => [s, msStat(segments[s])])) as Record<Segment, TimeStat>,
    onTimeResponse: rate(onTimeK, onTimeN),
    resolution: rate(reviewedResolved, reviewed),
    satisfaction: rate(satisfactionScore(satisfactionCounts, policy), reviewed),
    proactive: rate(proactive, n),
    overdue: { response: overdueResponse, resolution: overdueResolution },
    byCategory,
    handledByCategory,
    camera: {
      alerts: input.alerts.length,
      reviewed: alertsReviewed,
      precision: rate(confirmed, alertsReviewed),
      reviewTime: msStat(reviewTimes),
      byKind,
    },
    patrol: { coverage: rate(input.visitedCells, input.cells), workersOnline: input.workersOnline },
  }
}
