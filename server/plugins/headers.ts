// API replies can carry personal data (the center's request detail names the reporter): no cache
// may keep them, and no browser may sniff them into something else. Set as a request comes in, so
// that a route which deliberately caches what is not personal (the kiosk's aggregates, the unit
// tree) overrides it, and ingest pays for two header writes only.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply } from 'fastify'

export function apiHeaders(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff')
}

async function headers(app: FastifyInstance) {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/api/')) apiHeaders(reply)
    done()
  })
}

export default fp(headers, { name: 'headers' })
