// `npm run geo -- check`: every problem of a geography, named and measured.
import type { GeoUnit } from '../../shared/domain'

export interface GeoProblem {
  severity: 'error' | 'warning'
  code: string
  unitId: string | null
  message: string
}

/** Every problem of a geography, errors first, then by unit id. */
export function checkGeography(units: readonly GeoUnit[]): GeoProblem[] {
  const problems: GeoProblem[] = []
  const seen = new Set<string>()
  for (const unit of units) {
    if (seen.has(unit.id)) problems.push({ severity: 'error', code: 'duplicate_id', unitId: unit.id, message: `${unit.level} ${unit.id}: the id is used more than once` })
    seen.add(unit.id)
  }
  for (const unit of units) {
    if (unit.parentId !== null && !seen.has(unit.parentId)) {
      problems.push({ severity: 'error', code: 'unknown_parent', unitId: unit.id, message: `${unit.level} ${unit.id}: its parent ${unit.parentId} is not in the file` })
    }
  }
  return problems
}
