// The one error shape (shared/schemas/common.ts ErrorReply): what a route, a hook or a service
// throws, and how it is written. No Fastify here: services import it without reaching into plugins.
import type { Stage } from '../shared/domain'
import type { ErrorReply } from '../shared/schemas/common'

/**
 * What every error names: the field (`body/…`, `query/…`, `params/…`, `header/…`, `url`) and the rule
 * it broke; a stale transition's 409 adds where the request is now (StaleStageReplySchema).
 */
export type ErrorDetail = Pick<ErrorReply, 'field' | 'rule' | 'allowed'> & { stage?: Stage; seq?: number }

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly detail: ErrorDetail,
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
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function errorReply(statusCode: number, message: string, detail: ErrorDetail): ErrorReply {
  return { statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message, ...detail }
}
