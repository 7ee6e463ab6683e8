import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { SessionReply } from '../../shared/schemas/session'
import { fetchJson, globalFetch, type FetchLike } from '../http'

export const SESSION_URL = '/api/v1/session'

export type SessionCheck = { status: 'ok'; user: SessionReply } | { status: 'unauthenticated' } | { status: 'unknown' }

export type LoginResult =
  | { ok: true; user: SessionReply }
  | { ok: false; reason: 'invalid' | 'throttled' | 'busy' | 'failed'; retryAfterSec?: number; message?: string }

/**
 * Who is logged in. Only a 401 means "nobody": a network error or a server without the route is
 * "unknown", and the page's own calls decide (so the wall keeps running through a blip).
 */
export async function getSession(fetchImpl: FetchLike = globalFetch): Promise<SessionCheck> {
  try {
    const { ok, status, body } = await fetchJson(SESSION_URL, {}, { fetchImpl })
    if (status === 401) return { status: 'unauthenticated' }
    if (!ok || body === undefined) return { status: 'unknown' }
    return { status: 'ok', user: body as SessionReply }
  } catch {
    return { status: 'unknown' }
  }
}

export async function postSession(username: string, password: string, fetchImpl: FetchLike = globalFetch): Promise<LoginResult> {
  let res: Response
  try {
    res = await fetchImpl(SESSION_URL, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ username, password }),
    })
  } catch {
    return { ok: false, reason: 'failed' }
  }
  if (res.ok) return { ok: true, user: (await res.json()) as SessionReply }
  if (res.status === 401) return { ok: false, reason: 'invalid' }
  if (res.status === 429) {
    const retry = Number(res.headers.get('retry-after'))
    // `rule: "busy"`: the server had no room to check a password now; nothing was counted against the user.
    const rule = await res.json().then((body: unknown) => (body as { rule?: unknown } | null)?.rule, () => undefined)
    const reason = rule === 'busy' ? 'busy' : 'throttled'
    return Number.isFinite(retry) && retry > 0 ? { ok: false, reason, retryAfterSec: Math.ceil(retry) } : { ok: false, reason }
  }
  return { ok: false, reason: 'failed' }
}

export async function deleteSession(fetchImpl: FetchLike = globalFetch): Promise<void> {
  await fetchImpl(SESSION_URL, { method: 'DELETE', credentials: 'same-origin' })
}

/** The logged-in user (`unit`: the root of everything they may see), as the last session check or login answered. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<SessionReply | null>(null)

  function setUser(next: SessionReply): void {
    user.value = next
  }

  function clear(): void {
    user.value = null
  }

  return { user, setUser, clear }
})
