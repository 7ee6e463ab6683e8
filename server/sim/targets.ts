// Whom the simulated center dispatches a request to (派单对象): the grid's worker mostly; a
// department sitting at the street (轮班坐班) when the matter is its business and it is there at
// that moment; an expert of the mediation or legal pool for some disputes. Without a directory,
// always the worker.
import type { Category, DepartmentKind, DispatchTarget, ExpertPool } from '../../shared/domain'
import type { Directory } from '../directory/types'
import type { Rng } from './area'

/** The departments whose business a category is, best first. */
export const CATEGORY_DEPARTMENTS: Readonly<Partial<Record<Category, readonly DepartmentKind[]>>> = {
  property: ['housing'],
  utilities: ['water', 'power'],
  municipal: ['urban_management'],
  safety_hazard: ['housing', 'urban_management', 'public_security'],
  environment: ['urban_management', 'natural_resources'],
  public_order: ['public_security'],
  traffic: ['public_security'],
  noise: ['urban_management', 'public_security'],
  elderly_care: ['civil_affairs', 'health'],
  dispute: ['justice'],
}

/** Share of requests sent to a department of theirs when one sits at the street. */
const DEPARTMENT_SHARE: Readonly<Partial<Record<Category, number>>> = {
  property: 0.6,
  utilities: 0.6,
  municipal: 0.6,
  safety_hazard: 0.6,
  environment: 0.3,
  public_order: 0.3,
  traffic: 0.3,
  noise: 0.2,
  elderly_care: 0.2,
  dispute: 0.2,
}
/** Share of disputes referred to an expert (调解, 法律). */
const EXPERT_SHARE = 0.25
const DISPUTE_POOLS: readonly ExpertPool[] = ['mediation', 'legal']

/** The time zone the demo directory's rota is in when the caller names none. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai'

/**
 * A request's dispatch, drawn when it is received and decided when it happens: the rota at that
 * moment says whether a department of the kind is there.
 */
export interface TargetPlan {
  workerId: string
  streetId: string
  category: Category
  prefer: 'worker' | 'department' | 'expert'
  /** Which of the candidates, in [0, 1). */
  pick: number
}

export function workerTarget(workerId: string): DispatchTarget {
  return { kind: 'worker', id: workerId }
}

/** Two draws, whatever the category, so that one request's plan does not shift the others'. */
export function drawTargetPlan(rand: Rng, workerId: string, streetId: string, category: Category): TargetPlan {
  const r = rand()
  const pick = rand()
  const expertShare = category === 'dispute' ? EXPERT_SHARE : 0
  const departmentShare = DEPARTMENT_SHARE[category] ?? 0
  const prefer = r < expertShare ? 'expert' : r < expertShare + departmentShare ? 'department' : 'worker'
  return { workerId, streetId, category, prefer, pick }
}

/** The target at `at`: the preferred kind when the directory has one to offer then, else the worker. */
export function resolveTarget(plan: TargetPlan, at: number, directory: Directory | undefined, timeZone: string): DispatchTarget {
  if (!directory || plan.prefer === 'worker') return workerTarget(plan.workerId)
  if (plan.prefer === 'expert') {
    const experts = directory.experts().filter((e) => DISPUTE_POOLS.includes(e.pool))
    const expert = experts[Math.floor(plan.pick * experts.length)]
    return expert ? { kind: 'expert', id: expert.id } : workerTarget(plan.workerId)
  }
  const kinds = CATEGORY_DEPARTMENTS[plan.category] ?? []
  const sitting = directory
    .onDuty([plan.streetId], at, timeZone)
    .filter((entry) => entry.now && kinds.includes(entry.department.kind))
    .map((entry) => entry.department.id)
  const ids = [...new Set(sitting)].sort()
  const id = ids[Math.floor(plan.pick * ids.length)]
  return id !== undefined ? { kind: 'department', id } : workerTarget(plan.workerId)
}
