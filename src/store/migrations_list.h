// Internal to the store layer: the list of numbered migrations.
#pragma once

#include <string>
#include <vector>

namespace lotse::store {

struct Migration {
  int version;
  std::string name;
  std::string common;    // both dialects; "{{id}}" = auto-increment primary key
  std::string sqlite;    // SQLite only, after common
  std::string postgres;  // PostgreSQL only, after common
};

const std::vector<Migration>& all_migrations();

// Later migrations, one file each (migration_<name>.cc), listed in order by
// all_migrations().
Migration migration_search();       // 3: typo-tolerant person search
Migration migration_conferences();  // 4: case conference tasks
Migration migration_retention();    // 5: retention rules
Migration migration_catalogue();    // 6: HSDS offer catalogue and contact points
Migration migration_portal();       // 7: youth portal texts and contact requests (intake)
Migration migration_consent_insight();  // 8: insight assessment and custody of consents
Migration migration_case_counts();  // 9: cases per owner agency and status (triggers)
Migration migration_contact_forwards();  // 10: forwarding of contact requests in an alliance
Migration migration_handover_counts();    // 11: handovers per agency, box and state (triggers)
Migration migration_search_words();       // 12: the words of the person search (SQLite)
Migration migration_drop_name_fts();      // 13: the whole-name FTS5 index, unused since 12 (SQLite)
Migration migration_audit_object_hours(); // 14: audit index by object, hour and actor
Migration migration_read_log();           // 15: the audit entries of gated reads, schema reads
Migration migration_audit_batches();      // 16: audit_entries shows the items of batch entries
Migration migration_agency_order();       // 17: agencies of an alliance in key order (index)
Migration migration_handover_due_counts();  // 18: open handovers per agency, box and due date (triggers)
Migration migration_search_agency_trgm();   // 19: the PostgreSQL search index holds the agency (btree_gin)
Migration migration_drop_overdue_indexes();  // 20: drops the handovers' overdue indexes (unused since 18)
// 21: case_shares never names the case's owner (trigger)
Migration migration_case_shares_not_owner();
// 22: a box's overdue handovers by due date (partial indexes)
Migration migration_handover_due_lists();

}  // namespace lotse::store
