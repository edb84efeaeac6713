// Migration 22: the overdue handovers of a box, in order of their due dates.
//
// The Posteingang's "Überfällig" filter lists a box's overdue handovers with
// the longest overdue first (casework/handovers.cc, BoxFilter::kOverdue).
// These partial indexes hold exactly the handovers that can be overdue (open,
// with a sending time and a due date: the rows handover_due_counts counts),
// by agency and due date, with what the box's condition reads, so a page of
// them is a range of one index, however deep, without reading or sorting
// the box's other handovers.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_handover_due_lists() {
  return {22, "handover_due_lists",
          R"sql(
CREATE INDEX handovers_in_due ON handovers(to_agency, due_on, id, state, sent_at)
  WHERE state IN ('sent', 'received') AND sent_at IS NOT NULL AND due_on IS NOT NULL;
CREATE INDEX handovers_out_due ON handovers(from_agency, due_on, id, state, sent_at, updated_at)
  WHERE state IN ('sent', 'received') AND sent_at IS NOT NULL AND due_on IS NOT NULL;
)sql",
          "", ""};
}

}  // namespace lotse::store
