// Retention (Speicherbegrenzung, Art. 5 Abs. 1 lit. e / Art. 17 DSGVO, § 84
// SGB X): a deletion period per data category, kept in the retention_rules
// table, and the run that deletes what is due.
//
//   RetentionService retention(db, system_clock());
//   auto rules = retention.rules();                        // category, months, basis
//   retention.set_rule("admin", "closed_cases", 60);        // validated, audited
//   auto run = retention.run("admin", /*dry_run=*/false);   // deletes, audits each deletion
//   for (const auto& d : run->deletions) std::cout << d.object << "\n";   // "case:12"
//
// Categories (fixed here, because each needs its own deletion; the periods
// are configuration):
// - section_31a: transfers recorded under § 31a SGB III, deleted N months
//   after recorded_at (the law says at the latest six months, so 1..6);
// - closed_cases: a closed case with everything that hangs on it (needs,
//   consents with their versions, transfers, notes, Förderkette, handovers,
//   conferences: ON DELETE CASCADE), N months after closed_at; the person
//   goes with their last case;
// - persons_without_case: a person recorded without any case, N months
//   after created_at.
//
// Each deletion is one write transaction (per case, or per person) holding
// its audit entry, so a deletion and its record commit together or not at
// all. The audit log is append-only and must never have held a direct
// identifier: the entry names the deleted records by their ids only
// ("case:12", details {"person": 7}), which are pseudonyms once the records
// are gone, plus the number of rows deleted per table.
//
// Thread safety: safe to call concurrently with the web server; every
// deletion re-checks, inside its transaction, that it is still due.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lotse/common/clock.h"
#include "lotse/common/result.h"
#include "lotse/store/database.h"

namespace lotse::casework {

struct RetentionRule {
  std::string category;  // "section_31a" | "closed_cases" | "persons_without_case"
  std::string label;     // German, for `lotse retention rules`
  int months = 0;
  int min_months = 1, max_months = 1;  // what set_rule accepts
  std::string basis;                    // what the period rests on
  std::string updated_by;               // "-" for the defaults
  std::int64_t updated_at_ms = 0;
};

// One deletion (or, in a dry run, one that would happen).
struct RetentionDeletion {
  std::string category;                         // the rule that made it due
  std::string object;                           // pseudonym as audited: "case:12", "person:7"
  std::map<std::string, std::int64_t> deleted;  // table -> rows
};

struct RetentionRun {
  bool dry_run = false;
  std::int64_t at_ms = 0;
  std::vector<RetentionDeletion> deletions;
  // category -> table -> rows, summed over the deletions.
  std::map<std::string, std::map<std::string, std::int64_t>> totals;
};

class RetentionService {
 public:
  // `db` must outlive the service.
  RetentionService(store::Database& db, Clock clock);

  Result<std::vector<RetentionRule>> rules();
  // Errors name "category" (unknown) or "months" (outside the category's
  // range); nothing changes then. The change is audited with the old and the
  // new period.
  Result<RetentionRule> set_rule(const std::string& actor, const std::string& category,
                                 std::int64_t months);
  // Deletes what is due now (dry_run: only reports it, changes nothing and
  // writes no audit entry). `actor` is recorded in each audit entry.
  Result<RetentionRun> run(const std::string& actor, bool dry_run);

 private:
  store::Database& db_;
  Clock clock_;
};

// `at_ms` moved back by `months` calendar months (the day clamped to the
// target month's length): a record is due when its time is at or before it.
std::int64_t months_before(std::int64_t at_ms, int months);

}  // namespace lotse::casework
