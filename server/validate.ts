// Schema validation outside Fastify's routes too (settings files, socket events, the geography
// file): one Ajv setup and one way of naming a failed field and rule.
import { Ajv, type ErrorObject } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { ErrorReply } from '../shared/schemas/common'

// ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule)

export function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    coerceTypes: coerce ? 'array' : false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  })
  addFormats(ajv, ['date-time', 'date', 'uri'])
  return ajv
}

/** `body/location/lon` and `maximum` for an ajv error; `additionalProperties` names the stray field. */
export function describeValidationError(part: string, error: ErrorObject): Pick<ErrorReply, 'field' | 'rule' | 'message'> {
  let field = part + error.instancePath
  let detail = error.message ?? 'is invalid'
  if (error.keyword === 'additionalProperties') {
    field += `/${(error.params as { additionalProperty: string }).additionalProperty}`
    detail = 'is not an allowed field'
  } else if (error.keyword === 'required') {
    field += `/${(error.params as { missingProperty: string }).missingProperty}`
    detail = 'is required'
  } else if (error.keyword === 'enum') {
    detail = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`
  } else if (error.keyword === 'format') {
    detail = `must be a ${(error.params as { format: string }).format} (ISO 8601 with a time zone)`
  }
  return { field, rule: error.keyword, message: `${field} ${detail}` }
}
