import { createI18n } from 'vue-i18n'
import zhCN, { type MessageSchema } from './zh-CN'
import en from './en'
import { DEFAULT_TIME_ZONE } from '../../shared/domain'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'

/** `?lang=en` switches to English; anything else (or nothing) keeps Chinese. */
export function localeFromSearch(search: string): Locale {
  const lang = new URLSearchParams(search).get('lang')
  return lang === 'en' ? 'en' : DEFAULT_LOCALE
}

// The wall shows the center's time, whatever zone the screen's computer is set to.
const datetime = {
  time: { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: DEFAULT_TIME_ZONE },
  hm: { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: DEFAULT_TIME_ZONE },
  date: { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long', timeZone: DEFAULT_TIME_ZONE },
} as const

export function createAppI18n(locale: Locale) {
  return createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: DEFAULT_LOCALE,
    messages: { 'zh-CN': zhCN, en },
    datetimeFormats: { 'zh-CN': datetime, en: datetime },
  })
}
