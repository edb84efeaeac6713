// The Pendelbogen and the Art. 15 report on SQLite and PostgreSQL: only the
// controller agency generates them, denials are audited, the Pendelbogen
// holds only what active consents share (never § 65 data), and the report
// holds the person's data, the reads of it and the bases it went out on.
#include "lotse/casework/person_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <tuple>

#include "lotse/common/date.h"
#include "lotse/organisation/seed.h"
#include "support/people.h"
#include "support/test_database.h"

namespace lotse::casework {
namespace {

using domain::CategorySet;
using domain::DataCategory;

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
// Monday, 2 March 2026, 10:00 UTC.
const std::int64_t kStart = Date{2026, 3, 2}.days_since_epoch() * kDayMs + 10LL * 3600 * 1000;

class PersonReportDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = lotse::testing::test_database();
    auto seeded = db_->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    });
    ASSERT_TRUE(seeded) << seeded.error().message;
    auto clock = [this] { return now_.load(); };
    cw_ = std::make_unique<CaseworkService>(*db_, clock);
    reports_ = std::make_unique<PersonReportService>(*db_, clock);
  }

  Date today() const { return Date::from_unix_ms(now_.load()); }

  std::int64_t person(const Reader& r, std::string given = "Lena", std::string family = "Schulz") {
    auto id = cw_->create_person(r, lotse::testing::lena_schulz(given, family));
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  std::int64_t open_case(const Reader& r, std::int64_t person_id) {
    auto id = cw_->open_case(r, {.person_id = person_id,
                                 .phase = 4,
                                 .needs = {"applications", "debts"},
                                 .goals = "Ausbildungsplatz finden"});
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  std::int64_t consent(const Reader& r, std::int64_t case_id, std::vector<std::string> recipients,
                       CategorySet categories) {
    auto id = cw_->record_consent(r, case_id,
                                  {.purposes = {"Abgestimmte Beratung im Übergang"},
                                   .recipients = std::move(recipients),
                                   .categories = categories,
                                   .valid_from = today(),
                                   .valid_until = add_days(today(), 180),
                                   .evidence_ref = "AZ 4711/26",
                                   .informed_of_refusal_and_withdrawal = true,
                                   // The person is 17 on the test clock: an own consent needs the
                                   // insight assessment (domain/consent.cc).
                                   .insight_confirmed = true,
                                   .insight_reason = "Zweck, Empfänger und Widerruf mit eigenen Worten erklärt"});
    EXPECT_TRUE(id) << id.error().message << " (" << id.error().field << ")";
    return id ? *id : 0;
  }

  void step(std::int64_t case_id, const std::string& measure, const std::string& agency) {
    auto s = cw_->add_support_step(jc_, case_id,
                                   {.measure = measure, .responsible_agency = agency,
                                    .planned_start = "2026-04-01"});
    ASSERT_TRUE(s) << s.error().message;
  }

  void conference_decision(std::int64_t case_id, const std::string& text) {
    auto done = db_->write([&](store::Executor& x) -> Result<void> {
      LOTSE_ASSIGN_OR_RETURN(
          std::int64_t id,
          x.query_int("INSERT INTO conferences (case_id, alliance_ags, host_agency, scheduled_at, "
                      "agenda, created_by, created_at) VALUES (?, '15003', '15003-jc', "
                      "'2026-03-10 14:00', 'Übergang', 'jc.mueller', ?) RETURNING id",
                      {case_id, now_.load()}));
      LOTSE_TRY(x.exec("INSERT INTO conference_participants (conference_id, agency_key, "
                       "staff_name) VALUES (?, '15003-ja', 'Frau Schmidt')",
                       {id}));
      LOTSE_TRY(x.exec("INSERT INTO conference_items (conference_id, kind, text) VALUES "
                       "(?, 'decision', ?)",
                       {id, text}));
      LOTSE_TRY(x.exec("INSERT INTO conference_items (conference_id, kind, text, owner_agency, "
                       "due_on) VALUES (?, 'task', 'Termin bei der Schuldnerberatung', "
                       "'15003-ja', '2026-03-20')",
                       {id}));
      return ok();
    });
    ASSERT_TRUE(done) << done.error().message;
  }

  std::int64_t count(const std::string& sql, const store::Params& params = {}) {
    auto n = db_->read([&](store::Executor& x) { return x.query_int(sql, params); });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  std::atomic<std::int64_t> now_{kStart};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<CaseworkService> cw_;
  std::unique_ptr<PersonReportService> reports_;
  Reader jc_{.username = "jc.mueller", .agency_key = "15003-jc", .case_worker = true,
             .request_id = "req-jc"};
  Reader jc2_{.username = "jc.becker", .agency_key = "15003-jc", .case_worker = true,
              .request_id = "req-jc2"};
  Reader ja_{.username = "ja.schmidt", .agency_key = "15003-ja", .case_worker = true,
             .request_id = "req-ja"};
  Reader ja2_{.username = "ja.weber", .agency_key = "15003-ja", .case_worker = true,
              .request_id = "req-ja2"};
  Reader aa_{.username = "aa.krause", .agency_key = "15003-aa", .case_worker = true,
             .request_id = "req-aa"};
  Reader koord_{.username = "15003-koord", .agency_key = "", .case_worker = false,
                .request_id = "req-k"};
};

// ---- Pendelbogen ----------------------------------------------------------

TEST_F(PersonReportDb, PendelbogenShowsOnlyConsentedCategories) {
  const std::int64_t c = open_case(jc_, person(jc_));
  step(c, "Berufsvorbereitende Bildungsmaßnahme", "15003-aa");
  ASSERT_TRUE(cw_->add_note(jc_, c, {.body = "Geteilter Vermerk", .visibility = "partners"}));
  conference_decision(c, "Lena beginnt die BvB im April");
  // No support_chain, no conference_results in the consent.
  consent(jc_, c, {"15003-ja"},
          CategorySet::of({DataCategory::kMasterData, DataCategory::kNeedsGoals,
                           DataCategory::kNotes}));
  auto h = cw_->create_handover(jc_, c, {.to_agency = "15003-ja", .reason = "Schulden, Wohnen"});
  ASSERT_TRUE(h) << h.error().message;

  auto bogen = reports_->pendelbogen(jc_, c);
  ASSERT_TRUE(bogen) << bogen.error().message;
  EXPECT_EQ(bogen->shared, CategorySet::of({DataCategory::kMasterData, DataCategory::kNeedsGoals,
                                            DataCategory::kNotes}));
  EXPECT_EQ(bogen->record.person.given_name, "Lena");
  EXPECT_EQ(bogen->record.phase, 4);
  EXPECT_EQ(bogen->record.needs, (std::vector<std::string>{"applications", "debts"}));
  EXPECT_EQ(bogen->record.goals, "Ausbildungsplatz finden");
  EXPECT_TRUE(bogen->record.support_chain.empty());  // steps exist, but are not shared
  EXPECT_TRUE(bogen->decisions.empty());             // a decision exists, but is not shared
  EXPECT_TRUE(bogen->record.notes.empty());          // never on the Pendelbogen
  EXPECT_TRUE(bogen->record.person.school.empty());  // school data not shared
  EXPECT_EQ(bogen->recipients, std::vector<std::string>{"15003-ja"});
  EXPECT_EQ(bogen->shared_until, add_days(today(), 180).str());
  ASSERT_EQ(bogen->handovers.size(), 1u);
  EXPECT_EQ(bogen->handovers[0].to_agency, "15003-ja");
  EXPECT_EQ(bogen->agency_names.at("15003-ja").empty(), false);
  // Generated through the gate as a print read.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'case.read' AND object = ? AND "
                  "details LIKE '%\"path\":\"print\"%'",
                  {"case:" + std::to_string(c)}),
            1);

  // A new version adds the support chain and the conference results.
  consent(jc_, c, {"15003-ja"},
          CategorySet::of({DataCategory::kNeedsGoals, DataCategory::kSupportChain,
                           DataCategory::kConferenceResults}));
  auto wider = reports_->pendelbogen(jc_, c);
  ASSERT_TRUE(wider);
  ASSERT_EQ(wider->record.support_chain.size(), 1u);
  EXPECT_EQ(wider->record.support_chain[0].responsible_agency, "15003-aa");
  ASSERT_EQ(wider->decisions.size(), 1u);
  EXPECT_EQ(wider->decisions[0].text, "Lena beginnt die BvB im April");
  // The first version is superseded: master data is not shared any more.
  EXPECT_TRUE(wider->record.person.given_name.empty());
  EXPECT_EQ(wider->record.person_id, 0);
}

TEST_F(PersonReportDb, WithdrawalEmptiesThePendelbogenOnTheNextRequest) {
  const std::int64_t c = open_case(jc_, person(jc_));
  step(c, "Bewerbungstraining", "15003-jc");
  const std::int64_t id =
      consent(jc_, c, {"15003-ja"},
              CategorySet::of({DataCategory::kMasterData, DataCategory::kNeedsGoals,
                               DataCategory::kSupportChain}));
  ASSERT_TRUE(cw_->create_handover(jc_, c, {.to_agency = "15003-ja", .reason = "Wohnen"}));
  auto before = reports_->pendelbogen(jc_, c);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->record.support_chain.size(), 1u);
  EXPECT_EQ(before->handovers.size(), 1u);

  ASSERT_TRUE(cw_->withdraw_consent(jc_, id));
  auto after = reports_->pendelbogen(jc_, c);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_TRUE(after->shared.empty());
  EXPECT_TRUE(after->recipients.empty());
  EXPECT_TRUE(after->record.person.given_name.empty());
  EXPECT_EQ(after->record.phase, 0);
  EXPECT_TRUE(after->record.needs.empty());
  EXPECT_TRUE(after->record.goals.empty());
  EXPECT_TRUE(after->record.support_chain.empty());
  EXPECT_TRUE(after->handovers.empty());
  // Who leads the case is still there: the young person's contact point.
  EXPECT_EQ(after->record.lead_agency, "15003-jc");
}

TEST_F(PersonReportDb, PendelbogenNeverCarriesEntrustedData) {
  const std::int64_t c = open_case(ja_, person(ja_, "Mia", "Fischer"));
  ASSERT_TRUE(cw_->add_note(
      ja_, c, {.body = "Anvertraut: Streit zuhause", .visibility = "partners",
               .entruster = "young_person"}));
  // Even a consent naming the entrusted category does not put § 65 data on it.
  consent(ja_, c, {"15003-jc"},
          CategorySet::of({DataCategory::kMasterData, DataCategory::kNeedsGoals,
                           DataCategory::kNotes, DataCategory::kEntrusted}));
  auto bogen = reports_->pendelbogen(ja_, c);
  ASSERT_TRUE(bogen) << bogen.error().message;
  EXPECT_FALSE(bogen->shared.has(DataCategory::kEntrusted));
  EXPECT_FALSE(bogen->record.visible.has(DataCategory::kEntrusted));
  EXPECT_TRUE(bogen->record.notes.empty());
  EXPECT_EQ(bogen->record.person.family_name, "Fischer");
}

TEST_F(PersonReportDb, OnlyTheOwnerAgencyPrintsThePendelbogenAndDenialsAreAudited) {
  const std::int64_t c = open_case(jc_, person(jc_));
  consent(jc_, c, {"15003-ja"}, CategorySet::of({DataCategory::kMasterData}));
  const std::string object = "case:" + std::to_string(c);

  auto partner = reports_->pendelbogen(ja_, c);  // holds a consent, still not theirs
  ASSERT_FALSE(partner);
  EXPECT_EQ(partner.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'pendelbogen.denied' AND "
                  "object = ? AND actor = 'ja.schmidt'",
                  {object}),
            1);
  auto stranger = reports_->pendelbogen(aa_, c);
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'case.read_denied' AND "
                  "object = ? AND actor = 'aa.krause' AND details LIKE '%\"path\":\"print\"%'",
                  {object}),
            1);
  auto unknown = reports_->pendelbogen(jc_, c + 1000);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto coordinator = reports_->pendelbogen(koord_, c);
  ASSERT_FALSE(coordinator);
  EXPECT_EQ(coordinator.error().code, ErrorCode::kForbidden);
  // Another case worker of the owner agency may.
  EXPECT_TRUE(reports_->pendelbogen(jc2_, c));
}

// ---- Art. 15 report ---------------------------------------------------------

TEST_F(PersonReportDb, ReportHoldsThePersonsDataReadsAndRecipients) {
  const std::int64_t p = person(jc_);
  const std::int64_t c = open_case(jc_, p);
  step(c, "Bewerbungstraining", "15003-aa");
  ASSERT_TRUE(cw_->add_note(jc_, c, {.body = "Nur für uns", .visibility = "own"}));
  ASSERT_TRUE(cw_->add_note(jc_, c, {.body = "Für Partner", .visibility = "partners"}));
  const std::int64_t first = consent(jc_, c, {"15003-ja"}, CategorySet::of({DataCategory::kMasterData}));
  const std::int64_t second =
      consent(jc_, c, {"15003-ja"},
              CategorySet::of({DataCategory::kMasterData, DataCategory::kNeedsGoals}));
  ASSERT_TRUE(cw_->withdraw_consent(jc_, second));
  ASSERT_TRUE(cw_->record_transfer(jc_, c,
                                   {.to_agency = "15003-aa",
                                    .legal_basis = "§ 50 SGB II",
                                    .reason = "Gemeinsame Ausbildungsvermittlung",
                                    .categories = CategorySet::of({DataCategory::kMasterData}),
                                    .valid_until = add_days(today(), 90).str()}));
  auto h = cw_->create_handover(jc_, c, {.to_agency = "15003-aa", .reason = "Ausbildungssuche"});
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_TRUE(cw_->act_on_handover(aa_, h->id, domain::HandoverAction::kReceive));
  ASSERT_TRUE(cw_->act_on_handover(aa_, h->id, domain::HandoverAction::kAccept));
  conference_decision(c, "Bewerbungen bis Mai");
  // Partners read it: these are the disclosures the report must name.
  ASSERT_TRUE(cw_->get_case(aa_, c, ReadPath::kItem));
  ASSERT_TRUE(cw_->get_case(aa_, c, ReadPath::kApi));
  // Someone else's case, read too: must not appear.
  const std::int64_t other = open_case(jc_, person(jc_, "Max", "Meier"));
  ASSERT_TRUE(cw_->get_case(jc_, other, ReadPath::kItem));

  auto report = reports_->report(jc2_, p);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->controller, "15003-jc");
  EXPECT_EQ(report->generated_by, "jc.becker");
  EXPECT_EQ(report->person.given_name, "Lena");
  EXPECT_EQ(report->person.phone, "0391 123456");
  EXPECT_EQ(report->person.school_qualification, "Realschulabschluss");
  EXPECT_EQ(report->person_created_by, "jc.mueller");
  ASSERT_EQ(report->cases.size(), 1u);
  const ReportCase& rc = report->cases[0];
  EXPECT_EQ(rc.record.id, c);
  EXPECT_EQ(rc.record.goals, "Ausbildungsplatz finden");
  EXPECT_EQ(rc.record.needs.size(), 2u);
  EXPECT_EQ(rc.record.support_chain.size(), 1u);
  ASSERT_EQ(rc.notes.size(), 2u);  // the agency's own note too
  EXPECT_EQ(rc.notes[0].note.body, "Nur für uns");
  ASSERT_EQ(rc.consents.size(), 2u);
  EXPECT_EQ(rc.consents[0].consent.id, first);
  EXPECT_EQ(rc.consents[0].state, "superseded");
  EXPECT_EQ(rc.consents[1].state, "withdrawn");
  EXPECT_EQ(rc.consents[1].withdrawn_by, "jc.mueller");
  ASSERT_EQ(rc.transfers.size(), 1u);
  EXPECT_EQ(rc.transfers[0].legal_basis, "§ 50 SGB II");
  ASSERT_EQ(rc.handovers.size(), 1u);
  EXPECT_EQ(rc.handovers[0].state, "accepted");
  EXPECT_EQ(rc.handovers[0].events.size(), 3u);  // create, receive, accept
  ASSERT_EQ(rc.conferences.size(), 1u);
  EXPECT_EQ(rc.conferences[0].items.size(), 2u);
  EXPECT_EQ(rc.conferences[0].participants.size(), 1u);
  EXPECT_EQ(report->retention.size(), 3u);

  // Recipients: two consent versions, the transfer, the accepted handover.
  std::multiset<std::string> kinds;
  for (const auto& r : report->recipients) kinds.insert(r.kind + ":" + r.agency_key);
  EXPECT_EQ(kinds, (std::multiset<std::string>{"consent:15003-ja", "consent:15003-ja",
                                               "transfer:15003-aa", "handover:15003-aa"}));
  ASSERT_EQ(report->disclosures.size(), 1u);
  EXPECT_EQ(report->disclosures[0].agency_key, "15003-aa");
  EXPECT_EQ(report->disclosures[0].reads, 2);

  // Every access entry is about this person's records, and all of them are there.
  // (read log?, seq, item): each log counts its own; a list read's entries
  // share a seq.
  std::set<std::tuple<bool, std::int64_t, int>> seen;
  for (const auto& a : report->accesses) {
    seen.insert({a.read_log, a.seq, a.item});
    EXPECT_NE(a.object, "case:" + std::to_string(other));
  }
  // (The report's own entry is appended after it was put together.)
  EXPECT_EQ(static_cast<std::int64_t>(seen.size()),
            count("SELECT COUNT(*) FROM audit_entries WHERE object IN (?, ?, ?, ?, ?) AND "
                  "action <> 'person.report'",
                  {"person:" + std::to_string(p), "case:" + std::to_string(c),
                   "consent:" + std::to_string(first), "consent:" + std::to_string(second),
                   "handover:" + std::to_string(h->id)}));
  // Generating it is on record: the export read of the case and the report.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'person.report' AND object = ? "
                  "AND actor = 'jc.becker'",
                  {"person:" + std::to_string(p)}),
            1);
  auto again = reports_->report(jc_, p);
  ASSERT_TRUE(again);
  EXPECT_TRUE(std::any_of(again->accesses.begin(), again->accesses.end(),
                          [](const ReportAccess& a) { return a.action == "person.report"; }));
}

TEST_F(PersonReportDb, ReportIsDeniedToEveryoneButTheControllerAndDenialsAreAudited) {
  const std::int64_t p = person(jc_);
  const std::int64_t c = open_case(jc_, p);
  consent(jc_, c, {"15003-ja"}, CategorySet::of({DataCategory::kMasterData,
                                                 DataCategory::kNeedsGoals}));
  const std::string object = "person:" + std::to_string(p);
  for (const Reader* r : {&ja_, &aa_}) {
    auto denied = reports_->report(*r, p);
    ASSERT_FALSE(denied) << r->username;
    EXPECT_EQ(denied.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(denied.error().message.find("Lena"), std::string::npos);
    EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'person.report_denied' AND "
                    "object = ? AND actor = ?",
                    {object, r->username}),
              1);
  }
  // Nothing was read on the way.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'case.read'"), 0);
  auto unknown = reports_->report(jc_, p + 1000);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto coordinator = reports_->report(koord_, p);
  ASSERT_FALSE(coordinator);
  EXPECT_EQ(coordinator.error().code, ErrorCode::kForbidden);
}

TEST_F(PersonReportDb, EntrustedNotesFollowTheirWorkerAndTheirEntruster) {
  const std::int64_t p = person(ja_, "Mia", "Fischer");
  const std::int64_t c = open_case(ja_, p);
  ASSERT_TRUE(cw_->add_note(ja_, c, {.body = "Von Mia selbst", .entruster = "young_person"}));
  ASSERT_TRUE(cw_->add_note(ja_, c, {.body = "Von der Mutter", .entruster = "parent"}));
  ASSERT_TRUE(cw_->add_note(ja2_, c, {.body = "Bei Frau Weber", .entruster = "young_person"}));
  ASSERT_TRUE(cw_->add_note(ja_, c, {.body = "Sachstand", .entrusted = false}));

  auto own = reports_->report(ja_, p);
  ASSERT_TRUE(own) << own.error().message;
  const auto& notes = own->cases.at(0).notes;
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(notes[0].note.body, "Von Mia selbst");
  EXPECT_FALSE(notes[0].withheld);
  EXPECT_TRUE(notes[1].withheld);  // the mother's trust, not Mia's
  EXPECT_TRUE(notes[1].note.body.empty());
  EXPECT_NE(notes[1].withheld_reason.find("ja.schmidt"), std::string::npos);
  EXPECT_EQ(notes[2].note.body, "Sachstand");
  EXPECT_EQ(own->cases[0].entrusted_elsewhere, (std::map<std::string, int>{{"ja.weber", 1}}));

  auto colleague = reports_->report(ja2_, p);
  ASSERT_TRUE(colleague);
  const auto& cn = colleague->cases.at(0).notes;
  ASSERT_EQ(cn.size(), 2u);
  EXPECT_EQ(cn[0].note.body, "Bei Frau Weber");
  EXPECT_EQ(cn[1].note.body, "Sachstand");
  EXPECT_EQ(colleague->cases[0].entrusted_elsewhere,
            (std::map<std::string, int>{{"ja.schmidt", 2}}));
}

TEST_F(PersonReportDb, ReportOfAPersonWithoutCaseHasTheMasterData) {
  const std::int64_t p = person(jc_, "Ohne", "Fall");
  auto report = reports_->report(jc_, p);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->person.family_name, "Fall");
  EXPECT_TRUE(report->cases.empty());
  ASSERT_EQ(report->accesses.size(), 1u);
  EXPECT_EQ(report->accesses[0].action, "person.create");
  EXPECT_EQ(report->accesses[0].agency, "15003-jc");
}

// Art. 15: how a consent came about is part of it. Each version carries the
// insight assessment and, on the guardians' path, the custody and both names.
TEST_F(PersonReportDb, ReportConsentVersionsCarryTheInsightAssessmentAndGuardians) {
  const std::int64_t p = person(jc_);  // 17 on the test clock
  const std::int64_t c = open_case(jc_, p);
  const std::int64_t own = consent(jc_, c, {"15003-ja"}, CategorySet::of({DataCategory::kMasterData}));
  ASSERT_TRUE(cw_->record_consent(
      jc_, c,
      {.purposes = {"Gemeinsame Beratung"},
       .recipients = {"15003-ja"},
       .categories = CategorySet::of({DataCategory::kMasterData}),
       .valid_from = today(),
       .valid_until = add_days(today(), 90),
       .evidence_ref = "AZ 4712/26",
       .given_by = domain::ConsentGiver::kGuardian,
       .guardian_name = "Maria Schulz",
       .informed_of_refusal_and_withdrawal = true,
       .insight_confirmed = false,
       .insight_reason = "Konnte Empfänger und Widerruf nicht erklären",
       .custody = domain::Custody::kJoint,
       .second_guardian_name = "Peter Schulz"}));

  auto report = reports_->report(jc_, p);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->cases.size(), 1u);
  const auto& versions = report->cases[0].consents;
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].consent.id, own);
  EXPECT_EQ(versions[0].consent.terms.insight_confirmed, std::optional<bool>(true));
  EXPECT_FALSE(versions[0].consent.terms.insight_reason.empty());
  EXPECT_FALSE(versions[0].consent.terms.custody);
  const auto& guardians = versions[1].consent.terms;
  EXPECT_EQ(guardians.insight_confirmed, std::optional<bool>(false));
  EXPECT_EQ(guardians.insight_reason, "Konnte Empfänger und Widerruf nicht erklären");
  EXPECT_EQ(guardians.custody, std::optional<domain::Custody>(domain::Custody::kJoint));
  EXPECT_EQ(guardians.guardian_name, "Maria Schulz");
  EXPECT_EQ(guardians.second_guardian_name, "Peter Schulz");
}

}  // namespace
}  // namespace lotse::casework
