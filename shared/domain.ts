// The governance domain: geography, the three event streams and the request lifecycle.
// Pure data and functions; imported by the client, the server and the tests alike.

/** 区 → 街道/镇 → 社区/村 → 网格 */
export const UNIT_LEVELS = ['district', 'street', 'community', 'grid'] as const
export type UnitLevel = (typeof UNIT_LEVELS)[number]

/** A GeoJSON Polygon's coordinates: [outer ring, ...holes], each ring closed, WGS84 [lon, lat]. */
export type PolygonCoords = [number, number][][]

/** A unit's shape: one polygon, or several parts (an exclave, an island) as a MultiPolygon. */
export type UnitGeometry = { type: 'Polygon'; coordinates: PolygonCoords } | { type: 'MultiPolygon'; coordinates: PolygonCoords[] }

/** The polygons of a geometry, one for a Polygon and each part of a MultiPolygon. */
export function polygonsOf(geometry: UnitGeometry): PolygonCoords[] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
}

/** [west, south, east, north] over every part's outer ring. */
export function geometryBbox(geometry: UnitGeometry): [number, number, number, number] {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const polygon of polygonsOf(geometry)) {
    for (const [x, y] of polygon[0] ?? []) {
      if (x < minX) minX = x
      if (y < minY) minY = y
      if (x > maxX) maxX = x
      if (y > maxY) maxY = y
    }
  }
  return [minX, minY, maxX, maxY]
}

export interface GeoUnit {
  id: string
  level: UnitLevel
  parentId: string | null
  name: string
  geometry: UnitGeometry
  population?: number
  households?: number
}

export const DISTRICT_ID = '640106'

/** The center's time zone: clocks, day boundaries and "today" (OUTPOST_TZ on the server). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai'

/** Where a request came from. 12345 热线, 网格群, 居民端, 扫码, 来访, 巡查发现, 视频发现. */
export const SOURCES = ['hotline', 'grid_chat', 'app', 'qr', 'walk_in', 'patrol', 'camera'] as const
export type Source = (typeof SOURCES)[number]

/** 紧急 / 水电气热 / 一般 / 复杂: the priority decides the deadlines (时限). */
export const PRIORITIES = ['urgent', 'utilities', 'general', 'complex'] as const
export type Priority = (typeof PRIORITIES)[number]

export const CATEGORIES = [
  'environment', // 环境卫生
  'municipal', // 市政设施
  'public_order', // 治安秩序
  'dispute', // 矛盾纠纷
  'elderly_care', // 养老服务
  'property', // 物业管理
  'noise', // 噪音扰民
  'utilities', // 水电气暖
  'traffic', // 交通出行
  'safety_hazard', // 安全隐患
  'other',
] as const
export type Category = (typeof CATEGORIES)[number]

/** Lifecycle stages that a transition can move a request to. `received` (受理) is the creation itself. */
export const TRANSITION_STAGES = ['dispatched', 'accepted', 'onsite', 'resolved', 'reviewed', 'returned', 'reopened'] as const
export type TransitionStage = (typeof TRANSITION_STAGES)[number]
export const STAGES = ['received', ...TRANSITION_STAGES] as const
export type Stage = (typeof STAGES)[number]

/**
 * 受理 → 派单 → 签收 → 到场 → 办结 → 回访, with 退单 (returned: the assignee hands it back to the
 * center, which dispatches again) and 重办 (reopened: a resolution or a review found wanting).
 */
export const NEXT_STAGES: Readonly<Record<Stage, readonly TransitionStage[]>> = {
  received: ['dispatched'],
  dispatched: ['accepted', 'returned'],
  accepted: ['onsite', 'resolved', 'returned'],
  onsite: ['resolved', 'returned'],
  resolved: ['reviewed', 'reopened'],
  reviewed: ['reviewed', 'reopened'],
  returned: ['dispatched'],
  reopened: ['dispatched'],
}

export function allowedNextStages(current: Stage): readonly TransitionStage[] {
  return NEXT_STAGES[current]
}

/** Stages after which a request is no longer "open" on the wall. */
export function isClosedStage(stage: Stage): boolean {
  return stage === 'resolved' || stage === 'reviewed'
}

export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const
export type Satisfaction = (typeof SATISFACTIONS)[number]

/** 雪亮工程 AI: 高空抛物, 电动车进电梯, 飞线充电, 井盖异常, 烟火, 人员聚集. */
export const ALERT_KINDS = [
  'high_altitude_throwing',
  'ebike_in_elevator',
  'flying_wire_charging',
  'manhole_anomaly',
  'smoke_fire',
  'crowd_gathering',
] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

/** What a confirmed alert becomes as a service request (视频发现): its category and priority. */
export const ALERT_RAISES: Readonly<Record<AlertKind, { category: Category; priority: Priority }>> = {
  high_altitude_throwing: { category: 'safety_hazard', priority: 'general' },
  ebike_in_elevator: { category: 'safety_hazard', priority: 'general' },
  flying_wire_charging: { category: 'safety_hazard', priority: 'general' },
  manhole_anomaly: { category: 'municipal', priority: 'utilities' },
  smoke_fire: { category: 'safety_hazard', priority: 'urgent' },
  crowd_gathering: { category: 'public_order', priority: 'urgent' },
}

export const VERDICTS = ['confirmed', 'false_positive'] as const
export type Verdict = (typeof VERDICTS)[number]

/** 网格员巡查: a position ping, a check-in at a point, a household visit (入户走访). */
export const PATROL_KINDS = ['ping', 'check_in', 'visit'] as const
export type PatrolKind = (typeof PATROL_KINDS)[number]

export const CRS_NAMES = ['wgs84', 'gcj02', 'bd09'] as const
export type Crs = (typeof CRS_NAMES)[number]

export interface LonLat {
  lon: number
  lat: number
}

/** Parent chain of a grid: what a live event needs to reach every room above it. */
export interface UnitPath {
  districtId: string
  streetId: string
  communityId: string
  gridId: string
}

/**
 * Who did a step: a person logged in (their username) or an ingest key (the source system it was
 * issued to). Events written before actors were recorded have none.
 */
export type Actor = { kind: 'user'; name: string } | { kind: 'key'; source: string }

/** Whom a request is dispatched to (派单对象): a grid worker, a department on rota, an expert. */
export const TARGET_KINDS = ['worker', 'department', 'expert'] as const
export type TargetKind = (typeof TARGET_KINDS)[number]
export interface DispatchTarget {
  kind: TargetKind
  id: string
}

/** 住建, 城管, 自然资源, 公安, 司法, 水务, 供电, 市场监管, 卫健, 民政, and any other. */
export const DEPARTMENT_KINDS = [
  'housing',
  'urban_management',
  'natural_resources',
  'public_security',
  'justice',
  'water',
  'power',
  'market_regulation',
  'health',
  'civil_affairs',
  'other',
] as const
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number]

/** 法律, 心理, 调解, 医疗, 养老, and any other: the pools residents can be referred to. */
export const EXPERT_POOLS = ['legal', 'psychological', 'mediation', 'medical', 'elderly_care', 'other'] as const
export type ExpertPool = (typeof EXPERT_POOLS)[number]

/** ISO weekdays: 1 is Monday, 7 Sunday (in the center's time zone). */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7

/** What raises an alarm that stays on the wall until a person acknowledges it. */
export const ALARM_REASONS = ['urgent_request', 'camera_alert', 'overdue'] as const
export type AlarmReason = (typeof ALARM_REASONS)[number]

/** An alarm's id from what raised it: one alarm per cause, so raising it again is a no-op. */
export function alarmIdOf(reason: AlarmReason, subjectId: string): string {
  return `${reason === 'urgent_request' ? 'urgent' : reason === 'camera_alert' ? 'alert' : 'overdue'}:${subjectId}`
}
