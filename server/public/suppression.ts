// Complementary suppression. A count under the threshold shows as "<5", but the public can read
// every unit's figures at once and subtract: a street's total minus its communities' shown counts
// gives the hidden one back. So the figures are modelled as cells, every sum or bound a reader can
// form from the public answers as a relation, and a reader's best bounds are found by propagating
// intervals through all relations together. Cells are withheld (shown as "*") until no small count,
// withheld or never shown, comes out as one exact number; the audit is the same reasoning a reader
// would do, so a pattern passes only when that reader learns no exact small count.

export interface CellSpec {
  value: number
  /**
   * `shown`: published unless withheld. `known`: never published but assumed known to a reader (the
   * year before this month, a street's own activities): the pessimistic case. `hidden`: never
   * published; a reader knows only `[lo, hi]`.
   */
  kind: 'shown' | 'known' | 'hidden'
  /**
   * A shown count under the threshold: withheld from the start. Labelled "<T" (read as [0, T − 1])
   * unless a relation of it needed a complement: then "*" like the complement, since a "*" known to
   * be T or more would give the small one back (27 = "<5" + "*" + 5 + 5 + 5 + 5 puts it at 2 or less).
   */
  primary?: boolean
  /** Whether a withheld shown cell carries a label ("<T", "*"); an omitted one (a category left off a list) does not. */
  labelled?: boolean
  lo?: number
  hi?: number
  /** A hidden small count: its exact value must not be derivable. */
  sensitive?: boolean
}

type Relation = { kind: 'sum'; total: number; parts: number[] } | { kind: 'atMost'; small: number; big: number; factor: number }

interface Bounds {
  lo: Float64Array
  hi: Float64Array
  /** The relation that last raised each lower bound and lowered each upper one (−1: none). */
  loBy: Int32Array
  hiBy: Int32Array
}

/** How many single complements are tried for a pinned cell before withholding several at once. */
const MAX_SINGLE_TRIALS = 24
/** How many cells a tried complement may bring along. */
const MAX_CHAIN = 4

const members = (r: Relation): number[] => (r.kind === 'sum' ? [r.total, ...r.parts] : [r.small, r.big])

export class SuppressionTable {
  private readonly cells: CellSpec[] = []
  private readonly relations: Relation[] = []
  private readonly relationsOf: number[][] = []
  private readonly linked: number[][] = []

  constructor(private readonly threshold: number) {}

  cell(spec: CellSpec): number {
    this.cells.push(spec)
    this.relationsOf.push([])
    this.linked.push([])
    return this.cells.length - 1
  }

  valueOf(cell: number): number {
    return this.cells[cell]!.value
  }

  /** How a cell reads given what is withheld: its value, "<T" (`under`), or "*" (`withheld`). */
  labelOf(cell: number, withheld: Set<number>): 'exact' | 'under' | 'withheld' {
    if (!withheld.has(cell)) return 'exact'
    if (!this.cells[cell]!.primary) return 'withheld'
    const complemented = this.relationsOf[cell]!.some((ri) =>
      members(this.relations[ri]!).some((m) => withheld.has(m) && !this.cells[m]!.primary && this.cells[m]!.labelled === true),
    )
    return complemented ? 'withheld' : 'under'
  }

  /** `total` = Σ `parts`. */
  sum(total: number, parts: number[]): void {
    this.relate({ kind: 'sum', total, parts })
  }

  /** `small` ≤ `factor` × `big`. */
  atMost(small: number, big: number, factor = 1): void {
    this.relate({ kind: 'atMost', small, big, factor })
  }

  /** Shown cells so tied that a complement withholds them together (the pruning may show some again). */
  link(cells: number[]): void {
    for (const a of cells) for (const b of cells) if (a !== b) this.linked[a]!.push(b)
  }

  private relate(r: Relation): void {
    const i = this.relations.length
    this.relations.push(r)
    for (const c of new Set(members(r))) this.relationsOf[c]!.push(i)
  }

  /**
   * The cells to withhold: the primaries, then complements for one pinned cell at a time (see
   * `complementsFor`) until a reader pins none, then every complement that the later ones made
   * unneeded is shown again. Deterministic: the same figures give the same pattern.
   */
  solve(): Set<number> {
    const withheld = new Set<number>()
    for (const group of this.components()) this.solveComponent(group, withheld)
    return withheld
  }

  private components(): number[][] {
    const parent = this.cells.map((_, i) => i)
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)))
    for (const r of this.relations) {
      const [first, ...rest] = members(r)
      for (const m of rest) parent[find(m)] = find(first!)
    }
    this.linked.forEach((ls, a) => ls.forEach((b) => (parent[find(b)] = find(a))))
    const groups = new Map<number, number[]>()
    this.cells.forEach((_, i) => {
      const root = find(i)
      const g = groups.get(root) ?? []
      g.push(i)
      groups.set(root, g)
    })
    return [...groups.values()]
  }

  private solveComponent(cells: number[], withheld: Set<number>): void {
    // What follows from the known cells alone, with every shown cell withheld, no pattern can
    // protect (it was given away before, if at all): only the rest must stay unknown.
    const all = new Set(cells.filter((c) => this.cells[c]!.kind === 'shown'))
    const base = this.propagate(cells, all)
    const given = new Set(cells.filter((c) => base.lo[c] === base.hi[c]))
    const added: number[] = []
    const add = (c: number) => {
      for (const x of this.closure(c)) {
        if (!withheld.has(x)) {
          withheld.add(x)
          if (!this.cells[x]!.primary) added.push(x)
        }
      }
    }
    for (const c of cells) if (this.cells[c]!.primary) add(c)
    // Each round withholds at least one more shown cell, so this ends.
    for (;;) {
      const bounds = this.propagate(cells, withheld)
      const pinned = this.firstLeak(cells, withheld, bounds, given)
      if (pinned === undefined) break
      const complements = this.complementsFor(pinned, cells, withheld, bounds)
      // Nothing left to withhold near it (cannot happen while a shown cell is in its relations).
      if (complements.length === 0) break
      complements.forEach(add)
    }
    // Later complements may have made earlier ones unneeded.
    for (const c of added.reverse()) {
      withheld.delete(c)
      if (this.firstLeak(cells, withheld, this.propagate(cells, withheld), given) !== undefined) withheld.add(c)
    }
  }

  private closure(c: number): number[] {
    const seen = new Set([c])
    const todo = [c]
    while (todo.length > 0) {
      for (const l of this.linked[todo.pop()!]!) {
        if (seen.has(l)) continue
        seen.add(l)
        todo.push(l)
      }
    }
    return [...seen]
  }

  /** A reader's bounds on every cell of a component, given what is withheld. */
  private propagate(cells: number[], withheld: Set<number>): Bounds {
    const n = this.cells.length
    const lo = new Float64Array(n)
    const hi = new Float64Array(n)
    const loBy = new Int32Array(n).fill(-1)
    const hiBy = new Int32Array(n).fill(-1)
    let current = -1
    const queued = new Uint8Array(this.relations.length)
    const queue: number[] = []
    const enqueue = (c: number) => {
      for (const r of this.relationsOf[c]!) {
        if (queued[r]) continue
        queued[r] = 1
        queue.push(r)
      }
    }
    for (const c of cells) {
      const s = this.cells[c]!
      if (s.kind === 'hidden') [lo[c], hi[c]] = [s.lo ?? 0, s.hi ?? Infinity]
      else if (s.kind === 'shown' && withheld.has(c)) [lo[c], hi[c]] = this.labelOf(c, withheld) === 'under' ? [0, this.threshold - 1] : [0, Infinity]
      else lo[c] = hi[c] = s.value
      enqueue(c)
    }
    const narrow = (c: number, l: number, h: number) => {
      let moved = false
      if (l > lo[c]!) {
        lo[c] = l
        loBy[c] = current
        moved = true
      }
      if (h < hi[c]!) {
        hi[c] = h
        hiBy[c] = current
        moved = true
      }
      // Sound bounds never cross; if a modelling slip made them, stop narrowing rather than loop.
      if (moved && lo[c]! <= hi[c]!) enqueue(c)
    }
    let head = 0
    while (head < queue.length) {
      const ri = queue[head++]!
      queued[ri] = 0
      current = ri
      // Keep the queue short: drop what has been processed.
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head)
        head = 0
      }
      const r = this.relations[ri]!
      if (r.kind === 'atMost') {
        narrow(r.small, 0, r.factor * hi[r.big]!)
        narrow(r.big, Math.ceil(lo[r.small]! / r.factor), Infinity)
        continue
      }
      let loSum = 0
      let hiSum = 0
      let open = 0
      for (const p of r.parts) {
        loSum += lo[p]!
        if (hi[p] === Infinity) open++
        else hiSum += hi[p]!
      }
      narrow(r.total, loSum, open > 0 ? Infinity : hiSum)
      for (const p of r.parts) {
        const othersHi = open - (hi[p] === Infinity ? 1 : 0) > 0 ? Infinity : hiSum - (hi[p] === Infinity ? 0 : hi[p]!)
        narrow(p, lo[r.total]! - othersHi, hi[r.total]! - (loSum - lo[p]!))
      }
    }
    return { lo, hi, loBy, hiBy }
  }

  /**
   * A cell a reader can pin that must stay unknown: the first one, or rather the first pinned cell
   * its derivation goes through, so that a cause is freed before what follows from it.
   */
  private firstLeak(cells: number[], withheld: Set<number>, b: Bounds, given: Set<number>): number | undefined {
    let zero: Set<number> | undefined
    const leaks = (c: number) => {
      if (!this.mustStayUnknown(c, withheld) || b.lo[c]! < b.hi[c]! || given.has(c)) return false
      // What a total shown as 0 forces to 0 is 0 for everyone: the total says so, not a subtraction.
      zero ??= this.zeroByShownZeros(withheld)
      return !zero.has(c)
    }
    let leak = cells.find(leaks)
    const visited = new Set<number>()
    while (leak !== undefined && !visited.has(leak)) {
      visited.add(leak)
      const cause = this.derivation(leak, b).flat().find((c) => !visited.has(c) && leaks(c))
      if (cause === undefined) break
      leak = cause
    }
    return leak
  }

  private mustStayUnknown(c: number, withheld: Set<number>): boolean {
    const s = this.cells[c]!
    return s.kind === 'hidden' ? s.sensitive === true : s.primary === true && withheld.has(c)
  }

  /** Whether a reader knows a cell's value without working it out. */
  private exact(c: number, withheld: Set<number>): boolean {
    const s = this.cells[c]!
    return s.kind === 'known' || (s.kind === 'shown' && !withheld.has(c))
  }

  /** Cells that counts shown as 0 force to 0 with no subtraction: their parts, and what is at most them. */
  private zeroByShownZeros(withheld: Set<number>): Set<number> {
    const zero = new Set<number>()
    const todo: number[] = []
    const add = (c: number) => {
      if (zero.has(c)) return
      zero.add(c)
      todo.push(c)
    }
    this.cells.forEach((s, c) => {
      if (s.value === 0 && this.exact(c, withheld)) add(c)
    })
    while (todo.length > 0) {
      const c = todo.pop()!
      for (const ri of this.relationsOf[c]!) {
        const r = this.relations[ri]!
        if (r.kind === 'sum' && r.total === c) r.parts.forEach(add)
        else if (r.kind === 'atMost' && r.big === c) add(r.small)
      }
    }
    return zero
  }

  /**
   * Complements that free a pinned cell. The candidates are the shown cells a reader used to pin
   * it, nearest in the derivation first, smallest value first among equals. A candidate that a
   * reader could still work out brings along the nearest cell that pins it (a community's received
   * along with its handled, say). The first candidate that frees the cell wins; failing that, they
   * are withheld in order until it is free, and the pruning afterwards shows again what was not
   * needed.
   */
  private complementsFor(pinned: number, cells: number[], withheld: Set<number>, b: Bounds): number[] {
    const candidates = this.reasons(pinned, withheld, b)
    const add = (base: Set<number>, m: number) => {
      const trial = new Set(base)
      for (const x of this.closure(m)) trial.add(x)
      return trial
    }
    for (const m of candidates.slice(0, MAX_SINGLE_TRIALS)) {
      const chain = [m]
      let trial = add(withheld, m)
      for (let step = 0; step < MAX_CHAIN; step++) {
        const t = this.propagate(cells, trial)
        if (t.lo[pinned]! < t.hi[pinned]!) return chain
        const stuck = chain.find((c) => t.lo[c] === t.hi[c])
        const next = stuck === undefined ? undefined : this.reasons(stuck, trial, t)[0]
        if (next === undefined) break
        chain.push(next)
        trial = add(trial, next)
      }
    }
    const chosen: number[] = []
    let trial = withheld
    for (const m of candidates) {
      chosen.push(m)
      trial = add(trial, m)
      const t = this.propagate(cells, trial)
      if (t.lo[pinned]! < t.hi[pinned]!) break
    }
    return chosen
  }

  /** The shown cells, not withheld, behind a cell's bounds, nearest in the derivation first. */
  private reasons(from: number, withheld: Set<number>, b: Bounds): number[] {
    return this.derivation(from, b).flatMap((level) =>
      level
        .filter((m) => this.cells[m]!.kind === 'shown' && !withheld.has(m))
        // Smallest first; among equals, the cell fewest others depend on (a community's before its street's).
        .sort((x, y) => this.cells[x]!.value - this.cells[y]!.value || this.relationsOf[x]!.length - this.relationsOf[y]!.length || x - y),
    )
  }

  /** The cells behind a cell's bounds: the relations that set them, walked back level by level. */
  private derivation(from: number, b: Bounds): number[][] {
    const seen = new Set([from])
    const levels: number[][] = []
    let level = [from]
    while (level.length > 0) {
      const next: number[] = []
      for (const c of level) {
        for (const ri of [b.loBy[c]!, b.hiBy[c]!]) {
          if (ri < 0) continue
          for (const m of members(this.relations[ri]!)) {
            if (seen.has(m)) continue
            seen.add(m)
            next.push(m)
          }
        }
      }
      levels.push(next)
      level = next
    }
    return levels
  }
}
