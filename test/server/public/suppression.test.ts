// The difference attack on the kiosk. Anyone can read every unit's public figures (the district,
// each street, each community) and subtract: a street's total minus its communities' shown counts
// gives back a "<5". This test plays that reader. It gathers every public answer at two moments
// (the last day of October and late November, so that it also knows what the year held before this
// month), forms every relation a reader can (a total is the sum of its parts, for each figure and
// level; handled ≤ received; month ≤ year; handled = Σ categories; participants only where there
// were activities; this November's year = October's year + this month), and propagates bounds
// through all of them until nothing moves. No withheld figure may come out as one exact number,
// and neither may a community's small category count that is not listed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { CATEGORIES } from '../../../shared/domain'
import { ACTIVITY_KINDS, type Count, type PublicStats } from '../../../shared/public'
import type { Geography } from '../../../server/geo/geography'
import { calendarWindows } from '../../../server/public/stats'
import { backfill } from '../../../server/sim/backfill'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { buildTestApp, pointIn, type TestApp } from '../../helpers/build-app'

const T = 5
// 14:00 in Shanghai on the last day of October, then on 28 November.
const OCTOBER = Date.parse('2026-10-31T06:00:00Z')
const NOVEMBER = Date.parse('2026-11-28T06:30:00Z')
/** The most participants one activity may have (CreateActivitySchema). */
const MAX_PARTICIPANTS = 100_000

/** [street, community index, category, count, resolved] */
type Batch = [string, number, string, number, boolean?]

// The issue's street: 27 received, communities 2, 5, 5, 5, 5, 5.
const ISSUE_STREET = '640106003'
const NOVEMBER_REQUESTS: Batch[] = [
  [ISSUE_STREET, 0, 'noise', 2],
  [ISSUE_STREET, 1, 'environment', 5],
  [ISSUE_STREET, 2, 'environment', 3],
  [ISSUE_STREET, 2, 'noise', 2],
  [ISSUE_STREET, 3, 'noise', 5],
  [ISSUE_STREET, 4, 'municipal', 5],
  [ISSUE_STREET, 5, 'municipal', 4],
  [ISSUE_STREET, 5, 'dispute', 1],
  // Categories alone would give one away: the street's environment total minus the other
  // communities', whose own totals are fully listed.
  ['640106004', 0, 'noise', 6],
  ['640106004', 0, 'environment', 2],
  ['640106004', 1, 'environment', 5],
  ['640106004', 2, 'noise', 5],
  ['640106004', 3, 'property', 5],
  ['640106004', 4, 'traffic', 6],
  ['640106004', 4, 'traffic', 2, false],
  // Small counts scattered, zeros beside them.
  ['640106001', 0, 'noise', 4],
  ['640106001', 1, 'property', 1],
  ['640106001', 3, 'environment', 7],
  ['640106001', 3, 'noise', 5],
  ['640106001', 4, 'traffic', 3, false],
  ['640106001', 5, 'municipal', 6],
  // One small community, all others empty.
  ['640106100', 0, 'noise', 3],
  ['640106002', 0, 'environment', 9],
]
const OCTOBER_REQUESTS: Batch[] = [
  [ISSUE_STREET, 1, 'environment', 6],
  ['640106001', 0, 'noise', 6],
  ['640106001', 4, 'traffic', 2],
  ['640106004', 0, 'noise', 1],
]
const MARCH_REQUESTS: Batch[] = [
  [ISSUE_STREET, 0, 'environment', 7],
  ['640106001', 3, 'municipal', 20],
]
/** [unit (street or community index), kind, sessions, participants each] */
type Sessions = [string, number | null, string, number, number]
const NOVEMBER_ACTIVITIES: Sessions[] = [
  [ISSUE_STREET, 0, 'senior_class', 2, 15],
  [ISSUE_STREET, 1, 'senior_class', 5, 10],
  [ISSUE_STREET, null, 'senior_class', 1, 20],
  [ISSUE_STREET, 2, 'free_haircut', 1, 8],
  ['640106001', 0, 'health_check', 6, 5],
  ['640106001', 1, 'health_check', 1, 3],
]
const OCTOBER_ACTIVITIES: Sessions[] = [['640106001', 0, 'legal_aid', 2, 4]]

type Moment = 'oct' | 'nov'

/** Everything the public side answered, at both moments, and what the reader knows besides. */
interface Readings {
  geography: Geography
  answers: Map<Moment, Map<string, PublicStats>>
  /**
   * What each street held itself, in none of its communities (`oct:<street>:act:<kind>`, `par:`):
   * a street announces its own activities, so the reader is given them.
   */
  own: Map<string, number>
}

let t: TestApp
let clock = OCTOBER
const crafted: Readings = { geography: undefined as unknown as Geography, answers: new Map(), own: new Map() }

const communityOf = (street: string, index: number) => t.geography.children(street)[index]!.id
const publicUnits = (geography: Geography) => geography.units.filter((u) => u.level !== 'grid')

async function post(url: string, payload: object) {
  const res = await t.inject({ method: 'POST', url, payload })
  if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
}

let seq = 0
async function addRequests(batches: Batch[], day: string) {
  for (const [street, index, category, n, resolved = true] of batches) {
    for (let i = 0; i < n; i++) {
      const id = `r-${seq++}`
      const at = (minute: number) => new Date(Date.parse(`${day}T02:00:00Z`) + (seq * 2 + minute) * 60_000).toISOString()
      await post('/api/v1/requests', { id, source: 'hotline', category, priority: 'general', location: pointIn(t.geography, communityOf(street, index)), receivedAt: at(0) })
      if (!resolved) continue
      await post(`/api/v1/requests/${id}/transitions`, { stage: 'dispatched', at: at(1) })
      await post(`/api/v1/requests/${id}/transitions`, { stage: 'accepted', at: at(1) })
      await post(`/api/v1/requests/${id}/transitions`, { stage: 'resolved', at: at(2) })
    }
  }
}

async function addActivities(list: Sessions[], moment: Moment, day: string) {
  for (const [street, index, kind, n, each] of list) {
    const unit = index === null ? street : communityOf(street, index)
    for (let i = 0; i < n; i++) await post('/api/v1/activities', { team: '志愿服务队', kind, unit, at: `${day}T02:00:00Z`, participants: each })
    if (index === null) {
      const key = `${moment}:${street}`
      crafted.own.set(`${key}:act:${kind}`, (crafted.own.get(`${key}:act:${kind}`) ?? 0) + n)
      crafted.own.set(`${key}:par:${kind}`, (crafted.own.get(`${key}:par:${kind}`) ?? 0) + n * each)
    }
  }
}

/** Every unit's answer, as a resident asks: no cookie, no key. */
async function readAll(app: FastifyInstance, geography: Geography): Promise<Map<string, PublicStats>> {
  const all = new Map<string, PublicStats>()
  for (const unit of publicUnits(geography)) {
    const res = await app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${unit.id}` })
    expect(res.statusCode).toBe(200)
    all.set(unit.id, res.json())
  }
  return all
}

// ---- the reader's side: generic over the answers -------------------------------------------------

interface Bounds {
  lo: number
  hi: number
}

class Reader {
  readonly bounds = new Map<string, Bounds>()
  /** Cells the answers labelled ("<5", "*"): their value must stay unknown. */
  readonly labelled = new Set<string>()
  /** Cells no answer shows (a community's unlisted categories): a small count must stay unknown. */
  readonly unlisted = new Set<string>()
  /** Cells an answer showed as exactly 0. */
  readonly zero = new Set<string>()
  readonly sums: { total: string; parts: string[] }[] = []
  readonly atMost: { small: string; big: string; factor: number }[] = []

  know(cell: string, lo: number, hi: number) {
    const b = this.bounds.get(cell) ?? { lo: 0, hi: Infinity }
    this.bounds.set(cell, { lo: Math.max(b.lo, lo), hi: Math.min(b.hi, hi) })
  }

  /** A count as an answer gave it: a number, "<T", or "*" (withheld: any number). */
  read(cell: string, count: Count) {
    if (typeof count === 'number') {
      this.know(cell, count, count)
      if (count === 0) this.zero.add(cell)
      return
    }
    this.labelled.add(cell)
    if (count === `<${T}`) this.know(cell, 0, T - 1)
    else if (count === '*') this.know(cell, 0, Infinity)
    else throw new Error(`unexpected count ${JSON.stringify(count)} for ${cell}`)
  }

  get(cell: string): Bounds {
    if (!this.bounds.has(cell)) this.bounds.set(cell, { lo: 0, hi: Infinity })
    return this.bounds.get(cell)!
  }

  /** Interval propagation through every relation, until no bound moves. */
  solve() {
    for (let pass = 0; pass < 100_000; pass++) {
      let moved = false
      const narrow = (cell: string, lo: number, hi: number) => {
        const b = this.get(cell)
        if (lo <= b.lo && hi >= b.hi) return
        b.lo = Math.max(b.lo, lo)
        b.hi = Math.min(b.hi, hi)
        moved = true
        if (b.lo > b.hi) throw new Error(`the relations contradict each other at ${cell}`)
      }
      for (const { total, parts } of this.sums) {
        const ps = parts.map((p) => this.get(p))
        const lo = ps.reduce((a, b) => a + b.lo, 0)
        narrow(total, lo, ps.reduce((a, b) => a + b.hi, 0))
        const tb = this.get(total)
        parts.forEach((p, i) => {
          // The others' largest sum, without Infinity − Infinity.
          const othersHi = ps.reduce((a, b, j) => (j === i ? a : a + b.hi), 0)
          narrow(p, tb.lo - othersHi, tb.hi - (lo - ps[i]!.lo))
        })
      }
      for (const { small, big, factor } of this.atMost) {
        narrow(small, 0, factor * this.get(big).hi)
        narrow(big, Math.ceil(this.get(small).lo / factor), Infinity)
      }
      if (!moved) return
    }
    throw new Error('no fixpoint')
  }

  /** Cells worked out exactly that should not have been. */
  leaks(): string[] {
    const found: string[] = []
    // What a count shown as 0 forces to 0 (its parts, what is at most it) is 0 for everyone: the
    // answer said it, no subtraction did.
    const zero = new Set(this.zero)
    for (let grew = true; grew; ) {
      grew = false
      const forced = [...this.sums.filter((s) => zero.has(s.total)).flatMap((s) => s.parts), ...this.atMost.filter((a) => zero.has(a.big)).map((a) => a.small)]
      for (const cell of forced) {
        if (zero.has(cell)) continue
        zero.add(cell)
        grew = true
      }
    }
    for (const cell of this.labelled) {
      const b = this.get(cell)
      if (b.lo === b.hi && !(b.lo === 0 && zero.has(cell))) found.push(`${cell} = ${b.lo}`)
    }
    for (const cell of this.unlisted) {
      const b = this.get(cell)
      if (b.lo === b.hi && b.lo > 0 && b.lo < T) found.push(`${cell} = ${b.lo} (unlisted)`)
    }
    return found
  }
}

const VOLUME = ['month.received', 'month.handled', 'year.received', 'year.handled'] as const

function volume(s: PublicStats, key: (typeof VOLUME)[number]): Count {
  const [period, figure] = key.split('.') as ['month' | 'year', 'received' | 'handled']
  return s[period][figure]
}

/** Everything a reader can derive from the answers of one moment. */
function readSnapshot(reader: Reader, readings: Readings, name: Moment) {
  const answers = readings.answers.get(name)!
  const cell = (unit: string, figure: string) => `${name}:${unit}:${figure}`
  for (const [unit, s] of answers) {
    const community = s.level === 'community'
    for (const key of VOLUME) reader.read(cell(unit, key), volume(s, key))
    const listed = new Map(s.topCategories.map((c) => [c.category, c.handled]))
    for (const category of CATEGORIES) {
      const c = cell(unit, `cat:${category}`)
      const shown = listed.get(category)
      if (shown !== undefined) reader.read(c, shown)
      else if (community) reader.unlisted.add(c)
    }
    for (const a of s.activities) {
      reader.read(cell(unit, `act:${a.kind}`), a.activities)
      reader.read(cell(unit, `par:${a.kind}`), a.participants)
      reader.atMost.push({ small: cell(unit, `par:${a.kind}`), big: cell(unit, `act:${a.kind}`), factor: MAX_PARTICIPANTS })
    }
    // Every comparison row is the same figure as that unit's own answer.
    for (const row of s.comparison.units) {
      expect(row.handled, `${name} ${unit}'s row for ${row.unit}`).toEqual(answers.get(row.unit)!.month.handled)
      reader.read(cell(row.unit, 'month.handled'), row.handled)
    }
    reader.sums.push({ total: cell(unit, 'month.handled'), parts: CATEGORIES.map((c) => cell(unit, `cat:${c}`)) })
    reader.atMost.push({ small: cell(unit, 'month.handled'), big: cell(unit, 'month.received'), factor: 1 })
    reader.atMost.push({ small: cell(unit, 'year.handled'), big: cell(unit, 'year.received'), factor: 1 })
    reader.atMost.push({ small: cell(unit, 'month.received'), big: cell(unit, 'year.received'), factor: 1 })
    reader.atMost.push({ small: cell(unit, 'month.handled'), big: cell(unit, 'year.handled'), factor: 1 })

    const children = readings.geography.children(unit).filter((c) => answers.has(c.id))
    if (children.length === 0) continue
    const figures = [...VOLUME, ...CATEGORIES.map((c) => `cat:${c}`), ...ACTIVITY_KINDS.flatMap((k) => [`act:${k}`, `par:${k}`])]
    for (const figure of figures) {
      const parts = children.map((c) => cell(c.id, figure))
      if (figure.startsWith('act:') || figure.startsWith('par:')) {
        if (s.level === 'street') {
          // Activities held by the street itself, not in any community.
          const own = cell(unit, `own-${figure}`)
          const n = readings.own.get(`${name}:${unit}:${figure}`) ?? 0
          reader.know(own, n, n)
          parts.push(own)
        }
      }
      reader.sums.push({ total: cell(unit, figure), parts })
    }
  }
}

function attack(readings: Readings, names: Moment[]): Reader {
  const reader = new Reader()
  for (const name of names) readSnapshot(reader, readings, name)
  if (names.includes('oct') && names.includes('nov')) {
    // Nothing arrived or changed between the two readings but November's own requests: this
    // year so far = this month + the year as it stood at the end of October.
    for (const unit of publicUnits(readings.geography)) {
      for (const figure of ['received', 'handled']) {
        reader.sums.push({ total: `nov:${unit.id}:year.${figure}`, parts: [`nov:${unit.id}:month.${figure}`, `oct:${unit.id}:year.${figure}`] })
      }
    }
  }
  reader.solve()
  return reader
}

/** The attack on one moment, then on both: no exact small count, and no withheld one. */
function attacksOn(readings: () => Readings) {
  it('publishes no new count beside them: a community’s street activities are the street’s own answer, cell for cell', () => {
    const r = readings()
    let communities = 0
    for (const answers of r.answers.values()) {
      for (const [unit, s] of answers) {
        const street = r.geography.get(unit)!.parentId!
        if (s.level !== 'community') {
          expect(s.activitiesArea, unit).toBeUndefined()
          continue
        }
        communities++
        expect(s.activitiesArea, unit).toEqual({ unit: street, name: r.geography.get(street)!.name, items: answers.get(street)!.activities })
        // The period and the report card carry dates and office contacts, no count.
        expect(Object.keys(s.report ?? {}).sort()).toEqual(['from', 'hotline', 'hours', 'phone', 'qrSvg'])
        expect(JSON.stringify(s.period)).toMatch(/^{"month":{"from":"\d{4}-\d\d-\d\d","to":"\d{4}-\d\d-\d\d"},"year":{"from":"[-\d]+","to":"[-\d]+"},"yearFromFirstData":(true|false)}$/)
      }
    }
    expect(communities).toBeGreaterThan(10)
  })

  it('works out no withheld count of October alone (month and year, every level and figure)', () => {
    expect(attack(readings(), ['oct']).leaks()).toEqual([])
  })

  it('works out no withheld count of November alone', () => {
    expect(attack(readings(), ['nov']).leaks()).toEqual([])
  })

  it("works out none with October's year subtracted from November's", () => {
    const reader = attack(readings(), ['oct', 'nov'])
    // A "<5" of October may turn out to have been 0 once November's year moves on: a zero
    // singles no one out. Any other October value, and everything of November, stays unknown.
    expect(reader.leaks().filter((leak) => !(leak.startsWith('oct:') && leak.endsWith(' = 0')))).toEqual([])
    // The attack is live: it has labels to work on, and it knows the district's figures.
    const district = reader.get(`nov:${readings().geography.district.id}:month.received`)
    expect(district.lo).toBe(district.hi)
    expect(reader.labelled.size).toBeGreaterThan(50)
  })
}

describe('the difference attack on crafted small counts', () => {
  beforeAll(async () => {
    t = await buildTestApp({ now: () => clock, publicThreshold: T })
    crafted.geography = t.geography
    await addRequests(MARCH_REQUESTS, '2026-03-10')
    await addRequests(OCTOBER_REQUESTS, '2026-10-12')
    await addActivities(OCTOBER_ACTIVITIES, 'oct', '2026-10-12')
    crafted.answers.set('oct', await readAll(t.app, t.geography))
    clock = NOVEMBER
    await addRequests(NOVEMBER_REQUESTS, '2026-11-10')
    await addActivities(NOVEMBER_ACTIVITIES, 'nov', '2026-11-10')
    crafted.answers.set('nov', await readAll(t.app, t.geography))
  }, 120_000)

  afterAll(async () => {
    await t?.close()
  })

  it("answers the issue's street (27 received; communities 2, 5, 5, 5, 5, 5) with the 2 and a 5 withheld", () => {
    const nov = crafted.answers.get('nov')!
    expect(nov.get(ISSUE_STREET)!.month.received).toBe(27)
    const communities = t.geography.children(ISSUE_STREET).map((c) => nov.get(c.id)!.month.received)
    // Before: "<5", 5, 5, 5, 5, 5, and 27 − 25 = 2. Now the 2 reads "*" like the 5s withheld beside
    // it (a "*" known to be 5 or more would still put it at 2 or less).
    expect(communities[0]).toBe('*')
    expect(communities.slice(1).filter((c) => c === '*').length).toBeGreaterThanOrEqual(1)
    expect(communities.slice(1).every((c) => c === '*' || c === 5)).toBe(true)
  })

  it('tells no lie: "<5" only on a count under 5, every number exact', () => {
    const truth = new Map<string, number>()
    for (const [street, index, , n] of NOVEMBER_REQUESTS) {
      const id = communityOf(street, index)
      truth.set(id, (truth.get(id) ?? 0) + n)
    }
    const labels = new Set<string>()
    for (const [unit, s] of crafted.answers.get('nov')!) {
      if (s.level !== 'community') continue
      const n = truth.get(unit) ?? 0
      const shown = s.month.received
      labels.add(typeof shown)
      if (shown === `<${T}`) expect(n, unit).toBeLessThan(T)
      else if (typeof shown === 'number') expect(shown, unit).toBe(n)
      else expect(shown, unit).toBe('*')
    }
    expect(labels).toEqual(new Set(['number', 'string']))
  })

  attacksOn(() => crafted)
})

describe('the difference attack on a simulated district (45 days)', () => {
  const simulated: Readings = { geography: undefined as unknown as Geography, answers: new Map(), own: new Map() }
  let sim: TestApp
  let simClock = OCTOBER

  beforeAll(async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    sim = await buildTestApp({ store, now: () => simClock, publicThreshold: T })
    simulated.geography = sim.geography
    await backfill({ store, geography: sim.geography, days: 45, now: NOVEMBER, seed: 11 })
    for (const [moment, at] of [['oct', OCTOBER], ['nov', NOVEMBER]] as const) {
      simClock = at
      simulated.answers.set(moment, await readAll(sim.app, sim.geography))
      const { month } = calendarWindows(at, 'Asia/Shanghai')
      for (const street of sim.geography.units.filter((u) => u.level === 'street')) {
        const total = async (id: string) => sim.store.activityTotals(sim.geography.ref(id)!, month.from, month.to)
        const own = new Map((await total(street.id)).map((a) => [a.kind, a]))
        for (const community of sim.geography.children(street.id)) {
          for (const a of await total(community.id)) {
            const o = own.get(a.kind)!
            own.set(a.kind, { ...o, activities: o.activities - a.activities, participants: o.participants - a.participants })
          }
        }
        for (const [kind, a] of own) {
          simulated.own.set(`${moment}:${street.id}:act:${kind}`, a.activities)
          simulated.own.set(`${moment}:${street.id}:par:${kind}`, a.participants)
        }
      }
    }
  }, 120_000)

  afterAll(async () => {
    await sim?.close()
  })

  attacksOn(() => simulated)
})
