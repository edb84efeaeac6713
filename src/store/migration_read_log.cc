// Migration 15: the read log, the audit entries of gated reads, in a schema
// of its own: "reads", on SQLite a file of its own (PATH-reads, attached to
// every connection by store/sqlite_database.cc).
//
// Every page view of case data appends audit entries. In SQLite's WAL mode a
// commit to a file makes every other connection drop its page cache of that
// file at its next transaction; with the entries in the main file, each
// view made the next requests read the cases, persons and handovers they
// need from the OS again (measured on a million persons: the Posteingang
// 1.9 ms of server time per request with the entries in the main file, 1.4
// with them in a file of their own). Entries written inside a write
// transaction, with the change they record, stay in audit_log.
//
// The read log has the same columns plus as_of, the last change-log entry
// its read saw (which orders reads and changes exactly, and tells reads of
// a record from reads of an earlier one with the same id), its own hash
// chain (read_head) and its own index by object, hour and actor (as
// migration 14). In the view audit_entries, ORDER BY change_seq, log, seq
// is the order in which things happened. Readers take
// both logs (privacy::AuditLog::entries_about); the view audit_entries shows
// both for queries by hand.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_read_log() {
  return {15, "read_log", "",
          // SQLite: seq is the rowid (no second index for it).
          R"sql(
CREATE TABLE reads.read_log (
  seq         INTEGER PRIMARY KEY,
  at          BIGINT NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  object      TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  details     TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  as_of       BIGINT NOT NULL           -- the last audit_log entry (seq) the read saw
);
CREATE TRIGGER reads.read_log_no_update BEFORE UPDATE ON read_log
BEGIN SELECT RAISE(ABORT, 'read_log is append-only'); END;
CREATE TRIGGER reads.read_log_no_delete BEFORE DELETE ON read_log
BEGIN SELECT RAISE(ABORT, 'read_log is append-only'); END;
CREATE TABLE reads.read_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO reads.read_head (id, seq, hash) VALUES (1, 0, 'genesis');
CREATE TABLE reads.read_object_hours (
  object TEXT NOT NULL,
  hour   BIGINT NOT NULL,
  actor  TEXT NOT NULL,
  PRIMARY KEY (object, hour, actor)
) WITHOUT ROWID;
CREATE INDEX reads.read_log_by_actor ON read_log(actor, at);
)sql",
          // PostgreSQL
          R"sql(
CREATE SCHEMA reads;
CREATE TABLE reads.read_log (
  seq         BIGINT PRIMARY KEY,
  at          BIGINT NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  object      TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  details     TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  as_of       BIGINT NOT NULL           -- the last audit_log entry (seq) the read saw
);
CREATE FUNCTION reads.read_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'read_log is append-only'; END $$;
CREATE TRIGGER read_log_no_update BEFORE UPDATE OR DELETE ON reads.read_log
FOR EACH ROW EXECUTE FUNCTION reads.read_log_append_only();
CREATE TRIGGER read_log_no_truncate BEFORE TRUNCATE ON reads.read_log
FOR EACH STATEMENT EXECUTE FUNCTION reads.read_log_append_only();
CREATE TABLE reads.read_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO reads.read_head (id, seq, hash) VALUES (1, 0, 'genesis');
CREATE TABLE reads.read_object_hours (
  object TEXT NOT NULL,
  hour   BIGINT NOT NULL,
  actor  TEXT NOT NULL,
  PRIMARY KEY (object, hour, actor)
);
CREATE INDEX read_log_by_actor ON reads.read_log(actor, at);
-- Both logs as one view, for queries by hand (SQLite: a TEMP view per
-- connection, store/sqlite_database.cc).
CREATE VIEW audit_entries AS
  SELECT 'audit_log' AS log, seq, seq AS change_seq, at, actor, action, object, legal_basis,
         request_id, details, prev_hash, hash FROM audit_log
  UNION ALL
  SELECT 'read_log', seq, as_of, at, actor, action, object, legal_basis, request_id, details,
         prev_hash, hash FROM reads.read_log;
)sql"};
}

}  // namespace lotse::store
