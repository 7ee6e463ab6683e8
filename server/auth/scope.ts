// The one place that decides what a user may see: a center user sees the district, a leader the
// subtree of their unit. Every REST route and every socket subscription asks here.
import type { Geography } from '../geo/geography'
import { HttpError } from '../errors'
import type { User } from './auth-store'

export function canSee(geography: Geography, user: User, unitId: string): boolean {
  if (user.role === 'center') return geography.get(unitId) !== undefined
  return geography.isWithin(unitId, user.unit)
}

/** 404 for a unit that does not exist, 403 for one outside the user's scope. */
export function assertScope(geography: Geography, user: User, unitId: string, field = 'query/unit'): void {
  if (!geography.get(unitId)) throw new HttpError(404, `unknown unit ${unitId}`, { field, rule: 'exists' })
  if (!canSee(geography, user, unitId)) throw new HttpError(403, `unit ${unitId} is outside your scope`, { field, rule: 'scope' })
}

/** The unit a view starts from: the user's own. */
export function homeUnit(geography: Geography, user: User): string {
  return user.role === 'center' ? geography.district.id : user.unit
}
