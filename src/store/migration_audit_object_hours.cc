// Migration 14: the audit log's index by object, one row per object, hour
// and actor instead of one per entry.
//
// Every gated read appends an entry per case it shows (a Posteingang page:
// 50). The index audit_log_by_object (object, seq) put each of them on a
// random leaf of a B-tree as large as the log, so each name shown cost a
// page write into the WAL: measured on a million persons, more than a third
// of the Posteingang's server time. Case workers read the same persons again
// and again within an hour; audit_object_hours gets a row only the first
// time an actor touches an object in an hour (INSERT ... ON CONFLICT DO
// NOTHING: later entries find the row and write nothing). The entries
// themselves are found through audit_log_by_actor (actor, at), whose writes
// land at the end of each actor's range. Readers join the two
// (privacy::AuditLog::kEntriesAboutObjects); every entry stays findable.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_audit_object_hours() {
  return {14, "audit_object_hours",
          // Both dialects: the entries by actor and time.
          R"sql(
CREATE INDEX audit_log_by_actor ON audit_log(actor, at);
)sql",
          // SQLite: the key is the whole row.
          R"sql(
CREATE TABLE audit_object_hours (
  object TEXT NOT NULL,       -- as audit_log.object, e.g. 'case:12'
  hour   BIGINT NOT NULL,     -- audit_log.at / 3600000 (unix hours)
  actor  TEXT NOT NULL,       -- as audit_log.actor
  PRIMARY KEY (object, hour, actor)
) WITHOUT ROWID;
INSERT INTO audit_object_hours (object, hour, actor)
  SELECT DISTINCT object, at / 3600000, actor FROM audit_log;
DROP INDEX audit_log_by_object;
)sql",
          // PostgreSQL
          R"sql(
CREATE TABLE audit_object_hours (
  object TEXT NOT NULL,
  hour   BIGINT NOT NULL,
  actor  TEXT NOT NULL,
  PRIMARY KEY (object, hour, actor)
);
INSERT INTO audit_object_hours (object, hour, actor)
  SELECT DISTINCT object, at / 3600000, actor FROM audit_log;
DROP INDEX audit_log_by_object;
)sql"};
}

}  // namespace lotse::store
