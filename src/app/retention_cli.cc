// `lotse retention …`: the deletion periods per data category and the run
// that deletes what is due (casework/retention.h).
//
//   lotse retention rules                         # category, months, basis
//   lotse retention set closed_cases 60 --as admin
//   lotse retention run [--dry-run] --as admin    # counts per category and table
//
// main.cc registers the commands with one line; each command runs in its
// subcommand's callback and ends the program with its exit code (thrown as
// CLI::RuntimeError, which CLI11_PARSE returns without printing), so main's
// other branches never see it. Exit codes: 0 done, 1 refused or failed,
// 2 database not reachable.
#include <CLI/CLI.hpp>

#include <charconv>
#include <iostream>
#include <memory>
#include <string>

#include "lotse/casework/retention.h"
#include "lotse/common/clock.h"
#include "lotse/store/database.h"

namespace lotse::app {
namespace {

struct RetentionArgs {
  std::string category;
  std::string months;  // parsed here, so a bad number is answered like a bad range
  bool dry_run = false;
  std::string actor = "-";
};

[[noreturn]] void finish(int exit_code) { throw CLI::RuntimeError(exit_code); }

[[noreturn]] void fail(const std::string& what) {
  std::cerr << "lotse: " << what << "\n";
  finish(1);
}

// Opened and migrated: the rules live in migration 5.
std::unique_ptr<store::Database> open_migrated(const std::string& url) {
  auto db = store::open_database(url);
  if (!db) {
    std::cerr << "lotse: cannot open database " << url << ": " << db.error().message << "\n";
    finish(2);
  }
  auto migrated = store::migrate(**db);
  if (!migrated) fail("migration failed: " + migrated.error().message);
  return std::move(*db);
}

std::string counts_text(const std::map<std::string, std::int64_t>& counts) {
  std::string out;
  for (const auto& [table, n] : counts)
    out += (out.empty() ? "" : ", ") + table + "=" + std::to_string(n);
  return out.empty() ? "nichts" : out;
}

void show_rules(const std::string& database) {
  auto db = open_migrated(database);
  casework::RetentionService retention(*db, system_clock());
  auto rules = retention.rules();
  if (!rules) fail(rules.error().message);
  for (const auto& r : *rules) {
    std::cout << r.category << "\t" << r.months << " Monate\t" << r.label << "\n"
              << "\tGrundlage: " << r.basis << "\n"
              << "\terlaubt: " << r.min_months << " bis " << r.max_months << " Monate; "
              << (r.updated_at_ms > 0 ? "geändert " + format_utc(r.updated_at_ms) + " von " +
                                            r.updated_by
                                      : std::string("Standardwert"))
              << "\n";
  }
  finish(0);
}

void set_rule(const std::string& database, const RetentionArgs& a) {
  std::int64_t months = 0;
  const char* end = a.months.data() + a.months.size();
  auto [ptr, ec] = std::from_chars(a.months.data(), end, months);
  if (ec != std::errc{} || ptr != end)
    fail("months: \"" + a.months + "\" ist keine ganze Zahl von Monaten.");
  auto db = open_migrated(database);
  casework::RetentionService retention(*db, system_clock());
  auto set = retention.set_rule(a.actor, a.category, months);
  if (!set) fail(set.error().field + ": " + set.error().message);
  std::cout << "Aufbewahrung geändert: " << set->category << " = " << set->months
            << " Monate (" << set->label << ")\n";
  finish(0);
}

void run(const std::string& database, const RetentionArgs& a) {
  auto db = open_migrated(database);
  casework::RetentionService retention(*db, system_clock());
  auto done = retention.run(a.actor, a.dry_run);
  if (!done) fail("retention run failed: " + done.error().message);
  std::cout << (a.dry_run ? "Probelauf, nichts gelöscht – fällig wären " : "Gelöscht: ")
            << done->deletions.size() << (done->deletions.size() == 1 ? " Eintrag" : " Einträge")
            << " (" << format_utc(done->at_ms) << ")\n";
  auto rules = retention.rules();
  if (rules) {
    for (const auto& r : *rules) {
      auto it = done->totals.find(r.category);
      std::cout << "  " << r.category << " (" << r.months
                << " Monate): " << (it == done->totals.end() ? "nichts" : counts_text(it->second))
                << "\n";
    }
  }
  // Each deletion by the pseudonym the audit log keeps (the record's id).
  for (const auto& d : done->deletions)
    std::cout << "  " << d.object << "\t" << d.category << "\t" << counts_text(d.deleted) << "\n";
  finish(0);
}

}  // namespace

void add_retention_commands(CLI::App& cli, std::string& database) {
  auto args = std::make_shared<RetentionArgs>();
  auto* retention = cli.add_subcommand(
      "retention", "Retention: deletion periods per data category, and deleting what is due");
  retention->require_subcommand(1);
  auto* rules = retention->add_subcommand("rules", "Show the deletion period of each category");
  auto* set = retention->add_subcommand("set", "Set the period of a category in months (audited)");
  auto* run_cmd = retention->add_subcommand(
      "run", "Delete what is due (one transaction per case or person, audited by id only)");
  for (auto* c : {rules, set, run_cmd})
    c->add_option("--database", database, "Database URL: sqlite:PATH or postgresql://...")
        ->envname("LOTSE_DATABASE")
        ->capture_default_str();
  set->add_option("category", args->category,
                  "section_31a | closed_cases | persons_without_case")
      ->required();
  set->add_option("months", args->months, "Months after the event the period counts from")
      ->required();
  run_cmd->add_flag("--dry-run", args->dry_run, "Only show what is due; change nothing");
  for (auto* c : {set, run_cmd})
    c->add_option("--as", args->actor, "Who acts (recorded in the audit log)")
        ->envname("LOTSE_ACTOR")
        ->capture_default_str();

  rules->callback([&database] { show_rules(database); });
  set->callback([&database, args] { set_rule(database, *args); });
  run_cmd->callback([&database, args] { run(database, *args); });
}

}  // namespace lotse::app
