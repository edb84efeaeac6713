// Case conferences (Fallberatung) on SQLite and PostgreSQL: each participant
// sees the case through the policy gate with its own basis, results only
// with conference_results, strangers get NotFound (audited), anonymous
// conferences carry nothing that identifies the young person, tasks reach
// the owner agency's Posteingang with counts equal to the list.
#include "lotse/casework/conference_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "lotse/casework/casework_service.h"
#include "lotse/organisation/seed.h"
#include "support/test_database.h"

namespace lotse::casework {
namespace {

using domain::CategorySet;
using domain::DataCategory;

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
// Monday, 2 March 2026, 10:00 UTC.
const std::int64_t kStart = Date{2026, 3, 2}.days_since_epoch() * kDayMs + 10LL * 3600 * 1000;

const CategorySet kWithResults = CategorySet::of(
    {DataCategory::kMasterData, DataCategory::kNeedsGoals, DataCategory::kConferenceResults});
const CategorySet kWithoutResults =
    CategorySet::of({DataCategory::kMasterData, DataCategory::kNeedsGoals});

template <typename T>
void expect_code(const Result<T>& r, ErrorCode code) {
  ASSERT_FALSE(r) << "expected an error";
  EXPECT_EQ(r.error().code, code) << r.error().message;
}

template <typename T>
void expect_invalid(const Result<T>& r, const std::string& field) {
  ASSERT_FALSE(r) << "expected an error naming " << field;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().message;
  EXPECT_EQ(r.error().field, field) << r.error().message;
  EXPECT_FALSE(r.error().message.empty());
}

class ConferenceDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = lotse::testing::test_database();
    auto seeded = db_->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    });
    ASSERT_TRUE(seeded) << seeded.error().message;
    Clock clock = [this] { return now_.load(); };
    cw_ = std::make_unique<CaseworkService>(*db_, clock);
    conf_ = std::make_unique<ConferenceService>(*db_, clock);
  }

  Date today() const { return Date::from_unix_ms(now_.load()); }
  std::string at(int days, const char* time = "14:00") const {
    return add_days(today(), days).str() + " " + time;
  }
  void advance_days(int days) { now_ += days * kDayMs; }

  // Lena Schulz, recorded by the Jobcenter, with an open case.
  std::int64_t jc_case() {
    auto p = cw_->create_person(jc_, {.given_name = "Lena",
                                      .family_name = "Schulz",
                                      .birth_date = "2008-04-12",
                                      .city = "Magdeburg"});
    EXPECT_TRUE(p) << p.error().message;
    auto c = cw_->open_case(jc_, {.person_id = p ? *p : 0, .phase = 4,
                                  .needs = {"applications"}, .goals = "Ausbildungsplatz"});
    EXPECT_TRUE(c) << c.error().message;
    return c ? *c : 0;
  }

  std::int64_t consent(std::int64_t case_id, std::vector<std::string> recipients,
                       CategorySet categories) {
    auto id = cw_->record_consent(
        jc_, case_id,
        {.purposes = {"Gemeinsame Fallberatung im Übergang Schule-Beruf"},
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

  NewConference named(std::int64_t case_id, std::vector<ConferenceParticipant> participants = {
                                                {"15003-ja", "Frau Weber"}}) {
    return {.case_id = case_id,
            .scheduled_at = at(3),
            .participants = std::move(participants),
            .agenda = "Wohnsituation und nächste Schritte"};
  }

  std::int64_t create(const Reader& r, const NewConference& c) {
    auto id = conf_->create(r, c);
    EXPECT_TRUE(id) << id.error().message << " (" << id.error().field << ")";
    return id ? *id : 0;
  }

  std::int64_t task(const Reader& r, std::int64_t conference, const std::string& owner,
                    int due_in_days = 7, const std::string& text = "Hilfeplan prüfen") {
    auto id = conf_->add_item(r, conference, {.kind = "task", .text = text, .owner_agency = owner,
                                              .due_on = add_days(today(), due_in_days).str()});
    EXPECT_TRUE(id) << id.error().message << " (" << id.error().field << ")";
    return id ? *id : 0;
  }

  std::int64_t count(const std::string& sql, const store::Params& params = {}) {
    auto n = db_->read([&](store::Executor& x) { return x.query_int(sql, params); });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  std::int64_t audits(const std::string& action, const std::string& object,
                      const std::string& actor) {
    return count("SELECT COUNT(*) FROM audit_entries WHERE action = ? AND object = ? AND actor = ?",
                 {action, object, actor});
  }

  std::map<std::string, std::int64_t> row_counts() {
    std::map<std::string, std::int64_t> out;
    for (const char* t : {"conferences", "conference_participants", "conference_items"})
      out[t] = count(std::string("SELECT COUNT(*) FROM ") + t);
    out["changes"] = count(
        "SELECT COUNT(*) FROM audit_entries WHERE action LIKE 'conference.%' AND "
        "action NOT IN ('conference.read', 'conference.read_denied')");
    out["minutes"] = count("SELECT COUNT(*) FROM conferences WHERE minutes <> ''");
    out["done"] = count("SELECT COUNT(*) FROM conference_items WHERE done = 1");
    return out;
  }

  static std::string object(std::int64_t conference) {
    return "conference:" + std::to_string(conference);
  }

  std::atomic<std::int64_t> now_{kStart};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<CaseworkService> cw_;
  std::unique_ptr<ConferenceService> conf_;
  Reader jc_{.username = "jc.mueller", .agency_key = "15003-jc", .case_worker = true,
             .request_id = "req-jc"};
  Reader ja_{.username = "ja.schmidt", .agency_key = "15003-ja", .case_worker = true,
             .request_id = "req-ja"};
  Reader aa_{.username = "aa.krause", .agency_key = "15003-aa", .case_worker = true,
             .request_id = "req-aa"};
  Reader schule_{.username = "schule.lang", .agency_key = "15003-schule", .case_worker = true,
                 .request_id = "req-schule"};
};

TEST_F(ConferenceDb, ParticipantSeesTheCaseThroughTheGateWithItsOwnConsent) {
  const std::int64_t c = jc_case();
  consent(c, {"15003-ja"}, kWithResults);
  const std::int64_t id = create(jc_, named(c));
  ASSERT_TRUE(conf_->set_minutes(jc_, id, "Lena sucht eine Wohnung in Ausbildungsnähe."));
  ASSERT_TRUE(conf_->add_item(jc_, id, {.kind = "decision", .text = "Antrag auf Hilfe für junge Volljährige"}));
  task(jc_, id, "15003-ja");

  auto v = conf_->get(ja_, id);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(v->host);
  EXPECT_EQ(v->scheduled_at, at(3));
  EXPECT_EQ(v->agenda, "Wohnsituation und nächste Schritte");
  ASSERT_EQ(v->participants.size(), 1u);
  EXPECT_EQ(v->participants[0].staff_name, "Frau Weber");
  EXPECT_EQ(v->participants[0].agency_name, "Jugendamt Magdeburg");
  ASSERT_TRUE(v->case_record);
  EXPECT_EQ(v->case_record->person.family_name, "Schulz");
  EXPECT_EQ(v->case_record->phase, 4);
  EXPECT_EQ(v->case_record->person.city, "Magdeburg");
  EXPECT_TRUE(v->results_visible);
  EXPECT_TRUE(v->may_record);
  EXPECT_EQ(v->minutes, "Lena sucht eine Wohnung in Ausbildungsnähe.");
  EXPECT_EQ(v->decisions.size(), 1u);
  EXPECT_EQ(v->tasks.size(), 1u);

  // The read went through the gate with the Jugendamt's reader, on its
  // consent, and the conference read is audited beside it.
  EXPECT_EQ(audits("conference.create", object(id), "jc.mueller"), 1);
  EXPECT_EQ(audits("conference.minutes", object(id), "jc.mueller"), 1);
  EXPECT_EQ(audits("conference.item", object(id), "jc.mueller"), 2);
  EXPECT_EQ(audits("conference.read", object(id), "ja.schmidt"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'case.read' AND object = ? AND "
                  "actor = 'ja.schmidt' AND legal_basis LIKE 'Einwilligung%'",
                  {"case:" + std::to_string(c)}),
            1);
  // The participant may record results too, and is audited for it.
  ASSERT_TRUE(conf_->set_minutes(ja_, id, "Ergänzt vom Jugendamt."));
  EXPECT_EQ(audits("conference.minutes", object(id), "ja.schmidt"), 1);
}

TEST_F(ConferenceDb, ParticipantWithoutResultsConsentNeverSeesMinutesOrDecisions) {
  const std::int64_t c = jc_case();
  consent(c, {"15003-ja"}, kWithoutResults);
  const std::int64_t id = create(jc_, named(c));
  ASSERT_TRUE(conf_->set_minutes(jc_, id, "Vertrauliches Protokoll"));
  ASSERT_TRUE(conf_->add_item(jc_, id, {.kind = "decision", .text = "Beschluss B"}));
  const std::int64_t own_task = task(jc_, id, "15003-ja", 7, "Kontakt zur Familie");
  task(jc_, id, "15003-jc", 7, "Vermittlungsvorschlag");

  auto v = conf_->get(ja_, id);
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_TRUE(v->case_record);  // the case itself as far as the consent goes
  EXPECT_EQ(v->case_record->person.given_name, "Lena");
  EXPECT_FALSE(v->results_visible);
  EXPECT_FALSE(v->may_record);
  EXPECT_TRUE(v->minutes.empty());
  EXPECT_TRUE(v->minutes_by.empty());
  EXPECT_TRUE(v->decisions.empty());
  // Only the task its agency has to do, with its due date.
  ASSERT_EQ(v->tasks.size(), 1u);
  EXPECT_EQ(v->tasks[0].id, own_task);
  EXPECT_EQ(v->tasks[0].due_on, add_days(today(), 7).str());

  // Nor can it write results it cannot see.
  const auto before = row_counts();
  expect_code(conf_->set_minutes(ja_, id, "überschrieben"), ErrorCode::kForbidden);
  expect_code(conf_->add_item(ja_, id, {.kind = "decision", .text = "x"}), ErrorCode::kForbidden);
  EXPECT_EQ(row_counts(), before);
  auto host = conf_->get(jc_, id);
  ASSERT_TRUE(host);
  EXPECT_EQ(host->minutes, "Vertrauliches Protokoll");
  EXPECT_EQ(host->tasks.size(), 2u);

  // Its own task it can finish.
  auto done = conf_->mark_task_done(ja_, own_task);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(*done, id);
}

TEST_F(ConferenceDb, NonParticipantGetsNotFoundAndTheDenialIsAudited) {
  const std::int64_t c = jc_case();
  // The AA may read the case, but is not invited: the conference stays hidden.
  consent(c, {"15003-ja", "15003-aa"}, kWithResults);
  const std::int64_t id = create(jc_, named(c));
  const std::int64_t t = task(jc_, id, "15003-ja");
  ASSERT_TRUE(conf_->set_minutes(jc_, id, "Protokoll"));

  expect_code(conf_->get(aa_, id), ErrorCode::kNotFound);
  EXPECT_EQ(audits("conference.read_denied", object(id), "aa.krause"), 1);
  expect_code(conf_->get(aa_, id + 1000), ErrorCode::kNotFound);
  EXPECT_EQ(audits("conference.read_denied", object(id + 1000), "aa.krause"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'conference.read_denied' AND "
                  "legal_basis = 'keine (Zugriff verweigert)'"),
            2);

  const auto before = row_counts();
  expect_code(conf_->set_minutes(aa_, id, "fremd"), ErrorCode::kNotFound);
  expect_code(conf_->add_item(aa_, id, {.kind = "decision", .text = "fremd"}), ErrorCode::kNotFound);
  expect_code(conf_->mark_task_done(aa_, t), ErrorCode::kNotFound);
  expect_code(conf_->mark_task_done(aa_, t + 1000), ErrorCode::kNotFound);
  EXPECT_EQ(row_counts(), before);

  auto list = conf_->list(aa_);
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
  auto box = conf_->tasks(aa_);
  ASSERT_TRUE(box);
  EXPECT_TRUE(box->open.empty());
  EXPECT_EQ(box->open_count, 0);

  // Coordinators never see a conference, not even their alliance's.
  Reader koord{.username = "15003-koord", .agency_key = "", .case_worker = false};
  expect_code(conf_->get(koord, id), ErrorCode::kForbidden);
  expect_code(conf_->list(koord), ErrorCode::kForbidden);
  expect_code(conf_->create(koord, named(c)), ErrorCode::kForbidden);
}

TEST_F(ConferenceDb, NamedConferenceInvitesOnlyAgenciesThatMayReadTheCase) {
  const std::int64_t c = jc_case();
  consent(c, {"15003-ja"}, kWithResults);
  const auto before = row_counts();
  auto refused = conf_->create(jc_, named(c, {{"15003-ja", ""}, {"15003-aa", "Herr Krause"}}));
  expect_invalid(refused, "participants[1].agency");
  EXPECT_NE(refused.error().message.find("anonyme Fallberatung"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("Agentur für Arbeit Magdeburg"), std::string::npos);
  EXPECT_EQ(row_counts(), before);

  // A recorded legal-basis transfer is a basis too.
  auto transfer = cw_->record_transfer(
      jc_, c,
      {.to_agency = "15003-aa",
       .legal_basis = "§ 50 SGB II",
       .reason = "Gemeinsame Ausbildungsvermittlung (§ 50 SGB II)",
       .categories = CategorySet::of({DataCategory::kMasterData}),
       .valid_until = add_days(today(), 90).str()});
  ASSERT_TRUE(transfer) << transfer.error().message;
  const std::int64_t id =
      create(jc_, named(c, {{"15003-ja", ""}, {"15003-aa", "Herr Krause"}}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'conference.create' AND "
                  "object = ? AND legal_basis LIKE '%50 SGB II%'",
                  {object(id)}),
            1);
  // The AA sees master data only: no results without that category.
  auto aa_view = conf_->get(aa_, id);
  ASSERT_TRUE(aa_view) << aa_view.error().message;
  ASSERT_TRUE(aa_view->case_record);
  EXPECT_EQ(aa_view->case_record->phase, 0);
  EXPECT_FALSE(aa_view->results_visible);

  // Only the case's owner plans a named conference.
  expect_code(conf_->create(ja_, named(c, {{"15003-aa", ""}})), ErrorCode::kForbidden);
  expect_code(conf_->create(schule_, named(c, {{"15003-ja", ""}})), ErrorCode::kNotFound);
}

TEST_F(ConferenceDb, AnonymousConferenceCarriesNoCaseAndNoPersonData) {
  const std::int64_t c = jc_case();  // no consent at all
  NewConference anon{.anonymous = true,
                     .case_summary = "Lena, 17, sucht eine Wohnung und eine Ausbildung.",
                     .source_case_id = c,
                     .scheduled_at = at(1, "09:30"),
                     .participants = {{"15003-ja", "Frau Weber"}, {"15003-aa", ""}},
                     .agenda = "Welche Hilfen passen?"};
  const auto before = row_counts();
  auto refused = conf_->create(jc_, anon);
  expect_invalid(refused, "case_summary");
  EXPECT_NE(refused.error().message.find("Namen"), std::string::npos);
  anon.case_summary = "Frau SCHULZ (17) sucht eine Wohnung.";  // spelling does not matter
  expect_invalid(conf_->create(jc_, anon), "case_summary");
  EXPECT_EQ(row_counts(), before);
  // The name check reads the case through the gate, audited.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'case.read' AND object = ? AND "
                  "actor = 'jc.mueller'",
                  {"case:" + std::to_string(c)}),
            2);
  // Another agency cannot use the check to probe a case it may not read.
  NewConference probe = anon;
  expect_code(conf_->create(ja_, probe), ErrorCode::kNotFound);

  anon.case_summary = "Junge Frau, 17, sucht eine Wohnung in Ausbildungsnähe; Schulden.";
  NewConference linked = anon;
  linked.case_id = c;
  expect_invalid(conf_->create(jc_, linked), "case_id");
  const std::int64_t id = create(jc_, anon);

  EXPECT_EQ(count("SELECT COUNT(*) FROM conferences WHERE id = ? AND case_id IS NULL AND "
                  "anonymous = 1",
                  {id}),
            1);
  // Nothing stored or audited about it names the case or the person.
  EXPECT_EQ(count("SELECT COUNT(*) FROM conferences WHERE id = ? AND (case_summary LIKE '%Lena%' "
                  "OR case_summary LIKE '%Schulz%' OR agenda LIKE '%Schulz%')",
                  {id}),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE object = ? AND details LIKE '%case%'",
                  {object(id)}),
            0);

  // Every participant sees it whole, without any consent: there is no case.
  ASSERT_TRUE(conf_->set_minutes(aa_, id, "Beratung ohne Personenbezug"));
  task(aa_, id, "15003-ja");
  auto v = conf_->get(ja_, id);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->anonymous);
  EXPECT_FALSE(v->case_record.has_value());
  EXPECT_FALSE(v->case_access);
  EXPECT_EQ(v->case_summary, anon.case_summary);
  EXPECT_EQ(v->minutes, "Beratung ohne Personenbezug");
  EXPECT_TRUE(v->results_visible);
  auto list = conf_->list(ja_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].case_id, 0);
  EXPECT_TRUE((*list)[0].person_name.empty());
  auto box = conf_->tasks(ja_);
  ASSERT_TRUE(box);
  ASSERT_EQ(box->open.size(), 1u);
  EXPECT_TRUE(box->open[0].anonymous);
  EXPECT_TRUE(box->open[0].person_name.empty());
  // Reads of an anonymous conference are no reads of case data.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'case.read' AND actor = 'ja.schmidt'"),
            0);
}

TEST_F(ConferenceDb, WithdrawingConsentHidesTheCaseFromTheParticipantOnTheNextRequest) {
  const std::int64_t c = jc_case();
  const std::int64_t consent_id = consent(c, {"15003-ja"}, kWithResults);
  const std::int64_t id = create(jc_, named(c));
  ASSERT_TRUE(conf_->set_minutes(jc_, id, "Protokoll mit Lena"));
  const std::int64_t t = task(jc_, id, "15003-ja");

  auto before = conf_->get(ja_, id);
  ASSERT_TRUE(before && before->case_record);
  auto box = conf_->tasks(ja_);
  ASSERT_TRUE(box);
  ASSERT_EQ(box->open.size(), 1u);
  EXPECT_EQ(box->open[0].person_name, "Lena Schulz");

  ASSERT_TRUE(cw_->withdraw_consent(jc_, consent_id));
  auto after = conf_->get(ja_, id);
  ASSERT_TRUE(after) << after.error().message;  // it still took part
  EXPECT_FALSE(after->case_access);
  EXPECT_FALSE(after->case_record.has_value());
  EXPECT_TRUE(after->agenda.empty());
  EXPECT_FALSE(after->results_visible);
  EXPECT_TRUE(after->minutes.empty());
  ASSERT_EQ(after->tasks.size(), 1u);  // the task it has to do stays, without the name
  EXPECT_EQ(after->tasks[0].id, t);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'case.read_denied' AND "
                  "object = ? AND actor = 'ja.schmidt'",
                  {"case:" + std::to_string(c)}),
            1);
  box = conf_->tasks(ja_);
  ASSERT_TRUE(box);
  ASSERT_EQ(box->open.size(), 1u);
  EXPECT_TRUE(box->open[0].person_name.empty());
  auto list = conf_->list(ja_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].case_id, 0);
  EXPECT_TRUE((*list)[0].person_name.empty());
  auto by_case = conf_->list(ja_, {.case_id = c});
  ASSERT_TRUE(by_case);
  EXPECT_TRUE(by_case->empty());
  // New tasks cannot go to it any more, and it cannot record results.
  auto refused = conf_->add_item(jc_, id, {.kind = "task", .text = "Noch etwas",
                                           .owner_agency = "15003-ja",
                                           .due_on = add_days(today(), 3).str()});
  expect_invalid(refused, "owner_agency");
  expect_code(conf_->set_minutes(ja_, id, "x"), ErrorCode::kForbidden);
  // A new invitation is refused as well.
  expect_invalid(conf_->create(jc_, named(c)), "participants[0].agency");
}

TEST_F(ConferenceDb, TasksReachTheOwnersInboxWithCountsEqualToTheList) {
  const std::int64_t c = jc_case();
  consent(c, {"15003-ja", "15003-aa"}, kWithoutResults);
  const std::int64_t id = create(jc_, named(c, {{"15003-ja", ""}, {"15003-aa", ""}}));
  const std::int64_t soon = task(jc_, id, "15003-ja", 1, "Termin mit Familie");
  const std::int64_t later = task(jc_, id, "15003-ja", 10, "Hilfeplan");
  const std::int64_t for_aa = task(jc_, id, "15003-aa", 2, "Vermittlung");

  auto box = conf_->tasks(ja_);
  ASSERT_TRUE(box) << box.error().message;
  ASSERT_EQ(box->open.size(), 2u);
  EXPECT_EQ(box->open_count, 2);
  EXPECT_EQ(box->overdue_count, 0);
  EXPECT_EQ(box->open[0].task.id, soon);  // earliest due first
  EXPECT_EQ(box->open[1].task.id, later);
  EXPECT_EQ(box->open[0].person_name, "Lena Schulz");
  EXPECT_EQ(box->open[0].conference_scheduled_at, at(3));

  advance_days(2);
  box = conf_->tasks(ja_);
  ASSERT_TRUE(box);
  EXPECT_EQ(box->open_count, 2);
  EXPECT_EQ(box->overdue_count, 1);
  EXPECT_TRUE(box->open[0].task.overdue);
  EXPECT_FALSE(box->open[1].task.overdue);

  // Another participant (without results) neither sees nor finishes it.
  expect_code(conf_->mark_task_done(aa_, soon), ErrorCode::kNotFound);
  auto done = conf_->mark_task_done(ja_, soon);
  ASSERT_TRUE(done) << done.error().message;
  expect_code(conf_->mark_task_done(ja_, soon), ErrorCode::kConflict);
  EXPECT_EQ(audits("conference.task_done", object(id), "ja.schmidt"), 1);
  box = conf_->tasks(ja_);
  ASSERT_TRUE(box);
  ASSERT_EQ(box->open.size(), 1u);
  EXPECT_EQ(box->open_count, 1);
  EXPECT_EQ(box->overdue_count, 0);

  // The host may close any task of its conference; done is recorded.
  ASSERT_TRUE(conf_->mark_task_done(jc_, for_aa));
  EXPECT_EQ(count("SELECT COUNT(*) FROM conference_items WHERE id = ? AND done = 1 AND "
                  "done_by = 'jc.mueller' AND done_at IS NOT NULL",
                  {for_aa}),
            1);
  auto host = conf_->get(jc_, id);
  ASSERT_TRUE(host);
  ASSERT_EQ(host->tasks.size(), 3u);
  EXPECT_TRUE(host->tasks[0].done);
  EXPECT_TRUE(host->tasks[2].done);
  EXPECT_FALSE(host->tasks[1].done);
  auto list = conf_->list(ja_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].open_tasks, 1);
}

TEST_F(ConferenceDb, BadInputIsRefusedWithItsFieldAndChangesNothing) {
  const std::int64_t c = jc_case();
  consent(c, {"15003-ja"}, kWithResults);
  const auto before = row_counts();
  auto bad = named(c);
  bad.scheduled_at = "morgen um zwei";
  expect_invalid(conf_->create(jc_, bad), "scheduled_at");
  bad.scheduled_at = "2026-02-30 14:00";
  expect_invalid(conf_->create(jc_, bad), "scheduled_at");
  bad.scheduled_at = "2026-03-10 24:00";
  expect_invalid(conf_->create(jc_, bad), "scheduled_at");
  bad.scheduled_at = at(-1);
  expect_invalid(conf_->create(jc_, bad), "scheduled_at");
  bad = named(c, {});
  expect_invalid(conf_->create(jc_, bad), "participants");
  bad = named(c, {{"99999-ja", ""}});
  expect_invalid(conf_->create(jc_, bad), "participants[0].agency");
  bad = named(c, {{"15003-ja", ""}, {"15001-ja", ""}});  // another alliance
  expect_invalid(conf_->create(jc_, bad), "participants[1].agency");
  bad = named(c, {{"15003-jc", ""}});
  expect_invalid(conf_->create(jc_, bad), "participants[0].agency");
  bad = named(c, {{"15003-ja", "A"}, {"15003-ja", "A"}});
  expect_invalid(conf_->create(jc_, bad), "participants[1].agency");
  bad = named(c);
  bad.case_id.reset();
  expect_invalid(conf_->create(jc_, bad), "case_id");
  bad = named(c);
  bad.case_summary = "nur anonym";
  expect_invalid(conf_->create(jc_, bad), "case_summary");
  NewConference anon{.anonymous = true, .case_summary = "kurz", .scheduled_at = at(1),
                     .participants = {{"15003-ja", ""}}};
  expect_invalid(conf_->create(jc_, anon), "case_summary");
  EXPECT_EQ(row_counts(), before);

  const std::int64_t id = create(jc_, named(c));
  const auto with_one = row_counts();
  auto item = [&](std::string kind, std::string owner, std::string due) {
    return conf_->add_item(jc_, id, {.kind = std::move(kind), .text = "Etwas tun",
                                     .owner_agency = std::move(owner), .due_on = std::move(due)});
  };
  const std::string due = add_days(today(), 5).str();
  expect_invalid(item("task", "", due), "owner_agency");
  expect_invalid(item("task", "15003-ja", ""), "due_on");
  expect_invalid(item("task", "15003-ja", "bald"), "due_on");
  expect_invalid(item("task", "15003-ja", add_days(today(), -1).str()), "due_on");
  expect_invalid(item("task", "15003-aa", due), "owner_agency");  // not taking part
  expect_invalid(item("decision", "15003-ja", ""), "owner_agency");
  expect_invalid(item("decision", "", due), "due_on");
  expect_invalid(item("memo", "", ""), "kind");
  expect_invalid(conf_->add_item(jc_, id, {.kind = "decision", .text = ""}), "text");
  expect_invalid(conf_->set_minutes(jc_, id, std::string(20001, 'x')), "minutes");
  EXPECT_EQ(row_counts(), with_one);
}

TEST_F(ConferenceDb, ListShowsUpcomingFirstThenPastAndFiltersByCase) {
  const std::int64_t c = jc_case();
  consent(c, {"15003-ja"}, kWithResults);
  auto in_days = [&](int days) {
    auto n = named(c);
    n.scheduled_at = at(days, "10:00");
    return create(jc_, n);
  };
  const std::int64_t first = in_days(0);   // today: still upcoming
  const std::int64_t third = in_days(20);
  const std::int64_t second = in_days(5);
  advance_days(10);  // `first` and `second` are past now
  const std::int64_t fourth = in_days(1);
  auto list = conf_->list(ja_);
  ASSERT_TRUE(list) << list.error().message;
  std::vector<std::int64_t> order;
  for (const auto& s : *list) order.push_back(s.id);
  EXPECT_EQ(order, (std::vector<std::int64_t>{fourth, third, second, first}));
  EXPECT_TRUE((*list)[0].upcoming);
  EXPECT_FALSE((*list)[2].upcoming);
  EXPECT_EQ((*list)[0].case_id, c);
  EXPECT_EQ((*list)[0].person_name, "Lena Schulz");
  EXPECT_EQ((*list)[0].host_agency_name, "Jobcenter Magdeburg");
  auto other_case = conf_->list(jc_, {.case_id = c + 1000});
  ASSERT_TRUE(other_case);
  EXPECT_TRUE(other_case->empty());
  auto by_case = conf_->list(jc_, {.case_id = c});
  ASSERT_TRUE(by_case);
  EXPECT_EQ(by_case->size(), 4u);
}

TEST(ConferenceRules, ParsesDateAndTime) {
  EXPECT_EQ(*parse_conference_time("2026-03-10 14:05"), "2026-03-10 14:05");
  EXPECT_EQ(*parse_conference_time("2026-03-10T09:30"), "2026-03-10 09:30");
  for (const char* bad : {"", "2026-03-10", "2026-03-10 9:30", "2026-03-10 14:60",
                          "2026-13-01 10:00", "10.03.2026 14:00", "2026-03-10 14:00:00"}) {
    auto r = parse_conference_time(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "scheduled_at");
  }
}

TEST(ConferenceRules, FindsThePersonsNamesAsWordsOnly) {
  EXPECT_TRUE(summary_names_person("Lena sucht Arbeit", "Lena", "Schulz"));
  EXPECT_TRUE(summary_names_person("Frau SCHULZ sucht Arbeit", "Lena", "Schulz"));
  EXPECT_TRUE(summary_names_person("Herr Mueller zieht um", "Jürgen", "Müller"));
  EXPECT_TRUE(summary_names_person("Herr Müller zieht um", "Jürgen", "Mueller"));
  EXPECT_TRUE(summary_names_person("Anna (17) kommt", "Anna Lena", "Berg"));
  EXPECT_TRUE(summary_names_person("Familie Bergen kommt", "Tim", "von Bergen"));
  EXPECT_FALSE(summary_names_person("Hilfe von der Schule", "Tim", "von Bergen"));
  EXPECT_FALSE(summary_names_person("Im Alltag braucht er Hilfe", "Al", "Ng"));
  EXPECT_TRUE(summary_names_person("Lenas Mutter ruft an", "Lena", "Schulz"));  // genitive
  EXPECT_FALSE(summary_names_person("Junge Frau, 17, Schulden", "Lena", "Schulz"));
}

}  // namespace
}  // namespace lotse::casework
