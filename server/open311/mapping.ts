// How Outpost's requests read as Open311 GeoReport v2 (README "Open311"): one service per request
// category, the lifecycle folded into open/closed, the dispatch target as the agency, the policy's
// resolution deadline as the expected time. A GET reply carries no personal data: no reporter, no
// free text (the description is the category's name), and the place snapped to its grid.
import { CATEGORIES, isClosedStage, type Category, type DispatchTarget, type Stage } from '../../shared/domain'
import { geometryBbox } from '../../shared/domain'
import type { Policy } from '../../shared/metrics'
import type { RequestDetail } from '../../shared/schemas/requests'
import { zoneOffset } from '../../shared/time'
import type { Geography } from '../geo/geography'

/** Each category's service: its Chinese name (service_name) and an English description. */
export const SERVICES: Readonly<Record<Category, { name: string; description: string; group: string }>> = {
  environment: { name: '环境卫生', description: 'Environment and sanitation: litter, garbage, dirty public areas', group: 'environment' },
  municipal: { name: '市政设施', description: 'Municipal facilities: roads, street lights, manholes, drains', group: 'infrastructure' },
  public_order: { name: '治安秩序', description: 'Public order', group: 'safety' },
  dispute: { name: '矛盾纠纷', description: 'Disputes between neighbours or parties', group: 'community' },
  elderly_care: { name: '养老服务', description: 'Elderly care services', group: 'community' },
  property: { name: '物业管理', description: 'Property management', group: 'housing' },
  noise: { name: '噪音扰民', description: 'Noise nuisance', group: 'environment' },
  utilities: { name: '水电气暖', description: 'Water, power, gas and heating', group: 'infrastructure' },
  traffic: { name: '交通出行', description: 'Traffic and getting around', group: 'infrastructure' },
  safety_hazard: { name: '安全隐患', description: 'Safety hazards', group: 'safety' },
  other: { name: '其他', description: 'Anything else', group: 'other' },
}

export function isServiceCode(code: string): code is Category {
  return (CATEGORIES as readonly string[]).includes(code)
}

/** GET services: every category, none with extra attributes (metadata false). */
export function serviceList(): Open311Service[] {
  return CATEGORIES.map((code) => ({
    service_code: code,
    service_name: SERVICES[code].name,
    description: SERVICES[code].description,
    metadata: false,
    type: 'realtime',
    keywords: code.replace(/_/g, ' '),
    group: SERVICES[code].group,
  }))
}

export interface Open311Service {
  service_code: string
  service_name: string
  description: string
  metadata: boolean
  type: 'realtime'
  keywords: string
  group: string
}

/** status_notes: where the request stands in the lifecycle (never a person's note, which may hold personal data). */
export const STAGE_NOTES: Readonly<Record<Stage, string>> = {
  received: '已受理 (received)',
  dispatched: '已派单 (dispatched)',
  accepted: '已签收 (accepted)',
  onsite: '已到场 (on site)',
  resolved: '已办结 (resolved)',
  reviewed: '已回访 (reviewed)',
  returned: '已退单，待重新派单 (returned, to be dispatched again)',
  reopened: '重办，待重新派单 (reopened, to be dispatched again)',
}

/** open until resolved (办结); resolved and reviewed are closed. A reopened request is open again. */
export function statusOf(stage: Stage): 'open' | 'closed' {
  return isClosedStage(stage) ? 'closed' : 'open'
}

/** W3C date-time in the server's zone, with its offset: 2026-11-28T14:00:00+08:00. */
export function isoInZone(ms: number, timeZone: string): string {
  const offset = zoneOffset(ms, timeZone)
  const local = new Date(ms + offset).toISOString().slice(0, 19)
  const minutes = Math.round(offset / 60_000)
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/** What agency_responsible says of a dispatch target: a department's or pool's name, never a person's. */
export interface AgencyNames {
  department(id: string): string | undefined
  expertPool(id: string): string | undefined
}

export function agencyOf(target: DispatchTarget | string | undefined, names: AgencyNames): string | null {
  if (target === undefined || typeof target === 'string') return null
  switch (target.kind) {
    case 'worker':
      return '网格员'
    case 'department':
      return names.department(target.id) ?? '职能部门'
    case 'expert': {
      const pool = names.expertPool(target.id)
      return pool ? `专家库（${pool}）` : '专家库'
    }
  }
}

/** The target the request is with now: the latest dispatch's, unless it has come back to the center since. */
export function currentTarget(detail: Pick<RequestDetail, 'stage' | 'stages'>): DispatchTarget | string | undefined {
  if (detail.stage === 'received' || detail.stage === 'returned' || detail.stage === 'reopened') return undefined
  for (let i = detail.stages.length - 1; i >= 0; i--) {
    const step = detail.stages[i]!
    if (step.stage === 'dispatched') return step.assignee
  }
  return undefined
}

/**
 * Where a request is shown: its grid's point (inside the grid, rounded to 1e-5°) and the grid's
 * address, most specific first. A grid is a few hundred households, so a home is not pinpointed.
 */
export class GridPlaces {
  private readonly points = new Map<string, { lat: number; long: number; address: string }>()

  constructor(private readonly geography: Geography) {}

  of(gridId: string): { lat: number; long: number; address: string } {
    let place = this.points.get(gridId)
    if (!place) {
      const point = this.interiorPoint(gridId)
      const names: string[] = []
      for (let unit = this.geography.get(gridId); unit; unit = unit.parentId === null ? undefined : this.geography.get(unit.parentId)) names.push(unit.name)
      place = { lat: round5(point.lat), long: round5(point.lon), address: names.join(', ') }
      this.points.set(gridId, place)
    }
    return place
  }

  /** The box's centre when it lies in the grid, else the lattice point nearest it that does. */
  private interiorPoint(gridId: string): { lon: number; lat: number } {
    const grid = this.geography.get(gridId)
    if (!grid) return { lon: 0, lat: 0 }
    const [west, south, east, north] = geometryBbox(grid.geometry)
    const centre = { lon: (west + east) / 2, lat: (south + north) / 2 }
    if (this.geography.locate(centre)?.gridId === gridId) return centre
    const steps = 24
    let best = centre
    let bestDistance = Infinity
    for (let i = 1; i < steps; i++) {
      for (let j = 1; j < steps; j++) {
        const distance = (i - steps / 2) ** 2 + (j - steps / 2) ** 2
        if (distance >= bestDistance) continue
        const point = { lon: west + ((east - west) * i) / steps, lat: south + ((north - south) * j) / steps }
        if (this.geography.locate(point)?.gridId === gridId) {
          best = point
          bestDistance = distance
        }
      }
    }
    return best
  }
}

function round5(x: number): number {
  return Math.round(x * 1e5) / 1e5
}

/** One request as GET requests answers it (the spec's field order). */
export interface Open311Request {
  service_request_id: string
  status: 'open' | 'closed'
  status_notes: string
  service_name: string
  service_code: string
  description: string
  agency_responsible: string | null
  service_notice: string | null
  requested_datetime: string
  updated_datetime: string
  expected_datetime: string
  address: string
  address_id: string
  zipcode: null
  lat: number
  long: number
  media_url: null
}

export interface RecordContext {
  places: GridPlaces
  policy: Policy
  timeZone: string
  agency: (target: DispatchTarget | string | undefined) => string | null
}

export function requestRecord(detail: RequestDetail, context: RecordContext): Open311Request {
  const received = Date.parse(detail.receivedAt)
  const last = detail.stages.length ? Date.parse(detail.stages[detail.stages.length - 1]!.at) : received
  const deadline = received + context.policy.deadlines[detail.priority].resolutionSec * 1000
  const place = context.places.of(detail.gridId)
  const service = SERVICES[detail.category]
  return {
    service_request_id: detail.id,
    status: statusOf(detail.stage),
    status_notes: STAGE_NOTES[detail.stage],
    service_name: service.name,
    service_code: detail.category,
    // The resident's own text may name people or a home: the category's name stands in for it.
    description: service.name,
    agency_responsible: context.agency(currentTarget(detail)),
    service_notice: serviceNotice(deadline, context.timeZone),
    requested_datetime: isoInZone(received, context.timeZone),
    updated_datetime: isoInZone(Math.max(received, last), context.timeZone),
    expected_datetime: isoInZone(deadline, context.timeZone),
    address: place.address,
    address_id: detail.gridId,
    zipcode: null,
    lat: place.lat,
    long: place.long,
    media_url: null,
  }
}

export function serviceNotice(deadline: number, timeZone: string): string {
  return `办结时限 ${isoInZone(deadline, timeZone)} (to be resolved by then)`
}
