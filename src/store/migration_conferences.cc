// Migration 4: case conferences (Fallberatung). Migration 2 created the
// tables; this adds who recorded what and when (the minutes, each decision
// or task, and who marked a task done), because a task is worked on by
// another agency than the one that recorded it, and the indexes for the two
// ways conferences are found: an agency's Posteingang (open tasks it owns)
// and its list of conferences (as host or participant).
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_conferences() {
  return {4, "conferences",
          R"sql(
ALTER TABLE conferences ADD COLUMN minutes_by TEXT NOT NULL DEFAULT '';
ALTER TABLE conferences ADD COLUMN minutes_at BIGINT;
ALTER TABLE conference_items ADD COLUMN agency_key TEXT NOT NULL DEFAULT '';  -- recording agency
ALTER TABLE conference_items ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE conference_items ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conference_items ADD COLUMN done_at BIGINT;
ALTER TABLE conference_items ADD COLUMN done_by TEXT;
CREATE INDEX conference_items_by_conference ON conference_items(conference_id, id);
CREATE INDEX conference_items_open_by_owner ON conference_items(owner_agency, done, due_on);
CREATE INDEX conference_participants_by_agency ON conference_participants(agency_key, conference_id);
CREATE INDEX conferences_by_host ON conferences(host_agency, scheduled_at);
)sql",
          "", ""};
}

}  // namespace lotse::store
