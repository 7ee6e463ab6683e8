// What the rollups remember of each request, in columns: one typed array per field, indexed by a
// request number, instead of an object per request. At a million requests the objects (with their
// per-stage maps) were about a third of the rollups' heap, and every full collection walked them;
// typed arrays hold no pointers, so the collector has nothing to walk.
import { CATEGORIES, PRIORITIES, SOURCES, STAGES, type Category, type Priority, type Satisfaction, type Source, type Stage } from '../../shared/domain'
import type { Reader, Writer } from './codec'

const STAGE_INDEX = new Map<Stage, number>(STAGES.map((s, i) => [s, i]))
const PRIORITY_INDEX = new Map<Priority, number>(PRIORITIES.map((p, i) => [p, i]))
const SOURCE_INDEX = new Map<Source, number>(SOURCES.map((s, i) => [s, i]))
const CATEGORY_INDEX = new Map<Category, number>(CATEGORIES.map((c, i) => [c, i]))
const SATISFACTIONS: readonly Satisfaction[] = ['satisfied', 'basically_satisfied', 'dissatisfied']
const SATISFACTION_INDEX = new Map<Satisfaction, number>(SATISFACTIONS.map((s, i) => [s, i]))
const NO_REVIEW = 255
const NS = STAGES.length
/** A request not (or no longer) dispatched to a department. */
export const NO_DEPARTMENT = -1

export class RequestTracks {
  private capacity = 0
  private count = 0
  private index = new Map<string, number>()
  private ids: string[] = []
  /** Unit index of the request's grid. */
  grid = new Int32Array(0)
  receivedAt = new Float64Array(0)
  /** Time of the first occurrence of each stage, NaN where it has not happened: [i * stages + stage]. */
  private first = new Float64Array(0)
  /** Time of the last `resolved`, NaN before one. */
  private lastResolvedAt = new Float64Array(0)
  private priorityCode = new Uint8Array(0)
  private sourceCode = new Uint8Array(0)
  private categoryCode = new Uint8Array(0)
  private stageCode = new Uint8Array(0)
  private reviewCode = new Uint8Array(0)
  private reviewResolvedFlag = new Uint8Array(0)
  /** The department of the latest dispatch (a code the rollups give out), NO_DEPARTMENT without one. */
  private departmentCode = new Int32Array(0)
  /** 1 once the request has been urged (督办). */
  private urgedFlag = new Uint8Array(0)

  get size(): number {
    return this.count
  }

  find(id: string): number | undefined {
    return this.index.get(id)
  }

  /** Adds a request just received; undefined when its id is known already. */
  add(id: string, grid: number, receivedAt: number, priority: Priority, source: Source, category: Category): number | undefined {
    if (this.index.has(id)) return undefined
    if (this.count === this.capacity) this.grow()
    const i = this.count++
    this.index.set(id, i)
    this.ids.push(id)
    this.grid[i] = grid
    this.receivedAt[i] = receivedAt
    this.first.fill(NaN, i * NS, (i + 1) * NS)
    this.first[i * NS + STAGE_INDEX.get('received')!] = receivedAt
    this.lastResolvedAt[i] = NaN
    this.priorityCode[i] = PRIORITY_INDEX.get(priority)!
    this.sourceCode[i] = SOURCE_INDEX.get(source)!
    this.categoryCode[i] = CATEGORY_INDEX.get(category)!
    this.stageCode[i] = STAGE_INDEX.get('received')!
    this.reviewCode[i] = NO_REVIEW
    this.reviewResolvedFlag[i] = 0
    this.departmentCode[i] = NO_DEPARTMENT
    this.urgedFlag[i] = 0
    return i
  }

  id(i: number): string {
    return this.ids[i]!
  }
  priority(i: number): Priority {
    return PRIORITIES[this.priorityCode[i]!]!
  }
  source(i: number): Source {
    return SOURCES[this.sourceCode[i]!]!
  }
  category(i: number): Category {
    return CATEGORIES[this.categoryCode[i]!]!
  }
  stage(i: number): Stage {
    return STAGES[this.stageCode[i]!]!
  }
  setStage(i: number, stage: Stage): void {
    this.stageCode[i] = STAGE_INDEX.get(stage)!
  }
  /** When the stage first happened, or undefined. */
  firstAt(i: number, stage: Stage): number | undefined {
    const t = this.first[i * NS + STAGE_INDEX.get(stage)!]!
    return Number.isNaN(t) ? undefined : t
  }
  setFirstAt(i: number, stage: Stage, at: number): void {
    this.first[i * NS + STAGE_INDEX.get(stage)!] = at
  }
  lastResolved(i: number): number | null {
    const t = this.lastResolvedAt[i]!
    return Number.isNaN(t) ? null : t
  }
  setLastResolved(i: number, at: number): void {
    this.lastResolvedAt[i] = at
  }
  review(i: number): Satisfaction | null {
    const code = this.reviewCode[i]!
    return code === NO_REVIEW ? null : SATISFACTIONS[code]!
  }
  reviewResolved(i: number): boolean {
    return this.reviewResolvedFlag[i] === 1
  }
  setReview(i: number, satisfaction: Satisfaction, resolved: boolean): void {
    this.reviewCode[i] = SATISFACTION_INDEX.get(satisfaction)!
    this.reviewResolvedFlag[i] = resolved ? 1 : 0
  }

  /** The department code of the latest dispatch, or NO_DEPARTMENT. */
  department(i: number): number {
    return this.departmentCode[i]!
  }
  setDepartment(i: number, code: number): void {
    this.departmentCode[i] = code
  }
  urged(i: number): boolean {
    return this.urgedFlag[i] === 1
  }
  setUrged(i: number): void {
    this.urgedFlag[i] = 1
  }

  /** Every column up to the count, as bytes (checkpoint.ts). */
  write(w: Writer): void {
    const n = this.count
    w.uint(n)
    w.strings(this.ids)
    w.bytes(this.grid.subarray(0, n))
    w.bytes(this.receivedAt.subarray(0, n))
    w.bytes(this.first.subarray(0, n * NS))
    w.bytes(this.lastResolvedAt.subarray(0, n))
    w.bytes(this.priorityCode.subarray(0, n))
    w.bytes(this.sourceCode.subarray(0, n))
    w.bytes(this.categoryCode.subarray(0, n))
    w.bytes(this.stageCode.subarray(0, n))
    w.bytes(this.reviewCode.subarray(0, n))
    w.bytes(this.reviewResolvedFlag.subarray(0, n))
    w.bytes(this.departmentCode.subarray(0, n))
    w.bytes(this.urgedFlag.subarray(0, n))
  }

  /** Tracks as `write` wrote them; throws on anything malformed, leaving no half-read tracks behind. */
  static read(r: Reader): RequestTracks {
    const t = new RequestTracks()
    const n = r.uint()
    const ids = r.strings()
    const i32 = (k: number) => new Int32Array(k)
    const f64 = (k: number) => new Float64Array(k)
    const u8 = (k: number) => new Uint8Array(k)
    t.grid = r.bytes(i32, 4)
    t.receivedAt = r.bytes(f64, 8)
    t.first = r.bytes(f64, 8)
    t.lastResolvedAt = r.bytes(f64, 8)
    t.priorityCode = r.bytes(u8, 1)
    t.sourceCode = r.bytes(u8, 1)
    t.categoryCode = r.bytes(u8, 1)
    t.stageCode = r.bytes(u8, 1)
    t.reviewCode = r.bytes(u8, 1)
    t.reviewResolvedFlag = r.bytes(u8, 1)
    t.departmentCode = r.bytes(i32, 4)
    t.urgedFlag = r.bytes(u8, 1)
    const columns = [t.grid, t.receivedAt, t.lastResolvedAt, t.priorityCode, t.sourceCode, t.categoryCode, t.stageCode, t.reviewCode, t.reviewResolvedFlag, t.departmentCode, t.urgedFlag]
    if (ids.length !== n || t.first.length !== n * NS || columns.some((c) => c.length !== n)) throw new Error('checkpoint: request columns disagree')
    t.ids = ids
    for (let i = 0; i < n; i++) t.index.set(ids[i]!, i)
    if (t.index.size !== n) throw new Error('checkpoint: duplicate request ids')
    t.count = n
    t.capacity = n
    return t
  }

  private grow(): void {
    const capacity = Math.max(1024, this.capacity * 2)
    const grown = <T extends Float64Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T, width = 1): T => {
      const next = make(capacity * width)
      next.set(old)
      return next
    }
    this.grid = grown(this.grid, (n) => new Int32Array(n))
    this.receivedAt = grown(this.receivedAt, (n) => new Float64Array(n))
    this.first = grown(this.first, (n) => new Float64Array(n), NS)
    this.lastResolvedAt = grown(this.lastResolvedAt, (n) => new Float64Array(n))
    this.priorityCode = grown(this.priorityCode, (n) => new Uint8Array(n))
    this.sourceCode = grown(this.sourceCode, (n) => new Uint8Array(n))
    this.categoryCode = grown(this.categoryCode, (n) => new Uint8Array(n))
    this.stageCode = grown(this.stageCode, (n) => new Uint8Array(n))
    this.reviewCode = grown(this.reviewCode, (n) => new Uint8Array(n))
    this.reviewResolvedFlag = grown(this.reviewResolvedFlag, (n) => new Uint8Array(n))
    this.departmentCode = grown(this.departmentCode, (n) => new Int32Array(n))
    this.urgedFlag = grown(this.urgedFlag, (n) => new Uint8Array(n))
    this.capacity = capacity
  }
}
