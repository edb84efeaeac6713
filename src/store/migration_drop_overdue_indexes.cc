// Migration 20: the handovers' overdue indexes go.
//
// handovers_in_box and handovers_out_box (migration 3) served the overdue
// counts of the Posteingang: open handovers of a box sent before a cut-off,
// counted on an index range. Since migration 18 those counts come from
// handover_due_counts, and no query uses the two indexes any more (query
// plans of the box lists, the declined count and a case's handovers at
// 1,000,000 persons: handovers_in_list, handovers_out_list,
// handovers_declined_recent, handovers_by_case). Every handover written still
// kept them up to date.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_drop_overdue_indexes() {
  return {20, "drop_overdue_indexes",
          R"sql(
DROP INDEX IF EXISTS handovers_in_box;
DROP INDEX IF EXISTS handovers_out_box;
)sql",
          "", ""};
}

}  // namespace lotse::store
