// Migration 19: the PostgreSQL person search index holds the agency too.
//
// A search looks for names in one agency's scope (person_search rows of
// that agency_key). With the trigram index on the names alone, PostgreSQL
// intersected two bitmaps on every search: every person in the state whose
// name shares trigrams with the query (62,803 for "müller" at 1,000,000
// persons) and every person in the agency's scope (52,934 for Jobcenter
// Magdeburg): 70 to 300 ms a search. One GIN index over (agency_key,
// search_text) finds the agency's matches in one scan: 16 to 34 ms for the
// same queries. btree_gin (for the agency key in a GIN index) ships with
// Debian's postgresql-15 like pg_trgm and is a trusted extension.
//
// SQLite: its search has been partitioned by agency from the start
// (search_postings by scope, migration 12): nothing to do.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_search_agency_trgm() {
  return {19, "search_agency_trgm", "",
          // SQLite
          "",
          // PostgreSQL
          R"sql(
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX person_search_agency_trgm ON person_search
  USING gin (agency_key, search_text gin_trgm_ops);
DROP INDEX person_search_trgm;
)sql"};
}

}  // namespace lotse::store
