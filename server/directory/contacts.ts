// Units' public contacts for reporting a problem (the kiosk's "how to report" card): an office or
// service number, the text of a QR code, the office hours. Kept in directory.db per unit and
// inherited down the tree, so a community without its own shows its street's (or the district's).
// Never a person's phone: a mobile number is refused.
import type { UnitContact } from '../../shared/schemas/directory'
import type { DirectoryFailure } from './types'

const PHONE = /^[0-9+() -]{3,24}$/
/** A mainland mobile number (+86 or 0086 optional): a person's phone, not an office's. */
const MOBILE = /^(?:0{0,2}86)?1[3-9][0-9]{9}$/
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

function invalid(field: string, rule: string, message: string): DirectoryFailure {
  return { ok: false, code: 'invalid', field, rule, message }
}

function textProblem(value: unknown, field: string, max: number): DirectoryFailure | undefined {
  if (typeof value !== 'string' || value.trim().length === 0) return invalid(field, 'minLength', `${field} must not be empty`)
  if ([...value.trim()].length > max) return invalid(field, 'maxLength', `${field} is at most ${max} characters`)
  if (CONTROL.test(value)) return invalid(field, 'pattern', `${field} must not hold control characters or line breaks`)
  return undefined
}

/** The contact as it will be kept (trimmed), or what is wrong with it, naming the field. */
export function checkContact(contact: UnitContact): { ok: true; value: UnitContact } | DirectoryFailure {
  const phone = typeof contact.phone === 'string' ? contact.phone.trim() : ''
  if (!PHONE.test(phone)) return invalid('phone', 'pattern', 'phone is an office number: 3–24 digits, spaces, + ( ) -')
  const digits = phone.replace(/\D/g, '')
  if (digits.length < 3 || digits.length > 15) return invalid('phone', 'pattern', 'phone has 3 to 15 digits')
  if (MOBILE.test(digits)) {
    return invalid('phone', 'office-number', 'phone must be a public office or service number, not a mobile phone (a person’s number is never shown in public)')
  }
  const value: UnitContact = { unit: contact.unit, phone }
  if (contact.qr !== undefined) {
    const problem = textProblem(contact.qr, 'qr', 300)
    if (problem) return problem
    const qr = contact.qr.trim()
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(qr) && !/^https?:\/\/[^\s/]+/i.test(qr)) return invalid('qr', 'url', 'qr: a URL must be http:// or https:// with a host')
    value.qr = qr
  }
  if (contact.hours !== undefined) {
    const problem = textProblem(contact.hours, 'hours', 64)
    if (problem) return problem
    value.hours = contact.hours.trim()
  }
  return { ok: true, value }
}

interface Tree {
  get(id: string): { id: string; level: string; parentId: string | null } | undefined
}

/** Whether a unit may have a report contact: the district, a street or a community (a grid is too small to show in public). */
export function contactUnitProblem(geography: Tree, unitId: string): string | undefined {
  const unit = geography.get(unitId)
  if (!unit) return `no unit ${unitId} in the district`
  if (unit.level === 'grid') return `${unitId} is a grid: a report contact belongs to the district, a street or a community`
  return undefined
}

/** The contact a unit's kiosk shows: its own, else its nearest ancestor's; `from` says whose. */
export function inheritedContact(geography: Tree, contacts: ReadonlyMap<string, UnitContact>, unitId: string): UnitContact | undefined {
  for (let unit = geography.get(unitId); unit; unit = unit.parentId === null ? undefined : geography.get(unit.parentId)) {
    const own = contacts.get(unit.id)
    if (own) return own
  }
  return undefined
}
