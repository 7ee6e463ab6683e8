// Where the login page sends the user back to, and how a protected page sends them there.

const LOGIN_PATH = '/login'
export const DEFAULT_NEXT = '/leader'

/**
 * Only a path on this site: `//evil.example` or `https://…` would make the login page an open
 * redirect, and `/login` itself a loop.
 */
export function safeNext(value: unknown): string {
  const next = Array.isArray(value) ? value[0] : value
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return DEFAULT_NEXT
  if (next === LOGIN_PATH || next.startsWith(`${LOGIN_PATH}?`) || next.startsWith(`${LOGIN_PATH}/`)) return DEFAULT_NEXT
  return next
}

/** `/login?next=<path and query>`, keeping `?lang=` so the form speaks the page's language. */
export function loginLocation(fullPath: string, lang?: unknown): { path: string; query: Record<string, string> } {
  const query: Record<string, string> = { next: fullPath }
  const l = Array.isArray(lang) ? lang[0] : lang
  if (typeof l === 'string' && l !== '') query.lang = l
  return { path: LOGIN_PATH, query }
}
