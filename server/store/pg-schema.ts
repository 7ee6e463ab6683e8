// The PostgreSQL engine's tables, indexes and migrations. The same log and projections as SQLite's
// (sqlite-schema.ts), with the same indexes, plus what several processes on one database need: the
// ordering lock (`log_head`), the ranges of the log that `importHistory` wrote and no follower
// publishes (`unpublished`), and the rollup checkpoints. Plain SQL, no extensions.
//
// Times are epoch ms in `bigint` (read back as numbers: see pg-store.ts), places `double precision`
// so that a coordinate reads back as the very number written. `data`, `private` and `actor` stay
// JSON text, as in SQLite: the log is written and read whole, never queried inside.
import type pg from 'pg'

export const PG_SCHEMA_VERSION = 2

/** Kept word for word by every query that reads along the request index (see sqlite-schema.ts). */
export const PG_REQUEST_EVENT = "type IN ('request.received', 'request.transitioned', 'request.urged')"

/** Version 1: the log, the projections and the ordering lock. */
const VERSION_1 = `
CREATE TABLE schema_version (
  id      integer PRIMARY KEY CHECK (id = 1),
  version integer NOT NULL
);
INSERT INTO schema_version (id, version) VALUES (1, 1);

-- The ordering lock and the last committed seq: every write transaction locks this row first and
-- sets it to its last seq just before COMMIT (README.md, "PostgreSQL engine").
CREATE TABLE log_head (
  id  integer PRIMARY KEY CHECK (id = 1),
  seq bigint  NOT NULL
);
INSERT INTO log_head (id, seq) VALUES (1, 0);

CREATE TABLE events (
  seq          bigint PRIMARY KEY,
  type         text   NOT NULL,
  entity_id    text   NOT NULL,
  at           bigint NOT NULL,
  district_id  text   NOT NULL,
  street_id    text   NOT NULL,
  community_id text   NOT NULL,
  grid_id      text   NOT NULL,
  data         text   NOT NULL,
  private      text,
  actor        text
);
-- As in SQLite: no district and no grid index (a district's events along seq, a grid's along its
-- community's index), the entity index for requests' events only.
CREATE INDEX events_street    ON events (street_id, seq);
CREATE INDEX events_community ON events (community_id, seq);
CREATE INDEX events_at        ON events (at);
CREATE INDEX events_request   ON events (entity_id, seq) WHERE ${PG_REQUEST_EVENT};

-- Ranges of the log written by importHistory: committed like any write, published by no follower.
CREATE TABLE unpublished (
  first_seq bigint PRIMARY KEY,
  last_seq  bigint NOT NULL
);

CREATE TABLE grids (
  grid_id      text NOT NULL,
  community_id text NOT NULL,
  PRIMARY KEY (grid_id, community_id)
);

CREATE TABLE requests (
  id               text PRIMARY KEY,
  source           text   NOT NULL,
  category         text   NOT NULL,
  priority         text   NOT NULL,
  lon              double precision NOT NULL,
  lat              double precision NOT NULL,
  district_id      text   NOT NULL,
  street_id        text   NOT NULL,
  community_id     text   NOT NULL,
  grid_id          text   NOT NULL,
  received_at      bigint NOT NULL,
  description      text,
  reporter_name    text,
  reporter_phone   text,
  stage            text   NOT NULL,
  stage_at         bigint NOT NULL,
  created_seq      bigint NOT NULL,
  fingerprint      text   NOT NULL,
  last_seq         bigint,
  last_fingerprint text,
  assignee         text,
  urges            integer NOT NULL DEFAULT 0
);
CREATE INDEX requests_district_received  ON requests (district_id, received_at);
CREATE INDEX requests_street_received    ON requests (street_id, received_at);
CREATE INDEX requests_community_received ON requests (community_id, received_at);

CREATE TABLE alerts (
  id           text PRIMARY KEY,
  camera_id    text   NOT NULL,
  kind         text   NOT NULL,
  confidence   double precision NOT NULL,
  lon          double precision NOT NULL,
  lat          double precision NOT NULL,
  district_id  text   NOT NULL,
  street_id    text   NOT NULL,
  community_id text   NOT NULL,
  grid_id      text   NOT NULL,
  at           bigint NOT NULL,
  snapshot_url text,
  verdict      text,
  reviewed_at  bigint,
  review_seq   bigint,
  request_id   text,
  created_seq  bigint NOT NULL,
  fingerprint  text   NOT NULL
);
CREATE INDEX alerts_unreviewed ON alerts (at) WHERE verdict IS NULL;
CREATE INDEX alerts_street_at  ON alerts (street_id, at);
CREATE INDEX alerts_community_at ON alerts (community_id, at);

CREATE TABLE activities (
  id           text PRIMARY KEY,
  team         text    NOT NULL,
  kind         text    NOT NULL,
  unit_id      text    NOT NULL,
  district_id  text    NOT NULL,
  street_id    text,
  community_id text,
  at           bigint  NOT NULL,
  participants integer NOT NULL,
  fingerprint  text    NOT NULL
);
CREATE INDEX activities_at ON activities (at);

CREATE TABLE workers (
  worker_id    text PRIMARY KEY,
  kind         text   NOT NULL,
  lon          double precision NOT NULL,
  lat          double precision NOT NULL,
  district_id  text   NOT NULL,
  street_id    text   NOT NULL,
  community_id text   NOT NULL,
  grid_id      text   NOT NULL,
  at           bigint NOT NULL,
  seq          bigint NOT NULL
);

CREATE TABLE geography (
  id          integer PRIMARY KEY CHECK (id = 1),
  hash        text   NOT NULL,
  recorded_at bigint NOT NULL
);
CREATE TABLE geography_units (
  unit_id   text PRIMARY KEY,
  level     text NOT NULL,
  parent_id text,
  name      text NOT NULL
);

CREATE TABLE alarms (
  id           text PRIMARY KEY,
  reason       text   NOT NULL,
  subject_id   text   NOT NULL,
  lon          double precision NOT NULL,
  lat          double precision NOT NULL,
  district_id  text   NOT NULL,
  street_id    text   NOT NULL,
  community_id text   NOT NULL,
  grid_id      text   NOT NULL,
  raised_at    bigint NOT NULL,
  raised_seq   bigint NOT NULL,
  acked_at     bigint,
  acked_seq    bigint,
  acked_by     text
);
CREATE INDEX alarms_district       ON alarms (district_id, raised_seq);
CREATE INDEX alarms_street         ON alarms (street_id, raised_seq);
CREATE INDEX alarms_community      ON alarms (community_id, raised_seq);
CREATE INDEX alarms_open_district  ON alarms (district_id, raised_seq) WHERE acked_seq IS NULL;
CREATE INDEX alarms_open_street    ON alarms (street_id, raised_seq) WHERE acked_seq IS NULL;
CREATE INDEX alarms_open_community ON alarms (community_id, raised_seq) WHERE acked_seq IS NULL;
`

/** From each version to the next, each in the transaction that sets the new version. */
export const PG_MIGRATIONS: Record<number, string> = {
  // The rollups' checkpoints (server/metrics): the latest one of each basis.
  1: `
CREATE TABLE rollup_checkpoints (
  basis    text PRIMARY KEY,
  seq      bigint NOT NULL,
  saved_at bigint NOT NULL,
  data     bytea  NOT NULL
);
`,
}

/** The schema of version 1 as it was made, for the migration test. */
export const PG_SCHEMA_V1 = VERSION_1

/** Any key will do: the one lock that makes creating and migrating the schema one process at a time. */
export const MIGRATION_LOCK = 7_020_001

export class SchemaVersionError extends Error {}

/**
 * Brings the current schema (the connection's search_path) to PG_SCHEMA_VERSION: creates it in an
 * empty schema, migrates an older one a version a transaction, refuses a newer or unknown one.
 * Processes starting together take turns on an advisory lock.
 */
export async function migratePg(client: pg.ClientBase, where: string): Promise<void> {
  for (;;) {
    await client.query('BEGIN')
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
      const version = await currentVersion(client, where)
      if (version === PG_SCHEMA_VERSION) {
        await client.query('COMMIT')
        return
      }
      if (version > PG_SCHEMA_VERSION) {
        throw new SchemaVersionError(`the database ${where} has Outpost schema version ${version}; this build knows ${PG_SCHEMA_VERSION} (is a newer Outpost running on it?)`)
      }
      if (version === 0) await client.query(VERSION_1)
      else {
        const step = PG_MIGRATIONS[version]
        if (step === undefined) throw new SchemaVersionError(`the database ${where} has unknown Outpost schema version ${version}`)
        await client.query(step)
        await client.query('UPDATE schema_version SET version = $1 WHERE id = 1', [version + 1])
      }
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    }
  }
}

/** 0 for an empty schema; an error for one that holds tables but no version. */
async function currentVersion(client: pg.ClientBase, where: string): Promise<number> {
  const tables = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('schema_version', 'events')`,
  )
  const names = new Set(tables.rows.map((r) => r.name))
  if (!names.has('schema_version')) {
    if (names.has('events')) throw new SchemaVersionError(`the database ${where} holds an events table but no Outpost schema version: not an Outpost store`)
    return 0
  }
  const row = await client.query<{ version: number }>('SELECT version FROM schema_version WHERE id = 1')
  const version = row.rows[0]?.version
  if (version === undefined) throw new SchemaVersionError(`the database ${where} has an empty schema_version table`)
  return version
}
