// Migration 21: case_shares never names a case's own agency.
//
// The "shared with us" list of an agency (CaseScope::kShared) is case_shares
// without the cases the agency owns itself: a consent or transfer may once
// have named the owner (its case is its own, not shared with it). The list
// checked that on every row it paged over, joining the case to each: the
// last pages of 17,000 shared cases at 1,000,000 persons took 29 ms of SQLite
// time for 25 lines (every skipped row's case read). With such rows never
// stored, the list pages on case_shares' own index. A case's owner never
// changes (the lead does), so a row stays right once written.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_case_shares_not_owner() {
  return {21, "case_shares_not_owner",
          R"sql(
DELETE FROM case_shares WHERE EXISTS (
  SELECT 1 FROM cases k WHERE k.id = case_shares.case_id AND k.owner_agency = case_shares.agency_key);
)sql",
          // SQLite: the row is skipped, whoever inserts it (the consent and
          // transfer triggers of migration 3).
          R"sql(
CREATE TRIGGER case_shares_not_owner BEFORE INSERT ON case_shares
WHEN (SELECT owner_agency FROM cases WHERE id = NEW.case_id) = NEW.agency_key BEGIN
  SELECT RAISE(IGNORE);
END;
)sql",
          // PostgreSQL: a BEFORE trigger returning NULL skips the row.
          R"sql(
CREATE FUNCTION case_shares_not_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM cases WHERE id = NEW.case_id AND owner_agency = NEW.agency_key) THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER case_shares_not_owner BEFORE INSERT ON case_shares
FOR EACH ROW EXECUTE FUNCTION case_shares_not_owner();
)sql"};
}

}  // namespace lotse::store
