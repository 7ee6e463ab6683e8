// The login page's language switch: the language lives in `?lang=` (en, or none for Chinese), on
// the login page's own address and on the page it sends the user back to.
import type { Locale } from '../i18n'

/** `path` with `?lang=en` set, or `lang` taken out for Chinese (the default); the rest kept as it was. */
export function withLang(path: string, locale: Locale): string {
  const hashAt = path.indexOf('#')
  const hash = hashAt === -1 ? '' : path.slice(hashAt)
  const rest = hashAt === -1 ? path : path.slice(0, hashAt)
  const queryAt = rest.indexOf('?')
  const pathname = queryAt === -1 ? rest : rest.slice(0, queryAt)
  const params = new URLSearchParams(queryAt === -1 ? '' : rest.slice(queryAt + 1))
  if (locale === 'en') params.set('lang', 'en')
  else params.delete('lang')
  const query = params.toString()
  // Untouched when nothing changes, so a path reads exactly as it came.
  if (query === (queryAt === -1 ? '' : rest.slice(queryAt + 1))) return path
  return `${pathname}${query ? `?${query}` : ''}${hash}`
}

/** How long to wait, in whole seconds or minutes, for the locked-out message. */
export function waitParts(seconds: number): { unit: 'seconds' | 'minutes'; n: number } {
  const s = Math.max(1, Math.ceil(seconds))
  return s < 120 ? { unit: 'seconds', n: s } : { unit: 'minutes', n: Math.ceil(s / 60) }
}
