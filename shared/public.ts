// The public contract: what the kiosk (and anyone without a login) may read. Aggregates only,
// never an event, a person or a free text; small counts suppressed. Typed once for both sides.
import type { Ack } from './events'

/** The Socket.IO namespace of the kiosk: no login, sanitised aggregates only (never `/live`). */
export const PUBLIC_NAMESPACE = '/public'

/** `GET /api/v1/public/stats?unit=<street or community id>` (no login) answers a `PublicStats`. */
export const PUBLIC_STATS_PATH = '/api/v1/public/stats'

/** Community service activities (便民服务活动): 银龄学堂, 爱心义剪, 免费体检, 法律咨询, 矛盾调解, 志愿服务. */
export const ACTIVITY_KINDS = ['senior_class', 'free_haircut', 'health_check', 'legal_aid', 'mediation', 'volunteering'] as const
export type ActivityKind = (typeof ACTIVITY_KINDS)[number]

/**
 * A count withheld so that no small count can be worked out by subtraction (a street's total minus
 * its other communities, say): one that would give a small one away, or a small one itself beside
 * such (read as `"<N>"` there, it would be bounded by the others). It stands for any number.
 */
export const WITHHELD = '*'

/**
 * A count; `"<N>"` (N = `PublicStats.threshold`, default 5) where a count under the threshold is
 * suppressed at community level, so that no one can be singled out (`'<5'` is one such value); or
 * `WITHHELD`.
 */
export type Count = number | `<${number}` | typeof WITHHELD

export interface PublicVolume {
  received: Count
  /** Resolved (办结). */
  handled: Count
}

export interface PublicComparisonUnit {
  unit: string
  name: string
  handled: Count
  onTimeResponse: number | null
  satisfaction: number | null
}

export interface PublicStats {
  unit: string
  name: string
  level: 'district' | 'street' | 'community'
  /** ISO 8601: when the server computed these figures. */
  updatedAt: string
  /** Counts under this (at community level) come as `"<threshold>"`, and some others as `WITHHELD`. */
  threshold: number
  /** This calendar month in the center's zone (Asia/Shanghai). */
  month: PublicVolume
  /** This calendar year. */
  year: PublicVolume
  /** This month, 0–1; null when too few to show. */
  rates: { onTimeResponse: number | null; resolution: number | null; satisfaction: number | null }
  /** Median received → accepted this month, in seconds; null when too few to show. */
  medianResponseSec: number | null
  /**
   * This month, at most 5, most handled first; keys as in `CATEGORIES` (shared/domain.ts). A
   * community lists only categories of `threshold` or more, and any list may leave out a category
   * withheld to protect a small count elsewhere.
   */
  topCategories: { category: string; handled: Count }[]
  /** The streets of the district, or the communities of a street. */
  comparison: { level: 'street' | 'community'; units: PublicComparisonUnit[] }
  /** This month; `kind` as in `ACTIVITY_KINDS`. */
  activities: { kind: string; activities: Count; participants: Count }[]
  /**
   * A community's street and its activities this month, exactly as the street's own kiosk reads
   * them (the same cells, so nothing new is published): what there was to join nearby when the
   * community's own counts are small. Absent above community level. (Optional: older servers.)
   */
  activitiesArea?: { unit: string; name: string; items: { kind: string; activities: Count; participants: Count }[] }
  /** The dates the month and year figures cover. (Optional: older servers.) */
  period?: PublicPeriod
  /** How to report a problem here. (Optional: older servers.) */
  report?: PublicReport
}

/** The citizen service hotline (市民服务热线), the same everywhere. */
export const REPORT_HOTLINE = '12345'

/** How a resident reports a problem: the hotline, and the unit's public office contact where one is set. */
export interface PublicReport {
  hotline: string
  /** An office or service number (never a person's phone): the unit's own, else the nearest unit's above it; null when none is set. */
  phone: string | null
  hours: string | null
  /** The unit's QR code (what `npm run directory -- contact set … --qr` encodes), as an SVG document; null when none. */
  qrSvg: string | null
  /** Whose contact it is: the unit itself or the street (district) above it; null when none is set. */
  from: { unit: string; name: string } | null
}

/** Local dates (YYYY-MM-DD, the center's zone) that "this month" and "this year" cover. */
export interface PublicPeriod {
  month: { from: string; to: string }
  year: { from: string; to: string }
  /** The year starts at the first stored day, not on 1 January: the history is shorter than the year. */
  yearFromFirstData: boolean
}

export interface StatsWatchRequest {
  unit: string
}

export interface PublicServerToClientEvents {
  /** The watched unit's figures, about every 15 s. */
  'stats:updated': (stats: PublicStats) => void
}

export interface PublicClientToServerEvents {
  /** Start receiving `stats:updated` for one street or community; the ack carries the figures now. */
  'stats:watch': (request: StatsWatchRequest, ack: (reply: Ack<PublicStats>) => void) => void
}
