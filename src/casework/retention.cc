// Retention rules and the deletion run (see retention.h).
#include "lotse/casework/retention.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <set>

#include "lotse/common/date.h"
#include "lotse/privacy/audit_log.h"

namespace lotse::casework {
namespace {

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;

constexpr const char* kDeletionBasis =
    "Art. 17 Abs. 1 lit. a DSGVO, § 84 Abs. 2 SGB X (Aufbewahrungsfrist abgelaufen)";
constexpr const char* kRuleBasis = "Art. 5 Abs. 1 lit. e DSGVO (Speicherbegrenzung)";
constexpr const char* kRequestId = "retention";
// Exactly as domain::validate_legal_basis stores it.
constexpr const char* kSection31a = "§ 31a SGB III";

struct RuleSpec {
  const char* category;
  const char* label;
  int min_months;
  int max_months;
};

// The categories this file knows how to delete, in the order they run:
// closed cases first, so that the § 31a pass and the person pass do not
// count what the case deletions already removed.
constexpr RuleSpec kSpecs[] = {
    {"closed_cases",
     "Abgeschlossene Fälle mit Bedarfen, Einwilligungen, Übermittlungen, Vermerken, Förderkette, "
     "Übergaben und Fallberatungen (Monate nach Abschluss)",
     1, 1200},
    // § 31a Abs. 1 SGB III: "spätestens sechs Monate nach der Erhebung" –
    // a longer period would be unlawful, so it cannot be configured.
    {"section_31a", "Übermittlungen nach § 31a SGB III (Monate nach der Erhebung)", 1, 6},
    {"persons_without_case", "Personen ohne Fall (Monate nach der Erfassung)", 1, 1200},
};

const RuleSpec* spec_of(std::string_view category) {
  for (const auto& s : kSpecs)
    if (category == s.category) return &s;
  return nullptr;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

Result<void> audit(store::Executor& x, std::int64_t now, const std::string& actor,
                   std::string action, std::string object, std::string basis,
                   const boost::json::object& details) {
  return privacy::AuditLog::append(x, now,
                                   {.actor = actor.empty() ? "-" : actor,
                                    .action = std::move(action),
                                    .object = std::move(object),
                                    .legal_basis = std::move(basis),
                                    .request_id = kRequestId,
                                    .details_json = boost::json::serialize(details)});
}

boost::json::object counts_json(const std::map<std::string, std::int64_t>& counts) {
  boost::json::object o;
  for (const auto& [table, n] : counts) o[table] = n;
  return o;
}

// Rows hanging on one case, per table (only tables with rows). In a dry run
// the § 31a transfers that pass would not find again are still here, which
// is right: the case deletion removes them.
Result<std::map<std::string, std::int64_t>> case_rows(store::Executor& x, std::int64_t case_id) {
  static constexpr std::pair<const char*, const char*> kCounts[] = {
      {"case_needs", "SELECT COUNT(*) FROM case_needs WHERE case_id = ?"},
      {"consents", "SELECT COUNT(*) FROM consents WHERE case_id = ?"},
      {"consent_recipients",
       "SELECT COUNT(*) FROM consent_recipients r JOIN consents c ON c.id = r.consent_id "
       "WHERE c.case_id = ?"},
      {"legal_transfers", "SELECT COUNT(*) FROM legal_transfers WHERE case_id = ?"},
      {"notes", "SELECT COUNT(*) FROM notes WHERE case_id = ?"},
      {"support_steps", "SELECT COUNT(*) FROM support_steps WHERE case_id = ?"},
      {"handovers", "SELECT COUNT(*) FROM handovers WHERE case_id = ?"},
      {"handover_events",
       "SELECT COUNT(*) FROM handover_events e JOIN handovers h ON h.id = e.handover_id "
       "WHERE h.case_id = ?"},
      {"conferences", "SELECT COUNT(*) FROM conferences WHERE case_id = ?"},
      {"conference_participants",
       "SELECT COUNT(*) FROM conference_participants p JOIN conferences c ON c.id = "
       "p.conference_id WHERE c.case_id = ?"},
      {"conference_items",
       "SELECT COUNT(*) FROM conference_items i JOIN conferences c ON c.id = i.conference_id "
       "WHERE c.case_id = ?"},
  };
  std::map<std::string, std::int64_t> out{{"cases", 1}};
  for (const auto& [table, sql] : kCounts) {
    LOTSE_ASSIGN_OR_RETURN(std::int64_t n, x.query_int(sql, {case_id}));
    if (n > 0) out[table] = n;
  }
  return out;
}

// Deleted means gone from the file too, not only from the tables: SQLite
// overwrites deleted content with zeros (Debian builds it so by default;
// this makes it independent of the build). PostgreSQL keeps dead tuples
// until VACUUM, which autovacuum runs; see the operator notes.
Result<void> erase_physically(store::Executor& x) {
  if (x.dialect() != store::Dialect::kSqlite) return ok();
  LOTSE_TRY(x.query("PRAGMA secure_delete = ON"));
  return ok();
}

// FTS5 keeps deleted entries in its segments (with delete markers) until
// segments merge; 'optimize' merges them now, so the trigrams of a deleted
// name do not linger in the search index. Whatever FTS5 tables the schema
// has (the person search of migration 3 is one).
Result<void> merge_full_text_indexes(store::Executor& x) {
  if (x.dialect() != store::Dialect::kSqlite) return ok();
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows tables,
      x.query("SELECT name FROM sqlite_master WHERE type = 'table' AND "
              "sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'"));
  for (const auto& t : tables) {
    const std::string name = t.text(0);
    if (name.find('"') != std::string::npos) continue;  // never built into SQL
    LOTSE_TRY(x.exec("INSERT INTO \"" + name + "\" (\"" + name + "\") VALUES ('optimize')"));
  }
  return ok();
}

}  // namespace

std::int64_t months_before(std::int64_t at_ms, int months) {
  const std::int64_t day = at_ms >= 0 ? at_ms / kDayMs : (at_ms - kDayMs + 1) / kDayMs;
  const std::int64_t time_of_day = at_ms - day * kDayMs;
  Date d = Date::from_days(day);
  int total = d.year * 12 + (d.month - 1) - months;
  d.year = total / 12;
  d.month = total % 12 + 1;
  d.day = std::min(d.day, days_in_month(d.year, d.month));
  return d.days_since_epoch() * kDayMs + time_of_day;
}

RetentionService::RetentionService(store::Database& db, Clock clock)
    : db_(db), clock_(std::move(clock)) {}

Result<std::vector<RetentionRule>> RetentionService::rules() {
  return db_.read([&](store::Executor& x) -> Result<std::vector<RetentionRule>> {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query("SELECT category, months, basis, updated_by, updated_at FROM retention_rules"));
    std::vector<RetentionRule> out;
    for (const auto& spec : kSpecs) {
      auto row = std::find_if(rows.begin(), rows.end(),
                              [&](const store::Row& r) { return r.text(0) == spec.category; });
      // Every category needs its period: running without one would silently
      // keep (or delete) data, so a missing row is a broken installation.
      if (row == rows.end())
        return Error::internal(fmt::format("retention_rules has no row for {}", spec.category));
      out.push_back({.category = spec.category,
                     .label = spec.label,
                     .months = static_cast<int>(row->integer(1)),
                     .min_months = spec.min_months,
                     .max_months = spec.max_months,
                     .basis = row->text(2),
                     .updated_by = row->text(3),
                     .updated_at_ms = row->integer(4)});
    }
    return out;
  });
}

Result<RetentionRule> RetentionService::set_rule(const std::string& actor,
                                                 const std::string& category,
                                                 std::int64_t months) {
  const RuleSpec* spec = spec_of(category);
  if (!spec) {
    std::string known;
    for (const auto& s : kSpecs) known += std::string(known.empty() ? "" : ", ") + s.category;
    return Error::invalid("category",
                          fmt::format("Unbekannte Kategorie \"{}\" (bekannt: {}).", category, known));
  }
  if (months < spec->min_months || months > spec->max_months)
    return Error::invalid("months", fmt::format("{}: bitte {} bis {} Monate.", category,
                                                spec->min_months, spec->max_months));
  const std::int64_t now = clock_();
  LOTSE_TRY(db_.write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(
        store::Row old,
        x.query_one("SELECT months FROM retention_rules WHERE category = ?", {category}));
    LOTSE_TRY(x.exec(
        "UPDATE retention_rules SET months = ?, updated_by = ?, updated_at = ? WHERE category = ?",
        {months, actor.empty() ? std::string("-") : actor, now, category}));
    return audit(x, now, actor, "retention.rule_set", "retention_rule:" + category, kRuleBasis,
                 boost::json::object{{"months", months}, {"previous", old.integer(0)}});
  }));
  LOTSE_ASSIGN_OR_RETURN(std::vector<RetentionRule> all, rules());
  for (auto& r : all)
    if (r.category == category) return std::move(r);
  return Error::internal("retention rule vanished");
}

Result<RetentionRun> RetentionService::run(const std::string& actor, bool dry_run) {
  const std::int64_t now = clock_();
  LOTSE_ASSIGN_OR_RETURN(std::vector<RetentionRule> all, rules());
  std::map<std::string, int> months;
  for (const auto& r : all) months[r.category] = r.months;

  RetentionRun out{.dry_run = dry_run, .at_ms = now};
  auto record = [&](RetentionDeletion d) {
    auto& totals = out.totals[d.category];
    for (const auto& [table, n] : d.deleted) totals[table] += n;
    out.deletions.push_back(std::move(d));
  };
  // One transaction per case or person: a write that deletes and audits, or
  // in a dry run a read that only counts.
  auto each = [&](auto&& fn) -> Result<std::optional<RetentionDeletion>> {
    if (dry_run) return db_.read(fn);
    return db_.write(fn);
  };

  // ---- closed cases, with everything on them; the person with the last ----
  const int case_months = months.at("closed_cases");
  const std::int64_t case_cutoff = months_before(now, case_months);
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows due_cases, db_.read([&](store::Executor& x) {
        return x.query(
            "SELECT id FROM cases WHERE status = 'closed' AND closed_at IS NOT NULL AND "
            "closed_at <= ? ORDER BY id",
            {case_cutoff});
      }));
  std::set<std::int64_t> gone_cases;  // deleted (or, in a dry run, due) in this run
  for (const auto& row : due_cases) {
    const std::int64_t case_id = row.integer(0);
    LOTSE_ASSIGN_OR_RETURN(
        std::optional<RetentionDeletion> done,
        each([&](store::Executor& x) -> Result<std::optional<RetentionDeletion>> {
          // Still due? The case may have been reopened since the list was read.
          LOTSE_ASSIGN_OR_RETURN(
              store::Rows still,
              x.query("SELECT person_id FROM cases WHERE id = ? AND status = 'closed' AND "
                      "closed_at IS NOT NULL AND closed_at <= ?",
                      {case_id, case_cutoff}));
          if (still.empty()) return std::optional<RetentionDeletion>();
          const std::int64_t person_id = still[0].integer(0);
          LOTSE_ASSIGN_OR_RETURN(auto counts, case_rows(x, case_id));
          LOTSE_ASSIGN_OR_RETURN(store::Rows siblings,
                                 x.query("SELECT id FROM cases WHERE person_id = ? AND id <> ?",
                                         {person_id, case_id}));
          const bool last = std::all_of(siblings.begin(), siblings.end(), [&](const store::Row& s) {
            return gone_cases.contains(s.integer(0));
          });
          if (last) counts["persons"] = 1;
          if (!dry_run) {
            LOTSE_TRY(erase_physically(x));
            // Everything on the case goes by ON DELETE CASCADE; a table that
            // referenced cases without it would make this fail (and roll
            // back) rather than leave data behind unnoticed.
            LOTSE_TRY(x.exec("DELETE FROM cases WHERE id = ?", {case_id}));
            if (last) LOTSE_TRY(x.exec("DELETE FROM persons WHERE id = ?", {person_id}));
            LOTSE_TRY(audit(x, now, actor, "retention.delete", fmt::format("case:{}", case_id),
                            kDeletionBasis,
                            boost::json::object{{"rule", "closed_cases"},
                                                {"months", case_months},
                                                {"person", person_id},
                                                {"deleted", counts_json(counts)}}));
          }
          return std::optional<RetentionDeletion>(RetentionDeletion{
              .category = "closed_cases",
              .object = fmt::format("case:{}", case_id),
              .deleted = std::move(counts)});
        }));
    if (done) {
      gone_cases.insert(case_id);
      record(std::move(*done));
    }
  }

  // ---- transfers under § 31a SGB III, per case ----------------------------
  const int t_months = months.at("section_31a");
  const std::int64_t t_cutoff = months_before(now, t_months);
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows due_transfers, db_.read([&](store::Executor& x) {
        return x.query(
            "SELECT DISTINCT case_id FROM legal_transfers WHERE legal_basis = ? AND "
            "recorded_at <= ? ORDER BY case_id",
            {std::string(kSection31a), t_cutoff});
      }));
  for (const auto& row : due_transfers) {
    const std::int64_t case_id = row.integer(0);
    if (gone_cases.contains(case_id)) continue;  // went with its case (dry run: will)
    LOTSE_ASSIGN_OR_RETURN(
        std::optional<RetentionDeletion> done,
        each([&](store::Executor& x) -> Result<std::optional<RetentionDeletion>> {
          const store::Params params{case_id, std::string(kSection31a), t_cutoff};
          constexpr const char* kWhere =
              " FROM legal_transfers WHERE case_id = ? AND legal_basis = ? AND recorded_at <= ?";
          LOTSE_ASSIGN_OR_RETURN(std::int64_t n,
                                 x.query_int(std::string("SELECT COUNT(*)") + kWhere, params));
          if (n == 0) return std::optional<RetentionDeletion>();
          std::map<std::string, std::int64_t> counts{{"legal_transfers", n}};
          if (!dry_run) {
            LOTSE_TRY(erase_physically(x));
            LOTSE_TRY(x.exec(std::string("DELETE") + kWhere, params));
            LOTSE_TRY(audit(x, now, actor, "retention.delete", fmt::format("case:{}", case_id),
                            kDeletionBasis,
                            boost::json::object{{"rule", "section_31a"},
                                                {"months", t_months},
                                                {"deleted", counts_json(counts)}}));
          }
          return std::optional<RetentionDeletion>(
              RetentionDeletion{.category = "section_31a",
                                .object = fmt::format("case:{}", case_id),
                                .deleted = std::move(counts)});
        }));
    if (done) record(std::move(*done));
  }

  // ---- persons recorded without any case ----------------------------------
  const int p_months = months.at("persons_without_case");
  const std::int64_t p_cutoff = months_before(now, p_months);
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows due_persons, db_.read([&](store::Executor& x) {
        return x.query(
            "SELECT p.id FROM persons p WHERE p.created_at <= ? AND NOT EXISTS "
            "(SELECT 1 FROM cases c WHERE c.person_id = p.id) ORDER BY p.id",
            {p_cutoff});
      }));
  for (const auto& row : due_persons) {
    const std::int64_t person_id = row.integer(0);
    LOTSE_ASSIGN_OR_RETURN(
        std::optional<RetentionDeletion> done,
        each([&](store::Executor& x) -> Result<std::optional<RetentionDeletion>> {
          LOTSE_ASSIGN_OR_RETURN(
              std::int64_t still,
              x.query_int("SELECT COUNT(*) FROM persons p WHERE p.id = ? AND p.created_at <= ? "
                          "AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id)",
                          {person_id, p_cutoff}));
          if (still == 0) return std::optional<RetentionDeletion>();
          std::map<std::string, std::int64_t> counts{{"persons", 1}};
          if (!dry_run) {
            LOTSE_TRY(erase_physically(x));
            LOTSE_TRY(x.exec("DELETE FROM persons WHERE id = ?", {person_id}));
            LOTSE_TRY(audit(x, now, actor, "retention.delete", fmt::format("person:{}", person_id),
                            kDeletionBasis,
                            boost::json::object{{"rule", "persons_without_case"},
                                                {"months", p_months},
                                                {"deleted", counts_json(counts)}}));
          }
          return std::optional<RetentionDeletion>(
              RetentionDeletion{.category = "persons_without_case",
                                .object = fmt::format("person:{}", person_id),
                                .deleted = std::move(counts)});
        }));
    if (done) record(std::move(*done));
  }

  // The run itself, so that "nothing was due" is on record too.
  if (!dry_run) {
    LOTSE_TRY(db_.write([&](store::Executor& x) -> Result<void> {
      if (!out.deletions.empty()) LOTSE_TRY(merge_full_text_indexes(x));
      boost::json::object totals;
      for (const auto& [category, counts] : out.totals) totals[category] = counts_json(counts);
      return audit(x, now, actor, "retention.run", "retention", kDeletionBasis,
                   boost::json::object{{"deletions", static_cast<std::int64_t>(out.deletions.size())},
                                       {"totals", std::move(totals)}});
    }));
  }
  return out;
}

}  // namespace lotse::casework
