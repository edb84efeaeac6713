// The insight assessment and custody of consents through CaseworkService on
// both backends (stored, read back, refused without writing), and the case
// access log after SQLite handed a deleted case's id to a new case.
#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "lotse/casework/casework_service.h"
#include "lotse/organisation/seed.h"
#include "support/test_database.h"

namespace lotse::casework {
namespace {

using domain::CategorySet;
using domain::ConsentGiver;
using domain::Custody;
using domain::DataCategory;

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
// Monday, 2 March 2026, 10:00 UTC.
const std::int64_t kStart = Date{2026, 3, 2}.days_since_epoch() * kDayMs + 10LL * 3600 * 1000;
const char* kReason = "Hat Zweck, Empfänger, Daten und Widerruf mit eigenen Worten erklärt.";

class ConsentInsightDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = lotse::testing::test_database();
    auto seeded = db_->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    });
    ASSERT_TRUE(seeded) << seeded.error().message;
    cw_ = std::make_unique<CaseworkService>(*db_, [this] { return now_.load(); });
  }

  Date today() const { return Date::from_unix_ms(now_.load()); }

  // A case of the Jobcenter for a person born on `birth`.
  std::int64_t case_of(const std::string& birth, const std::string& family = "Schulz") {
    auto p =
        cw_->create_person(jc_, {.given_name = "Lena", .family_name = family, .birth_date = birth});
    EXPECT_TRUE(p) << p.error().message;
    auto c = cw_->open_case(jc_, {.person_id = p ? *p : 0, .phase = 4});
    EXPECT_TRUE(c) << c.error().message;
    return c ? *c : 0;
  }

  domain::ConsentDraft draft() {
    return {.purposes = {"Abgestimmte Beratung im Übergang Schule-Beruf"},
            .recipients = {"15003-ja"},
            .categories = CategorySet::of({DataCategory::kMasterData}),
            .valid_from = today(),
            .valid_until = add_days(today(), 180),
            .evidence_ref = "AZ 4711/26",
            .informed_of_refusal_and_withdrawal = true};
  }

  std::int64_t count(const std::string& sql, const store::Params& params = {}) {
    auto n = db_->read([&](store::Executor& x) { return x.query_int(sql, params); });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  std::map<std::string, std::int64_t> row_counts() {
    std::map<std::string, std::int64_t> out;
    for (const char* t : {"consents", "consent_recipients", "audit_log"})
      out[t] = count(std::string("SELECT COUNT(*) FROM ") + t);
    return out;
  }

  ConsentView only_consent(std::int64_t case_id) {
    auto all = cw_->consents(jc_, case_id);
    EXPECT_TRUE(all) << all.error().message;
    EXPECT_EQ(all ? all->size() : 0u, 1u);
    return all && !all->empty() ? all->front() : ConsentView{};
  }

  std::atomic<std::int64_t> now_{kStart};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<CaseworkService> cw_;
  Reader jc_{.username = "jc.mueller",
             .agency_key = "15003-jc",
             .case_worker = true,
             .request_id = "req-jc"};
  Reader ja_{.username = "ja.schmidt",
             .agency_key = "15003-ja",
             .case_worker = true,
             .request_id = "req-ja"};
};

void expect_invalid(const Result<std::int64_t>& r, const std::string& field) {
  ASSERT_FALSE(r) << "expected a refusal naming " << field;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().message;
  EXPECT_EQ(r.error().field, field) << r.error().message;
}

TEST_F(ConsentInsightDb, ASixteenYearOldConsentsOnlyWithTheAssessmentAndItIsStored) {
  const std::int64_t c = case_of("2009-12-01");  // 16 on 2 March 2026
  const auto before = row_counts();
  expect_invalid(cw_->record_consent(jc_, c, draft()), "insight_confirmed");
  auto d = draft();
  d.insight_confirmed = true;
  expect_invalid(cw_->record_consent(jc_, c, d), "insight_reason");
  EXPECT_EQ(row_counts(), before);  // refusals write nothing, not even audit entries

  d.insight_reason = kReason;
  d.guardian_name = "Maria Schulz";  // not the guardians' path: not stored
  d.custody = Custody::kJoint;
  d.second_guardian_name = "Peter Schulz";
  auto id = cw_->record_consent(jc_, c, d);
  ASSERT_TRUE(id) << id.error().message;
  const auto v = only_consent(c);
  EXPECT_EQ(v.consent.terms.given_by, ConsentGiver::kYoungPerson);
  EXPECT_EQ(v.consent.terms.insight_confirmed, std::optional<bool>(true));
  EXPECT_EQ(v.consent.terms.insight_reason, kReason);
  EXPECT_FALSE(v.consent.terms.custody);
  EXPECT_EQ(v.consent.terms.guardian_name, "");
  EXPECT_EQ(v.consent.terms.second_guardian_name, "");
  EXPECT_EQ(count("SELECT COUNT(*) FROM consents WHERE id = ? AND insight_confirmed = 1 AND "
                  "custody IS NULL AND second_guardian_name IS NULL",
                  {*id}),
            1);
  // The audit entry records that an assessment was made, not its text.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'consent.record' AND object = ? "
                  "AND details LIKE '%\"insight_confirmed\":true%' AND details NOT LIKE ?",
                  {"consent:" + std::to_string(*id), "%eigenen Worten%"}),
            1);
}

TEST_F(ConsentInsightDb, WithoutInsightTheGuardiansConsentAndJointCustodyNamesBoth) {
  const std::int64_t c = case_of("2010-09-15");  // 15 on 2 March 2026
  const auto before = row_counts();
  auto d = draft();
  d.insight_confirmed = false;
  d.insight_reason = "Konnte nicht sagen, wer die Daten erhält; Widerruf nicht verstanden.";
  expect_invalid(cw_->record_consent(jc_, c, d), "given_by");  // cannot consent themself
  d.given_by = ConsentGiver::kGuardian;
  d.guardian_name = "Maria Schulz";
  expect_invalid(cw_->record_consent(jc_, c, d), "custody");
  d.custody = Custody::kJoint;
  expect_invalid(cw_->record_consent(jc_, c, d), "second_guardian_name");
  // With insight the guardians cannot stand in for the young person.
  auto with_insight = d;
  with_insight.insight_confirmed = true;
  with_insight.second_guardian_name = "Peter Schulz";
  expect_invalid(cw_->record_consent(jc_, c, with_insight), "given_by");
  EXPECT_EQ(row_counts(), before);

  d.second_guardian_name = "Peter Schulz";
  ASSERT_TRUE(cw_->record_consent(jc_, c, d));
  const auto v = only_consent(c);
  EXPECT_EQ(v.consent.terms.given_by, ConsentGiver::kGuardian);
  EXPECT_EQ(v.consent.terms.insight_confirmed, std::optional<bool>(false));
  EXPECT_EQ(v.consent.terms.custody, std::optional<Custody>(Custody::kJoint));
  EXPECT_EQ(v.consent.terms.guardian_name, "Maria Schulz");
  EXPECT_EQ(v.consent.terms.second_guardian_name, "Peter Schulz");
}

TEST_F(ConsentInsightDb, SoleCustodyStoresNoSecondGuardianAndAdultsConsentThemselves) {
  const std::int64_t child = case_of("2013-05-05");  // 12
  auto d = draft();
  d.given_by = ConsentGiver::kGuardian;
  d.guardian_name = "Maria Schulz";
  d.custody = Custody::kSole;
  d.second_guardian_name = "Peter Schulz";  // sole custody: not stored
  ASSERT_TRUE(cw_->record_consent(jc_, child, d));
  const auto v = only_consent(child);
  EXPECT_EQ(v.consent.terms.custody, std::optional<Custody>(Custody::kSole));
  EXPECT_EQ(v.consent.terms.second_guardian_name, "");
  EXPECT_FALSE(v.consent.terms.insight_confirmed);  // under 15: not assessed

  const std::int64_t adult = case_of("2007-01-10", "Becker");  // 19
  const auto before = row_counts();
  expect_invalid(cw_->record_consent(jc_, adult, d), "given_by");
  EXPECT_EQ(row_counts(), before);
  auto own = cw_->record_consent(jc_, adult, draft());  // no assessment needed
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(count("SELECT COUNT(*) FROM consents WHERE id = ? AND insight_confirmed IS NULL AND "
                  "insight_reason IS NULL AND custody IS NULL",
                  {*own}),
            1);
}

// SQLite hands out the id of a deleted last row again; PostgreSQL's identity
// does not, so there the sequence is set back to make the same id come out.
TEST_F(ConsentInsightDb, AccessLogOfAReusedCaseIdHoldsOnlyTheNewCasesEntries) {
  const std::int64_t old_case = case_of("2005-06-01", "Altfall");
  auto d = draft();
  ASSERT_TRUE(cw_->record_consent(jc_, old_case, d));
  ASSERT_TRUE(cw_->get_case(ja_, old_case, ReadPath::kItem));  // the Jugendamt reads it
  ASSERT_TRUE(cw_->get_case(jc_, old_case, ReadPath::kItem));
  const std::string object = "case:" + std::to_string(old_case);
  ASSERT_EQ(
      count("SELECT COUNT(*) FROM audit_entries WHERE object = ? AND action = 'case.read'",
            {object}),
      2);

  // What retention does to a due case (casework/retention.cc), at the same
  // millisecond as the reads, so only the order of the log separates them.
  auto gone = db_->write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("DELETE FROM cases WHERE id = ?", {old_case}));
    if (x.dialect() == store::Dialect::kPostgres)
      LOTSE_TRY(
          x.query("SELECT setval(pg_get_serial_sequence('cases', 'id'), ?, false)", {old_case}));
    return ok();
  });
  ASSERT_TRUE(gone) << gone.error().message;
  const std::int64_t new_case = case_of("2004-02-02", "Neufall");
  ASSERT_EQ(new_case, old_case) << "the test needs the id handed out again";

  auto log = cw_->access_log(jc_, new_case);
  ASSERT_TRUE(log) << log.error().message;
  for (const auto& e : *log) {
    EXPECT_NE(e.action, "case.read") << e.actor << " read the earlier case, not this one";
    EXPECT_NE(e.agency, "15003-ja");
  }
  // This case's own entries are there: its opening, then a read of it.
  ASSERT_FALSE(log->empty());
  EXPECT_EQ(log->back().action, "person.create");
  EXPECT_EQ(std::count_if(log->begin(), log->end(),
                          [](const AccessLogEntry& e) { return e.action == "case.open"; }),
            1);
  now_ += 1000;
  ASSERT_TRUE(cw_->get_case(jc_, new_case, ReadPath::kItem));
  log = cw_->access_log(jc_, new_case);
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_FALSE(log->empty());
  EXPECT_EQ(log->front().action, "case.read");
  EXPECT_EQ(log->front().at_ms, now_.load());
  EXPECT_EQ(std::count_if(log->begin(), log->end(),
                          [](const AccessLogEntry& e) { return e.action == "case.read"; }),
            1);
}

// A case written without an audit entry (synthetic data, an import) that
// got a deleted case's id: the earlier case's opening entry does not make
// its reads this case's; the case's own opening time is the floor.
TEST_F(ConsentInsightDb, AccessLogOfAReusedIdWithoutAnOpeningEntryStartsAtTheOpeningTime) {
  const std::int64_t old_case = case_of("2005-06-01", "Altfall");
  EXPECT_FALSE(cw_->get_case(ja_, old_case, ReadPath::kItem));  // no consent: denied, audited
  ASSERT_TRUE(cw_->get_case(jc_, old_case, ReadPath::kItem));
  now_ += kDayMs;
  auto person = cw_->create_person(
      jc_, {.given_name = "Jonas", .family_name = "Neufall", .birth_date = "2004-02-02"});
  ASSERT_TRUE(person) << person.error().message;
  now_ += 1000;
  const std::int64_t opened = now_.load();
  auto written = db_->write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("DELETE FROM cases WHERE id = ?", {old_case}));
    LOTSE_TRY(
        x.exec("INSERT INTO cases (id, person_id, owner_agency, lead_agency, phase, status, "
               "opened_at, updated_at) VALUES (?, ?, '15003-jc', '15003-jc', 2, 'open', ?, ?)",
               {old_case, *person, opened, opened}));
    return ok();
  });
  ASSERT_TRUE(written) << written.error().message;
  auto log = cw_->access_log(jc_, old_case);
  ASSERT_TRUE(log) << log.error().message;
  for (const auto& e : *log) {
    EXPECT_GE(e.at_ms, opened - 1000) << e.action << " belongs to the earlier case";
    EXPECT_NE(e.action, "case.read");
    EXPECT_NE(e.action, "case.read_denied");
    EXPECT_NE(e.action, "case.open");
  }
  // The person's own creation is still listed: it is this person's record.
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ(log->front().action, "person.create");
  now_ += 1000;
  ASSERT_TRUE(cw_->get_case(jc_, old_case, ReadPath::kItem));
  log = cw_->access_log(jc_, old_case);
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ(log->front().action, "case.read");
}

}  // namespace
}  // namespace lotse::casework
