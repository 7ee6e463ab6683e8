/** A rate as a percentage with one decimal (93.5), or null without a sample. */
export function percent(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null
  return Math.round(value * 1000) / 10
}

export interface DurationParts {
  value: number
  unit: 'min' | 'h'
}

/**
 * A duration for a wall: minutes below two hours (whole minutes from ten on, one decimal below),
 * hours with one decimal above. Null without a sample.
 */
export function duration(seconds: number | null | undefined): DurationParts | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null
  const minutes = seconds / 60
  if (minutes < 10) return { value: Math.round(minutes * 10) / 10, unit: 'min' }
  if (minutes < 120) return { value: Math.round(minutes), unit: 'min' }
  return { value: Math.round((minutes / 60) * 10) / 10, unit: 'h' }
}

/** Digits as the locale writes them, one decimal at most. */
export function formatNumber(value: number, locale: string, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits, minimumFractionDigits: 0 }).format(value)
}
