// What each exported table holds: a header in the page's language and one row per item, numbers
// as numbers (percent, minutes) so that a spreadsheet can sum and sort them.
import { ONLINE_WINDOW_MS } from '../../shared/metrics'
import type { AlertItem, OverdueItem, RequestListItem, WorkerItem } from './api'
import type { CsvCell } from '../lib/csv'
import { formatDateTime, minutes, percentNumber } from '../lib/format'
import type { RankedRow } from './ranking'

/** The translator the tables need: `t` from vue-i18n fits. */
export type Translate = (key: string, named?: Record<string, unknown>) => string

export interface CsvTable {
  header: string[]
  rows: CsvCell[][]
}

export const CSV_TABLES = ['children', 'overdue', 'requests', 'workers', 'alerts'] as const
export type CsvTableName = (typeof CSV_TABLES)[number]

export function childrenTable(rows: readonly RankedRow[], t: Translate): CsvTable {
  const col = (key: string) => t(`leader.columns.${key}`)
  const pct = (key: string) => t('common.percentColumn', { name: col(key) })
  const n = (key: string) => t('common.sampleColumn', { name: col(key) })
  const min = (key: string) => t('common.minutesColumn', { name: col(key) })
  const header = [
    col('rank'),
    col('unit'),
    col('name'),
    col('requests'),
    pct('onTimeResponse'),
    n('onTimeResponse'),
    pct('resolution'),
    n('resolution'),
    pct('satisfaction'),
    n('satisfaction'),
    pct('proactive'),
    n('proactive'),
    min('responseP50'),
    min('responseP90'),
    n('responseTime'),
    min('resolutionP50'),
    min('resolutionP90'),
    n('resolutionTime'),
    col('overdueResponse'),
    col('overdueResolution'),
    col('perThousand'),
    pct('coverage'),
    col('workersOnline'),
  ]
  const body = rows.map(({ rank, unit, name, figures: f }) => [
    rank,
    unit,
    name,
    f.requests,
    percentNumber(f.onTimeResponse.value),
    f.onTimeResponse.n,
    percentNumber(f.resolution.value),
    f.resolution.n,
    percentNumber(f.satisfaction.value),
    f.satisfaction.n,
    percentNumber(f.proactive.value),
    f.proactive.n,
    minutes(f.responseTime.p50),
    minutes(f.responseTime.p90),
    f.responseTime.n,
    minutes(f.resolutionTime.p50),
    minutes(f.resolutionTime.p90),
    f.resolutionTime.n,
    f.overdue.response,
    f.overdue.resolution,
    f.perThousand === null ? null : Number(f.perThousand.toFixed(2)),
    percentNumber(f.patrol.coverage.value),
    f.patrol.workersOnline,
  ])
  return { header, rows: body }
}

export function overdueTable(items: readonly OverdueItem[], gridName: (id: string) => string, t: Translate): CsvTable {
  const col = (key: string) => t(`leader.overdue.${key}`)
  return {
    header: [col('id'), col('gridId'), col('grid'), col('priority'), col('category'), col('stage'), col('receivedAt'), col('ageHours'), col('late')],
    rows: items.map((o) => [
      o.id,
      o.gridId,
      gridName(o.gridId),
      t(`priority.${o.priority}`),
      t(`category.${o.category}`),
      t(`stage.${o.stage}`),
      formatDateTime(o.receivedAt),
      Number((o.ageSec / 3600).toFixed(1)),
      o.late.map((l) => t(`leader.late.${l}`)).join(' '),
    ]),
  }
}

export function requestsTable(items: readonly RequestListItem[], t: Translate): CsvTable {
  const col = (key: string) => t(`leader.grid.${key}`)
  return {
    header: [col('id'), col('source'), col('category'), col('priority'), col('stage'), col('stageAt'), col('receivedAt'), col('reporter'), col('phone')],
    rows: items.map((r) => [
      r.id,
      t(`source.${r.source}`),
      t(`category.${r.category}`),
      t(`priority.${r.priority}`),
      t(`stage.${r.stage}`),
      formatDateTime(r.stageAt),
      formatDateTime(r.receivedAt),
      r.reporter?.name ?? null,
      r.reporter?.phone ?? null,
    ]),
  }
}

export function isOnline(at: number, now: number): boolean {
  return now - at <= ONLINE_WINDOW_MS
}

export function workersTable(items: readonly WorkerItem[], now: number, t: Translate): CsvTable {
  const col = (key: string) => t(`leader.grid.${key}`)
  return {
    header: [col('worker'), col('kind'), col('at'), col('lon'), col('lat'), col('status')],
    rows: items.map((w) => [
      w.workerId,
      t(`patrolKind.${w.kind}`),
      formatDateTime(w.at),
      w.lon,
      w.lat,
      isOnline(w.at, now) ? col('online') : col('offline'),
    ]),
  }
}

export function alertsTable(items: readonly AlertItem[], t: Translate): CsvTable {
  const col = (key: string) => t(`leader.grid.${key}`)
  return {
    header: [col('alert'), col('kind'), col('camera'), col('confidence'), col('at'), col('lon'), col('lat'), col('verdict'), col('request')],
    rows: items.map((a) => [
      a.alertId,
      t(`alertKind.${a.kind}`),
      a.cameraId,
      percentNumber(a.confidence),
      formatDateTime(a.at),
      a.lon,
      a.lat,
      a.verdict ? t(`verdict.${a.verdict}`) : col('unreviewed'),
      a.requestId ?? null,
    ]),
  }
}
