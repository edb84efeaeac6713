// Migration 16: the view audit_entries shows the items of batch entries.
//
// A list read (a Posteingang page, search results) audits every case it
// shows; since this release those entries are stored as one row of their
// log, a batch (privacy::AuditLog::append_all): action 'batch', details
// {"items": [{"action", "object", "legal_basis", "details"}, ...]}. The
// view shows each item as a row of its own, with the batch's seq, time,
// actor, request id and hashes, and its position in the batch as `item`
// (0 for an entry of its own), so that queries by hand count one row per
// case read, as before.
//
// SQLite: nothing to migrate; the view is a TEMP view that every connection
// creates (store/sqlite_database.cc).
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_audit_batches() {
  return {16, "audit_batches", "",
          // SQLite
          "",
          // PostgreSQL: the items through json (not jsonb), which keeps
          // their details exactly as written.
          R"sql(
CREATE OR REPLACE VIEW audit_entries AS
  SELECT 'audit_log' AS log, a.seq, a.seq AS change_seq, a.at, a.actor,
         COALESCE(i.value ->> 'action', a.action) AS action,
         COALESCE(i.value ->> 'object', a.object) AS object,
         COALESCE(i.value ->> 'legal_basis', a.legal_basis) AS legal_basis,
         a.request_id, COALESCE((i.value -> 'details')::text, a.details) AS details,
         a.prev_hash, a.hash, COALESCE(i.n, 0) AS item
  FROM audit_log a
  LEFT JOIN LATERAL json_array_elements(CASE WHEN a.action = 'batch'
                                        THEN a.details::json -> 'items' END)
    WITH ORDINALITY AS i(value, n) ON true
  UNION ALL
  SELECT 'read_log', r.seq, r.as_of, r.at, r.actor,
         COALESCE(i.value ->> 'action', r.action),
         COALESCE(i.value ->> 'object', r.object),
         COALESCE(i.value ->> 'legal_basis', r.legal_basis),
         r.request_id, COALESCE((i.value -> 'details')::text, r.details),
         r.prev_hash, r.hash, COALESCE(i.n, 0)
  FROM reads.read_log r
  LEFT JOIN LATERAL json_array_elements(CASE WHEN r.action = 'batch'
                                        THEN r.details::json -> 'items' END)
    WITH ORDINALITY AS i(value, n) ON true;
)sql"};
}

}  // namespace lotse::store
