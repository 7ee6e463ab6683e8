// Whom to dispatch a request to, in the order a duty officer would look (吹哨报到): the departments
// sitting at the request's street today (those on duty now first), then the grid's own worker,
// then the expert pools, then every other department.
import type { DispatchTarget, ExpertPool, TargetKind } from '../../shared/domain'
import { EXPERT_POOLS } from '../../shared/domain'
import type { DirectoryReply, OnDutyEntry, WorkerItem } from './api'

export type SuggestionGroup = 'onDutyNow' | 'onDutyToday' | 'gridWorker' | 'expert' | 'department'

export interface Suggestion {
  target: DispatchTarget
  group: SuggestionGroup
  /** What the officer reads: a department's or expert's name, a worker's id. */
  label: string
  /** A slot (09:00–12:00), an expert's pool, a worker's last report: the reason it is suggested. */
  detail?: string
  pool?: ExpertPool
}

export const targetKey = (t: DispatchTarget) => `${t.kind}:${t.id}`

export function parseTargetKey(key: string): DispatchTarget | null {
  const i = key.indexOf(':')
  if (i < 0) return null
  const kind = key.slice(0, i) as TargetKind
  if (kind !== 'worker' && kind !== 'department' && kind !== 'expert') return null
  return { kind, id: key.slice(i + 1) }
}

export function suggestTargets(input: {
  gridId: string
  onDuty: readonly OnDutyEntry[]
  workers: readonly WorkerItem[]
  directory: DirectoryReply | null
}): Suggestion[] {
  const out: Suggestion[] = []
  const seen = new Set<string>()
  const add = (s: Suggestion) => {
    const key = targetKey(s.target)
    if (seen.has(key)) return
    seen.add(key)
    out.push(s)
  }
  const duty = [...input.onDuty].sort((a, b) => Number(b.now) - Number(a.now) || a.from.localeCompare(b.from))
  for (const e of duty) {
    add({ target: { kind: 'department', id: e.department.id }, group: e.now ? 'onDutyNow' : 'onDutyToday', label: e.department.name, detail: `${e.from}–${e.to}` })
  }
  // The grid's own worker: whoever last reported from the grid, most recent first.
  const workers = input.workers.filter((w) => w.gridId === input.gridId).sort((a, b) => b.at - a.at)
  for (const w of workers) add({ target: { kind: 'worker', id: w.workerId }, group: 'gridWorker', label: w.workerId })
  const experts = [...(input.directory?.experts ?? [])].sort((a, b) => EXPERT_POOLS.indexOf(a.pool) - EXPERT_POOLS.indexOf(b.pool) || a.name.localeCompare(b.name))
  for (const x of experts) add({ target: { kind: 'expert', id: x.id }, group: 'expert', label: x.name, pool: x.pool })
  for (const d of input.directory?.departments ?? []) add({ target: { kind: 'department', id: d.id }, group: 'department', label: d.name })
  return out
}
