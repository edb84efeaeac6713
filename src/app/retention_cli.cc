// `lotse retention …`: the deletion periods per data category and the run
// that deletes what is due (casework/retention.h).
//
//   lotse retention rules                         # category, months, basis
//   lotse retention set closed_cases 60 --as admin
//   lotse retention set contact_requests_closed 14 --as admin   # days (portal/portal_service.h)
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
#include <tuple>

#include "lotse/casework/retention.h"
#include "lotse/common/clock.h"
#include "lotse/portal/portal_service.h"
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
  // Contact requests from the youth portal: periods in days.
  portal::PortalService portal(*db, system_clock());
  auto contact = portal.retention_rules();
  if (!contact) fail(contact.error().message);
  for (const auto& r : *contact) {
    std::cout << r.category << "\t" << r.days << " Tage\t" << r.label << "\n"
              << "\tGrundlage: " << r.basis << "\n"
              << "\terlaubt: " << r.min_days << " bis " << r.max_days << " Tage; "
              << (r.updated_at_ms > 0
                      ? "geändert " + format_utc(r.updated_at_ms) + " von " + r.updated_by
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
  if (portal::is_retention_category(a.category)) {
    portal::PortalService portal(*db, system_clock());
    auto set = portal.set_retention_rule(a.actor, a.category, months);
    // The portal's periods are days; the argument is still called months.
    if (!set)
      fail((set.error().field == "days" ? "months" : set.error().field) + ": " +
           set.error().message);
    std::cout << "Aufbewahrung geändert: " << set->category << " = " << set->days << " Tage ("
              << set->label << ")\n";
    finish(0);
  }
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
  // Contact requests from the youth portal: one transaction of their own.
  portal::PortalService portal(*db, system_clock());
  auto contact = portal.run_retention(a.actor, a.dry_run);
  if (!contact) fail("retention run (contact requests) failed: " + contact.error().message);
  const std::size_t n =
      done->deletions.size() + contact->closed_ids.size() + contact->unclosed_ids.size();
  std::cout << (a.dry_run ? "Probelauf, nichts gelöscht – fällig wären " : "Gelöscht: ") << n
            << (n == 1 ? " Eintrag" : " Einträge") << " (" << format_utc(done->at_ms) << ")\n";
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
  for (const auto& [category, days, ids] :
       {std::tuple{portal::kRetentionClosed, contact->closed_days, &contact->closed_ids},
        std::tuple{portal::kRetentionUnclosed, contact->unclosed_days, &contact->unclosed_ids}})
    std::cout << "  " << category << " (" << days << " Tage): "
              << (ids->empty() ? std::string("nichts")
                               : "contact_requests=" + std::to_string(ids->size()))
              << "\n";
  for (const auto& d : done->deletions)
    std::cout << "  " << d.object << "\t" << d.category << "\t" << counts_text(d.deleted) << "\n";
  for (std::int64_t id : contact->closed_ids)
    std::cout << "  contact_request:" << id << "\t" << portal::kRetentionClosed
              << "\tcontact_requests=1\n";
  for (std::int64_t id : contact->unclosed_ids)
    std::cout << "  contact_request:" << id << "\t" << portal::kRetentionUnclosed
              << "\tcontact_requests=1\n";
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
                  "section_31a | closed_cases | persons_without_case (months) | "
                  "contact_requests_closed | contact_requests_unclosed (days)")
      ->required();
  set->add_option("months", args->months,
                  "Months after the event the period counts from (days for contact_requests_*)")
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
