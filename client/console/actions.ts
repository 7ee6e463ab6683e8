// What the console's buttons do: each write, and what the officer is told when it fails. Every
// transition names the stage it acts on (`expectedStage`); when the request has moved on, the
// server answers 409 with where it is now, and the console says who moved it and refreshes.
import type { Actor, Verdict } from '../../shared/domain'
import type { AlertReview } from '../../shared/schemas/alerts'
import type { CreateRequest, Transition } from '../../shared/schemas/requests'
import type { ConsoleStore } from '../stores/console'
import type { ConsoleApi, ErrorBody, RequestItem, WriteResult } from './api'
import { ACTION_STAGE, type RequestAction } from './queues'

type Translate = (key: string, params?: Record<string, unknown>) => string

export interface ConsoleActionsOptions {
  api: ConsoleApi
  store: ConsoleStore
  t: Translate
  /** Refetches the queues (after every write, whatever its answer). */
  refresh: () => void
  /** A 401: the session is gone. */
  onUnauthorized: () => void
}

/** The outcome a form needs: done, or the error (a 400's `field` goes next to that field). */
export type ActionOutcome = { ok: true; id?: string } | { ok: false; error: ErrorBody; status: number }

export function actorLabel(actor: Actor | undefined, t: Translate): string {
  if (!actor) return t('console.actor.unknown')
  return actor.kind === 'user' ? actor.name : t('console.actor.key', { source: actor.source })
}

export function createConsoleActions(options: ConsoleActionsOptions) {
  const { api, store, t, refresh } = options

  /** The common answers to a refused write: 401, 403, no network, anything else. Returns the outcome. */
  function refused(result: Extract<WriteResult<unknown>, { ok: false }>, subject: string): ActionOutcome {
    if (result.status === 401) options.onUnauthorized()
    else if (result.status === 403) store.notify('error', 'console.notice.forbidden', {}, subject)
    else if (result.status === 0) store.notify('error', 'console.notice.offline', {}, subject)
    else if (result.status !== 400) store.notify('error', 'console.notice.failed', { message: result.error.message ?? String(result.status) }, subject)
    return { ok: false, error: result.error, status: result.status }
  }

  async function guarded<T>(subject: string, run: () => Promise<T>): Promise<T> {
    store.setBusy(subject, true)
    try {
      return await run()
    } finally {
      store.setBusy(subject, false)
    }
  }

  async function takeRequest(body: CreateRequest): Promise<ActionOutcome> {
    const result = await api.createRequest(body)
    refresh()
    if (!result.ok) return refused(result, 'new')
    store.notify('info', 'console.notice.created', { id: result.body.id }, result.body.id)
    return { ok: true, id: result.body.id }
  }

  /** After a 409: who moved the request, and to which stage (from its timeline). */
  async function explainStale(requestId: string, error: ErrorBody): Promise<void> {
    let stage = error.stage
    let who: string | undefined
    try {
      const detail = await api.request(requestId)
      stage = detail.stage
      const last = detail.stages.at(-1)
      if (last?.actor) who = actorLabel(last.actor, t)
    } catch {
      // The 409's own stage says enough.
    }
    const stageName = stage ? t(`stage.${stage}`) : '—'
    if (who) store.notify('conflict', 'console.notice.stale', { who, stage: stageName, id: requestId }, requestId)
    else store.notify('conflict', 'console.notice.staleNobody', { stage: stageName, id: requestId }, requestId)
  }

  async function transition(item: Pick<RequestItem, 'id' | 'stage'>, action: Exclude<RequestAction, 'urge'>, extra: Omit<Transition, 'stage' | 'expectedStage'> = {}): Promise<ActionOutcome> {
    return guarded(item.id, async () => {
      const body: Transition = { ...extra, stage: ACTION_STAGE[action], expectedStage: item.stage }
      const result = await api.transition(item.id, body)
      refresh()
      if (result.ok) {
        store.notify('info', 'console.notice.done', { action: t(`console.action.${action}`), id: item.id }, item.id)
        return { ok: true, id: item.id }
      }
      if (result.status === 409) {
        await explainStale(item.id, result.error)
        return { ok: false, error: result.error, status: 409 }
      }
      return refused(result, item.id)
    })
  }

  async function urge(requestId: string, note?: string): Promise<ActionOutcome> {
    return guarded(requestId, async () => {
      const result = await api.urge(requestId, note ? { note } : {})
      refresh()
      if (result.ok) {
        store.notify('info', 'console.notice.done', { action: t('console.action.urge'), id: requestId }, requestId)
        return { ok: true, id: requestId }
      }
      if (result.status === 409) {
        await explainStale(requestId, result.error)
        return { ok: false, error: result.error, status: 409 }
      }
      return refused(result, requestId)
    })
  }

  async function reviewAlert(alertId: string, verdict: Verdict, raiseRequest = false): Promise<ActionOutcome> {
    return guarded(alertId, async () => {
      const body: AlertReview = raiseRequest ? { verdict, raiseRequest: true } : { verdict }
      const result = await api.reviewAlert(alertId, body)
      if (result.ok) {
        store.drop('alert', alertId)
        refresh()
        store.notify('info', 'console.notice.reviewed', { verdict: t(`verdict.${result.body.verdict}`) }, alertId)
        if (result.body.requestId) store.notify('info', 'console.notice.raised', { id: result.body.requestId }, result.body.requestId)
        return { ok: true, id: alertId }
      }
      if (result.status === 409) {
        // The first review stands: say which it was, and take the alert out of the queue.
        let stored: string | undefined
        try {
          const unit = store.unit
          const list = unit ? await api.alerts(unit, false) : null
          const found = list?.items.find((a) => a.alertId === alertId)
          if (found?.verdict) stored = t(`verdict.${found.verdict}`)
        } catch {
          // The message of the 409 is enough.
        }
        store.drop('alert', alertId)
        refresh()
        store.notify('conflict', 'console.notice.alertTaken', { verdict: stored ?? result.error.message ?? '—' }, alertId)
        return { ok: false, error: result.error, status: 409 }
      }
      refresh()
      return refused(result, alertId)
    })
  }

  async function ackAlarm(alarmId: string): Promise<ActionOutcome> {
    return guarded(alarmId, async () => {
      const result = await api.ackAlarm(alarmId)
      if (result.ok || result.status === 409) store.drop('alarm', alarmId)
      refresh()
      if (result.ok) {
        store.notify('info', 'console.notice.acked', {}, alarmId)
        return { ok: true, id: alarmId }
      }
      if (result.status === 409) {
        store.notify('conflict', 'console.notice.alarmTaken', { message: result.error.message ?? '—' }, alarmId)
        return { ok: false, error: result.error, status: 409 }
      }
      return refused(result, alarmId)
    })
  }

  return { takeRequest, transition, urge, reviewAlert, ackAlarm }
}

export type ConsoleActions = ReturnType<typeof createConsoleActions>
