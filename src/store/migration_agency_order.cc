// Migration 17: the agencies of an alliance in key order, from the index.
//
// Every case worker's page lists the agencies of the user's alliance (the
// recipients of a consent, the receivers of a handover), ordered by key. With
// an index on the alliance alone, SQLite sorted the handful of rows in a
// temporary B-tree on every page: a tenth of the case page's server time at
// 1,000,000 persons (bench/casework.sh). With the key in the index the rows
// come out in order and nothing is sorted.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_agency_order() {
  return {17, "agency_order",
          R"sql(
CREATE INDEX agencies_by_alliance_key ON agencies(alliance_ags, agency_key);
DROP INDEX agencies_by_alliance;
)sql",
          "", ""};
}

}  // namespace lotse::store
