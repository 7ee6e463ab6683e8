// Request validation: bodies are checked strictly (no type coercion, unknown fields rejected);
// query strings and params may coerce, since they arrive as text. Every failure becomes a 400
// that names the field and the rule.
import fp from 'fastify-plugin'
import { Ajv, type ErrorObject } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyError, FastifyInstance } from 'fastify'
import type { ErrorReply } from '../../shared/schemas/common'

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

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly extra: Partial<ErrorReply> = {},
  ) {
    super(message)
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
}

export function errorReply(statusCode: number, message: string, extra: Partial<ErrorReply> = {}): ErrorReply {
  return { statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message, ...extra }
}

async function validation(app: FastifyInstance) {
  const strict = createAjv(false)
  const coercing = createAjv(true)
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema))

  app.setErrorHandler((error: FastifyError & { validation?: ErrorObject[]; validationContext?: string }, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send(errorReply(error.statusCode, error.message, error.extra))
    }
    if (error.validation && error.validation.length > 0) {
      const part = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body')
      const described = describeValidationError(part, error.validation[0]!)
      return reply.code(400).send(errorReply(400, described.message, { field: described.field, rule: described.rule }))
    }
    const status = error.statusCode ?? 500
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      return reply.code(500).send(errorReply(500, 'internal error'))
    }
    // Fastify's own 4xx: body too large, bad JSON, wrong content type.
    const field = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'body' : undefined
    return reply.code(status).send(errorReply(status, error.message, field ? { field, rule: error.code } : {}))
  })

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorReply(404, `no route for ${request.method} ${request.url.split('?')[0]}`))
  })
}

export default fp(validation, { name: 'validation' })
