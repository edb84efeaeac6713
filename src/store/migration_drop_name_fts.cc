// Migration 13: drops the whole-name FTS5 index of migration 3 (SQLite).
//
// Since migration 12 the person search matches the distinct words of names
// (search_vocab, search_postings); nothing reads person_search_fts any more,
// yet its triggers re-indexed every name on every write of person_search
// and it was the largest index in the file. person_search itself stays:
// the word postings follow it by their triggers.
//
// PostgreSQL never had it (pg_trgm on person_search): nothing to do.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_drop_name_fts() {
  return {13, "drop_name_fts", "",
          // SQLite
          R"sql(
DROP TRIGGER person_search_ai;
DROP TRIGGER person_search_ad;
DROP TRIGGER person_search_au;
DROP TABLE person_search_fts;
)sql",
          // PostgreSQL
          ""};
}

}  // namespace lotse::store
