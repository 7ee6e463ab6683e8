// The simulated district: one model of volumes, mixes, delays and walks, shared by the backfill
// (history written straight to the store) and the live simulator (events through the ingest API),
// so that yesterday's history and today's live stream look like the same place.
//
// Every draw takes an explicit PRNG: the backfill is deterministic for a seed.
import type { AlertKind, Category, DispatchTarget, LonLat, PatrolKind, Priority, Satisfaction, Source, TransitionStage, UnitPath, Verdict } from '../../shared/domain'
import { workerIdForGrid } from '../../shared/sample-geography'
import type { Review } from '../../shared/schemas/requests'
import { mulberry32 } from '../../shared/random'
import type { Camera } from '../geo/cameras'
import type { Geography } from '../geo/geography'
import { GridArea, type Rng } from './area'
import type { TargetPlan } from './targets'

// ---- randomness --------------------------------------------------------------------------------

export type { Rng }

/** The seeded PRNG of the sample geography, shared so one seed means one sequence everywhere. */
export { mulberry32 }

/** Standard normal (Box–Muller). */
export function normal(rand: Rng): number {
  const u = 1 - rand()
  const v = rand()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** Lognormal by its median: half the draws fall below `median`; `sigma` is the spread of ln x. */
export function lognormal(rand: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rand))
}

/** A lognormal draw below `max` (resampled; the rare tail that keeps missing lands uniformly below). */
function lognormalBelow(rand: Rng, median: number, sigma: number, max: number): number {
  for (let i = 0; i < 8; i++) {
    const x = lognormal(rand, median, sigma)
    if (x < max) return x
  }
  return max * rand()
}

/** Poisson count: Knuth for small means, a rounded normal for large ones. */
export function poisson(rand: Rng, mean: number): number {
  if (mean <= 0) return 0
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rand)))
  const limit = Math.exp(-mean)
  let k = 0
  let p = rand()
  while (p > limit) {
    k++
    p *= rand()
  }
  return k
}

export function chance(rand: Rng, p: number): boolean {
  return rand() < p
}

export function intBetween(rand: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1))
}

export function pick<T>(rand: Rng, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!
}

/** Weighted choice over `[value, weight]` pairs (weights need not sum to 1). */
export type Weights<T> = readonly (readonly [T, number])[]

export function pickWeighted<T>(rand: Rng, weights: Weights<T>): T {
  let total = 0
  for (const [, w] of weights) total += w
  let r = rand() * total
  for (const [value, w] of weights) {
    r -= w
    if (r < 0) return value
  }
  return weights[weights.length - 1]![0]
}

// ---- time --------------------------------------------------------------------------------------

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
/** The district keeps Beijing time (UTC+8, no daylight saving). */
export const LOCAL_OFFSET_MS = 8 * HOUR

export function localHour(ms: number): number {
  return Math.floor((((ms + LOCAL_OFFSET_MS) % DAY) + DAY) % DAY / HOUR)
}

/** Service requests by local hour: quiet at night, peaks 9–11 h and 14–17 h. */
const REQUEST_HOUR_WEIGHTS = [
  0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.5, 1.2, 2.2, 3.0, 3.2, 2.8,
  1.6, 1.5, 2.6, 2.9, 2.8, 2.4, 1.6, 1.2, 1.0, 0.8, 0.5, 0.3,
] as const
/** Camera alerts are flatter: e-bikes come home and batteries are charged in the evening. */
const ALERT_HOUR_WEIGHTS = [
  0.6, 0.5, 0.4, 0.4, 0.4, 0.5, 0.7, 1.0, 1.2, 1.1, 1.0, 1.0,
  1.1, 1.0, 1.0, 1.0, 1.1, 1.3, 1.6, 1.8, 1.8, 1.6, 1.2, 0.8,
] as const

function shares(weights: readonly number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0)
  return weights.map((w) => w / total)
}

const REQUEST_HOUR_SHARE = shares(REQUEST_HOUR_WEIGHTS)
const ALERT_HOUR_SHARE = shares(ALERT_HOUR_WEIGHTS)

/**
 * Requests reported by people (hotline, chat, app, QR, walk-in, patrol) per day. Confirmed camera
 * alerts add about 20 more, so the district sees about 400 a day, 5 % of them from cameras.
 */
export const REPORTED_REQUESTS_PER_DAY = 380
export const ALERTS_PER_DAY = 30

/** Expected reported requests per millisecond at time `ms`. */
export function requestRate(ms: number): number {
  return (REPORTED_REQUESTS_PER_DAY * REQUEST_HOUR_SHARE[localHour(ms)]!) / HOUR
}

/** Expected camera alerts per millisecond at time `ms`. */
export function alertRate(ms: number): number {
  return (ALERTS_PER_DAY * ALERT_HOUR_SHARE[localHour(ms)]!) / HOUR
}

// ---- the district ------------------------------------------------------------------------------

/** A street whose name ends so is a town or township (镇, 乡; 苏木 in Inner Mongolia): rural, with village grids. */
const TOWN_NAME = /(镇|乡|苏木)$/

export function isTownName(name: string): boolean {
  return TOWN_NAME.test(name.trim())
}

/** The sample's towns, 良田镇 and 丰登镇 (found by name like any district's). */
export const TOWN_STREET_IDS: ReadonlySet<string> = new Set(['640106100', '640106101'])

export interface SimGrid {
  id: string
  path: UnitPath
  /** Where points are drawn and walks go: inside the grid's polygons, clear of their edges. */
  area: GridArea
  population: number
  town: boolean
  workerId: string
}

export interface SimCamera {
  id: string
  grid: SimGrid
  lon: number
  lat: number
  /** From the center's registry (OUTPOST_CAMERAS): its alerts may leave the location to the server. */
  registered: boolean
}

export interface District {
  grids: readonly SimGrid[]
  cameras: readonly SimCamera[]
  /** A grid, weighted by population. */
  pickGrid(rand: Rng): SimGrid
  pickCamera(rand: Rng): SimCamera
}

/**
 * Grids, their workers and the cameras of the 雪亮工程 network: the registered ones when there are
 * any, else a few per grid placed from `seed`.
 */
export function buildDistrict(geography: Geography, seed: number, registered: readonly Camera[] = []): District {
  const rand = mulberry32(seed ^ 0x5eed)
  const grids: SimGrid[] = []
  const byId = new Map<string, SimGrid>()
  for (const unit of geography.units) {
    if (unit.level !== 'grid') continue
    const path = geography.pathOf(unit.id)
    if (!path) continue
    const grid: SimGrid = {
      id: unit.id,
      path,
      area: new GridArea(unit.geometry, (point) => geography.locate(point)?.gridId === unit.id),
      population: unit.population ?? 1000,
      town: isTownName(geography.get(path.streetId)?.name ?? ''),
      workerId: workerIdForGrid(unit.id),
    }
    grids.push(grid)
    byId.set(grid.id, grid)
  }
  if (grids.length === 0) throw new Error('simulator: the geography has no grids')
  const cumulative: number[] = []
  let total = 0
  for (const g of grids) cumulative.push((total += Math.max(1, g.population)))

  const cameras: SimCamera[] = []
  for (const camera of registered) {
    const gridId = geography.locate(camera)?.gridId
    const grid = gridId === undefined ? undefined : byId.get(gridId)
    if (!grid) throw new Error(`simulator: camera ${camera.id} (${camera.lon}, ${camera.lat}) lies outside every grid of ${geography.district.name}`)
    cameras.push({ id: camera.id, grid, lon: camera.lon, lat: camera.lat, registered: true })
  }
  if (cameras.length === 0) {
    // Housing estates have more cameras than villages; each camera stays where it was put.
    for (const grid of grids) {
      const n = grid.town ? 1 : intBetween(rand, 2, 3)
      for (let i = 1; i <= n; i++) cameras.push({ id: `cam-${grid.id}-${i}`, grid, ...randomPointIn(rand, grid.area), registered: false })
    }
  }

  return {
    grids,
    cameras,
    pickGrid(r) {
      const x = r() * total
      let lo = 0
      let hi = cumulative.length - 1
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (cumulative[mid]! > x) hi = mid
        else lo = mid + 1
      }
      return grids[lo]!
    },
    pickCamera: (r) => pick(r, cameras),
  }
}

/** A point inside the grid, clear of its edges (see GridArea). */
export function randomPointIn(rand: Rng, area: GridArea): LonLat {
  return area.randomPoint(rand)
}

/** 1e-7° is about 1 cm; the ingest API rounds the same way. */
export function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7
}

// ---- what a request is -------------------------------------------------------------------------

/** Camera requests come only from confirmed alerts, so they are not drawn here. */
const SOURCE_WEIGHTS: Weights<Source> = [
  ['hotline', 40],
  ['grid_chat', 20],
  ['app', 15],
  ['qr', 5],
  ['walk_in', 5],
  ['patrol', 10],
]

/** Villages: roads, ditches, straw burning, land and family disputes. */
const TOWN_CATEGORY_WEIGHTS: Weights<Category> = [
  ['environment', 22],
  ['utilities', 15],
  ['dispute', 15],
  ['municipal', 10],
  ['safety_hazard', 8],
  ['public_order', 6],
  ['traffic', 6],
  ['elderly_care', 6],
  ['noise', 4],
  ['property', 3],
  ['other', 5],
]

/** Housing estates: property management, neighbours, an ageing population, streets and lamps. */
const URBAN_CATEGORY_WEIGHTS: Weights<Category> = [
  ['property', 20],
  ['noise', 14],
  ['municipal', 14],
  ['elderly_care', 12],
  ['environment', 10],
  ['utilities', 8],
  ['dispute', 6],
  ['public_order', 6],
  ['traffic', 5],
  ['safety_hazard', 3],
  ['other', 2],
]

/**
 * Priority depends on what the request is about (a burst pipe is "utilities", a family dispute
 * may be "complex"); the tables are tuned so that the district overall sees about urgent 5 %,
 * utilities 20 %, general 65 %, complex 10 %.
 */
const PRIORITY_WEIGHTS: Partial<Record<Category, Weights<Priority>>> = {
  utilities: [['utilities', 85], ['urgent', 8], ['general', 7]],
  municipal: [['utilities', 35], ['urgent', 4], ['general', 55], ['complex', 6]],
  safety_hazard: [['urgent', 25], ['utilities', 10], ['general', 55], ['complex', 10]],
  dispute: [['general', 65], ['complex', 33], ['urgent', 2]],
  property: [['general', 72], ['utilities', 14], ['complex', 12], ['urgent', 2]],
}
const DEFAULT_PRIORITY_WEIGHTS: Weights<Priority> = [['urgent', 4], ['utilities', 10], ['general', 78], ['complex', 8]]

const SURNAMES = [
  '王', '李', '张', '刘', '陈', '杨', '马', '赵', '黄', '周', '吴', '徐', '孙', '朱', '胡',
  '郭', '何', '高', '林', '罗', '丁', '海', '纳', '韩', '田', '白', '冯', '苏', '金', '贺',
] as const
const GIVEN_CHARS = [
  '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明',
  '超', '秀', '霞', '平', '刚', '桂', '英', '华', '建', '国', '兰', '玉', '梅', '东', '文',
  '红', '福', '生', '海', '燕', '萍', '宁', '鹏', '辉', '慧',
] as const

export function chineseName(rand: Rng): string {
  const given = chance(rand, 0.6) ? pick(rand, GIVEN_CHARS) + pick(rand, GIVEN_CHARS) : pick(rand, GIVEN_CHARS)
  return pick(rand, SURNAMES) + given
}

/** A mainland mobile number: 1, then 3–9, then nine digits. */
export function mobilePhone(rand: Rng): string {
  let s = `1${intBetween(rand, 3, 9)}`
  for (let i = 0; i < 9; i++) s += String(Math.floor(rand() * 10))
  return s
}

const DESCRIPTIONS: Record<Category, readonly string[]> = {
  environment: [
    '垃圾堆放多日无人清运，气味很大',
    '绿化带里有大量建筑垃圾',
    '路边有人焚烧秸秆，烟很大',
    '排水沟堵塞，污水外溢',
    '流浪犬在附近聚集，居民害怕',
  ],
  municipal: [
    '路灯不亮已经一周了',
    '人行道砖松动，老人容易绊倒',
    '井盖破损，存在安全隐患',
    '雨后路面积水严重，无法通行',
    '公交站牌被撞坏',
  ],
  public_order: [
    '夜间有人在楼下聚集饮酒喧哗',
    '有陌生人挨家挨户推销，疑似诈骗',
    '小区门禁损坏，外来人员随意进出',
    '车辆被人划伤，请求查看监控',
  ],
  dispute: [
    '邻居楼上漏水，协商不成',
    '承包地边界有争议，需要调解',
    '与装修公司因工程款发生纠纷',
    '家庭赡养问题，老人求助',
    '农民工工资被拖欠，请求协调',
  ],
  elderly_care: [
    '独居老人多日未见出门，请网格员上门看看',
    '咨询高龄津贴怎么申请',
    '希望社区助餐点增加送餐服务',
    '老人行动不便，需要上门办理业务',
  ],
  property: [
    '电梯经常停运，物业迟迟不修',
    '物业费上涨未经业主同意',
    '楼道堆放杂物，物业不清理',
    '小区车位被长期占用',
    '单元门禁坏了很久没人管',
  ],
  noise: [
    '夜间施工噪音扰民',
    '广场舞音响声音太大',
    '楼上装修周末也在施工',
    '商铺外放音乐声音过大',
  ],
  utilities: [
    '家中停水，没有接到通知',
    '暖气不热，室温偏低',
    '燃气表异常，担心漏气',
    '小区频繁停电',
    '自来水发黄，有异味',
  ],
  traffic: [
    '路口红绿灯故障',
    '学校门口接送车辆拥堵',
    '非机动车道被机动车占用',
    '村道有大坑，车辆通行困难',
  ],
  safety_hazard: [
    '楼道内有人给电动车充电',
    '空调外机支架锈蚀，有坠落危险',
    '消防通道被车辆堵塞',
    '废弃房屋墙体开裂，有倒塌风险',
  ],
  other: ['咨询办事流程', '建议增设健身器材', '反映快递柜收费问题'],
}

export interface RequestDraft {
  source: Source
  category: Category
  priority: Priority
  description?: string
  reporter?: { name: string; phone: string }
}

/** A reported (non-camera) request in `grid`: source, category by area, priority, text, reporter. */
export function drawRequest(rand: Rng, grid: SimGrid): RequestDraft {
  const source = pickWeighted(rand, SOURCE_WEIGHTS)
  const category = pickWeighted(rand, grid.town ? TOWN_CATEGORY_WEIGHTS : URBAN_CATEGORY_WEIGHTS)
  const priority = pickWeighted(rand, PRIORITY_WEIGHTS[category] ?? DEFAULT_PRIORITY_WEIGHTS)
  const draft: RequestDraft = { source, category, priority }
  const place = grid.town ? `${intBetween(rand, 1, 12)}组` : `${intBetween(rand, 1, 36)}号楼`
  draft.description = `${place}${pick(rand, DESCRIPTIONS[category])}`
  if (source === 'hotline' || source === 'app') draft.reporter = { name: chineseName(rand), phone: mobilePhone(rand) }
  return draft
}

// ---- the lifecycle -----------------------------------------------------------------------------

/** What the sim's workers aim at: the published 12345 limits (响应 / 办结). */
export const RESPONSE_TARGET_MS: Readonly<Record<Priority, number>> = {
  urgent: 30 * MINUTE,
  utilities: 2 * HOUR,
  general: 2 * HOUR,
  complex: 2 * HOUR,
}
export const RESOLUTION_TARGET_MS: Readonly<Record<Priority, number>> = {
  urgent: 2 * HOUR,
  utilities: 24 * HOUR,
  general: 7 * DAY,
  complex: 15 * DAY,
}

/** Share of requests answered after the response limit. */
const LATE_RESPONSE = 0.08
/** Share resolved after the resolution limit, by priority. */
const LATE_RESOLUTION: Readonly<Record<Priority, number>> = { urgent: 0.12, utilities: 0.08, general: 0.05, complex: 0.07 }
/** Typical resolution time as a fraction of the limit, by priority. */
const RESOLUTION_MEDIAN_FRACTION: Readonly<Record<Priority, number>> = { urgent: 0.45, utilities: 0.3, general: 0.12, complex: 0.15 }
const RETURNED = 0.03
/** Requests settled by phone or online: no 到场. */
const NO_ONSITE = 0.15
const REVIEWED = 0.95

export interface LifecycleStep {
  stage: TransitionStage
  /** Milliseconds after the request was received; never decreasing along a plan. */
  offset: number
  /** On each `dispatched`: the grid's worker (the simulator may send it elsewhere, see targets.ts). */
  assignee?: DispatchTarget
  note?: string
  review?: Review
}

/**
 * A step of the backfilled history that falls after its `now`. Handed to the live simulator
 * (`resume`), it keeps the requests the backfill left open moving instead of leaving them open
 * for ever.
 */
export type PendingStep =
  | {
      type: 'transition'
      /** Epoch ms when it would have happened. */
      at: number
      requestId: string
      stage: TransitionStage
      assignee?: DispatchTarget
      note?: string
      review?: Review
      /** How a `dispatched` picks its target when it happens (the rota of that moment). */
      plan?: TargetPlan
      /** The request's receipt and priority: what its deadlines run from. */
      receivedAt?: number
      priority?: Priority
    }
  | {
      type: 'review'
      at: number
      alertId: string
      verdict: Verdict
      /** For a confirmed alert: the raised request's priority (as the API will set it) and assignee. */
      raise?: { priority: Priority; assignee: DispatchTarget; plan?: TargetPlan }
    }

/** A 回访: ~93 % resolved; ~85 % satisfied, ~10 % basically satisfied, ~5 % dissatisfied overall. */
export function drawReview(rand: Rng): Review {
  const resolved = chance(rand, 0.93)
  const satisfaction: Satisfaction = resolved
    ? pickWeighted(rand, [['satisfied', 0.899], ['basically_satisfied', 0.0773], ['dissatisfied', 0.0237]] as const)
    : pickWeighted(rand, [['satisfied', 0.2], ['basically_satisfied', 0.4], ['dissatisfied', 0.4]] as const)
  return { resolved, satisfaction }
}

/**
 * Every transition a request will go through, as offsets from its receipt. Callers drop the steps
 * that lie in the future (backfill) or schedule them, compressed by the speed (live).
 */
export function planLifecycle(rand: Rng, priority: Priority, assignee: DispatchTarget): LifecycleStep[] {
  const steps: LifecycleStep[] = []
  let t = 0
  const add = (stage: TransitionStage, at: number, extra?: Omit<LifecycleStep, 'stage' | 'offset'>) => {
    t = Math.max(t, Math.round(at))
    steps.push({ stage, offset: t, ...extra })
  }
  const urgent = priority === 'urgent'

  // 派单: the center reads the request and sends it to the grid.
  add('dispatched', lognormal(rand, urgent ? 2 * MINUTE : 6 * MINUTE, 0.9), { assignee })
  if (chance(rand, RETURNED)) {
    // 退单: not the grid's business as written; the center clarifies and dispatches again.
    add('returned', t + lognormal(rand, 30 * MINUTE, 0.8), { note: '事项不属于本网格职责，退回中心' })
    add('dispatched', t + lognormal(rand, 20 * MINUTE, 0.8), { assignee })
  }

  // 签收: measured against the response limit, from receipt.
  const responseLimit = RESPONSE_TARGET_MS[priority]
  const response = chance(rand, LATE_RESPONSE)
    ? responseLimit * (1.05 + lognormal(rand, 0.3, 0.8))
    : lognormalBelow(rand, 0.3, 0.7, 0.97) * responseLimit
  add('accepted', Math.max(response, t + lognormal(rand, 3 * MINUTE, 0.7)))

  if (!chance(rand, NO_ONSITE)) add('onsite', t + lognormal(rand, urgent ? 12 * MINUTE : 40 * MINUTE, 0.7))

  // 办结: measured against the resolution limit, from receipt; never before the work is done.
  const resolutionLimit = RESOLUTION_TARGET_MS[priority]
  const resolution = chance(rand, LATE_RESOLUTION[priority])
    ? resolutionLimit * (1.02 + lognormal(rand, 0.15, 0.8))
    : lognormalBelow(rand, RESOLUTION_MEDIAN_FRACTION[priority], 0.9, 0.98) * resolutionLimit
  add('resolved', Math.max(resolution, t + lognormal(rand, 25 * MINUTE, 0.8)))

  if (!chance(rand, REVIEWED)) return steps
  // 回访: a day or two later, by phone.
  const review = drawReview(rand)
  add('reviewed', t + lognormal(rand, 26 * HOUR, 0.4), { review })
  const unhappy = !review.resolved || review.satisfaction === 'dissatisfied'
  if (!chance(rand, unhappy ? 0.18 : 0.005)) return steps

  // 重办: the review found it wanting; a second, quicker round.
  add('reopened', t + lognormal(rand, 3 * HOUR, 0.7), { note: '回访不满意，重新办理' })
  add('dispatched', t + lognormal(rand, 20 * MINUTE, 0.8), { assignee })
  add('accepted', t + lognormal(rand, 30 * MINUTE, 0.8))
  add('onsite', t + lognormal(rand, 2 * HOUR, 0.8))
  add('resolved', t + lognormal(rand, Math.min(resolutionLimit * 0.1, 2 * DAY), 0.8))
  if (chance(rand, 0.85)) {
    add('reviewed', t + lognormal(rand, 26 * HOUR, 0.4), {
      review: { resolved: chance(rand, 0.9), satisfaction: pickWeighted(rand, [['satisfied', 0.7], ['basically_satisfied', 0.2], ['dissatisfied', 0.1]] as const) },
    })
  }
  return steps
}

/** Share of the requests a plan lets go late that the center urges (督办) once the deadline has passed. */
const URGED = 0.6

/**
 * When (ms after receipt) the center urges a request its plan answers or resolves after the limit:
 * a while after the limit, before the late step; undefined for most requests.
 */
export function planUrge(rand: Rng, priority: Priority, steps: readonly LifecycleStep[]): number | undefined {
  const accepted = steps.find((step) => step.stage === 'accepted')
  const resolved = steps.find((step) => step.stage === 'resolved')
  let limit: number
  let late: number
  if (accepted && accepted.offset > RESPONSE_TARGET_MS[priority]) {
    limit = RESPONSE_TARGET_MS[priority]
    late = accepted.offset
  } else if (resolved && resolved.offset > RESOLUTION_TARGET_MS[priority]) {
    limit = RESOLUTION_TARGET_MS[priority]
    late = resolved.offset
  } else {
    return undefined
  }
  if (!chance(rand, URGED)) return undefined
  const at = Math.round(limit + lognormal(rand, 15 * MINUTE, 0.6))
  return at < late ? at : undefined
}

// ---- camera alerts -----------------------------------------------------------------------------

const ALERT_KIND_WEIGHTS: Weights<AlertKind> = [
  ['flying_wire_charging', 30],
  ['ebike_in_elevator', 28],
  ['high_altitude_throwing', 12],
  ['manhole_anomaly', 12],
  ['crowd_gathering', 10],
  ['smoke_fire', 8],
]

export { ALERT_RAISES } from '../../shared/domain'

export interface AlertDraft {
  kind: AlertKind
  /** Two decimals, 0.50–0.99. */
  confidence: number
  falsePositive: boolean
  /** From the alert to the operator's verdict. */
  reviewDelay: number
}

/** ~35 % false positives overall, most of them at low confidence. */
export function drawAlert(rand: Rng): AlertDraft {
  const kind = pickWeighted(rand, ALERT_KIND_WEIGHTS)
  const confidence = Math.round((0.5 + rand() * 0.49) * 100) / 100
  const pFalse = Math.max(0.02, 0.7 - 1.4 * (confidence - 0.5))
  return { kind, confidence, falsePositive: chance(rand, pFalse), reviewDelay: lognormal(rand, 4 * MINUTE, 0.7) }
}

// ---- patrols -----------------------------------------------------------------------------------

export const PATROL_START_HOUR = 8
export const PATROL_END_HOUR = 18
const WALK_SPEED = 1.1 // m/s while walking
const METRES_PER_DEGREE = 111_320

/** A worker walking from waypoint to waypoint inside the grid, stopping now and then. */
export interface Walker {
  lon: number
  lat: number
  targetLon: number
  targetLat: number
  /** Milliseconds of standing still left (a chat at a door, a visit). */
  pause: number
}

export function createWalker(rand: Rng, area: GridArea): Walker {
  const start = randomPointIn(rand, area)
  const target = nextWaypoint(rand, area, start)
  return { lon: start.lon, lat: start.lat, targetLon: target.lon, targetLat: target.lat, pause: 0 }
}

/** Waypoints drawn before a worker in a tangled grid stays put for a while. */
const WAYPOINT_TRIES = 16

/**
 * Where to walk next: a point the straight line reaches without leaving the grid. In a rectangle
 * any point will do (the sample's draws stay as they were); where none is found, `from` itself.
 */
function nextWaypoint(rand: Rng, area: GridArea, from: LonLat): LonLat {
  if (area.isRect) return randomPointIn(rand, area)
  for (let i = 0; i < WAYPOINT_TRIES; i++) {
    const point = randomPointIn(rand, area)
    if (area.clearPath(from, point)) return point
  }
  return { lon: from.lon, lat: from.lat }
}

/** Move `walker` through `elapsed` ms of (simulated) time; it never leaves its grid. */
export function walk(rand: Rng, walker: Walker, area: GridArea, elapsed: number): void {
  const rect = area.rect
  let budget = elapsed
  for (let guard = 0; budget > 0 && guard < 64; guard++) {
    if (walker.pause > 0) {
      const still = Math.min(walker.pause, budget)
      walker.pause -= still
      budget -= still
      continue
    }
    const cos = Math.cos((walker.lat * Math.PI) / 180)
    const dx = (walker.targetLon - walker.lon) * METRES_PER_DEGREE * cos
    const dy = (walker.targetLat - walker.lat) * METRES_PER_DEGREE
    const dist = Math.hypot(dx, dy)
    const reach = (WALK_SPEED * budget) / 1000
    if (reach < dist) {
      walker.lon += (walker.targetLon - walker.lon) * (reach / dist)
      walker.lat += (walker.targetLat - walker.lat) * (reach / dist)
      break
    }
    budget -= (dist / WALK_SPEED) * 1000
    walker.lon = walker.targetLon
    walker.lat = walker.targetLat
    const next = nextWaypoint(rand, area, walker)
    walker.targetLon = next.lon
    walker.targetLat = next.lat
    if (next.lon === walker.lon && next.lat === walker.lat) {
      // Nowhere to go in a straight line from here: a long stop, then another try.
      walker.pause = Math.max(walker.pause, 15 * MINUTE)
      continue
    }
    if (chance(rand, 0.5)) walker.pause = lognormal(rand, 4 * MINUTE, 0.8)
  }
  walker.lon = Math.min(rect.maxLon, Math.max(rect.minLon, walker.lon))
  walker.lat = Math.min(rect.maxLat, Math.max(rect.minLat, walker.lat))
}

/** Per hour on duty: a few check-ins (打卡) and household visits (入户走访) a day. */
const CHECK_INS_PER_HOUR = 0.1
const VISITS_PER_HOUR = 0.35

/** The kind of a report covering `elapsed` ms of patrol; a visit keeps the worker at the door. */
export function patrolKind(rand: Rng, walker: Walker, elapsed: number): PatrolKind {
  const r = rand()
  const hours = elapsed / HOUR
  if (r < VISITS_PER_HOUR * hours) {
    walker.pause = Math.max(walker.pause, lognormal(rand, 15 * MINUTE, 0.5))
    return 'visit'
  }
  if (r < (VISITS_PER_HOUR + CHECK_INS_PER_HOUR) * hours) return 'check_in'
  return 'ping'
}
