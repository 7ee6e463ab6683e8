// Serves the built client: hashed assets from dist/client, index.html for the app's routes.
// A path with a file extension that does not exist is a 404, never index.html (that would hide
// a missing script behind a page that loads nothing).
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

export const APP_ROUTES = ['/wall', '/leader', '/leader/requests/:id', '/console', '/console/admin', '/kiosk', '/login', '/report'] as const

async function client(app: FastifyInstance, options: { root: string }) {
  await app.register(fastifyStatic, { root: options.root, index: false, wildcard: true, maxAge: '1h' })
  for (const route of APP_ROUTES) {
    app.get(route, (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html', { maxAge: 0 }))
  }
  app.get('/', (_request, reply) => reply.redirect('/wall'))
}

export default fp(client, { name: 'client' })
