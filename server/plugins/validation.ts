// Request validation: bodies are checked strictly (no type coercion, unknown fields rejected);
// query strings and params may coerce, since they arrive as text. Every failure becomes a 400
// that names the field and the rule.
import fp from 'fastify-plugin'
import type { ErrorObject } from 'ajv'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errorReply, HttpError, type ErrorDetail } from '../errors'
import { createAjv, describeValidationError } from '../validate'
import { formatOfUrl, isOpen311Url, sendOpen311Error } from '../open311/errors'

const INTERNAL: ErrorDetail = { field: 'server', rule: 'internal' }

/** The router's limit on one path segment (ids are at most 64 characters). */
export const MAX_PARAM_LENGTH = 100

/**
 * Fastify's own 4xx (the router, the body parsers), reworded to name the field and rule like the
 * rest; their stock messages name neither. Anything else Fastify may raise still gets the shape.
 */
const FRAMEWORK_ERRORS: Record<string, { detail: ErrorDetail; message: (request: FastifyRequest) => string }> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: { detail: { field: 'body', rule: 'not-empty' }, message: () => 'body is empty but Content-Type is application/json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { detail: { field: 'body', rule: 'json' }, message: () => 'body is not valid JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    detail: { field: 'body', rule: 'max-size' },
    message: (request) => `body is larger than the ${Math.round(request.routeOptions.bodyLimit / 1024)} KiB this route takes`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    detail: { field: 'header/content-type', rule: 'content-type' },
    message: (request) => `header/content-type ${clip(request.headers['content-type'] ?? '')} is not taken here: send application/json`,
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    detail: { field: 'header/content-length', rule: 'content-length' },
    message: () => 'header/content-length does not match the length of the body',
  },
  FST_ERR_BAD_URL: { detail: { field: 'url', rule: 'url-encoding' }, message: (request) => `url ${clip(request.url)} has a malformed %-escape` },
  FST_ERR_MAX_PARAM_LENGTH: { detail: { field: 'url', rule: 'max-length' }, message: () => `url has a path segment longer than ${MAX_PARAM_LENGTH} characters` },
  // @fastify/static, for a path that climbs out of the client's folder.
  FST_STATIC_FORBIDDEN_PATH: { detail: { field: 'url', rule: 'path' }, message: (request) => `url ${clip(request.url)} leaves the folder this server serves` },
}

/** Echoes of the caller's input stay short. */
function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text
}

/** Fastify's `frameworkErrors`: the router's own 400 and 414 (a bad %-escape, an over-long segment) before any route or hook. */
export function frameworkErrorReply(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400
  const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined
  // Open311's clients read its spec's errors, even from the router.
  const open311 = isOpen311Url(request.url) ? formatOfUrl(request.url) : undefined
  if (status >= 500 || !known) {
    request.log.error({ err: error }, 'request failed in the router')
    if (open311) {
      void sendOpen311Error(reply, open311, 500, 'internal error')
      return
    }
    void reply.code(500).send(errorReply(500, 'internal error', INTERNAL))
    return
  }
  if (open311) {
    void sendOpen311Error(reply, open311, status, known.message(request))
    return
  }
  void reply.code(status).send(errorReply(status, known.message(request), known.detail))
}

async function validation(app: FastifyInstance) {
  const strict = createAjv(false)
  const coercing = createAjv(true)
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema))

  app.setErrorHandler((error: FastifyError & { validation?: ErrorObject[]; validationContext?: string }, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send(errorReply(error.statusCode, error.message, error.detail))
    }
    if (error.validation && error.validation.length > 0) {
      const described = describeValidationError(PART[error.validationContext ?? 'body'] ?? 'body', error.validation[0]!)
      return reply.code(400).send(errorReply(400, described.message, { field: described.field, rule: described.rule }))
    }
    const status = error.statusCode ?? 500
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      return reply.code(500).send(errorReply(500, 'internal error', INTERNAL))
    }
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined
    if (known) return reply.code(status).send(errorReply(status, known.message(request), known.detail))
    return reply.code(status).send(errorReply(status, error.message, { field: 'request', rule: error.code ?? 'invalid' }))
  })

  app.setNotFoundHandler((request, reply) => {
    // The built client's fallback (@fastify/static) lands here for any path, Open311's included.
    if (isOpen311Url(request.url)) {
      return sendOpen311Error(reply, formatOfUrl(request.url), 404, `no Open311 resource at ${request.method} ${clip(request.url.split('?')[0]!)}`)
    }
    reply.code(404).send(errorReply(404, `no route for ${request.method} ${clip(request.url.split('?')[0]!)}`, { field: 'url', rule: 'route' }))
  })
}

/** How a field's part is named in `field`: `query/unit`, `header/range`. */
const PART: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'header' }

export default fp(validation, { name: 'validation' })
