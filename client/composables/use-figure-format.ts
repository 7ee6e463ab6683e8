import { useI18n } from 'vue-i18n'
import { ageParts, durationParts, formatPercent, NO_VALUE } from '../lib/format'

/** Figures in words, in the page's language: percentages, durations, ages, sample sizes. */
export function useFigureFormat() {
  const { t } = useI18n()

  function duration(seconds: number | null | undefined): string {
    const parts = durationParts(seconds)
    return parts ? t(`common.duration.${parts.unit}`, { n: parts.value }) : NO_VALUE
  }

  function age(seconds: number): string {
    const p = ageParts(seconds)
    if (p.days > 0) return t('common.age.days', { days: p.days, hours: p.hours })
    if (p.hours > 0) return t('common.age.hours', { hours: p.hours, minutes: p.minutes })
    return t('common.age.minutes', { minutes: p.minutes })
  }

  const sample = (n: number) => t('common.sample', { n })

  return { percent: formatPercent, duration, age, sample }
}
