// The tables of a PostgreSQL module (audit trail, directory, kept reports) created once with a
// schema version, under an advisory lock (processes may start at once); a database written at
// another version is refused. Runs inside the caller's transaction.
import type pg from 'pg'

export interface VersionedTables {
  /** The advisory lock that serialises creating them between processes. */
  lock: number
  /** The one-row table that holds the version, created by `ddl`. */
  versionTable: string
  version: number
  /** What they are, for the refusal: "audit tables", "kept reports". */
  what: string
  /** Creates every table, the version table included. */
  ddl: string
  /** The error to refuse another version with. */
  refuse: new (message: string) => Error
}

export async function prepareVersionedTables(client: pg.ClientBase, t: VersionedTables): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [t.lock])
  const present = (await client.query<{ present: boolean }>(`SELECT to_regclass('${t.versionTable}') IS NOT NULL AS present`)).rows[0]!.present
  const version = present ? (await client.query<{ version: number }>(`SELECT version FROM ${t.versionTable}`)).rows[0]?.version : undefined
  if (version !== undefined && version !== t.version) {
    throw new t.refuse(`the database's ${t.what} are at schema version ${version}, this build uses ${t.version}: run the build that matches the database`)
  }
  if (version !== undefined) return
  await client.query(t.ddl)
  await client.query(`INSERT INTO ${t.versionTable} (version) VALUES ($1)`, [t.version])
}
