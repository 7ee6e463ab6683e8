// A server refusal names the field it is about (`body/reporter/phone`, `body/name`): the console
// shows the message next to that field of its form.
import type { ErrorBody } from './api'

/** `body/reporter/phone` → `reporter/phone`; `params/id` → `id`; anything else as it is. */
export function fieldOf(error: ErrorBody): string | null {
  const field = error.field
  if (!field) return null
  return field.replace(/^(body|params|query)\//, '')
}

/** The form's errors from a refusal: the message under its field, or under `_form` when no field of the form matches. */
export function formErrors(error: ErrorBody, fields: readonly string[]): Record<string, string> {
  const field = fieldOf(error)
  const message = error.message ?? String(error.statusCode ?? '')
  const match = field === null ? undefined : fields.find((f) => field === f || field.startsWith(`${f}/`))
  return match ? { [match]: message } : { _form: message }
}
