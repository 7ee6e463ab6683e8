import { HttpError } from '../errors'

/** A street, community or the district; a grid is too small to show without singling people out. */
export function publicUnit(geography: { get(id: string): { level: string } | undefined }, unitId: string, field: string): string {
  const unit = geography.get(unitId)
  if (!unit) throw new HttpError(404, `unknown unit ${unitId}`, { field, rule: 'exists' })
  if (unit.level === 'grid') throw new HttpError(400, `${field} must be a street or a community, not a grid`, { field, rule: 'not-grid' })
  return unitId
}
