// The append-only log (`events`) is the truth; `requests`, `alerts` and `workers` are projections
// of it, written in the same transaction as the event that changes them.
//
// Every index is paid on every insert, in pages written to the WAL at each commit: an index whose
// key is spread (one entry per grid, per worker, per random id) dirties a page per row. So the log
// keeps only indexes that a read needs and that insert near their ends: no grid index (a grid is
// read along its community's, see `grids`), and the entity index only for requests' events.
import type { AlarmReason, AlertKind, Category, Priority, Source, Stage, Verdict } from '../../shared/domain'

export const SCHEMA_VERSION = 5

/**
 * A request's timeline is read by its id; pings (most of the log, keyed by worker), alerts and
 * alarms never are. Its 督办 (`request.urged`) are part of its timeline (the detail lists them), so
 * they are request events too. Queries that use it repeat its WHERE clause word for word
 * (`REQUEST_EVENT`), or SQLite cannot use a partial index.
 */
export const REQUEST_EVENT = "type IN ('request.received', 'request.transitioned', 'request.urged')"
const EVENTS_REQUEST_INDEX = `CREATE INDEX events_request ON events (entity_id, seq) WHERE ${REQUEST_EVENT};`
/** The request index of versions 2 and 3 (before urges), as migration 1 made it. */
const REQUEST_EVENT_V3 = "type IN ('request.received', 'request.transitioned')"
const EVENTS_REQUEST_INDEX_V3 = `CREATE INDEX events_request ON events (entity_id, seq) WHERE ${REQUEST_EVENT_V3};`

// Alarms (urgent requests, camera alerts, overdue requests) until a person acknowledges them: a
// projection of 'alarm.raised' and 'alarm.acked'. Few rows (one per urgent request, alert or
// overdue request), read as "the open alarms of a unit, newest first" (the wall, the console, the
// snapshot) and now and then as all of a unit's. Open ones have partial indexes of their own, so a
// unit's open alarms are read without walking its acknowledged history; a grid is read along its
// community's, as everywhere. `acked_by` is the actor's JSON.
const ALARMS_TABLE = `CREATE TABLE alarms (
  id           TEXT PRIMARY KEY,
  reason       TEXT    NOT NULL,
  subject_id   TEXT    NOT NULL,
  lon          REAL    NOT NULL,
  lat          REAL    NOT NULL,
  district_id  TEXT    NOT NULL,
  street_id    TEXT    NOT NULL,
  community_id TEXT    NOT NULL,
  grid_id      TEXT    NOT NULL,
  raised_at    INTEGER NOT NULL,
  raised_seq   INTEGER NOT NULL,
  acked_at     INTEGER,
  acked_seq    INTEGER,
  acked_by     TEXT
) WITHOUT ROWID;
CREATE INDEX alarms_district       ON alarms (district_id, raised_seq);
CREATE INDEX alarms_street         ON alarms (street_id, raised_seq);
CREATE INDEX alarms_community      ON alarms (community_id, raised_seq);
CREATE INDEX alarms_open_district  ON alarms (district_id, raised_seq) WHERE acked_seq IS NULL;
CREATE INDEX alarms_open_street    ON alarms (street_id, raised_seq) WHERE acked_seq IS NULL;
CREATE INDEX alarms_open_community ON alarms (community_id, raised_seq) WHERE acked_seq IS NULL;`

// The community of each grid that has stored anything, so that a grid's rows are read along the
// community indexes (a community holds a handful of grids) instead of a grid index on every table.
// A grid moved to another community by a new geography has a row for each.
const GRIDS_TABLE = `CREATE TABLE grids (
  grid_id      TEXT NOT NULL,
  community_id TEXT NOT NULL,
  PRIMARY KEY (grid_id, community_id)
) WITHOUT ROWID;`

// The geography the store was last started with (see geography-guard.ts): its content hash in one
// row, and each unit's id, level, parent and name, so that a start with another file can tell which
// units that events name would be gone. Empty until the first start that records one.
const GEOGRAPHY_TABLES = `CREATE TABLE geography (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  hash        TEXT    NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE TABLE geography_units (
  unit_id   TEXT PRIMARY KEY,
  level     TEXT NOT NULL,
  parent_id TEXT,
  name      TEXT NOT NULL
) WITHOUT ROWID;`

// The rollups' state as of a seq (server/metrics/checkpoint.ts), one row per basis (format version
// and everything besides the log that the figures depend on): a start reads its basis's row and
// then only the log after `seq`. A row of another basis is never read; it stays until a start of
// that basis replaces it. Rows are large blobs (tens to hundreds of MB): a rowid table, so that
// the blob sits in overflow pages and not in the key's B-tree.
const CHECKPOINTS_TABLE = `CREATE TABLE rollup_checkpoints (
  basis    TEXT PRIMARY KEY,
  seq      INTEGER NOT NULL,
  saved_at INTEGER NOT NULL,
  data     BLOB    NOT NULL
);`

export const SCHEMA_SQL = `
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
  private      TEXT,
  -- Who wrote it (an Actor as JSON); NULL for pings, store-raised alarms and older events.
  actor        TEXT
);
-- No (district_id, seq) index: a district's events are read along the rowid itself.
CREATE INDEX events_street    ON events (street_id, seq);
CREATE INDEX events_community ON events (community_id, seq);
CREATE INDEX events_at        ON events (at);
${EVENTS_REQUEST_INDEX}

${GRIDS_TABLE}

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
  last_fingerprint TEXT,
  -- The current assignee as JSON (a DispatchTarget, or the string of an older event), and 督办 count.
  assignee         TEXT,
  urges            INTEGER NOT NULL DEFAULT 0
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

${GEOGRAPHY_TABLES}

${ALARMS_TABLE}

${CHECKPOINTS_TABLE}
`

/** From each older version to the next, in one transaction each. */
export const MIGRATIONS: Record<number, string> = {
  1: `
DROP INDEX events_grid;
DROP INDEX events_entity;
${EVENTS_REQUEST_INDEX_V3}
DROP INDEX requests_grid_received;
DROP INDEX requests_open;
${GRIDS_TABLE}
-- Every row of the projections has an event with the same place, so the log names every grid.
INSERT INTO grids (grid_id, community_id) SELECT DISTINCT grid_id, community_id FROM events;
`,
  // A file written before the store remembered its geography: the record starts empty, and the
  // first start checks the units its log names instead (geography-guard.ts).
  2: GEOGRAPHY_TABLES,
  // Actors, typed assignees, urges and alarms. Older events keep a NULL actor; a request's current
  // assignee is read back from its last transition that named one (a string then), along the
  // version 3 request index (its clause repeated word for word); then that index is rebuilt to
  // cover 'request.urged' (one pass over the log).
  3: `
ALTER TABLE events ADD COLUMN actor TEXT;
ALTER TABLE requests ADD COLUMN assignee TEXT;
ALTER TABLE requests ADD COLUMN urges INTEGER NOT NULL DEFAULT 0;
UPDATE requests SET assignee = (
  SELECT data -> '$.assignee' FROM events
  WHERE entity_id = requests.id AND ${REQUEST_EVENT_V3}
    AND type = 'request.transitioned' AND json_type(data, '$.assignee') IS NOT NULL
  ORDER BY seq DESC LIMIT 1
);
DROP INDEX events_request;
${EVENTS_REQUEST_INDEX}
${ALARMS_TABLE}
`,
  // Rollup checkpoints: none yet, so the first start of this version replays the whole log once.
  4: CHECKPOINTS_TABLE,
}

/** A row of `requests`. */
export interface RequestRow {
  id: string
  source: Source
  category: Category
  priority: Priority
  lon: number
  lat: number
  grid_id: string
  community_id: string
  street_id: string
  district_id: string
  received_at: number
  description: string | null
  reporter_name: string | null
  reporter_phone: string | null
  stage: Stage
  stage_at: number
  created_seq: number
  fingerprint: string
  last_seq: number | null
  /** JSON: a DispatchTarget, or the string of an older event. */
  assignee: string | null
  urges: number
}

/** A row of `alarms`. */
export interface AlarmRow {
  id: string
  reason: AlarmReason
  subject_id: string
  lon: number
  lat: number
  district_id: string
  street_id: string
  community_id: string
  grid_id: string
  raised_at: number
  raised_seq: number
  acked_at: number | null
  acked_seq: number | null
  /** JSON: the Actor who acknowledged it. */
  acked_by: string | null
}

/** A row of `alerts`. */
export interface AlertRow {
  id: string
  camera_id: string
  kind: AlertKind
  confidence: number
  lon: number
  lat: number
  grid_id: string
  community_id: string
  street_id: string
  district_id: string
  at: number
  verdict: Verdict | null
  reviewed_at: number | null
  review_seq: number | null
  request_id: string | null
  snapshot_url: string | null
  created_seq: number
  fingerprint: string
}
