import { existsSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app'
import { SqliteStore } from '../../server/store/sqlite-store'
import { sampleGeography } from './build-app'

export const clientDir = fileURLToPath(new URL('../../dist/client', import.meta.url))

/** The real server with the built client on port 0, an in-memory store and no simulator. */
export async function serveBuiltApp(): Promise<{ url: string; app: FastifyInstance; close(): Promise<void> }> {
  if (!existsSync(`${clientDir}/index.html`)) throw new Error(`no built client at ${clientDir}: run \`npm run build\` first`)
  const store = new SqliteStore({ filename: ':memory:' })
  const app = await buildApp({ store, geography: sampleGeography(), clientDir })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    async close() {
      await app.close()
      await store.close()
    },
  }
}
