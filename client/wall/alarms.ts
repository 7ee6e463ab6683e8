// The wall's pinned alarms: what a row shows, in what order, and which news rings the chime.
import type { LiveEvent, OpenAlarm, OpenAlert, OpenRequest } from '../../shared/events'
import type { UrgeMark } from '../lib/live-types'

/** How long ago, as the wall says it: "just now" under a minute, minutes under two hours, then hours. */
export type Age = { unit: 'now'; n: 0 } | { unit: 'minutes' | 'hours'; n: number }

export function ageOf(at: number, now: number): Age {
  const minutes = Math.floor(Math.max(0, now - at) / 60_000)
  if (minutes < 1) return { unit: 'now', n: 0 }
  if (minutes < 120) return { unit: 'minutes', n: minutes }
  return { unit: 'hours', n: Math.floor(minutes / 60) }
}

export interface AlarmRow extends OpenAlarm {
  /** What it is about, when this wall knows the subject: a request's category or an alert's kind. */
  subject: { category: OpenRequest['category'] } | { alertKind: OpenAlert['kind'] } | null
  /** 督办 on the request it is about. */
  urges: number
}

/** Newest first (ties by id, so the order is stable), at most `limit`. */
export function alarmRows(
  alarms: ReadonlyMap<string, OpenAlarm>,
  limit: number,
  requests: ReadonlyMap<string, OpenRequest> = new Map(),
  alerts: ReadonlyMap<string, OpenAlert> = new Map(),
  urged: ReadonlyMap<string, UrgeMark> = new Map(),
): AlarmRow[] {
  return [...alarms.values()]
    .sort((a, b) => b.at - a.at || (a.alarmId < b.alarmId ? -1 : a.alarmId > b.alarmId ? 1 : 0))
    .slice(0, limit)
    .map((a) => {
      const request = a.reason === 'camera_alert' ? undefined : requests.get(a.subjectId)
      const alert = a.reason === 'camera_alert' ? alerts.get(a.subjectId) : undefined
      const subject = request ? { category: request.category } : alert ? { alertKind: alert.kind } : null
      return { ...a, subject, urges: a.reason === 'camera_alert' ? 0 : (urged.get(a.subjectId)?.count ?? 0) }
    })
}

/** News that rings the wall's chime: a camera alert, and an urgent request's alarm. */
export function isChimeWorthy(e: LiveEvent): boolean {
  return e.type === 'alert.raised' || (e.type === 'alarm.raised' && e.reason === 'urgent_request')
}
