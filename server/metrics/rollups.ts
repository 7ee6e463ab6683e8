// Rollups: the figures for any unit and window, maintained as events arrive instead of scanning
// raw rows. Exact, percentiles included:
//
// - counters per (unit, hour) and per (unit, local day) — requests, on-time responses, reviews,
//   alerts… — for every unit of the tree, so a unit's window is a sum over its own days and the
//   hours of partial days, never over its grids;
// - time values per (unit, local day) in bags that keep every value with its receipt time; a
//   percentile over many bags is the exact nearest-rank value, found without merging the bags
//   (see bags.ts);
// - requests not yet accepted or not yet resolved in small open sets, for what depends on `now`
//   (the on-time denominator, overdue);
// - patrol cells visited as bitsets per (grid, hour) and (grid, day);
// - by department (the department target of a request's latest dispatch): the same counters and
//   bags per (department, unit, hour | day), for the few figures a department is judged by. A
//   request's share moves when a new dispatch names another department (taken back from the old
//   one's counters and bags, given to the new one's), so a department's window holds the requests
//   it has now; its overdue counts come from the same open sets.
//
// Windows must start and end on a whole hour (the API checks); days follow the center's zone.
import {
  ALERT_KINDS,
  CATEGORIES,
  type AlertKind,
  type Category,
  type Priority,
  type Satisfaction,
  type Source,
  type Stage,
} from '../../shared/domain'
import type { DispatchTarget } from '../../shared/domain'
import type { LiveEvent } from '../../shared/events'
import {
  departmentOfAssignee,
  ONLINE_WINDOW_MS,
  PROACTIVE_SOURCES,
  SEGMENTS,
  SEGMENT_STAGES,
  emptyByCategory,
  emptySatisfactionCounts,
  isOpenStage,
  rate,
  satisfactionScore,
  type CameraKindFigures,
  type DepartmentFigures,
  type Figures,
  type Policy,
  type Segment,
  type TimeStat,
} from '../../shared/metrics'
import { DAY_MS, HOUR_MS, zoneOffset } from '../../shared/time'
import type { Geography } from '../geo/geography'
import { cellKey, cellsOf, type GridCells } from '../../shared/cells'
import { Bag, statOf, type Part } from './bags'
import type { Reader, Writer } from './codec'
import { NO_DEPARTMENT, RequestTracks } from './tracks'
import { HotspotIndex } from './hotspot-index'

const CATEGORY_INDEX = new Map<Category, number>(CATEGORIES.map((c, i) => [c, i]))
const KIND_INDEX = new Map<AlertKind, number>(ALERT_KINDS.map((k, i) => [k, i]))
const SATISFACTION_INDEX: Record<Satisfaction, number> = { satisfied: 0, basically_satisfied: 1, dissatisfied: 2 }
const SATISFACTION_LEVELS: Satisfaction[] = ['satisfied', 'basically_satisfied', 'dissatisfied']
const NK = ALERT_KINDS.length
/** Bag names by the code a checkpoint gives them. */
const BAG_NAMES: readonly BagName[] = ['response', 'resolution', ...SEGMENTS, 'review']
const BAG_CODES = new Map<BagName, number>(BAG_NAMES.map((name, i) => [name, i]))
const VERDICTS = [null, 'confirmed', 'false_positive'] as const

/** Time figures kept in bags. */
type BagName = 'response' | 'resolution' | Segment | 'review'

interface AlertTrack {
  units: number[]
  kind: AlertKind
  at: number
  verdict: 'confirmed' | 'false_positive' | null
}

/** Counters of one (unit, hour). Field order matters: see the index constants. */
const C_REQUESTS = 0
const C_PROACTIVE = 1
const C_ACCEPTED = 2
const C_ON_TIME = 3
const C_REVIEWED = 4
const C_REVIEW_RESOLVED = 5
const C_SAT = 6 // three levels
const C_CATEGORY = 9 // CATEGORIES.length
const C_ALERTS = C_CATEGORY + CATEGORIES.length // NK
const C_ALERTS_REVIEWED = C_ALERTS + NK // NK
const C_CONFIRMED = C_ALERTS_REVIEWED + NK // NK
const C_HANDLED = C_CONFIRMED + NK // CATEGORIES.length: requests standing resolved, by category
const C_SIZE = C_HANDLED + CATEGORIES.length

/** Counters of one (department, unit, hour | day). */
const D_REQUESTS = 0
const D_URGED = 1
const D_SIZE = 2
const DEPARTMENT_BAGS = ['response', 'resolution'] as const

/** One department's figures under one unit: counters by hour and local day, bags by day. */
interface DepartmentCells {
  hours: Map<number, Float64Array>
  days: Map<number, Float64Array>
  bags: Map<number, Map<BagName, Bag>>
}

/** What a request gives its department's counters and bags. */
interface DepartmentShare {
  department: number
  response: number | null
  resolution: number | null
  urged: boolean
}

/** Per department code, per unit index: overdue counts at one moment. */
interface DepartmentOverdue {
  response: Map<number, Int32Array>
  resolution: Map<number, Int32Array>
}

/** Per unit index: what depends on `now`. */
interface OpenCounts {
  pastDue: Int32Array
  overdueResponse: Int32Array
  overdueResolution: Int32Array
}

export interface RollupOptions {
  geography: Geography
  policy: Policy
  timeZone: string
}

export class Rollups {
  readonly policy: Policy
  readonly timeZone: string
  private readonly geography: Geography
  private readonly unitIds: string[] = []
  private readonly unitIndex = new Map<string, number>()
  /** For each grid id: its unit indices, grid first, district last. */
  private readonly chains = new Map<string, number[]>()
  /** The same chains by the grid's unit index. */
  private readonly chainOfGrid: number[][] = []
  private readonly gridCells = new Map<number, GridCells>()
  private readonly hours: Map<number, Float64Array>[] = []
  /** The same counters per (unit, local day): a window of whole days sums days, not hours. */
  private readonly dayCounters: Map<number, Float64Array>[] = []
  private readonly days: Map<number, Map<BagName, Bag>>[] = []
  private hourCells = new Map<number, Map<number, Uint32Array>>() // grid → hour → bits
  private dayCells = new Map<number, Map<number, Uint32Array>>() // grid → day → bits
  /** Per request, what the figures need, updated stage by stage (mirrors `contributionOf`). */
  private requests = new RequestTracks()
  private alerts = new Map<string, AlertTrack>()
  /** The points of recurring hotspots (hotspot-index.ts), kept here so that a checkpoint holds them. */
  hotspots = new HotspotIndex()
  /** Requests (by track number) not yet accepted, and not resolved: both small. */
  private unaccepted = new Set<number>()
  private unresolved = new Set<number>()
  private workers = new Map<string, { at: number; units: number[] }>()
  private readonly offsets = new Map<number, number>()
  /** The first and last hour any event counted here fell in; NaN before the first. */
  private firstHour = NaN
  private lastHour = NaN
  private openMemo: { from: number; to: number; now: number; seq: number; counts: OpenCounts } | undefined
  private overdueMemo: { now: number; seq: number; counts: Int32Array } | undefined
  /** Department ids by code, and codes by id: a request keeps a code, not a string. */
  private departmentIds: string[] = []
  private departmentCodes = new Map<string, number>()
  /** By department code: unit index → that department's counters and bags under the unit. */
  private departmentCells: Map<number, DepartmentCells>[] = []
  private departmentMemo: { now: number; seq: number; counts: DepartmentOverdue } | undefined
  seq = 0

  constructor(options: RollupOptions) {
    this.geography = options.geography
    this.policy = options.policy
    this.timeZone = options.timeZone
    for (const unit of options.geography.units) {
      this.unitIndex.set(unit.id, this.unitIds.length)
      this.unitIds.push(unit.id)
      this.hours.push(new Map())
      this.dayCounters.push(new Map())
      this.days.push(new Map())
    }
    for (const unit of options.geography.units) {
      if (unit.level !== 'grid') continue
      const path = options.geography.pathOf(unit.id)!
      this.chains.set(
        unit.id,
        [path.gridId, path.communityId, path.streetId, path.districtId].map((id) => this.unitIndex.get(id)!),
      )
      this.chainOfGrid[this.unitIndex.get(unit.id)!] = this.chains.get(unit.id)!
      this.gridCells.set(this.unitIndex.get(unit.id)!, cellsOf(unit.geometry))
    }
  }

  // ---- time keys ----------------------------------------------------------------------------------

  /** The hour of an event's time; the hours seen bound every window read (see `split`). */
  private hourOf(ms: number): number {
    const hour = Math.floor(ms / HOUR_MS)
    if (!(hour >= this.firstHour)) this.firstHour = hour
    if (!(hour <= this.lastHour)) this.lastHour = hour
    return hour
  }

  /** Local day number of an hour (days since 1970-01-01 in the zone). */
  private dayOfHour(hour: number): number {
    let offset = this.offsets.get(hour)
    if (offset === undefined) {
      offset = zoneOffset(hour * HOUR_MS, this.timeZone)
      this.offsets.set(hour, offset)
    }
    return Math.floor((hour * HOUR_MS + offset) / DAY_MS)
  }

  /** Adds [counter, delta] pairs to the (unit, hour) and (unit, local day) counters of every unit. */
  private count(units: readonly number[], hour: number, deltas: readonly (readonly [number, number])[]): void {
    const day = this.dayOfHour(hour)
    for (const u of units) {
      const h = counterRow(this.hours[u]!, hour, C_SIZE)
      const d = counterRow(this.dayCounters[u]!, day, C_SIZE)
      for (const [i, delta] of deltas) {
        h[i]! += delta
        d[i]! += delta
      }
    }
  }

  private bag(unit: number, day: number, name: BagName): Bag {
    return bagIn(this.days[unit]!, day, name)
  }

  /** The same, for a department under each unit of a chain. */
  private departmentCount(department: number, units: readonly number[], hour: number, deltas: readonly (readonly [number, number])[]): void {
    const day = this.dayOfHour(hour)
    for (const u of units) {
      const cells = this.cellsOf(department, u)
      const h = counterRow(cells.hours, hour, D_SIZE)
      const d = counterRow(cells.days, day, D_SIZE)
      for (const [i, delta] of deltas) {
        h[i]! += delta
        d[i]! += delta
      }
    }
  }

  private cellsOf(department: number, unit: number): DepartmentCells {
    const byUnit = this.departmentCells[department]!
    let cells = byUnit.get(unit)
    if (!cells) byUnit.set(unit, (cells = { hours: new Map(), days: new Map(), bags: new Map() }))
    return cells
  }

  /** The code of a department id, given out on first sight; NO_DEPARTMENT for none. */
  private departmentCode(id: string | null): number {
    if (id === null) return NO_DEPARTMENT
    let code = this.departmentCodes.get(id)
    if (code === undefined) {
      code = this.departmentIds.length
      this.departmentCodes.set(id, code)
      this.departmentIds.push(id)
      this.departmentCells.push(new Map())
    }
    return code
  }

  // ---- applying events --------------------------------------------------------------------------------

  apply(events: readonly LiveEvent[]): void {
    for (const e of events) {
      if (e.seq <= this.seq) continue
      this.seq = e.seq
      this.hotspots.apply(e, (id) => this.requests.find(id) !== undefined)
      switch (e.type) {
        case 'request.received':
          this.received(e.requestId, e.gridId, e.at, e.priority, e.source, e.category)
          break
        case 'request.transitioned':
          this.transitioned(e.requestId, e.stage, e.at, e.resolved, e.satisfaction, e.assignee)
          break
        case 'request.urged':
          this.urged(e.requestId)
          break
        case 'alert.raised':
          this.alertRaised(e.alertId, e.gridId, e.kind, e.at)
          break
        case 'alert.reviewed':
          this.alertReviewed(e.alertId, e.verdict, e.at)
          break
        case 'patrol.reported':
          this.pinged(e.workerId, e.gridId, e.lon, e.lat, e.at)
          break
        // Alarms (raised, acknowledged) change no figure.
      }
    }
  }

  private received(id: string, gridId: string, at: number, priority: Priority, source: Source, category: Category): void {
    const units = this.chains.get(gridId)
    if (!units) return
    const i = this.requests.add(id, units[0]!, at, priority, source, category)
    if (i === undefined) return
    this.unaccepted.add(i)
    this.unresolved.add(i)
    const hour = this.hourOf(at)
    const proactive = PROACTIVE_SOURCES.includes(source) ? 1 : 0
    const category_ = C_CATEGORY + CATEGORY_INDEX.get(category)!
    this.count(units, hour, [
      [C_REQUESTS, 1],
      [C_PROACTIVE, proactive],
      [category_, 1],
    ])
  }

  private transitioned(
    id: string,
    stage: Exclude<Stage, 'received'>,
    at: number,
    resolved?: boolean,
    satisfaction?: Satisfaction,
    assignee?: DispatchTarget | string,
  ): void {
    const r = this.requests
    const i = r.find(id)
    if (i === undefined) return
    const t = { units: this.chainOfGrid[r.grid[i]!]!, receivedAt: r.receivedAt[i]! }
    const hour = this.hourOf(t.receivedAt)
    const day = this.dayOfHour(hour)
    // Most requests never meet a department: they skip the share altogether.
    const shareBefore = stage === 'dispatched' || r.department(i) !== NO_DEPARTMENT ? this.shareOf(i) : null
    const firstTime = r.firstAt(i, stage) === undefined
    if (firstTime) {
      r.setFirstAt(i, stage, at)
      // Segments end at the first occurrence of a stage: add those that end here.
      for (const segment of SEGMENTS) {
        const [from, to] = SEGMENT_STAGES[segment]
        const start = r.firstAt(i, from)
        if (to === stage && start !== undefined && at >= start) this.addValue(t, day, segment, at - start)
        // A segment whose start stage arrives after its end never counts (see contributionOf).
      }
      if (stage === 'accepted') {
        this.unaccepted.delete(i)
        const response = at - t.receivedAt
        this.addValue(t, day, 'response', response)
        const onTime = response <= this.policy.deadlines[r.priority(i)].responseSec * 1000 ? 1 : 0
        this.count(t.units, hour, [
          [C_ACCEPTED, 1],
          [C_ON_TIME, onTime],
        ])
      }
    }
    // Resolution time: last `resolved`, counted while the request stands resolved or reviewed.
    const oldResolution = this.resolutionOf(i)
    if (stage === 'resolved') r.setLastResolved(i, at)
    r.setStage(i, stage)
    const isClosed = !isOpenStage(stage)
    const newResolution = this.resolutionOf(i)
    if (oldResolution !== newResolution) {
      if (oldResolution !== null) for (const u of t.units) this.bag(u, day, 'resolution').remove(oldResolution, t.receivedAt)
      if (newResolution !== null) this.addValue(t, day, 'resolution', newResolution)
      const delta = (newResolution !== null ? 1 : 0) - (oldResolution !== null ? 1 : 0)
      if (delta !== 0) {
        const handled = C_HANDLED + CATEGORY_INDEX.get(r.category(i))!
        this.count(t.units, hour, [[handled, delta]])
      }
    }
    if (isClosed) this.unresolved.delete(i)
    else this.unresolved.add(i)

    if (stage === 'reviewed' && resolved !== undefined && satisfaction !== undefined) {
      const review = r.review(i)
      const deltas: [number, number][] =
        review === null
          ? [[C_REVIEWED, 1]]
          : [
              [C_SAT + SATISFACTION_INDEX[review], -1],
              [C_REVIEW_RESOLVED, r.reviewResolved(i) ? -1 : 0],
            ]
      deltas.push([C_SAT + SATISFACTION_INDEX[satisfaction], 1], [C_REVIEW_RESOLVED, resolved ? 1 : 0])
      this.count(t.units, hour, deltas)
      r.setReview(i, satisfaction, resolved)
    }

    if (stage === 'dispatched') r.setDepartment(i, this.departmentCode(departmentOfAssignee(assignee)))
    if (shareBefore) this.reshare(t, hour, day, shareBefore, this.shareOf(i))
  }

  /** ms from receipt to the last `resolved`, while the request stands resolved or reviewed. */
  private resolutionOf(i: number): number | null {
    const r = this.requests
    const last = r.lastResolved(i)
    return !isOpenStage(r.stage(i)) && last !== null ? last - r.receivedAt[i]! : null
  }

  private shareOf(i: number): DepartmentShare {
    const r = this.requests
    const accepted = r.firstAt(i, 'accepted')
    return {
      department: r.department(i),
      response: accepted === undefined ? null : accepted - r.receivedAt[i]!,
      resolution: this.resolutionOf(i),
      urged: r.urged(i),
    }
  }

  /** Moves a request's department share from what it was to what it is. */
  private reshare(t: { units: number[]; receivedAt: number }, hour: number, day: number, before: DepartmentShare, after: DepartmentShare): void {
    if (before.department !== after.department) {
      if (before.department !== NO_DEPARTMENT) this.giveShare(t, hour, day, before, -1)
      if (after.department !== NO_DEPARTMENT) this.giveShare(t, hour, day, after, 1)
      return
    }
    const d = after.department
    if (d === NO_DEPARTMENT) return
    for (const name of DEPARTMENT_BAGS) {
      const [old, now] = [before[name], after[name]]
      if (old === now) continue
      for (const u of t.units) {
        const bag = bagIn(this.cellsOf(d, u).bags, day, name)
        if (old !== null) bag.remove(old, t.receivedAt)
        if (now !== null) bag.add(now, t.receivedAt)
      }
    }
    if (before.urged !== after.urged) this.departmentCount(d, t.units, hour, [[D_URGED, after.urged ? 1 : -1]])
  }

  /** Adds (sign 1) or takes back (sign -1) a whole share. */
  private giveShare(t: { units: number[]; receivedAt: number }, hour: number, day: number, share: DepartmentShare, sign: 1 | -1): void {
    this.departmentCount(share.department, t.units, hour, [
      [D_REQUESTS, sign],
      [D_URGED, share.urged ? sign : 0],
    ])
    for (const name of DEPARTMENT_BAGS) {
      const value = share[name]
      if (value === null) continue
      for (const u of t.units) {
        const bag = bagIn(this.cellsOf(share.department, u).bags, day, name)
        if (sign > 0) bag.add(value, t.receivedAt)
        else bag.remove(value, t.receivedAt)
      }
    }
  }

  /** 督办: counted once per request, toward its department's `urged`. */
  private urged(id: string): void {
    const r = this.requests
    const i = r.find(id)
    if (i === undefined || r.urged(i)) return
    r.setUrged(i)
    const d = r.department(i)
    if (d !== NO_DEPARTMENT) this.departmentCount(d, this.chainOfGrid[r.grid[i]!]!, this.hourOf(r.receivedAt[i]!), [[D_URGED, 1]])
  }

  private addValue(t: { units: number[]; receivedAt: number }, day: number, name: BagName, value: number): void {
    for (const u of t.units) this.bag(u, day, name).add(value, t.receivedAt)
  }

  private alertRaised(id: string, gridId: string, kind: AlertKind, at: number): void {
    const units = this.chains.get(gridId)
    if (!units || this.alerts.has(id)) return
    this.alerts.set(id, { units, kind, at, verdict: null })
    const hour = this.hourOf(at)
    this.count(units, hour, [[C_ALERTS + KIND_INDEX.get(kind)!, 1]])
  }

  private alertReviewed(id: string, verdict: 'confirmed' | 'false_positive', at: number): void {
    const a = this.alerts.get(id)
    if (!a || a.verdict !== null) return
    a.verdict = verdict
    const hour = this.hourOf(a.at)
    const k = KIND_INDEX.get(a.kind)!
    this.count(a.units, hour, [
      [C_ALERTS_REVIEWED + k, 1],
      [C_CONFIRMED + k, verdict === 'confirmed' ? 1 : 0],
    ])
    this.addValue({ units: a.units, receivedAt: a.at }, this.dayOfHour(hour), 'review', at - a.at)
  }

  private pinged(workerId: string, gridId: string, lon: number, lat: number, at: number): void {
    const units = this.chains.get(gridId)
    if (!units) return
    const last = this.workers.get(workerId)
    if (!last || at >= last.at) this.workers.set(workerId, { at, units })
    const grid = units[0]!
    const cells = this.gridCells.get(grid)!
    const bit = cells.index.get(cellKey(lon, lat))
    // A ping in a cell whose centre lies outside the grid still counts the worker, not coverage.
    if (bit === undefined) return
    const hour = this.hourOf(at)
    setBit(bitsFor(this.hourCells, grid, hour, cells.words), bit)
    setBit(bitsFor(this.dayCells, grid, this.dayOfHour(hour), cells.words), bit)
  }

  // ---- reading ----------------------------------------------------------------------------------------

  /** Every figure for a unit's subtree over [from, to); `now` decides deadlines, overdue and online. */
  figures(unitId: string, from: number, to: number, now: number): Figures {
    const u = this.unitIndex.get(unitId)
    if (u === undefined) throw new Error(`unknown unit ${unitId}`)
    const { fullDays, partialHours } = this.split(from, to)
    const c = sumCounters(C_SIZE, this.hours[u]!, this.dayCounters[u]!, fullDays, partialHours)

    const open = this.openCounts(from, to, now)
    const pastDue = open.pastDue[u]!
    const overdueResponse = open.overdueResponse[u]!
    const overdueResolution = open.overdueResolution[u]!

    const stat = (name: BagName) => statOf(this.bagParts(this.days[u]!, name, fullDays, partialHours))
    const byCategory = emptyByCategory()
    const handledByCategory = emptyByCategory()
    CATEGORIES.forEach((cat, i) => {
      byCategory[cat] = c[C_CATEGORY + i]!
      handledByCategory[cat] = c[C_HANDLED + i]!
    })
    const byKind = {} as Record<AlertKind, CameraKindFigures>
    let alerts = 0
    let reviewed = 0
    let confirmed = 0
    ALERT_KINDS.forEach((kind, i) => {
      const k = { alerts: c[C_ALERTS + i]!, reviewed: c[C_ALERTS_REVIEWED + i]!, confirmed: c[C_CONFIRMED + i]! }
      byKind[kind] = { ...k, precision: k.reviewed === 0 ? null : k.confirmed / k.reviewed }
      alerts += k.alerts
      reviewed += k.reviewed
      confirmed += k.confirmed
    })
    const satisfaction = emptySatisfactionCounts()
    SATISFACTION_LEVELS.forEach((level, i) => (satisfaction[level] = c[C_SAT + i]!))
    const requests = c[C_REQUESTS]!
    const population = this.geography.get(unitId)?.population ?? null
    const coverage = this.coverage(u, fullDays, partialHours)
    return {
      requests,
      perThousand: population ? (requests * 1000) / population : null,
      responseTime: stat('response'),
      resolutionTime: stat('resolution'),
      segments: Object.fromEntries(SEGMENTS.map((s) => [s, stat(s)])) as Record<Segment, TimeStat>,
      onTimeResponse: rate(c[C_ON_TIME]!, c[C_ACCEPTED]! + pastDue),
      resolution: rate(c[C_REVIEW_RESOLVED]!, c[C_REVIEWED]!),
      satisfaction: rate(satisfactionScore(satisfaction, this.policy), c[C_REVIEWED]!),
      proactive: rate(c[C_PROACTIVE]!, requests),
      overdue: { response: overdueResponse, resolution: overdueResolution },
      byCategory,
      handledByCategory,
      camera: { alerts, reviewed, precision: rate(confirmed, reviewed), reviewTime: stat('review'), byKind },
      patrol: { coverage: rate(coverage.visited, coverage.cells), workersOnline: this.workersOnline(u, now) },
    }
  }

  /**
   * The figures by department for a unit's subtree over [from, to): every department with a
   * request of the window or an overdue one, most requests first. The same counters, bags and
   * percentiles as the unit's own figures, kept per department (see `reshare`).
   */
  departmentFigures(unitId: string, from: number, to: number, now: number): { departmentId: string; figures: DepartmentFigures }[] {
    const u = this.unitIndex.get(unitId)
    if (u === undefined) throw new Error(`unknown unit ${unitId}`)
    if (this.departmentIds.length === 0) return []
    const { fullDays, partialHours } = this.split(from, to)
    const overdue = this.departmentOverdue(now)
    const out: { departmentId: string; figures: DepartmentFigures }[] = []
    this.departmentCells.forEach((byUnit, d) => {
      const cells = byUnit.get(u)
      if (!cells) return
      const c = sumCounters(D_SIZE, cells.hours, cells.days, fullDays, partialHours)
      const late = { response: overdue.response.get(d)?.[u] ?? 0, resolution: overdue.resolution.get(d)?.[u] ?? 0 }
      if (c[D_REQUESTS] === 0 && late.response === 0 && late.resolution === 0) return
      out.push({
        departmentId: this.departmentIds[d]!,
        figures: {
          requests: c[D_REQUESTS]!,
          responseTime: statOf(this.bagParts(cells.bags, 'response', fullDays, partialHours)),
          resolutionTime: statOf(this.bagParts(cells.bags, 'resolution', fullDays, partialHours)),
          overdue: late,
          urged: c[D_URGED]!,
        },
      })
    })
    return out.sort((a, b) => b.figures.requests - a.figures.requests || (a.departmentId < b.departmentId ? -1 : 1))
  }

  /** Overdue counts by department and unit at `now`: one pass over the open sets, as for units. */
  private departmentOverdue(now: number): DepartmentOverdue {
    const memo = this.departmentMemo
    if (memo && memo.now === now && memo.seq === this.seq) return memo.counts
    const counts: DepartmentOverdue = { response: new Map(), resolution: new Map() }
    const r = this.requests
    const tally = (into: Map<number, Int32Array>, i: number) => {
      const d = r.department(i)
      let row = into.get(d)
      if (!row) into.set(d, (row = new Int32Array(this.unitIds.length)))
      for (const u of this.chainOfGrid[r.grid[i]!]!) row[u]!++
    }
    const responseMs = this.deadlineMs('responseSec')
    const resolutionMs = this.deadlineMs('resolutionSec')
    for (const i of this.unaccepted) if (r.department(i) !== NO_DEPARTMENT && now > r.receivedAt[i]! + responseMs[r.priority(i)]) tally(counts.response, i)
    for (const i of this.unresolved) if (r.department(i) !== NO_DEPARTMENT && now > r.receivedAt[i]! + resolutionMs[r.priority(i)]) tally(counts.resolution, i)
    this.departmentMemo = { now, seq: this.seq, counts }
    return counts
  }

  /**
   * What depends on `now`, for every unit in one pass over the open sets: not-yet-accepted requests
   * of the window past their deadline (the on-time denominator), and the two overdue counts. A
   * unit and its children asked about the same window and moment share the pass.
   */
  private openCounts(from: number, to: number, now: number): OpenCounts {
    const memo = this.openMemo
    if (memo && memo.from === from && memo.to === to && memo.now === now && memo.seq === this.seq) return memo.counts
    const n = this.unitIds.length
    const responseMs = this.deadlineMs('responseSec')
    // The unresolved set is the large one (every open request), and what it gives does not depend
    // on the window: a series of many windows at one moment walks it once.
    const overdue = this.overdueMemo
    let overdueResolution: Int32Array
    if (overdue && overdue.now === now && overdue.seq === this.seq) overdueResolution = overdue.counts
    else {
      overdueResolution = new Int32Array(n)
      const resolutionMs = this.deadlineMs('resolutionSec')
      const r = this.requests
      for (const i of this.unresolved) {
        if (now > r.receivedAt[i]! + resolutionMs[r.priority(i)]) for (const u of this.chainOfGrid[r.grid[i]!]!) overdueResolution[u]!++
      }
      this.overdueMemo = { now, seq: this.seq, counts: overdueResolution }
    }
    const counts: OpenCounts = { pastDue: new Int32Array(n), overdueResponse: new Int32Array(n), overdueResolution }
    const r = this.requests
    for (const i of this.unaccepted) {
      const receivedAt = r.receivedAt[i]!
      const due = receivedAt + responseMs[r.priority(i)]
      const inWindow = receivedAt >= from && receivedAt < to && due <= now
      const late = now > due
      if (!inWindow && !late) continue
      for (const u of this.chainOfGrid[r.grid[i]!]!) {
        if (inWindow) counts.pastDue[u]!++
        if (late) counts.overdueResponse[u]!++
      }
    }
    this.openMemo = { from, to, now, seq: this.seq, counts }
    return counts
  }

  private deadlineMs(which: 'responseSec' | 'resolutionSec'): Record<Priority, number> {
    const d = this.policy.deadlines
    return { urgent: d.urgent[which] * 1000, utilities: d.utilities[which] * 1000, general: d.general[which] * 1000, complex: d.complex[which] * 1000 }
  }

  /**
   * Whole local days inside [from, to), and the hours of the partial days at either end. Only the
   * days that hold data are walked: a window far wider than the history costs what the history
   * does, and the days outside it would add nothing.
   */
  private split(from: number, to: number): { fullDays: number[]; partialHours: [number, number][] } {
    const fullDays: number[] = []
    const partialHours: [number, number][] = []
    if (Number.isNaN(this.firstHour)) return { fullDays, partialHours }
    const start = Math.max(from / HOUR_MS, this.dayBounds(this.firstHour)[0])
    const end = Math.min(to / HOUR_MS, this.dayBounds(this.lastHour)[1])
    let h = start
    while (h < end) {
      const [dayStart, dayEnd] = this.dayBounds(h)
      if (dayStart >= start && dayEnd <= end) {
        fullDays.push(this.dayOfHour(h))
        h = dayEnd
      } else {
        const stop = Math.min(dayEnd, end)
        partialHours.push([h, stop])
        h = stop
      }
    }
    return { fullDays, partialHours }
  }

  /** The first hour of the local day holding hour `h`, and that of the next day. */
  private dayBounds(h: number): [number, number] {
    const day = this.dayOfHour(h)
    // Found by walking: days are 23–25 hours around DST.
    let dayStart = h
    while (this.dayOfHour(dayStart - 1) === day) dayStart--
    let dayEnd = h + 1
    while (this.dayOfHour(dayEnd) === day) dayEnd++
    return [dayStart, dayEnd]
  }

  private bagParts(days: Map<number, Map<BagName, Bag>>, name: BagName, fullDays: number[], partialHours: [number, number][]): Part[] {
    const parts: Part[] = []
    for (const d of fullDays) {
      const bag = days.get(d)?.get(name)
      if (bag && bag.size > 0) parts.push(bag.part())
    }
    for (const [h0, h1] of partialHours) {
      const bag = days.get(this.dayOfHour(h0))?.get(name)
      if (bag && bag.size > 0) parts.push(bag.between(h0 * HOUR_MS, h1 * HOUR_MS))
    }
    return parts
  }

  private gridsUnder(u: number): number[] {
    const id = this.unitIds[u]!
    const out: number[] = []
    for (const [gridId, chain] of this.chains) if (chain.includes(u) || gridId === id) out.push(chain[0]!)
    return out
  }

  private coverage(u: number, fullDays: number[], partialHours: [number, number][]): { visited: number; cells: number } {
    let visited = 0
    let cells = 0
    for (const grid of this.gridsUnder(u)) {
      const gc = this.gridCells.get(grid)!
      cells += gc.count
      const union = new Uint32Array(gc.words)
      const days = this.dayCells.get(grid)
      const hours = this.hourCells.get(grid)
      if (days) for (const d of fullDays) orInto(union, days.get(d))
      if (hours) for (const [h0, h1] of partialHours) for (let h = h0; h < h1; h++) orInto(union, hours.get(h))
      visited += popcount(union)
    }
    return { visited, cells }
  }

  private workersOnline(u: number, now: number): number {
    let n = 0
    for (const w of this.workers.values()) if (w.at > now - ONLINE_WINDOW_MS && w.at <= now && w.units.includes(u)) n++
    return n
  }

  /** Open requests past a deadline, for overdue lists. */
  overdueRequests(
    unitId: string,
    now: number,
  ): { id: string; gridId: string; category: Category; receivedAt: number; ageSec: number; stage: Stage; priority: Priority; late: ('response' | 'resolution')[] }[] {
    const u = this.unitIndex.get(unitId)
    if (u === undefined) return []
    const out = []
    const r = this.requests
    for (const i of this.unresolved) {
      if (!this.chainOfGrid[r.grid[i]!]!.includes(u)) continue
      const priority = r.priority(i)
      const receivedAt = r.receivedAt[i]!
      const d = this.policy.deadlines[priority]
      const late: ('response' | 'resolution')[] = []
      if (r.firstAt(i, 'accepted') === undefined && now > receivedAt + d.responseSec * 1000) late.push('response')
      if (now > receivedAt + d.resolutionSec * 1000) late.push('resolution')
      if (late.length) {
        out.push({
          id: r.id(i),
          gridId: this.unitIds[r.grid[i]!]!,
          category: r.category(i),
          receivedAt,
          ageSec: Math.floor((now - receivedAt) / 1000),
          stage: r.stage(i),
          priority,
          late,
        })
      }
    }
    return out.sort((a, b) => a.receivedAt - b.receivedAt)
  }

  // ---- checkpoints (checkpoint.ts) -----------------------------------------------------------------

  /**
   * What a checkpoint's basis must pin besides the format: everything given at construction that
   * the state's meaning depends on (the units in this order and their grids' cells, the policy, the
   * zone) and the code lists whose positions the counters and codes stand for.
   */
  shape(): unknown {
    return {
      units: this.unitIds,
      cells: [...this.gridCells].map(([grid, cells]) => [grid, cells.count, cells.words]),
      policy: this.policy,
      timeZone: this.timeZone,
      lists: [CATEGORIES, ALERT_KINDS, SEGMENTS, BAG_NAMES, SATISFACTION_LEVELS, C_SIZE, D_SIZE],
    }
  }

  /** Everything `apply` has built, caches left out (they are rebuilt on demand). */
  writeState(w: Writer): void {
    w.num(this.seq)
    w.num(this.firstHour)
    w.num(this.lastHour)
    for (let u = 0; u < this.unitIds.length; u++) {
      writeRows(w, this.hours[u]!)
      writeRows(w, this.dayCounters[u]!)
      writeBagDays(w, this.days[u]!)
    }
    writeCells(w, this.hourCells)
    writeCells(w, this.dayCells)
    this.requests.write(w)
    w.strings([...this.alerts.keys()])
    for (const a of this.alerts.values()) {
      w.uint(a.units[0]!)
      w.u8(KIND_INDEX.get(a.kind)!)
      w.num(a.at)
      w.u8(VERDICTS.indexOf(a.verdict))
    }
    writeNumbers(w, this.unaccepted)
    writeNumbers(w, this.unresolved)
    w.strings([...this.workers.keys()])
    for (const worker of this.workers.values()) {
      w.uint(worker.units[0]!)
      w.num(worker.at)
    }
    w.strings(this.departmentIds)
    for (const byUnit of this.departmentCells) {
      w.uint(byUnit.size)
      for (const [u, cells] of byUnit) {
        w.uint(u)
        writeRows(w, cells.hours)
        writeRows(w, cells.days)
        writeBagDays(w, cells.bags)
      }
    }
    this.hotspots.write(w)
  }

  /**
   * Takes the state `writeState` wrote, into rollups that have applied nothing yet. Everything is
   * read and checked before any of it replaces the (empty) state, so a malformed checkpoint throws
   * and leaves these rollups as they were.
   */
  readState(r: Reader): void {
    if (this.seq !== 0) throw new Error('a checkpoint is restored only into empty rollups')
    const n = this.unitIds.length
    const unit = (u: number) => {
      if (!(u < n)) throw new Error('checkpoint: unit out of range')
      return u
    }
    const chainOf = (u: number) => {
      const chain = this.chainOfGrid[u]
      if (!chain) throw new Error('checkpoint: not a grid')
      return chain
    }
    const seq = r.num()
    const firstHour = r.num()
    const lastHour = r.num()
    const hours: Map<number, Float64Array>[] = []
    const dayCounters: Map<number, Float64Array>[] = []
    const days: Map<number, Map<BagName, Bag>>[] = []
    for (let u = 0; u < n; u++) {
      hours.push(readRows(r, C_SIZE))
      dayCounters.push(readRows(r, C_SIZE))
      days.push(readBagDays(r))
    }
    const words = (grid: number) => {
      const cells = this.gridCells.get(grid)
      if (!cells) throw new Error('checkpoint: not a grid')
      return cells.words
    }
    const hourCells = readCells(r, words)
    const dayCells = readCells(r, words)
    const requests = RequestTracks.read(r)
    for (let i = 0; i < requests.size; i++) chainOf(requests.grid[i]!)
    const alerts = new Map<string, AlertTrack>()
    for (const id of r.strings()) {
      const units = chainOf(r.uint())
      const kind = ALERT_KINDS[r.u8()]
      const at = r.num()
      const verdict = VERDICTS[r.u8()]
      if (kind === undefined || verdict === undefined) throw new Error('checkpoint: malformed alert')
      alerts.set(id, { units, kind, at, verdict })
    }
    const track = (i: number) => {
      if (!(i < requests.size)) throw new Error('checkpoint: request out of range')
      return i
    }
    const unaccepted = new Set(readNumbers(r).map(track))
    const unresolved = new Set(readNumbers(r).map(track))
    const workers = new Map<string, { at: number; units: number[] }>()
    for (const id of r.strings()) {
      const units = chainOf(r.uint())
      workers.set(id, { at: r.num(), units })
    }
    const departmentIds = r.strings()
    const departmentCells: Map<number, DepartmentCells>[] = []
    for (let d = 0; d < departmentIds.length; d++) {
      const byUnit = new Map<number, DepartmentCells>()
      const size = r.uint()
      for (let k = 0; k < size; k++) {
        const u = unit(r.uint())
        byUnit.set(u, { hours: readRows(r, D_SIZE), days: readRows(r, D_SIZE), bags: readBagDays(r) })
      }
      departmentCells.push(byUnit)
    }
    const hotspots = HotspotIndex.read(r)
    if (!r.done) throw new Error('checkpoint: trailing bytes')
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error('checkpoint: bad seq')

    // Everything read: only now does it replace the empty state.
    this.seq = seq
    this.firstHour = firstHour
    this.lastHour = lastHour
    for (let u = 0; u < n; u++) {
      this.hours[u] = hours[u]!
      this.dayCounters[u] = dayCounters[u]!
      this.days[u] = days[u]!
    }
    this.hourCells = hourCells
    this.dayCells = dayCells
    this.requests = requests
    this.alerts = alerts
    this.unaccepted = unaccepted
    this.unresolved = unresolved
    this.workers = workers
    this.departmentIds = departmentIds
    this.departmentCodes = new Map(departmentIds.map((id, d) => [id, d]))
    this.departmentCells = departmentCells
    this.hotspots = hotspots
    this.openMemo = undefined
    this.overdueMemo = undefined
    this.departmentMemo = undefined
  }

  /** Number of requests tracked (for memory figures). */
  get size(): { requests: number; alerts: number } {
    return { requests: this.requests.size, alerts: this.alerts.size }
  }
}

// ---- checkpoint pieces (rows, bags, cells, sets), in their order of insertion -----------------------

function writeRows(w: Writer, rows: Map<number, Float64Array>): void {
  w.uint(rows.size)
  for (const [key, row] of rows) {
    w.num(key)
    // Most counters of a row are 0: only the others, each after the gap to it.
    let nonZero = 0
    for (let i = 0; i < row.length; i++) if (!Object.is(row[i], 0)) nonZero++
    w.uint(nonZero)
    let last = -1
    for (let i = 0; i < row.length; i++) {
      if (Object.is(row[i], 0)) continue
      w.uint(i - last - 1)
      w.num(row[i]!)
      last = i
    }
  }
}

function readRows(r: Reader, size: number): Map<number, Float64Array> {
  const rows = new Map<number, Float64Array>()
  const count = r.uint()
  for (let k = 0; k < count; k++) {
    const key = r.num()
    const row = new Float64Array(size)
    const nonZero = r.uint()
    let i = -1
    for (let j = 0; j < nonZero; j++) {
      i += r.uint() + 1
      if (i >= size) throw new Error('checkpoint: counter out of range')
      row[i] = r.num()
    }
    rows.set(key, row)
  }
  return rows
}

function writeBagDays(w: Writer, byDay: Map<number, Map<BagName, Bag>>): void {
  w.uint(byDay.size)
  for (const [day, bags] of byDay) {
    w.num(day)
    w.uint(bags.size)
    for (const [name, bag] of bags) {
      w.u8(BAG_CODES.get(name)!)
      w.u8(bag.keepsHistogram ? 1 : 0)
      // As doubles, bytes for bytes: read back by a copy and a plain loop, which is what makes a
      // start from a checkpoint fast (varints were about half the size and twice the decoding time).
      w.bytes(Float64Array.from(bag.values))
      w.bytes(Float64Array.from(bag.times))
    }
  }
}

function readBagDays(r: Reader): Map<number, Map<BagName, Bag>> {
  const byDay = new Map<number, Map<BagName, Bag>>()
  const days = r.uint()
  for (let k = 0; k < days; k++) {
    const day = r.num()
    const bags = new Map<BagName, Bag>()
    const count = r.uint()
    for (let j = 0; j < count; j++) {
      const name = BAG_NAMES[r.u8()]
      if (name === undefined) throw new Error('checkpoint: unknown bag')
      const keepsHistogram = r.u8() === 1
      const values = toArray(r.bytes((k) => new Float64Array(k), 8))
      const times = toArray(r.bytes((k) => new Float64Array(k), 8))
      if (values.length !== times.length) throw new Error('checkpoint: bag values and times disagree')
      bags.set(name, Bag.restored(values, times, keepsHistogram))
    }
    byDay.set(day, bags)
  }
  return byDay
}

function toArray(a: Float64Array): number[] {
  const out = new Array<number>(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]!
  return out
}

function writeCells(w: Writer, store: Map<number, Map<number, Uint32Array>>): void {
  w.uint(store.size)
  for (const [grid, byKey] of store) {
    w.uint(grid)
    w.uint(byKey.size)
    for (const [key, bits] of byKey) {
      w.num(key)
      for (let i = 0; i < bits.length; i++) w.uint(bits[i]!)
    }
  }
}

function readCells(r: Reader, wordsOf: (grid: number) => number): Map<number, Map<number, Uint32Array>> {
  const store = new Map<number, Map<number, Uint32Array>>()
  const grids = r.uint()
  for (let g = 0; g < grids; g++) {
    const grid = r.uint()
    const words = wordsOf(grid)
    const byKey = new Map<number, Uint32Array>()
    const count = r.uint()
    for (let k = 0; k < count; k++) {
      const key = r.num()
      const bits = new Uint32Array(words)
      for (let i = 0; i < words; i++) bits[i] = r.uint()
      byKey.set(key, bits)
    }
    store.set(grid, byKey)
  }
  return store
}

/** Whole numbers in their order, each as its step from the one before. */
function writeNumbers(w: Writer, numbers: Iterable<number>): void {
  const list = [...numbers]
  w.uint(list.length)
  let previous = 0
  for (const v of list) {
    w.num(v - previous)
    previous = v
  }
}

function readNumbers(r: Reader): number[] {
  const n = r.uint()
  const out = new Array<number>(n)
  let previous = 0
  for (let i = 0; i < n; i++) previous = out[i] = previous + r.num()
  return out
}

function counterRow(rows: Map<number, Float64Array>, key: number, size: number): Float64Array {
  let row = rows.get(key)
  if (!row) rows.set(key, (row = new Float64Array(size)))
  return row
}

function addInto(target: Float64Array, source: Float64Array | undefined): void {
  if (!source) return
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!
}

/** A window's counters: its whole days' rows, and the hours of its partial days. */
function sumCounters(
  size: number,
  hours: Map<number, Float64Array>,
  days: Map<number, Float64Array>,
  fullDays: readonly number[],
  partialHours: readonly [number, number][],
): Float64Array {
  const c = new Float64Array(size)
  for (const d of fullDays) addInto(c, days.get(d))
  for (const [h0, h1] of partialHours) for (let h = h0; h < h1; h++) addInto(c, hours.get(h))
  return c
}

function bagIn(byDay: Map<number, Map<BagName, Bag>>, day: number, name: BagName): Bag {
  let bags = byDay.get(day)
  if (!bags) byDay.set(day, (bags = new Map()))
  let bag = bags.get(name)
  if (!bag) bags.set(name, (bag = new Bag()))
  return bag
}

function bitsFor(store: Map<number, Map<number, Uint32Array>>, grid: number, key: number, words: number): Uint32Array {
  let byKey = store.get(grid)
  if (!byKey) store.set(grid, (byKey = new Map()))
  let bits = byKey.get(key)
  if (!bits) byKey.set(key, (bits = new Uint32Array(words)))
  return bits
}

function setBit(bits: Uint32Array, i: number): void {
  bits[i >>> 5]! |= 1 << (i & 31)
}

function orInto(target: Uint32Array, source: Uint32Array | undefined): void {
  if (!source) return
  for (let i = 0; i < target.length; i++) target[i]! |= source[i]!
}

function popcount(bits: Uint32Array): number {
  let n = 0
  for (let i = 0; i < bits.length; i++) {
    let v = bits[i]!
    v = v - ((v >>> 1) & 0x55555555)
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
    n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
  }
  return n
}
