// Version 3 of the SQLite store's schema, as the build before actors and alarms wrote it (word
// for word, from git history), so migration tests start from a real older file, not from today's
// schema with parts removed. Also the steps that take a file of today's schema back to version 3
// (for the tests of the older migrations, which strip a current file further).
import type Database from 'better-sqlite3'

export const SCHEMA_V3_SQL = `
CREATE TABLE events (
  -- The rowid: max + 1 on every insert, and rows are never deleted, so seq strictly increases
  -- without AUTOINCREMENT's extra write to sqlite_sequence on every event.
  seq          INTEGER PRIMARY KEY,
  type         TEXT    NOT NULL,
  entity_id    TEXT    NOT NULL,
  at           INTEGER NOT NULL,
  district_id  TEXT    NOT NULL,
  street_id    TEXT    NOT NULL,
  community_id TEXT    NOT NULL,
  grid_id      TEXT    NOT NULL,
  data         TEXT    NOT NULL,
  private      TEXT
);
-- No (district_id, seq) index: a district's events are read along the rowid itself.
CREATE INDEX events_street    ON events (street_id, seq);
CREATE INDEX events_community ON events (community_id, seq);
CREATE INDEX events_at        ON events (at);
CREATE INDEX events_request ON events (entity_id, seq) WHERE type IN ('request.received', 'request.transitioned');

CREATE TABLE grids (
  grid_id      TEXT NOT NULL,
  community_id TEXT NOT NULL,
  PRIMARY KEY (grid_id, community_id)
) WITHOUT ROWID;

CREATE TABLE requests (
  id             TEXT PRIMARY KEY,
  source         TEXT    NOT NULL,
  category       TEXT    NOT NULL,
  priority       TEXT    NOT NULL,
  lon            REAL    NOT NULL,
  lat            REAL    NOT NULL,
  district_id    TEXT    NOT NULL,
  street_id      TEXT    NOT NULL,
  community_id   TEXT    NOT NULL,
  grid_id        TEXT    NOT NULL,
  received_at    INTEGER NOT NULL,
  description    TEXT,
  reporter_name  TEXT,
  reporter_phone TEXT,
  stage          TEXT    NOT NULL,
  stage_at       INTEGER NOT NULL,
  created_seq    INTEGER NOT NULL,
  fingerprint    TEXT    NOT NULL,
  -- The last transition, so a retried one is recognised without reading the log.
  last_seq         INTEGER,
  last_fingerprint TEXT
) WITHOUT ROWID;
-- No grid index (see the grids table), and no index on the open ones: every query that asks for open
-- requests names a unit, and the unit's index serves it better.
CREATE INDEX requests_district_received  ON requests (district_id, received_at);
CREATE INDEX requests_street_received    ON requests (street_id, received_at);
CREATE INDEX requests_community_received ON requests (community_id, received_at);

CREATE TABLE alerts (
  id           TEXT PRIMARY KEY,
  camera_id    TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  confidence   REAL    NOT NULL,
  lon          REAL    NOT NULL,
  lat          REAL    NOT NULL,
  district_id  TEXT    NOT NULL,
  street_id    TEXT    NOT NULL,
  community_id TEXT    NOT NULL,
  grid_id      TEXT    NOT NULL,
  at           INTEGER NOT NULL,
  snapshot_url TEXT,
  verdict      TEXT,
  reviewed_at  INTEGER,
  review_seq   INTEGER,
  request_id   TEXT,
  created_seq  INTEGER NOT NULL,
  fingerprint  TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX alerts_unreviewed ON alerts (at) WHERE verdict IS NULL;
CREATE INDEX alerts_street_at  ON alerts (street_id, at);

-- Service activities (便民服务活动): aggregates for the public kiosk, outside the live log.
CREATE TABLE activities (
  id           TEXT PRIMARY KEY,
  team         TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  unit_id      TEXT    NOT NULL,
  district_id  TEXT    NOT NULL,
  street_id    TEXT,
  community_id TEXT,
  at           INTEGER NOT NULL,
  participants INTEGER NOT NULL,
  fingerprint  TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX activities_at ON activities (at);

CREATE TABLE workers (
  worker_id    TEXT PRIMARY KEY,
  kind         TEXT    NOT NULL,
  lon          REAL    NOT NULL,
  lat          REAL    NOT NULL,
  district_id  TEXT    NOT NULL,
  street_id    TEXT    NOT NULL,
  community_id TEXT    NOT NULL,
  grid_id      TEXT    NOT NULL,
  at           INTEGER NOT NULL,
  seq          INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE geography (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  hash        TEXT    NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE TABLE geography_units (
  unit_id   TEXT PRIMARY KEY,
  level     TEXT NOT NULL,
  parent_id TEXT,
  name      TEXT NOT NULL
) WITHOUT ROWID;
`

/** Version 5's addition undone: a current file becomes a version 4 file. */
export const BACK_TO_VERSION_4 = `DROP TABLE rollup_checkpoints;`

/** Today's additions (versions 4 and 5) undone: a current file becomes a version 3 file. */
export const BACK_TO_VERSION_3 = `
${BACK_TO_VERSION_4}
DROP TABLE alarms;
DROP INDEX events_request;
ALTER TABLE events DROP COLUMN actor;
ALTER TABLE requests DROP COLUMN assignee;
ALTER TABLE requests DROP COLUMN urges;
CREATE INDEX events_request ON events (entity_id, seq) WHERE type IN ('request.received', 'request.transitioned');
`

/** Takes an open file of today's schema back to version 3 (the caller goes further back if it wants). */
export function backToVersion3(raw: Database.Database): void {
  raw.exec(BACK_TO_VERSION_3)
  raw.pragma('user_version = 3')
}
