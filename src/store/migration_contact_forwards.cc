// Migration 10: forwarding of contact requests within an alliance
// (Kundensteuerung, issue 4). The staff of the agency a request is routed
// to may pass it on to another agency of the same alliance with a short
// reason; each step is one row here.
//
// The reason is free text that may name the young person, so it lives only
// in this table and never in the append-only audit log. ON DELETE CASCADE
// ties it to the request: whatever deletes a request (`lotse retention run`,
// purge_closed) deletes its forwarding history in the same statement.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_contact_forwards() {
  return {10, "contact_forwards",
          R"sql(
CREATE TABLE contact_request_forwards (
  id           {{id}},
  request_id   BIGINT NOT NULL REFERENCES contact_requests(id) ON DELETE CASCADE,
  from_agency  TEXT NOT NULL REFERENCES agencies(agency_key),
  to_agency    TEXT NOT NULL REFERENCES agencies(agency_key),
  reason       TEXT NOT NULL,
  forwarded_by TEXT NOT NULL,
  forwarded_at BIGINT NOT NULL
);
CREATE INDEX contact_request_forwards_by_request ON contact_request_forwards(request_id, forwarded_at);
)sql",
          "", ""};
}

}  // namespace lotse::store
