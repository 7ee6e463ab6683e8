// The spec's error reply, for the Open311 subtree: [{code, description}] in JSON, <errors><error>
// in XML, by the extension of the path. Also used by the app's router errors and its not-found
// handler (server/plugins/validation.ts), which answer before any Open311 route is chosen.
import type { FastifyReply } from 'fastify'
import { list, toXml } from './xml'

export const OPEN311_PREFIX = '/open311/v2'

export type Format = 'json' | 'xml'

export function isOpen311Url(url: string): boolean {
  return url === OPEN311_PREFIX || url.startsWith(`${OPEN311_PREFIX}/`) || url.startsWith(`${OPEN311_PREFIX}?`)
}

export function formatOfUrl(url: string): Format {
  return (url.split('?')[0] ?? '').endsWith('.xml') ? 'xml' : 'json'
}

export function sendOpen311Error(reply: FastifyReply, format: Format, code: number, description: string): FastifyReply {
  const errors = [{ code, description }]
  if (format === 'json') return reply.code(code).type('application/json; charset=utf-8').send(errors)
  return reply.code(code).type('text/xml; charset=utf-8').send(toXml('errors', list('error', errors)))
}
