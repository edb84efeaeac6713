// Retention: rules with defaults, validated and audited changes, and the
// deletion run on SQLite and PostgreSQL – due data goes with everything on
// it, nothing else does, a dry run changes nothing, and afterwards the
// person's name is nowhere in the database while the audit chain holds.
#include "lotse/casework/retention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <map>

#include "lotse/casework/casework_service.h"
#include "lotse/common/date.h"
#include "lotse/organisation/seed.h"
#include "lotse/privacy/audit_log.h"
#include "support/test_database.h"

namespace lotse::casework {
namespace {

using domain::CategorySet;
using domain::DataCategory;

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
constexpr std::int64_t kHourMs = 60LL * 60 * 1000;
// Monday, 2 March 2026, 10:00 UTC.
const std::int64_t kStart = Date{2026, 3, 2}.days_since_epoch() * kDayMs + 10 * kHourMs;

std::int64_t at(Date d, std::int64_t hour = 10) { return d.days_since_epoch() * kDayMs + hour * kHourMs; }

// Every table.column of the database holding `needle` (ASCII, any case),
// found by casting every column of every table to text. SQLite: the tables
// of sqlite_master; PostgreSQL: the columns of the current schema.
std::vector<std::string> places_holding(store::Database& db, const std::string& needle) {
  std::string lower = needle;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto found = db.read([&](store::Executor& x) -> Result<std::vector<std::string>> {
    std::vector<std::pair<std::string, std::string>> columns;
    if (x.dialect() == store::Dialect::kSqlite) {
      LOTSE_ASSIGN_OR_RETURN(store::Rows tables,
                             x.query("SELECT name FROM sqlite_master WHERE type = 'table'"));
      for (const auto& t : tables) {
        LOTSE_ASSIGN_OR_RETURN(store::Rows cols,
                               x.query("SELECT name FROM pragma_table_info(?)", {t.text(0)}));
        for (const auto& c : cols) columns.emplace_back(t.text(0), c.text(0));
      }
    } else {
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows cols,
          x.query("SELECT table_name, column_name FROM information_schema.columns WHERE "
                  "table_schema = current_schema() ORDER BY table_name, ordinal_position"));
      for (const auto& c : cols) columns.emplace_back(c.text(0), c.text(1));
    }
    std::vector<std::string> out;
    for (const auto& [table, column] : columns) {
      LOTSE_ASSIGN_OR_RETURN(
          std::int64_t n,
          x.query_int("SELECT COUNT(*) FROM \"" + table + "\" WHERE LOWER(CAST(\"" + column +
                          "\" AS TEXT)) LIKE ?",
                      {"%" + lower + "%"}));
      if (n > 0) out.push_back(table + "." + column);
    }
    if (columns.size() < 20) return Error::internal("the scan found too few columns");
    return out;
  });
  EXPECT_TRUE(found) << found.error().message;
  return found ? *found : std::vector<std::string>{"(scan failed)"};
}

TEST(RetentionUnit, MonthsBeforeClampsToTheMonthAndKeepsTheTime) {
  EXPECT_EQ(months_before(at(Date{2026, 3, 31}, 7), 1), at(Date{2026, 2, 28}, 7));
  EXPECT_EQ(months_before(at(Date{2024, 3, 31}, 7), 1), at(Date{2024, 2, 29}, 7));
  EXPECT_EQ(months_before(at(Date{2026, 1, 15}, 0), 1), at(Date{2025, 12, 15}, 0));
  EXPECT_EQ(months_before(at(Date{2029, 3, 2}), 36), at(Date{2026, 3, 2}));
  EXPECT_EQ(months_before(at(Date{2026, 9, 2}), 6), at(Date{2026, 3, 2}));
}

class RetentionDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = lotse::testing::test_database();
    auto seeded = db_->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    });
    ASSERT_TRUE(seeded) << seeded.error().message;
    auto clock = [this] { return now_.load(); };
    cw_ = std::make_unique<CaseworkService>(*db_, clock);
    retention_ = std::make_unique<RetentionService>(*db_, clock);
  }

  Date today() const { return Date::from_unix_ms(now_.load()); }
  void set_now(std::int64_t ms) { now_ = ms; }

  std::int64_t person(const Reader& r, std::string given, std::string family) {
    auto id = cw_->create_person(r, {.given_name = given,
                                     .family_name = family,
                                     .birth_date = "2008-04-12",
                                     .street = family + "weg 7",
                                     .postcode = "39104",
                                     .city = "Magdeburg",
                                     .email = given + "@example.org",
                                     .school = "IGS Regine Hildebrandt"});
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  std::int64_t open_case(const Reader& r, std::int64_t person_id,
                         std::string goals = "Ausbildungsplatz finden") {
    auto id = cw_->open_case(r, {.person_id = person_id,
                                 .phase = 4,
                                 .needs = {"applications", "debts"},
                                 .goals = goals});
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  // A case with something in every table that hangs on a case.
  std::int64_t full_case(std::int64_t person_id) {
    const std::int64_t c = open_case(jc_, person_id, "Ausbildung für Zacharias Quellmalz");
    auto consent = cw_->record_consent(
        jc_, c,
        {.purposes = {"Abstimmung für Zacharias Quellmalz"},
         .recipients = {"15003-ja"},
         .categories = CategorySet::of({DataCategory::kMasterData, DataCategory::kNeedsGoals}),
         .valid_from = today(),
         .valid_until = add_days(today(), 180),
         .evidence_ref = "Akte Quellmalz 1",
         .informed_of_refusal_and_withdrawal = true,
         // The person is 17 on the test clock: an own consent needs the
         // insight assessment (domain/consent.cc).
         .insight_confirmed = true,
         .insight_reason = "Zweck, Empfänger und Widerruf mit eigenen Worten erklärt"});
    EXPECT_TRUE(consent) << consent.error().message;
    EXPECT_TRUE(cw_->add_note(jc_, c, {.body = "Gespräch mit Zacharias Quellmalz"}));
    EXPECT_TRUE(cw_->add_support_step(
        jc_, c, {.measure = "Bewerbungstraining Quellmalz", .responsible_agency = "15003-aa"}));
    EXPECT_TRUE(cw_->record_transfer(jc_, c,
                                     {.to_agency = "15003-aa",
                                      .legal_basis = "§ 50 SGB II",
                                      .reason = "Vermittlung von Zacharias Quellmalz",
                                      .categories = CategorySet::of({DataCategory::kMasterData}),
                                      .valid_until = add_days(today(), 90).str()}));
    auto h = cw_->create_handover(jc_, c, {.to_agency = "15003-ja", .reason = "Quellmalz: Wohnen"});
    EXPECT_TRUE(h) << h.error().message;
    EXPECT_TRUE(cw_->get_case(ja_, c, ReadPath::kItem));  // a partner's read, audited
    // A conference with a participant and a decision (rows as migration 2
    // defines them).
    auto conf = db_->write([&](store::Executor& x) -> Result<void> {
      LOTSE_ASSIGN_OR_RETURN(
          std::int64_t id,
          x.query_int("INSERT INTO conferences (case_id, alliance_ags, host_agency, scheduled_at, "
                      "agenda, minutes, created_by, created_at) VALUES (?, '15003', '15003-jc', "
                      "'2026-03-10 14:00', 'Quellmalz', 'Quellmalz kam pünktlich', 'jc.mueller', ?) "
                      "RETURNING id",
                      {c, now_.load()}));
      LOTSE_TRY(x.exec("INSERT INTO conference_participants (conference_id, agency_key, "
                       "staff_name) VALUES (?, '15003-ja', 'Frau Schmidt')",
                       {id}));
      LOTSE_TRY(x.exec("INSERT INTO conference_items (conference_id, kind, text) VALUES "
                       "(?, 'decision', 'Quellmalz beginnt im April')",
                       {id}));
      return ok();
    });
    EXPECT_TRUE(conf) << conf.error().message;
    return c;
  }

  void close(std::int64_t case_id) {
    auto done = cw_->update_case(jc_, case_id, {.status = "closed", .destination = "bvb"});
    ASSERT_TRUE(done) << done.error().message;
  }

  std::int64_t count(const std::string& sql, const store::Params& params = {}) {
    auto n = db_->read([&](store::Executor& x) { return x.query_int(sql, params); });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  std::map<std::string, std::int64_t> row_counts() {
    std::map<std::string, std::int64_t> out;
    for (const char* t :
         {"persons", "cases", "case_needs", "consents", "consent_recipients", "legal_transfers",
          "notes", "support_steps", "handovers", "handover_events", "conferences",
          "conference_participants", "conference_items", "audit_log", "retention_rules"})
      out[t] = count(std::string("SELECT COUNT(*) FROM ") + t);
    return out;
  }

  std::atomic<std::int64_t> now_{kStart};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<CaseworkService> cw_;
  std::unique_ptr<RetentionService> retention_;
  Reader jc_{.username = "jc.mueller", .agency_key = "15003-jc", .case_worker = true,
             .request_id = "req-jc"};
  Reader ja_{.username = "ja.schmidt", .agency_key = "15003-ja", .case_worker = true,
             .request_id = "req-ja"};
  Reader aa_{.username = "aa.krause", .agency_key = "15003-aa", .case_worker = true,
             .request_id = "req-aa"};
};

TEST_F(RetentionDb, RulesHaveDefaultsAndChangesAreValidatedAndAudited) {
  auto rules = retention_->rules();
  ASSERT_TRUE(rules) << rules.error().message;
  std::map<std::string, int> months;
  for (const auto& r : *rules) months[r.category] = r.months;
  EXPECT_EQ(months, (std::map<std::string, int>{
                        {"closed_cases", 36}, {"section_31a", 6}, {"persons_without_case", 12}}));
  for (const auto& r : *rules) {
    EXPECT_FALSE(r.basis.empty()) << r.category;
    EXPECT_FALSE(r.label.empty()) << r.category;
  }

  const auto before = row_counts();
  auto unknown = retention_->set_rule("admin", "notes", 12);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().field, "category");
  // § 31a SGB III: at the latest six months, so seven is refused.
  for (std::int64_t bad : {0, 7, -1}) {
    auto r = retention_->set_rule("admin", "section_31a", bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "months") << bad;
  }
  auto too_long = retention_->set_rule("admin", "closed_cases", 1201);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().field, "months");
  EXPECT_EQ(row_counts(), before);

  auto set = retention_->set_rule("admin", "closed_cases", 60);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->months, 60);
  EXPECT_EQ(set->updated_by, "admin");
  EXPECT_EQ(set->updated_at_ms, kStart);
  EXPECT_EQ(count("SELECT months FROM retention_rules WHERE category = 'closed_cases'"), 60);
  auto entry = db_->read([](store::Executor& x) {
    return x.query_one("SELECT actor, details FROM audit_log WHERE action = 'retention.rule_set' "
                       "AND object = 'retention_rule:closed_cases'");
  });
  ASSERT_TRUE(entry) << entry.error().message;
  EXPECT_EQ(entry->text(0), "admin");
  auto details = boost::json::parse(entry->text(1)).as_object();
  EXPECT_EQ(details.at("months").as_int64(), 60);
  EXPECT_EQ(details.at("previous").as_int64(), 36);
}

TEST_F(RetentionDb, ClosedCaseGoesWithEverythingOnItWhenItsPeriodEnds) {
  const std::int64_t zacharias = person(jc_, "Zacharias", "Quellmalz");
  const std::int64_t c = full_case(zacharias);
  close(c);  // 2 March 2026, 10:00
  // Someone else, still open: stays.
  const std::int64_t lena = person(jc_, "Lena", "Schulz");
  const std::int64_t open = open_case(jc_, lena);
  // Someone with a closed and an open case: the closed one goes, the person stays.
  const std::int64_t mia = person(jc_, "Mia", "Fischer");
  const std::int64_t mia_closed = open_case(jc_, mia);
  close(mia_closed);
  const std::int64_t mia_open = open_case(jc_, mia);

  // One minute before three years have passed: nothing is due.
  set_now(at(Date{2029, 3, 2}) - 60 * 1000);
  auto early = retention_->run("admin", false);
  ASSERT_TRUE(early) << early.error().message;
  EXPECT_TRUE(early->deletions.empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 4);

  set_now(at(Date{2029, 3, 2}));
  auto run = retention_->run("admin", false);
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->deletions.size(), 2u);
  const auto& d = run->deletions[0];
  EXPECT_EQ(d.category, "closed_cases");
  EXPECT_EQ(d.object, "case:" + std::to_string(c));
  EXPECT_EQ(d.deleted, (std::map<std::string, std::int64_t>{{"cases", 1},
                                                            {"case_needs", 2},
                                                            {"consents", 1},
                                                            {"consent_recipients", 1},
                                                            {"legal_transfers", 1},
                                                            {"notes", 1},
                                                            {"support_steps", 1},
                                                            {"handovers", 1},
                                                            {"handover_events", 1},
                                                            {"conferences", 1},
                                                            {"conference_participants", 1},
                                                            {"conference_items", 1},
                                                            {"persons", 1}}));
  EXPECT_EQ(run->deletions[1].object, "case:" + std::to_string(mia_closed));
  EXPECT_FALSE(run->deletions[1].deleted.contains("persons"));
  EXPECT_EQ(run->totals.at("closed_cases").at("cases"), 2);

  // Everything of Zacharias is gone; the others are untouched.
  for (const char* sql :
       {"SELECT COUNT(*) FROM cases WHERE id = ?", "SELECT COUNT(*) FROM case_needs WHERE case_id = ?",
        "SELECT COUNT(*) FROM consents WHERE case_id = ?",
        "SELECT COUNT(*) FROM legal_transfers WHERE case_id = ?",
        "SELECT COUNT(*) FROM notes WHERE case_id = ?",
        "SELECT COUNT(*) FROM support_steps WHERE case_id = ?",
        "SELECT COUNT(*) FROM handovers WHERE case_id = ?",
        "SELECT COUNT(*) FROM conferences WHERE case_id = ?"})
    EXPECT_EQ(count(sql, {c}), 0) << sql;
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE id = ?", {zacharias}), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM consent_recipients"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM handover_events"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM conference_items"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE id IN (?, ?)", {lena, mia}), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE id IN (?, ?)", {open, mia_open}), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_needs WHERE case_id = ?", {open}), 2);

  // Each deletion is on record, by id only.
  auto entry = db_->read([&](store::Executor& x) {
    return x.query_one("SELECT actor, legal_basis, details FROM audit_log WHERE action = "
                       "'retention.delete' AND object = ?",
                       {"case:" + std::to_string(c)});
  });
  ASSERT_TRUE(entry) << entry.error().message;
  EXPECT_EQ(entry->text(0), "admin");
  EXPECT_NE(entry->text(1).find("Art. 17"), std::string::npos);
  auto details = boost::json::parse(entry->text(2)).as_object();
  EXPECT_EQ(details.at("rule").as_string(), "closed_cases");
  EXPECT_EQ(details.at("person").as_int64(), zacharias);
  EXPECT_EQ(details.at("deleted").as_object().at("notes").as_int64(), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.run'"), 2);

  // The name, address, e-mail and free texts are nowhere any more, the
  // chain of the append-only log still holds.
  EXPECT_EQ(places_holding(*db_, "Quellmalz"), std::vector<std::string>{});
  EXPECT_EQ(places_holding(*db_, "Zacharias"), std::vector<std::string>{});
  EXPECT_EQ(places_holding(*db_, "Quellweg"), std::vector<std::string>{});
  // The scan does find what is still there.
  const auto fischer = places_holding(*db_, "Fischer");
  EXPECT_NE(std::find(fischer.begin(), fischer.end(), "persons.family_name"), fischer.end());
  auto verified = privacy::AuditLog::verify(*db_);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_TRUE(verified->ok) << verified->problem;

  // A second run finds nothing more.
  auto again = retention_->run("admin", false);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->deletions.empty());
}

TEST_F(RetentionDb, DryRunReportsTheSameAndChangesNothing) {
  const std::int64_t c = full_case(person(jc_, "Zacharias", "Quellmalz"));
  close(c);
  const std::int64_t c2 = open_case(jc_, person(jc_, "Lena", "Schulz"));
  ASSERT_TRUE(cw_->record_transfer(jc_, c2,
                                   {.to_agency = "15003-aa",
                                    .legal_basis = "§ 31a SGB III",
                                    .reason = "Schulabgang ohne Anschluss (§ 31a SGB III)",
                                    .categories = CategorySet::of({DataCategory::kMasterData}),
                                    .valid_until = add_days(today(), 300).str()}));
  person(jc_, "Ohne", "Fall");
  set_now(at(Date{2030, 1, 1}));

  const auto before = row_counts();
  auto dry = retention_->run("admin", true);
  ASSERT_TRUE(dry) << dry.error().message;
  EXPECT_TRUE(dry->dry_run);
  EXPECT_EQ(row_counts(), before);  // not even an audit entry

  auto real = retention_->run("admin", false);
  ASSERT_TRUE(real) << real.error().message;
  EXPECT_EQ(dry->totals, real->totals);
  ASSERT_EQ(real->deletions.size(), 3u);
  EXPECT_EQ(real->deletions[0].category, "closed_cases");
  EXPECT_EQ(real->deletions[1].category, "section_31a");
  EXPECT_EQ(real->deletions[2].category, "persons_without_case");
  EXPECT_EQ(real->totals.at("section_31a").at("legal_transfers"), 1);
  EXPECT_EQ(real->totals.at("persons_without_case").at("persons"), 1);
}

TEST_F(RetentionDb, Section31aTransfersGoSixMonthsAfterCollectionAndOtherBasesStay) {
  const std::int64_t c = open_case(jc_, person(jc_, "Lena", "Schulz"));
  auto t31a = cw_->record_transfer(jc_, c,
                                   {.to_agency = "15003-aa",
                                    .legal_basis = "§ 31a SGB III",
                                    .reason = "Schulabgang ohne Anschlussperspektive",
                                    .categories = CategorySet::of({DataCategory::kMasterData}),
                                    .valid_until = add_days(today(), 360).str()});
  ASSERT_TRUE(t31a) << t31a.error().message;
  auto t69 = cw_->record_transfer(jc_, c,
                                  {.to_agency = "15003-ja",
                                   .legal_basis = "§ 69 SGB X",
                                   .reason = "Abstimmung der Hilfen (§ 69 SGB X)",
                                   .categories = CategorySet::of({DataCategory::kMasterData}),
                                   .valid_until = add_days(today(), 360).str()});
  ASSERT_TRUE(t69);
  ASSERT_TRUE(cw_->get_case(aa_, c, ReadPath::kItem));

  set_now(at(Date{2026, 9, 2}) - 1);
  auto early = retention_->run("admin", false);
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->deletions.empty());

  set_now(at(Date{2026, 9, 2}));
  auto run = retention_->run("admin", false);
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->deletions.size(), 1u);
  EXPECT_EQ(run->deletions[0].object, "case:" + std::to_string(c));
  EXPECT_EQ(run->deletions[0].deleted,
            (std::map<std::string, std::int64_t>{{"legal_transfers", 1}}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM legal_transfers WHERE id = ?", {*t31a}), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM legal_transfers WHERE id = ?", {*t69}), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE id = ?", {c}), 1);
  // The Agentur für Arbeit holds nothing of the person any more.
  auto gone = cw_->get_case(aa_, c, ReadPath::kItem);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(cw_->get_case(ja_, c, ReadPath::kItem));

  // A shorter period is honoured at once.
  ASSERT_TRUE(retention_->set_rule("admin", "section_31a", 1));
  auto t2 = cw_->record_transfer(jc_, c,
                                 {.to_agency = "15003-aa",
                                  .legal_basis = "§ 31a SGB III",
                                  .reason = "Erneute Meldung nach § 31a SGB III",
                                  .categories = CategorySet::of({DataCategory::kMasterData}),
                                  .valid_until = add_days(today(), 100).str()});
  ASSERT_TRUE(t2);
  set_now(at(Date{2026, 10, 2}));
  auto shorter = retention_->run("admin", false);
  ASSERT_TRUE(shorter);
  ASSERT_EQ(shorter->deletions.size(), 1u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM legal_transfers WHERE id = ?", {*t2}), 0);
}

TEST_F(RetentionDb, PersonsWithoutCaseAndReopenedCasesFollowTheirRules) {
  const std::int64_t alone = person(jc_, "Ohne", "Fall");
  const std::int64_t c = open_case(jc_, person(jc_, "Lena", "Schulz"));
  close(c);
  ASSERT_TRUE(cw_->update_case(jc_, c, {.status = "open"}));  // reopened: closed_at cleared

  set_now(at(Date{2027, 3, 2}) - 1);
  auto early = retention_->run("admin", false);
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->deletions.empty());

  set_now(at(Date{2040, 1, 1}));
  auto run = retention_->run("admin", false);
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->deletions.size(), 1u);
  EXPECT_EQ(run->deletions[0].category, "persons_without_case");
  EXPECT_EQ(run->deletions[0].object, "person:" + std::to_string(alone));
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE id = ?", {alone}), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE id = ?", {c}), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.delete' AND "
                  "object = ?",
                  {"person:" + std::to_string(alone)}),
            1);
}

}  // namespace
}  // namespace lotse::casework
