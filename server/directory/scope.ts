// Which streets a unit's on-duty question is about, and who may change the directory.
import type { User } from '../auth/auth-store'
import type { Geography } from '../geo/geography'
import { HttpError } from '../errors'

/** A grid or community asks about its street; a street about itself; the district about all its streets. */
export function streetsOf(geography: Geography, unitId: string): string[] {
  let unit = geography.get(unitId)
  if (!unit) return []
  if (unit.level === 'district') return geography.children(unit.id).filter((u) => u.level === 'street').map((u) => u.id)
  while (unit && unit.level !== 'street') unit = unit.parentId ? geography.get(unit.parentId) : undefined
  return unit ? [unit.id] : []
}

/** Every unit id of the subtree under `unitId`, itself included. */
export function subtreeOf(geography: Geography, unitId: string): Set<string> {
  const ids = new Set<string>()
  const stack = [unitId]
  while (stack.length > 0) {
    const id = stack.pop()!
    if (ids.has(id)) continue
    ids.add(id)
    for (const child of geography.children(id)) stack.push(child.id)
  }
  return ids
}

/** The directory's changes and the audit trail are the center's: a leader gets a 403 naming the role. */
export function assertCenter(user: User): void {
  if (user.role !== 'center') throw new HttpError(403, 'only the center role may do this', { field: 'role', rule: 'center' })
}
