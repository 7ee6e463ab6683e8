// The client's one HTTP layer: every REST call of the wall, the leader pages, the kiosk and the
// session goes through here. The session is an httpOnly cookie sent on same-origin calls (the kiosk
// sends none); a 401 means "log in again", a 403 "not in your scope".

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

/** `fetch` looked up at call time, so a test can stub the global. */
export const globalFetch: FetchLike = (input, init) => fetch(input, init)

export type Query = Record<string, string | number | boolean | undefined>

export interface RequestOptions {
  fetchImpl?: FetchLike
  signal?: AbortSignal
  /** 'omit' for the anonymous kiosk; the session cookie otherwise. */
  credentials?: RequestCredentials
  cache?: RequestCache
}

/** A refusal: the status, the URL and the server's own message (`detail`) where it gave one. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly detail?: string,
  ) {
    super(`GET ${url}: ${status}`)
  }
}

export const isUnauthorized = (e: unknown): boolean => e instanceof HttpError && e.status === 401
export const isForbidden = (e: unknown): boolean => e instanceof HttpError && e.status === 403
export const isNotFound = (e: unknown): boolean => e instanceof HttpError && e.status === 404
export const isAbort = (e: unknown): boolean => e instanceof DOMException && e.name === 'AbortError'

/** `path?k=v…` without the empty values. */
export function urlWith(path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v))
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/** The `message` of an error reply, if the body is one. */
export function messageOf(body: unknown): string | undefined {
  return isObject(body) && typeof body.message === 'string' ? body.message : undefined
}

/** A GET whatever the status: the reply's status and its JSON body (undefined when not JSON). */
export async function fetchJson(path: string, query: Query = {}, options: RequestOptions = {}): Promise<{ url: string; ok: boolean; status: number; body: unknown }> {
  const url = urlWith(path, query)
  const init: RequestInit = { headers: { accept: 'application/json' }, credentials: options.credentials ?? 'same-origin' }
  if (options.signal) init.signal = options.signal
  if (options.cache) init.cache = options.cache
  const res = await (options.fetchImpl ?? globalFetch)(url, init)
  const body: unknown = await res.json().catch(() => undefined)
  return { url, ok: res.ok, status: res.status, body }
}

/** A GET that answers the JSON body, or throws an HttpError for a refusal. */
export async function getJson<T>(path: string, query: Query = {}, options: RequestOptions = {}): Promise<T> {
  const reply = await fetchJson(path, query, options)
  if (!reply.ok) throw new HttpError(reply.status, reply.url, messageOf(reply.body))
  if (reply.body === undefined) throw new Error(`GET ${reply.url}: not JSON`)
  return reply.body as T
}
