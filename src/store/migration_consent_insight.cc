// Migration 8: the insight assessment (Einsichtsfähigkeit) and custody of a
// consent (LEGAL.md § 2 "Age"). At 15–17 the case worker records whether the
// young person understood what they consent to and how that was checked;
// guardians state sole or joint custody, and with joint custody both are
// named. All columns are nullable: consents recorded before this migration
// were not assessed, and the columns only apply where the rules ask for them
// (domain/consent.cc).
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_consent_insight() {
  // One column per statement: SQLite adds one column per ALTER TABLE.
  return {8, "consent_insight",
          R"sql(
ALTER TABLE consents ADD COLUMN insight_confirmed INTEGER
  CHECK (insight_confirmed IN (0, 1));              -- NULL: not assessed; 1: has insight; 0: lacks it
ALTER TABLE consents ADD COLUMN insight_reason TEXT; -- how it was checked; NULL when not assessed
ALTER TABLE consents ADD COLUMN custody TEXT
  CHECK (custody IN ('sole', 'joint'));             -- given by guardians only
ALTER TABLE consents ADD COLUMN second_guardian_name TEXT; -- joint custody only
)sql",
          "", ""};
}

}  // namespace lotse::store
