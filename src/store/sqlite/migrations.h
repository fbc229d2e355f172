// Numbered schema migrations of the SQLite store, applied in order at open. Never
// edit a released step: add the next one.
#pragma once

namespace ecohub::store::sqlite {

inline constexpr const char* kSqliteMigrations[] = {
    // 1: readings, series, chunks, raw packets, reference tables.
    R"sql(
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  mn TEXT NOT NULL, period INTEGER NOT NULL, factor TEXT NOT NULL, field TEXT NOT NULL,
  UNIQUE (mn, period, factor, field));
-- Write-optimised: time-major, value packed as an integer (mantissa << 5 | scale << 1
-- | negative zero) or kept as text when it is not a plain decimal.
CREATE TABLE readings (
  t INTEGER NOT NULL, series INTEGER NOT NULL, v INTEGER, txt TEXT, flag INTEGER,
  PRIMARY KEY (t, series)) WITHOUT ROWID;
CREATE TABLE chunks (
  series INTEGER NOT NULL, day INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY (series, day)) WITHOUT ROWID;
CREATE TABLE raw_packets (
  id INTEGER PRIMARY KEY, received INTEGER NOT NULL, peer TEXT, mn TEXT, verdict TEXT,
  bytes BLOB);
CREATE INDEX raw_packets_mn ON raw_packets (mn, received);
CREATE INDEX raw_packets_received ON raw_packets (received);
CREATE TABLE districts (
  id INTEGER PRIMARY KEY, code TEXT UNIQUE NOT NULL, name TEXT NOT NULL,
  lon REAL, lat REAL, geojson TEXT);
CREATE TABLE enterprises (
  id INTEGER PRIMARY KEY, credit_code TEXT UNIQUE NOT NULL, name TEXT NOT NULL,
  industry TEXT, district_id INTEGER, lon REAL, lat REAL, key_unit INTEGER, permit_no TEXT);
CREATE TABLE sites (
  id INTEGER PRIMARY KEY, code TEXT UNIQUE NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
  district_id INTEGER, enterprise_id INTEGER, lon REAL, lat REAL, simulated INTEGER,
  attrs TEXT);
CREATE TABLE devices (
  mn TEXT PRIMARY KEY, site_id INTEGER, password TEXT, protocol_version INTEGER,
  charset TEXT, enabled INTEGER, crc_variant TEXT);
)sql",
    // 2: raw packets are looked up by time only. An index on (mn, received) has one
    // insertion point per device, so every group commit dirtied ~one page per active
    // device and wrote it to the WAL: it halved the gateway's throughput.
    R"sql(
DROP INDEX IF EXISTS raw_packets_mn;
)sql",
    // 3: (a `derived` table lived here during development; derived values now have
    // their own file, derived.db, see kSqliteDerivedSchema.)
    R"sql(
SELECT 1;
)sql",
    // 4: hourly and daily data (period >= 2) is read by series — the Deriver reads a
    // few hourly series among millions of real-time and minute rows. A partial index
    // keeps those streams, nearly all the rows, free of index upkeep (with minute rows
    // indexed too, store_bench fell from 450k to 115k rows/s).
    R"sql(
ALTER TABLE readings ADD COLUMN p INTEGER;
UPDATE readings SET p = (SELECT period FROM series WHERE series.id = readings.series);
CREATE INDEX readings_interval ON readings (series, t) WHERE p >= 2;
)sql",
    // 5: the hash-chained audit log (store/audit.h).
    R"sql(
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY, t INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  object TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
)sql",
    // 6: alarms and their lifecycle (Store::UpsertAlarms). In ecohub.db, fsynced:
    // an acknowledgement is a person's act and cannot be derived again.
    R"sql(
CREATE TABLE alarms (
  id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, kind TEXT NOT NULL,
  site_id INTEGER NOT NULL, site_code TEXT NOT NULL, enterprise_id INTEGER,
  district_id INTEGER NOT NULL, factor TEXT NOT NULL, started INTEGER NOT NULL, ended INTEGER,
  value REAL, "limit" REAL, unit TEXT NOT NULL, detail TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'closed')),
  ack_by TEXT, ack_at INTEGER, ack_comment TEXT,
  closed_by TEXT, closed_at INTEGER, close_comment TEXT, created INTEGER NOT NULL);
CREATE INDEX alarms_started ON alarms (started, id);
CREATE INDEX alarms_status ON alarms (status, started);
)sql",
    // 7: keyed audit rows (store/audit.h): the id of the key whose HMAC-SM3 is the
    // row's hash; '' for the SHA-256 rows written before.
    R"sql(
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
)sql",
    // 8: the city the deployment serves (one row; `ecohub city init`).
    R"sql(
CREATE TABLE city (
  id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL, code TEXT NOT NULL,
  lon REAL, lat REAL, west REAL, south REAL, east REAL, north REAL);
)sql",
    // 9: the registry administered (issue 13): an enterprise's address, contacts,
    // key-unit lists and lifecycle; districts and sites disabled rather than deleted;
    // the city's targets (NULL: none set).
    R"sql(
ALTER TABLE enterprises ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN key_media TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN status TEXT NOT NULL DEFAULT 'operating';
ALTER TABLE districts ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sites ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE city ADD COLUMN pm25_target REAL;
ALTER TABLE city ADD COLUMN good_days_target REAL;
ALTER TABLE city ADD COLUMN water_target REAL;
)sql",
};

// derived.db: values EcoHub derives from readings (AQI, classes, events, rates).
// A file of its own so that recomputation never holds the readings' write lock and
// its commits need no fsync (synchronous=NORMAL): everything in it can be derived
// again. Idempotent; versioned by its own user_version if it ever changes.
inline constexpr const char* kSqliteDerivedSchema = R"sql(
CREATE TABLE IF NOT EXISTS derived (
  kind TEXT NOT NULL, scope TEXT NOT NULL, t INTEGER NOT NULL, value REAL,
  body TEXT NOT NULL, updated INTEGER NOT NULL,
  PRIMARY KEY (kind, t, scope)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS derived_scope ON derived (kind, scope, t);
)sql";

}  // namespace ecohub::store::sqlite
