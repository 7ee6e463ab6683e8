import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { DEFAULT_POLICY, type Policy } from '../../shared/metrics'
import type { AlarmItem, AlertItem, DirectoryReply, OnDutyReply, RequestItem, WorkerItem } from '../console/api'

export type NoticeKind = 'info' | 'conflict' | 'error'

/** A line in the console's message area: an i18n key and its parameters (so a language switch re-renders it). */
export interface Notice {
  id: number
  kind: NoticeKind
  key: string
  params: Record<string, string | number>
  /** The item the notice is about (a request, an alert, an alarm). */
  subject?: string
}

/** How many notices stay on screen; older ones drop off. */
export const NOTICE_LIMIT = 5

/**
 * What the duty console shows for its scope: the open and resolved requests, the alerts waiting
 * for review, the open alarms, the directory and who is on duty. Replies for another scope are
 * dropped; every list is replaced whole (a refetch after each live batch), never patched.
 */
export const useConsoleStore = defineStore('console', () => {
  const unit = ref<string | null>(null)
  const open = shallowRef<readonly RequestItem[]>([])
  const resolved = shallowRef<readonly RequestItem[]>([])
  const alerts = shallowRef<readonly AlertItem[]>([])
  const alarms = shallowRef<readonly AlarmItem[]>([])
  const workers = shallowRef<readonly WorkerItem[]>([])
  const directory = shallowRef<DirectoryReply | null>(null)
  const onDuty = shallowRef<OnDutyReply | null>(null)
  const policy = shallowRef<Policy>(DEFAULT_POLICY)
  const loaded = ref(false)
  const notices = ref<Notice[]>([])
  /** Items an action is in flight for: their buttons wait. */
  const busy = ref<ReadonlySet<string>>(new Set())
  let nextNotice = 1

  function setUnit(next: string): void {
    if (unit.value === next) return
    unit.value = next
    open.value = []
    resolved.value = []
    alerts.value = []
    alarms.value = []
    workers.value = []
    onDuty.value = null
    loaded.value = false
  }

  function setLists(forUnit: string, lists: { open?: readonly RequestItem[]; resolved?: readonly RequestItem[]; alerts?: readonly AlertItem[]; alarms?: readonly AlarmItem[]; workers?: readonly WorkerItem[] }): boolean {
    if (forUnit !== unit.value) return false
    if (lists.open) open.value = lists.open
    if (lists.resolved) resolved.value = lists.resolved
    if (lists.alerts) alerts.value = lists.alerts
    if (lists.alarms) alarms.value = lists.alarms
    if (lists.workers) workers.value = lists.workers
    loaded.value = true
    return true
  }

  function setDirectory(next: DirectoryReply): void {
    directory.value = next
  }

  function setOnDuty(next: OnDutyReply | null): void {
    onDuty.value = next
  }

  function setPolicy(next: Policy): void {
    policy.value = next
  }

  /** Takes an item out of its queue at once (the live refetch confirms it). */
  function drop(kind: 'alert' | 'alarm' | 'request', id: string): void {
    if (kind === 'alert') alerts.value = alerts.value.filter((a) => a.alertId !== id)
    else if (kind === 'alarm') alarms.value = alarms.value.filter((a) => a.id !== id)
    else {
      open.value = open.value.filter((r) => r.id !== id)
      resolved.value = resolved.value.filter((r) => r.id !== id)
    }
  }

  function notify(kind: NoticeKind, key: string, params: Record<string, string | number> = {}, subject?: string): Notice {
    const notice: Notice = { id: nextNotice++, kind, key, params, ...(subject !== undefined ? { subject } : {}) }
    notices.value = [notice, ...notices.value].slice(0, NOTICE_LIMIT)
    return notice
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id)
  }

  function setBusy(id: string, on: boolean): void {
    const next = new Set(busy.value)
    if (on) next.add(id)
    else next.delete(id)
    busy.value = next
  }

  return { unit, open, resolved, alerts, alarms, workers, directory, onDuty, policy, loaded, notices, busy, setUnit, setLists, setDirectory, setOnDuty, setPolicy, drop, notify, dismiss, setBusy }
})

export type ConsoleStore = ReturnType<typeof useConsoleStore>
