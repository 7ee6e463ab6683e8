// Display helpers for figures, pure so that the table, the cards and the CSV agree.
import { DEFAULT_TIME_ZONE } from '../../shared/domain'
import { zoneOffset } from '../../shared/time'

/** What the UI shows for "no value" (no sample, no population). */
export const NO_VALUE = '—'

/** 0.9347 → '93.5%'; null → '—'. */
export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE
  return `${(value * 100).toFixed(digits)}%`
}

/** A rate as a number of percent for a spreadsheet (93.5), null when there is no sample. */
export function percentNumber(value: number | null | undefined, digits = 1): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null
  return Number((value * 100).toFixed(digits))
}

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE
  return value.toFixed(digits)
}

export type DurationUnit = 'minutes' | 'hours' | 'days'

/**
 * A duration in the unit a person would say it in: minutes under an hour, hours under two days,
 * days after that. The caller puts it in words through i18n (`common.duration.<unit>`).
 */
export function durationParts(seconds: number | null | undefined): { unit: DurationUnit; value: string } | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return null
  if (seconds < 3600) return { unit: 'minutes', value: String(Math.round(seconds / 60)) }
  if (seconds < 48 * 3600) return { unit: 'hours', value: (seconds / 3600).toFixed(1) }
  return { unit: 'days', value: (seconds / 86400).toFixed(1) }
}

/** Minutes, for a spreadsheet column (one decimal). */
export function minutes(seconds: number | null | undefined): number | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null
  return Number((seconds / 60).toFixed(1))
}

/** An age as whole days, hours and minutes (an overdue request's age: "3 d 4 h"). */
export function ageParts(seconds: number): { days: number; hours: number; minutes: number } {
  const s = Math.max(0, Math.floor(seconds))
  return { days: Math.floor(s / 86400), hours: Math.floor((s % 86400) / 3600), minutes: Math.floor((s % 3600) / 60) }
}

const pad = (n: number) => String(n).padStart(2, '0')

/** 'YYYY-MM-DD HH:mm' in the center's zone, whatever the zone of the leader's computer. */
export function formatDateTime(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  if (!Number.isFinite(ms)) return NO_VALUE
  const local = new Date(ms + zoneOffset(ms, timeZone))
  return `${local.toISOString().slice(0, 10)} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`
}
