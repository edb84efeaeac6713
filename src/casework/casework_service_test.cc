#include "lotse/casework/casework_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>

#include "lotse/organisation/seed.h"
#include "support/people.h"
#include "support/test_database.h"

namespace lotse::casework {
namespace {

using domain::CategorySet;
using domain::DataCategory;
using domain::HandoverAction;

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
// Monday, 2 March 2026, 10:00 UTC.
const std::int64_t kStart = Date{2026, 3, 2}.days_since_epoch() * kDayMs + 10LL * 3600 * 1000;

class CaseworkDb : public ::testing::Test {
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
  void advance_days(int days) { now_ += days * kDayMs; }

  std::int64_t person(const Reader& r, std::string given = "Lena", std::string family = "Schulz") {
    auto id = cw_->create_person(r, {.given_name = given,
                                     .family_name = family,
                                     .birth_date = "2008-04-12",
                                     .postcode = "39104",
                                     .city = "Magdeburg",
                                     .school = "IGS Regine Hildebrandt"});
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

  domain::ConsentDraft draft(std::vector<std::string> recipients, CategorySet categories,
                             int days = 180) {
    return {.purposes = {"Abgestimmte Beratung im Übergang Schule-Beruf"},
            .recipients = std::move(recipients),
            .categories = categories,
            .valid_from = today(),
            .valid_until = add_days(today(), days),
            .evidence_ref = "AZ 4711/26",
            .informed_of_refusal_and_withdrawal = true,
            // The person is 17 on the test clock: an own consent needs the
            // insight assessment (domain/consent.cc).
            .insight_confirmed = true,
            .insight_reason = "Zweck, Empfänger und Widerruf mit eigenen Worten erklärt"};
  }

  std::int64_t consent(const Reader& r, std::int64_t case_id, std::vector<std::string> recipients,
                       CategorySet categories, int days = 180) {
    auto id = cw_->record_consent(r, case_id, draft(std::move(recipients), categories, days));
    EXPECT_TRUE(id) << id.error().message << " (" << id.error().field << ")";
    return id ? *id : 0;
  }

  // The JC Magdeburg case with a consent naming the Jugendamt.
  std::int64_t shared_case(CategorySet categories = CategorySet::of({DataCategory::kMasterData,
                                                                     DataCategory::kNeedsGoals,
                                                                     DataCategory::kSupportChain,
                                                                     DataCategory::kNotes})) {
    const std::int64_t c = open_case(jc_, person(jc_));
    consent(jc_, c, {"15003-ja"}, categories);
    return c;
  }

  HandoverView handover(const Reader& r, std::int64_t case_id, std::string to = "15003-ja") {
    auto h = cw_->create_handover(r, case_id,
                                  {.to_agency = to, .reason = "Mehrfache Problemlagen, Wohnen"});
    EXPECT_TRUE(h) << h.error().message;
    return h ? *h : HandoverView{};
  }

  std::int64_t count(const std::string& sql, const store::Params& params = {}) {
    auto n = db_->read([&](store::Executor& x) { return x.query_int(sql, params); });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  std::int64_t audits(const std::string& action, const std::string& object) {
    return count("SELECT COUNT(*) FROM audit_entries WHERE action = ? AND object = ?",
                 {action, object});
  }

  std::map<std::string, std::int64_t> row_counts() {
    std::map<std::string, std::int64_t> out;
    for (const char* t :
         {"persons", "cases", "case_needs", "consents", "consent_recipients", "legal_transfers",
          "notes", "support_steps", "handovers", "handover_events", "audit_log"})
      out[t] = count(std::string("SELECT COUNT(*) FROM ") + t);
    return out;
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
  Reader ja2_{.username = "ja.weber",
              .agency_key = "15003-ja",
              .case_worker = true,
              .request_id = "req-ja2"};
  Reader aa_{.username = "aa.krause",
             .agency_key = "15003-aa",
             .case_worker = true,
             .request_id = "req-aa"};
};

void expect_invalid(const Error& e, const std::string& field) {
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument) << e.message;
  EXPECT_EQ(e.field, field) << e.message;
  EXPECT_FALSE(e.message.empty());
}

template <typename T>
void expect_code(const Result<T>& r, ErrorCode code) {
  ASSERT_FALSE(r) << "expected an error";
  EXPECT_EQ(r.error().code, code) << r.error().message;
}

TEST_F(CaseworkDb, HappyPathHandoverMovesLeadAndHidesCaseFromOthers) {
  const std::int64_t c = shared_case();
  const HandoverView sent = handover(jc_, c);
  EXPECT_EQ(sent.state, "sent");
  EXPECT_EQ(sent.from_agency, "15003-jc");
  EXPECT_EQ(sent.to_agency, "15003-ja");
  EXPECT_FALSE(sent.to_agency_name.empty());
  EXPECT_EQ(sent.due_on, add_working_days(today(), 5).str());
  EXPECT_FALSE(sent.suspended);
  EXPECT_EQ(sent.person_name, "Lena Schulz");

  auto box = cw_->inbox(ja_);
  ASSERT_TRUE(box) << box.error().message;
  ASSERT_EQ(box->incoming.size(), 1u);
  EXPECT_EQ(box->incoming_open, 1);
  EXPECT_EQ(box->incoming[0].person_name, "Lena Schulz");

  auto received = cw_->act_on_handover(ja_, sent.id, HandoverAction::kReceive);
  ASSERT_TRUE(received) << received.error().message;
  EXPECT_EQ(received->state, "received");
  auto accepted = cw_->act_on_handover(ja_, sent.id, HandoverAction::kAccept);
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->state, "accepted");

  auto own = cw_->get_case(jc_, c, ReadPath::kItem);
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(own->owner_agency, "15003-jc");
  EXPECT_EQ(own->lead_agency, "15003-ja");

  auto partner = cw_->get_case(ja_, c, ReadPath::kItem);
  ASSERT_TRUE(partner) << partner.error().message;
  EXPECT_EQ(partner->person.given_name, "Lena");
  EXPECT_EQ(partner->phase, 4);
  EXPECT_EQ(partner->needs, (std::vector<std::string>{"applications", "debts"}));
  EXPECT_TRUE(partner->person.school.empty());  // school data was not consented

  expect_code(cw_->get_case(aa_, c, ReadPath::kItem), ErrorCode::kNotFound);
  auto aa_list = cw_->list_cases(aa_, {});
  ASSERT_TRUE(aa_list);
  EXPECT_TRUE(aa_list->empty());
  auto aa_search = cw_->search(aa_, "Lena", 20);
  ASSERT_TRUE(aa_search);
  EXPECT_TRUE(aa_search->empty());

  auto ja_list = cw_->list_cases(ja_, {});
  ASSERT_TRUE(ja_list);
  ASSERT_EQ(ja_list->size(), 1u);
  EXPECT_EQ((*ja_list)[0].id, c);
  auto ja_search = cw_->search(ja_, "schulz LENA", 20);
  ASSERT_TRUE(ja_search);
  ASSERT_EQ(ja_search->size(), 1u);
  EXPECT_EQ((*ja_search)[0].person.family_name, "Schulz");

  EXPECT_EQ(count("SELECT COUNT(*) FROM handover_events WHERE handover_id = ?", {sent.id}), 3);
  const std::string object = "handover:" + std::to_string(sent.id);
  EXPECT_EQ(audits("handover.create", object), 1);
  EXPECT_EQ(audits("handover.receive", object), 1);
  EXPECT_EQ(audits("handover.accept", object), 1);
}

// A gated read of one case commits with its audit entry; lists, search and
// the Posteingang read in a read transaction and write their entries right
// after. Either way: when the entries cannot be written, the reader gets an
// error and none of the data.
TEST_F(CaseworkDb, NoCaseDataLeavesWhenItsAuditEntryCannotBeWritten) {
  const std::int64_t c = shared_case();
  handover(jc_, c);
  auto block = [&](bool on) {
    const bool pg = db_->dialect() == store::Dialect::kPostgres;
    const std::string sql =
        on ? (pg ? "CREATE FUNCTION audit_full() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN RAISE EXCEPTION 'audit storage full'; END $$; "
                   "CREATE TRIGGER audit_full BEFORE INSERT ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_full(); "
                   "CREATE TRIGGER read_full BEFORE INSERT ON reads.read_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_full();"
                 : "CREATE TRIGGER audit_full BEFORE INSERT ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'audit storage full'); END; "
                   "CREATE TRIGGER reads.read_full BEFORE INSERT ON read_log "
                   "BEGIN SELECT RAISE(ABORT, 'audit storage full'); END;")
           : (pg ? "DROP FUNCTION audit_full() CASCADE;"
                 : "DROP TRIGGER audit_full; DROP TRIGGER reads.read_full;");
    auto r = db_->write([&](store::Executor& x) { return x.exec_script(sql); });
    ASSERT_TRUE(r) << r.error().message;
  };
  const std::int64_t entries = count("SELECT COUNT(*) FROM audit_entries");
  block(true);
  EXPECT_FALSE(cw_->get_case(ja_, c, ReadPath::kItem));
  EXPECT_FALSE(cw_->case_view(jc_, c));
  EXPECT_FALSE(cw_->list_cases(jc_, {}));
  EXPECT_FALSE(cw_->search(jc_, "Lena", 10));
  EXPECT_FALSE(cw_->inbox(ja_));
  EXPECT_FALSE(cw_->consents(jc_, c));
  // A denied read is refused all the same: its entry cannot be written.
  expect_code(cw_->get_case(aa_, c, ReadPath::kItem), ErrorCode::kInternal);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries"), entries);
  block(false);
  auto view = cw_->case_view(jc_, c);
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->record.person.given_name, "Lena");
  EXPECT_GT(count("SELECT COUNT(*) FROM audit_entries"), entries);
}

TEST_F(CaseworkDb, SearchFoldsUmlautsAndNeedsTwoCharacters) {
  const std::int64_t c = open_case(jc_, person(jc_, "Jürgen", "Weiß"));
  open_case(jc_, person(jc_, "Anna", "Becker"));
  for (const char* q : {"juergen", "WEISS", "Jürgen weiß", "rgen"}) {
    auto found = cw_->search(jc_, q, 10);
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_EQ(found->size(), 1u) << q;
    EXPECT_EQ((*found)[0].id, c);
  }
  auto none = cw_->search(jc_, "juergen becker", 10);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto wildcard = cw_->search(jc_, "%%", 10);
  ASSERT_TRUE(wildcard);
  EXPECT_TRUE(wildcard->empty());
  expect_invalid(cw_->search(jc_, "a", 10).error(), "q");
  expect_invalid(cw_->search(jc_, std::string(101, 'a'), 10).error(), "q");
  expect_invalid(cw_->search(jc_, "anna", 51).error(), "limit");
  expect_invalid(cw_->list_cases(jc_, {.limit = 0}).error(), "limit");
  expect_invalid(cw_->list_cases(jc_, {.limit = 201}).error(), "limit");
}

TEST_F(CaseworkDb, ListFiltersStatusAndPagesNewestFirst) {
  const std::int64_t a = open_case(jc_, person(jc_, "Anna", "Becker"));
  const std::int64_t b = open_case(jc_, person(jc_, "Ben", "Lorenz"));
  ASSERT_TRUE(cw_->update_case(jc_, a, {.status = "closed", .destination = "company_training"}));
  auto all = cw_->list_cases(jc_, {});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, b);
  EXPECT_EQ((*all)[1].id, a);
  auto closed = cw_->list_cases(jc_, {.status = "closed"});
  ASSERT_TRUE(closed);
  ASSERT_EQ(closed->size(), 1u);
  EXPECT_EQ((*closed)[0].id, a);
  EXPECT_EQ((*closed)[0].destination, "company_training");
  EXPECT_GT((*closed)[0].closed_at_ms, 0);
  auto page2 = cw_->list_cases(jc_, {.limit = 1, .offset = 1});
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page2)[0].id, a);
}

// A list line (the Fallliste, the Personensuche) loads what the list shows,
// for the owner and for a partner alike: the name and birth date, phase,
// status and agencies; never the address, contact, school or residence data
// or the goals, which the case page shows and the full API record carries;
// and their audit entries name only the categories the lines showed.
TEST_F(CaseworkDb, ListLinesCarryOnlyWhatTheListShows) {
  auto pid = cw_->create_person(jc_, lotse::testing::lena_schulz());
  ASSERT_TRUE(pid) << pid.error().message;
  const std::int64_t c = open_case(jc_, *pid);
  consent(jc_, c, {"15003-ja"},
          CategorySet::of(
              {DataCategory::kMasterData, DataCategory::kSchoolData, DataCategory::kNeedsGoals}));

  auto expect_line = [&](const domain::CaseRecord& rec, const char* who) {
    SCOPED_TRACE(who);
    EXPECT_EQ(rec.id, c);
    EXPECT_EQ(rec.person.given_name, "Lena");
    EXPECT_EQ(rec.person.family_name, "Schulz");
    EXPECT_EQ(rec.person.birth_date, "2008-04-12");
    EXPECT_EQ(rec.phase, 4);
    EXPECT_EQ(rec.status, "open");
    EXPECT_EQ(rec.lead_agency, "15003-jc");
    for (const std::string* kept :
         {&rec.person.street, &rec.person.postcode, &rec.person.city, &rec.person.phone,
          &rec.person.email, &rec.person.school, &rec.person.school_qualification,
          &rec.person.nationality, &rec.person.residence_status, &rec.goals})
      EXPECT_EQ(*kept, "");
    EXPECT_TRUE(rec.needs.empty());
  };
  auto own = cw_->case_page(jc_, {.scope = CaseScope::kOwn, .summary = true});
  ASSERT_TRUE(own) << own.error().message;
  ASSERT_EQ(own->cases.size(), 1u);
  expect_line(own->cases[0], "owner's Fallliste");
  auto shared = cw_->case_page(ja_, {.scope = CaseScope::kShared, .summary = true});
  ASSERT_TRUE(shared) << shared.error().message;
  ASSERT_EQ(shared->cases.size(), 1u);
  expect_line(shared->cases[0], "partner's Fallliste");
  for (const Reader* r : {&jc_, &ja_}) {
    auto found = cw_->search(*r, "Lena Schulz", 20, /*summary=*/true);
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_EQ(found->size(), 1u);
    expect_line((*found)[0], r->agency_key.c_str());
  }

  // Their audit entries name what the lines showed; the consent also
  // granted school data, which no list line read.
  const std::string object = "case:" + std::to_string(c);
  for (const char* actor : {"jc.mueller", "ja.schmidt"})
    for (const char* path : {"list", "search"})
      EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'case.read' AND "
                      "object = ? AND actor = ? AND details LIKE ? AND "
                      "details LIKE '%\"categories\":[\"master_data\",\"needs_goals\"]%'",
                      {object, std::string(actor), std::string("%\"path\":\"") + path + "\"%"}),
                1)
          << actor << ", " << path;

  // The full record (the API's list) still carries what the gate allows.
  auto full = cw_->case_page(ja_, {.scope = CaseScope::kShared});
  ASSERT_TRUE(full) << full.error().message;
  ASSERT_EQ(full->cases.size(), 1u);
  EXPECT_EQ(full->cases[0].person.phone, "0391 123456");
  EXPECT_EQ(full->cases[0].person.school, "IGS Regine Hildebrandt");
  EXPECT_EQ(full->cases[0].goals, "Ausbildungsplatz finden");
}

// The Posteingang's sections: own cases counted (from the trigger-kept
// case_counts, which must agree with the cases table after every kind of
// change), shared cases decided one by one and paged without a total.
TEST_F(CaseworkDb, CasePagesCountOwnCasesAndPageSharedOnes) {
  const std::int64_t a = open_case(jc_, person(jc_, "Anna", "Becker"));
  const std::int64_t b = open_case(jc_, person(jc_, "Ben", "Lorenz"));
  const std::int64_t c = shared_case();
  ASSERT_TRUE(cw_->update_case(jc_, a, {.status = "closed", .destination = "company_training"}));

  auto own = cw_->case_page(jc_, {.limit = 2, .scope = CaseScope::kOwn});
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(own->own_total, 3);
  ASSERT_EQ(own->cases.size(), 2u);
  EXPECT_EQ(own->cases[0].id, c);
  EXPECT_EQ(own->cases[1].id, b);
  EXPECT_TRUE(own->more);
  auto rest = cw_->case_page(jc_, {.limit = 2, .offset = 2, .scope = CaseScope::kOwn});
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->cases.size(), 1u);
  EXPECT_EQ(rest->cases[0].id, a);
  EXPECT_FALSE(rest->more);
  EXPECT_EQ(cw_->case_page(jc_, {.status = "closed", .scope = CaseScope::kOwn})->own_total, 1);
  EXPECT_EQ(cw_->case_page(jc_, {.status = "open", .scope = CaseScope::kOwn})->own_total, 2);

  // The Jugendamt: no own cases, the consented one shared with it.
  auto ja_own = cw_->case_page(ja_, {.scope = CaseScope::kOwn});
  ASSERT_TRUE(ja_own);
  EXPECT_EQ(ja_own->own_total, 0);
  EXPECT_TRUE(ja_own->cases.empty());
  auto ja_shared = cw_->case_page(ja_, {.scope = CaseScope::kShared});
  ASSERT_TRUE(ja_shared);
  ASSERT_EQ(ja_shared->cases.size(), 1u);
  EXPECT_EQ(ja_shared->cases[0].id, c);
  EXPECT_EQ(ja_shared->own_total, -1);
  // The owner never finds its own case among the shared ones, not even when
  // a consent names the owner itself (older data, or rows an import wrote
  // directly): case_shares never holds that row (migration 21).
  EXPECT_TRUE(cw_->case_page(jc_, {.scope = CaseScope::kShared})->cases.empty());
  ASSERT_TRUE(db_->write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(
        x.exec("INSERT INTO consent_recipients (consent_id, agency_key) "
               "SELECT id, '15003-jc' FROM consents WHERE case_id = ?",
               {c}));
    return ok();
  }));
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_shares WHERE agency_key = '15003-jc'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_shares WHERE agency_key = '15003-ja'"), 1);
  EXPECT_TRUE(cw_->case_page(jc_, {.scope = CaseScope::kShared})->cases.empty());
  // Withdrawn: gone from the shared list on the next request, and unread.
  auto consents = cw_->consents(jc_, c);
  ASSERT_TRUE(consents);
  ASSERT_TRUE(cw_->withdraw_consent(jc_, (*consents)[0].consent.id));
  const std::int64_t reads_before = audits("case.read", "case:" + std::to_string(c));
  EXPECT_TRUE(cw_->case_page(ja_, {.scope = CaseScope::kShared})->cases.empty());
  EXPECT_EQ(audits("case.read", "case:" + std::to_string(c)), reads_before);

  // Deleting (as retention does) keeps the counts equal to the table.
  ASSERT_TRUE(db_->write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("DELETE FROM case_needs WHERE case_id = ?", {b}));
    LOTSE_TRY(x.exec("DELETE FROM cases WHERE id = ?", {b}));
    return ok();
  }));
  EXPECT_EQ(cw_->case_page(jc_, {.scope = CaseScope::kOwn})->own_total, 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM (SELECT owner_agency, status, COUNT(*) AS n FROM cases "
                  "GROUP BY owner_agency, status) t LEFT JOIN case_counts k ON k.owner_agency = "
                  "t.owner_agency AND k.status = t.status WHERE k.n IS NULL OR k.n <> t.n"),
            0);
  EXPECT_EQ(count("SELECT COALESCE(SUM(n), 0) FROM case_counts"), count("SELECT COUNT(*) FROM cases"));
}

// Migration 21 removes the rows that name a case's owner in a database that
// has them, and from then on none is stored.
TEST_F(CaseworkDb, MigrationRemovesSharesWithTheOwner) {
  const std::int64_t c = shared_case();
  const bool pg = db_->dialect() == store::Dialect::kPostgres;
  ASSERT_TRUE(db_->write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec_script(pg ? "DROP TRIGGER case_shares_not_owner ON case_shares; "
                                 "DROP FUNCTION case_shares_not_owner();"
                               : "DROP TRIGGER case_shares_not_owner;"));
    LOTSE_TRY(x.exec("INSERT INTO case_shares (agency_key, case_id) VALUES ('15003-jc', ?)", {c}));
    LOTSE_TRY(x.exec("DELETE FROM schema_migrations WHERE version = 21"));
    return ok();
  }));
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_shares WHERE agency_key = '15003-jc'"), 1);
  auto version = store::migrate(*db_);
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, store::latest_schema_version());
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_shares WHERE agency_key = '15003-jc'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_shares WHERE agency_key = '15003-ja'"), 1);
  ASSERT_TRUE(db_->write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("INSERT INTO case_shares (agency_key, case_id) VALUES ('15003-jc', ?)", {c}));
    return ok();
  }));
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_shares WHERE agency_key = '15003-jc'"), 0);
}

TEST_F(CaseworkDb, WithdrawalTakesEffectOnTheNextRequest) {
  const std::int64_t c = shared_case();
  const HandoverView h = handover(jc_, c);
  ASSERT_TRUE(cw_->get_case(ja_, c, ReadPath::kItem));
  auto consents = cw_->consents(jc_, c);
  ASSERT_TRUE(consents);
  ASSERT_EQ(consents->size(), 1u);

  ASSERT_TRUE(cw_->withdraw_consent(jc_, (*consents)[0].consent.id));
  expect_code(cw_->get_case(ja_, c, ReadPath::kItem), ErrorCode::kNotFound);
  expect_code(cw_->withdraw_consent(jc_, (*consents)[0].consent.id), ErrorCode::kConflict);

  auto out = cw_->handovers(jc_, false);
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_TRUE((*out)[0].suspended);
  auto in = cw_->handovers(ja_, true);
  ASSERT_TRUE(in);
  ASSERT_EQ(in->size(), 1u);
  EXPECT_TRUE((*in)[0].suspended);
  EXPECT_TRUE((*in)[0].person_name.empty());  // no access, no name

  expect_code(cw_->act_on_handover(ja_, h.id, HandoverAction::kReceive), ErrorCode::kConflict);
  expect_code(cw_->act_on_handover(ja_, h.id, HandoverAction::kAccept), ErrorCode::kConflict);
  EXPECT_EQ(count("SELECT COUNT(*) FROM handovers WHERE id = ? AND state = 'sent'", {h.id}), 1);

  auto after = cw_->consents(jc_, c);
  ASSERT_TRUE(after);
  EXPECT_EQ((*after)[0].state, "withdrawn");
  EXPECT_EQ(audits("consent.withdraw", "consent:" + std::to_string((*after)[0].consent.id)), 1);
}

TEST_F(CaseworkDb, ExpiryTakesEffectWhenTheClockPassesValidUntil) {
  const std::int64_t c = open_case(jc_, person(jc_));
  consent(jc_, c, {"15003-ja"}, CategorySet::of({DataCategory::kMasterData}), 30);
  const HandoverView h = handover(jc_, c);
  ASSERT_TRUE(cw_->act_on_handover(ja_, h.id, HandoverAction::kReceive));
  advance_days(30);  // valid_until is still today: valid through the whole day
  ASSERT_TRUE(cw_->get_case(ja_, c, ReadPath::kItem));
  advance_days(1);
  expect_code(cw_->get_case(ja_, c, ReadPath::kItem), ErrorCode::kNotFound);
  expect_code(cw_->act_on_handover(ja_, h.id, HandoverAction::kAccept), ErrorCode::kConflict);
  auto list = cw_->consents(jc_, c);
  ASSERT_TRUE(list);
  EXPECT_EQ((*list)[0].state, "expired");
  auto in = cw_->handovers(ja_, true);
  ASSERT_TRUE(in);
  ASSERT_EQ(in->size(), 1u);
  EXPECT_TRUE((*in)[0].suspended);
  EXPECT_TRUE((*in)[0].overdue);  // received more than five working days ago
}

TEST_F(CaseworkDb, ConsentCategoriesCutWhatAPartnerSees) {
  const std::int64_t c = shared_case(CategorySet::of({DataCategory::kNeedsGoals}));
  ASSERT_TRUE(cw_->add_note(jc_, c, {.body = "Nur intern", .visibility = "own"}));
  ASSERT_TRUE(cw_->add_note(jc_, c, {.body = "Für Partner", .visibility = "partners"}));
  ASSERT_TRUE(cw_->add_support_step(
      jc_, c, {.measure = "Bewerbungstraining", .responsible_agency = "15003-jc"}));

  auto seen = cw_->get_case(ja_, c, ReadPath::kItem);
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_TRUE(seen->person.given_name.empty());
  EXPECT_TRUE(seen->person.family_name.empty());
  EXPECT_TRUE(seen->person.birth_date.empty());
  EXPECT_EQ(seen->person_id, 0);
  EXPECT_EQ(seen->phase, 4);
  EXPECT_TRUE(seen->notes.empty());
  EXPECT_TRUE(seen->support_chain.empty());
  EXPECT_EQ(seen->visible, CategorySet::of({DataCategory::kNeedsGoals}));
  auto found = cw_->search(ja_, "Lena", 10);
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->empty());
  // The handover view names nobody to a receiver without master data.
  const HandoverView h = handover(jc_, c);
  EXPECT_EQ(h.person_name, "Lena Schulz");
  auto in = cw_->handovers(ja_, true);
  ASSERT_TRUE(in);
  ASSERT_EQ(in->size(), 1u);
  EXPECT_TRUE((*in)[0].person_name.empty());

  // Version 2 adds the notes category: shared notes yes, own notes never.
  consent(jc_, c, {"15003-ja"}, CategorySet::of({DataCategory::kNeedsGoals, DataCategory::kNotes}));
  auto v2 = cw_->get_case(ja_, c, ReadPath::kItem);
  ASSERT_TRUE(v2);
  ASSERT_EQ(v2->notes.size(), 1u);
  EXPECT_EQ(v2->notes[0].body, "Für Partner");
  auto versions = cw_->consents(jc_, c);
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].consent.version, 2);
  EXPECT_EQ((*versions)[0].state, "active");
  EXPECT_EQ((*versions)[0].consent.terms.recipients, std::vector<std::string>{"15003-ja"});
  EXPECT_EQ((*versions)[0].consent.terms.purposes.size(), 1u);
  EXPECT_EQ((*versions)[1].consent.version, 1);
  EXPECT_EQ((*versions)[1].state, "superseded");

  auto own = cw_->get_case(jc_, c, ReadPath::kItem);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->notes.size(), 2u);
  ASSERT_EQ(own->support_chain.size(), 1u);
  EXPECT_EQ(own->support_chain[0].position, 1);
}

TEST_F(CaseworkDb, EntrustedNotesStayWithTheirAuthorUnlessConsentNamesThem) {
  const std::int64_t c = open_case(ja_, person(ja_, "Mia", "Fischer"));
  // A Jugendamt note is entrusted by default, so it needs an entruster.
  expect_invalid(cw_->add_note(ja_, c, {.body = "Vertraulich"}).error(), "entruster");
  ASSERT_TRUE(cw_->add_note(
      ja_, c, {.body = "Anvertraut", .visibility = "partners", .entruster = "young_person"}));
  ASSERT_TRUE(
      cw_->add_note(ja_, c, {.body = "Geteilt", .visibility = "partners", .entrusted = false}));

  auto author = cw_->get_case(ja_, c, ReadPath::kItem);
  ASSERT_TRUE(author);
  EXPECT_EQ(author->notes.size(), 2u);
  auto colleague = cw_->get_case(ja2_, c, ReadPath::kItem);
  ASSERT_TRUE(colleague);
  ASSERT_EQ(colleague->notes.size(), 1u);
  EXPECT_EQ(colleague->notes[0].body, "Geteilt");

  consent(ja_, c, {"15003-jc"}, CategorySet::of({DataCategory::kMasterData, DataCategory::kNotes}));
  auto partner = cw_->get_case(jc_, c, ReadPath::kItem);
  ASSERT_TRUE(partner);
  ASSERT_EQ(partner->notes.size(), 1u);
  EXPECT_EQ(partner->notes[0].body, "Geteilt");

  consent(
      ja_, c, {"15003-jc"},
      CategorySet::of({DataCategory::kMasterData, DataCategory::kNotes, DataCategory::kEntrusted}));
  auto named = cw_->get_case(jc_, c, ReadPath::kItem);
  ASSERT_TRUE(named);
  EXPECT_EQ(named->notes.size(), 2u);

  // Only a Jugendamt records entrusted notes.
  const std::int64_t jc_case = open_case(jc_, person(jc_));
  expect_invalid(
      cw_->add_note(jc_, jc_case, {.body = "x", .entrusted = true, .entruster = "parent"}).error(),
      "entrusted");
  auto plain = cw_->add_note(jc_, jc_case, {.body = "Normal"});
  ASSERT_TRUE(plain);
  EXPECT_EQ(count("SELECT entrusted FROM notes WHERE id = ?", {*plain}), 0);
}

TEST_F(CaseworkDb, LegalTransferGrantsExactlyItsCategories) {
  const std::int64_t c = open_case(jc_, person(jc_));
  ASSERT_TRUE(cw_->add_note(jc_, c, {.body = "Für Partner", .visibility = "partners"}));
  NewTransfer t{
      .to_agency = "15003-aa",
      .legal_basis = "§ 50 SGB II",
      .reason = "Gemeinsame Ausbildungsvermittlung (§ 50 SGB II)",
      .categories = CategorySet::of({DataCategory::kMasterData, DataCategory::kSchoolData}),
      .valid_until = add_days(today(), 90).str()};
  auto id = cw_->record_transfer(jc_, c, t);
  ASSERT_TRUE(id) << id.error().message << " " << id.error().field;
  auto seen = cw_->get_case(aa_, c, ReadPath::kItem);
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_EQ(seen->visible, t.categories);
  EXPECT_EQ(seen->person.family_name, "Schulz");
  EXPECT_EQ(seen->person.school, "IGS Regine Hildebrandt");
  EXPECT_EQ(seen->phase, 0);
  EXPECT_TRUE(seen->needs.empty());
  EXPECT_TRUE(seen->notes.empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'case.read' AND object = ? AND "
                  "actor = 'aa.krause' AND legal_basis LIKE '%50 SGB II%'",
                  {"case:" + std::to_string(c)}),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'transfer.record' AND "
                  "legal_basis = '§ 50 SGB II'"),
            1);
  // The JA still sees nothing: the transfer names only the AA.
  expect_code(cw_->get_case(ja_, c, ReadPath::kItem), ErrorCode::kNotFound);

  const auto before = row_counts();
  auto bad = t;
  bad.categories.add(DataCategory::kEntrusted);
  expect_invalid(cw_->record_transfer(jc_, c, bad).error(), "categories");
  bad = t;
  bad.categories = {};
  expect_invalid(cw_->record_transfer(jc_, c, bad).error(), "categories");
  bad = t;
  bad.to_agency = "15003-jc";
  expect_invalid(cw_->record_transfer(jc_, c, bad).error(), "to_agency");
  bad.to_agency = "99999-jc";
  expect_invalid(cw_->record_transfer(jc_, c, bad).error(), "to_agency");
  bad = t;
  bad.legal_basis = "Bauchgefühl";
  expect_invalid(cw_->record_transfer(jc_, c, bad).error(), "legal_basis");
  bad = t;
  bad.reason = "kurz";
  expect_invalid(cw_->record_transfer(jc_, c, bad).error(), "reason");
  bad = t;
  bad.valid_until = add_days(today(), 400).str();
  expect_invalid(cw_->record_transfer(jc_, c, bad).error(), "valid_until");
  const std::int64_t ja_case = open_case(ja_, person(ja_, "Mia", "Fischer"));
  const auto before_ja = row_counts();
  bad = t;
  bad.to_agency = "15003-jc";
  expect_invalid(cw_->record_transfer(ja_, ja_case, bad).error(), "does_not_endanger_help");
  EXPECT_EQ(row_counts(), before_ja);
  bad.does_not_endanger_help = true;
  EXPECT_TRUE(cw_->record_transfer(ja_, ja_case, bad));
  (void)before;
}

TEST_F(CaseworkDb, BadInputIsRefusedWithItsFieldAndChangesNothing) {
  const std::int64_t c = shared_case();
  const std::int64_t ja_person = person(ja_, "Mia", "Fischer");
  const auto before = row_counts();

  auto no_recipients = draft({}, CategorySet::of({DataCategory::kMasterData}));
  expect_invalid(cw_->record_consent(jc_, c, no_recipients).error(), "recipients");
  expect_invalid(
      cw_->record_consent(jc_, c, draft({"15099-ja"}, CategorySet::of({DataCategory::kNotes})))
          .error(),
      "recipients");
  expect_invalid(cw_->add_support_step(jc_, c,
                                       {.measure = "BvB",
                                        .responsible_agency = "15003-aa",
                                        .planned_start = "2026-05-01",
                                        .planned_end = "2026-04-01"})
                     .error(),
                 "planned_end");
  expect_invalid(
      cw_->add_support_step(jc_, c, {.measure = "BvB", .responsible_agency = "15099-aa"}).error(),
      "responsible_agency");
  expect_invalid(
      cw_->add_support_step(
             jc_, c,
             {.measure = "BvB", .responsible_agency = "15003-aa", .planned_start = "2026-02-30"})
          .error(),
      "planned_start");
  expect_invalid(
      cw_->create_handover(jc_, c, {.to_agency = "15099-ja", .reason = "Wohnen"}).error(),
      "to_agency");
  expect_invalid(
      cw_->create_handover(jc_, c, {.to_agency = "15003-jc", .reason = "Wohnen"}).error(),
      "to_agency");
  expect_invalid(cw_->create_handover(jc_, c, {.to_agency = "15003-ja", .reason = "kurz"}).error(),
                 "reason");
  expect_invalid(cw_->open_case(jc_, {.person_id = 1, .phase = 6}).error(), "phase");
  expect_invalid(cw_->open_case(jc_, {.person_id = 1, .phase = 0}).error(), "phase");
  expect_invalid(cw_->update_case(jc_, c, {.phase = 6}).error(), "phase");
  expect_invalid(cw_->open_case(jc_, {.person_id = ja_person, .phase = 3}).error(), "person_id");
  expect_invalid(cw_->open_case(jc_, {.person_id = 999999, .phase = 3}).error(), "person_id");
  expect_invalid(
      cw_->open_case(jc_, {.person_id = 1, .phase = 3, .needs = {"debts", "debts"}}).error(),
      "needs");
  expect_invalid(cw_->update_case(jc_, c, {.status = "closed"}).error(), "destination");
  expect_invalid(cw_->update_case(jc_, c, {.status = "archived"}).error(), "status");
  expect_invalid(cw_->add_note(jc_, c, {.body = ""}).error(), "body");
  expect_invalid(cw_->add_note(jc_, c, {.body = "x", .visibility = "all"}).error(), "visibility");

  NewPerson p{.given_name = "Tom", .family_name = "Kurz", .birth_date = "2009-01-01"};
  auto bad = p;
  bad.given_name = "";
  expect_invalid(cw_->create_person(jc_, bad).error(), "given_name");
  bad = p;
  bad.family_name = std::string(101, 'x');
  expect_invalid(cw_->create_person(jc_, bad).error(), "family_name");
  bad = p;
  bad.birth_date = "2009-13-01";
  expect_invalid(cw_->create_person(jc_, bad).error(), "birth_date");
  bad.birth_date = "2027-01-01";
  expect_invalid(cw_->create_person(jc_, bad).error(), "birth_date");
  bad.birth_date = "1980-01-01";
  expect_invalid(cw_->create_person(jc_, bad).error(), "birth_date");
  bad = p;
  bad.email = "lena.example.org";
  expect_invalid(cw_->create_person(jc_, bad).error(), "email");
  bad = p;
  bad.postcode = "391";
  expect_invalid(cw_->create_person(jc_, bad).error(), "postcode");

  EXPECT_EQ(row_counts(), before);
}

TEST_F(CaseworkDb, HandoverLoopRefusesWrongStatesSidesAndStrangers) {
  const std::int64_t c = shared_case();
  // The AA has neither consent nor legal basis.
  expect_code(cw_->create_handover(jc_, c, {.to_agency = "15003-aa", .reason = "Berufsberatung"}),
              ErrorCode::kConflict);
  const HandoverView h = handover(jc_, c);
  expect_code(cw_->create_handover(jc_, c, {.to_agency = "15003-ja", .reason = "Noch einmal"}),
              ErrorCode::kConflict);

  expect_code(cw_->act_on_handover(aa_, h.id, HandoverAction::kReceive), ErrorCode::kNotFound);
  expect_code(cw_->act_on_handover(jc_, h.id, HandoverAction::kReceive), ErrorCode::kForbidden);
  expect_code(cw_->act_on_handover(ja_, h.id, HandoverAction::kWithdraw), ErrorCode::kForbidden);
  expect_code(cw_->act_on_handover(ja_, 999999, HandoverAction::kReceive), ErrorCode::kNotFound);

  ASSERT_TRUE(cw_->act_on_handover(ja_, h.id, HandoverAction::kReceive));
  const auto before = row_counts();
  auto no_reason = cw_->act_on_handover(ja_, h.id, HandoverAction::kDecline, "");
  ASSERT_FALSE(no_reason);
  expect_invalid(no_reason.error(), "reason");
  auto no_text = cw_->act_on_handover(ja_, h.id, HandoverAction::kDecline, "other", "");
  ASSERT_FALSE(no_text);
  expect_invalid(no_text.error(), "text");
  EXPECT_EQ(row_counts(), before);

  auto declined = cw_->act_on_handover(ja_, h.id, HandoverAction::kDecline, "no_capacity");
  ASSERT_TRUE(declined) << declined.error().message;
  EXPECT_EQ(declined->state, "declined");
  EXPECT_EQ(declined->decline_reason, "no_capacity");
  expect_code(cw_->act_on_handover(ja_, h.id, HandoverAction::kAccept), ErrorCode::kConflict);
  // The lead did not move.
  auto own = cw_->get_case(jc_, c, ReadPath::kItem);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->lead_agency, "15003-jc");

  // A declined handover is no longer open: a new one may go out, as a draft.
  auto draft_h = cw_->create_handover(
      jc_, c, {.to_agency = "15003-ja", .reason = "Zweiter Versuch", .send_now = false});
  ASSERT_TRUE(draft_h) << draft_h.error().message;
  EXPECT_EQ(draft_h->state, "draft");
  EXPECT_TRUE(draft_h->due_on.empty());
  expect_code(cw_->act_on_handover(ja_, draft_h->id, HandoverAction::kReceive),
              ErrorCode::kConflict);
  auto sent = cw_->act_on_handover(jc_, draft_h->id, HandoverAction::kSend);
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(sent->state, "sent");
  EXPECT_FALSE(sent->due_on.empty());
  EXPECT_GT(sent->sent_at_ms, 0);
  ASSERT_TRUE(cw_->act_on_handover(ja_, draft_h->id, HandoverAction::kReceive));
  // The second of two identical actions finds the state changed.
  expect_code(cw_->act_on_handover(ja_, draft_h->id, HandoverAction::kReceive),
              ErrorCode::kConflict);
}

TEST_F(CaseworkDb, LeadAgencyMayHandOnButNotChangeTheCase) {
  const std::int64_t c = shared_case();
  const HandoverView h = handover(jc_, c);
  ASSERT_TRUE(cw_->act_on_handover(ja_, h.id, HandoverAction::kReceive));
  ASSERT_TRUE(cw_->act_on_handover(ja_, h.id, HandoverAction::kAccept));
  // The JA now leads and hands back to the controller.
  auto back = cw_->create_handover(ja_, c, {.to_agency = "15003-jc", .reason = "Zurück ans JC"});
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->from_agency, "15003-ja");
  // Leading is not owning: changes stay with the controller.
  expect_code(cw_->update_case(ja_, c, {.phase = 5}), ErrorCode::kForbidden);
  expect_code(cw_->add_note(ja_, c, {.body = "x", .entruster = "young_person"}),
              ErrorCode::kForbidden);
  expect_code(cw_->consents(ja_, c), ErrorCode::kForbidden);
  expect_code(cw_->access_log(ja_, c), ErrorCode::kForbidden);
  expect_code(
      cw_->record_consent(ja_, c, draft({"15003-aa"}, CategorySet::of({DataCategory::kNotes}))),
      ErrorCode::kForbidden);
  // An agency that cannot see the case learns nothing about it.
  expect_code(cw_->update_case(aa_, c, {.phase = 5}), ErrorCode::kNotFound);
  expect_code(cw_->consents(aa_, c), ErrorCode::kNotFound);
  expect_code(cw_->access_log(aa_, c), ErrorCode::kNotFound);
  expect_code(cw_->create_handover(aa_, c, {.to_agency = "15003-ja", .reason = "Übernahme"}),
              ErrorCode::kNotFound);
  expect_code(cw_->update_case(jc_, 999999, {.phase = 5}), ErrorCode::kNotFound);
  ASSERT_TRUE(cw_->update_case(jc_, c, {.phase = 5, .needs = std::vector<std::string>{"housing"}}));
  auto own = cw_->get_case(jc_, c, ReadPath::kItem);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->phase, 5);
  EXPECT_EQ(own->needs, std::vector<std::string>{"housing"});
}

TEST_F(CaseworkDb, EveryReadIsAuditedAllowedOrDenied) {
  const std::int64_t c = shared_case();
  const std::string object = "case:" + std::to_string(c);
  EXPECT_EQ(audits("case.read", object), 0);
  ASSERT_TRUE(cw_->get_case(ja_, c, ReadPath::kItem));
  EXPECT_EQ(audits("case.read", object), 1);
  expect_code(cw_->get_case(aa_, c, ReadPath::kItem), ErrorCode::kNotFound);
  EXPECT_EQ(audits("case.read_denied", object), 1);
  ASSERT_TRUE(cw_->list_cases(jc_, {}));
  EXPECT_EQ(audits("case.read", object), 2);
  ASSERT_TRUE(cw_->search(jc_, "Lena", 10));
  EXPECT_EQ(audits("case.read", object), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'case.open' AND object = ? AND "
                  "actor = 'jc.mueller' AND request_id = 'req-jc'",
                  {object}),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'consent.record' AND "
                  "legal_basis = 'Einwilligung (Art. 7 DSGVO, § 67b SGB X)'"),
            1);

  auto log = cw_->access_log(jc_, c);
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_GE(log->size(), 6u);
  // Newest first: the search read, then the list read, then the denied read.
  EXPECT_EQ((*log)[0].action, "case.read");
  EXPECT_EQ((*log)[0].path, "search");
  EXPECT_EQ((*log)[1].path, "list");
  EXPECT_EQ((*log)[2].action, "case.read_denied");
  EXPECT_EQ((*log)[2].agency, "15003-aa");
  EXPECT_EQ((*log)[3].actor, "ja.schmidt");
  EXPECT_EQ((*log)[3].agency, "15003-ja");
  EXPECT_EQ((*log)[3].path, "item");
  bool consent_seen = false;
  for (const auto& e : *log) consent_seen |= e.action == "consent.record";
  EXPECT_TRUE(consent_seen);
}

// The case page reads everything in one call: the owner gets the consents
// (read audited as "consent.list"), a consented partner the cut case and
// its handovers but no consents, an agency without consent nothing, with
// the denial audited.
TEST_F(CaseworkDb, CaseViewReadsLikeItsThreeCallsWithTheirAuditEntries) {
  const std::int64_t c = shared_case(CategorySet::of({DataCategory::kMasterData}));
  const HandoverView h = handover(jc_, c);
  const std::string object = "case:" + std::to_string(c);

  auto own = cw_->case_view(jc_, c);
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(own->record.id, c);
  ASSERT_TRUE(own->consents);
  ASSERT_EQ(own->consents->size(), 1u);
  EXPECT_EQ((*own->consents)[0].state, "active");
  ASSERT_EQ(own->handovers.size(), 1u);
  EXPECT_EQ(own->handovers[0].id, h.id);
  EXPECT_EQ(own->handovers[0].person_name, "Lena Schulz");
  EXPECT_EQ(audits("case.read", object), 1);
  EXPECT_EQ(audits("consent.list", object), 1);

  auto partner = cw_->case_view(ja_, c);
  ASSERT_TRUE(partner) << partner.error().message;
  EXPECT_FALSE(partner->consents);
  EXPECT_EQ(partner->record.person.given_name, "Lena");
  EXPECT_TRUE(partner->record.needs.empty());  // needs and goals not consented
  ASSERT_EQ(partner->handovers.size(), 1u);   // in its incoming box
  EXPECT_EQ(audits("case.read", object), 2);
  EXPECT_EQ(audits("consent.list", object), 1);

  expect_code(cw_->case_view(aa_, c), ErrorCode::kNotFound);
  EXPECT_EQ(audits("case.read_denied", object), 1);
  expect_code(cw_->case_view(jc_, c + 1000), ErrorCode::kNotFound);
}

TEST_F(CaseworkDb, InboxCountsEqualTheListedHandovers) {
  const std::int64_t a = shared_case();
  const std::int64_t b = shared_case();
  const std::int64_t d = shared_case();
  const HandoverView ha = handover(jc_, a);
  const HandoverView hb = handover(jc_, b);
  const HandoverView hd = handover(jc_, d);
  ASSERT_TRUE(cw_->act_on_handover(ja_, hb.id, HandoverAction::kReceive));
  ASSERT_TRUE(cw_->act_on_handover(ja_, hd.id, HandoverAction::kReceive));
  ASSERT_TRUE(cw_->act_on_handover(ja_, hd.id, HandoverAction::kDecline, "not_eligible"));
  ASSERT_TRUE(cw_->create_handover(
      jc_, d, {.to_agency = "15003-ja", .reason = "Entwurf", .send_now = false}));

  auto check = [&](const Reader& r) {
    auto box = cw_->inbox(r);
    ASSERT_TRUE(box) << box.error().message;
    int in_open = 0, in_overdue = 0, out_open = 0, out_overdue = 0;
    for (const auto& v : box->incoming) {
      in_open += v.state == "sent" || v.state == "received";
      in_overdue += v.overdue;
    }
    for (const auto& v : box->outgoing) {
      out_open += v.state == "sent" || v.state == "received";
      out_overdue += v.overdue;
    }
    EXPECT_EQ(box->incoming_total, static_cast<int>(box->incoming.size()));
    EXPECT_EQ(box->outgoing_total, static_cast<int>(box->outgoing.size()));
    EXPECT_EQ(box->incoming_open, in_open);
    EXPECT_EQ(box->incoming_overdue, in_overdue);
    EXPECT_EQ(box->outgoing_open, out_open);
    EXPECT_EQ(box->outgoing_overdue, out_overdue);
  };
  auto jc_box = cw_->inbox(jc_);
  ASSERT_TRUE(jc_box);
  EXPECT_EQ(jc_box->outgoing.size(), 4u);  // two open, one declined, one draft
  EXPECT_EQ(jc_box->outgoing_open, 2);
  EXPECT_EQ(jc_box->outgoing_overdue, 0);
  auto ja_box = cw_->inbox(ja_);
  ASSERT_TRUE(ja_box);
  EXPECT_EQ(ja_box->incoming.size(), 2u);  // declined and draft are not incoming
  EXPECT_EQ(ja_box->incoming_open, 2);
  check(jc_);
  check(ja_);

  advance_days(10);  // two weeks of working days later
  auto late = cw_->inbox(ja_);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->incoming_overdue, 2);
  check(ja_);
  check(jc_);
  // An open handover without a sending time (as older data may have it) is
  // open and never overdue, in the counts as in the lists.
  ASSERT_TRUE(db_->write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("UPDATE handovers SET sent_at = NULL WHERE id = ?", {hb.id}));
    return ok();
  }));
  auto unstamped = cw_->inbox(ja_);
  ASSERT_TRUE(unstamped);
  EXPECT_EQ(unstamped->incoming_open, 2);
  EXPECT_EQ(unstamped->incoming_overdue, 1);
  check(ja_);
  check(jc_);
  auto jc_handovers = cw_->handovers(jc_, false);
  ASSERT_TRUE(jc_handovers);
  EXPECT_EQ(jc_handovers->size(), 4u);

  advance_days(31);  // declined handovers leave the outbox after 30 days
  auto later = cw_->handovers(jc_, false);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->size(), 3u);
  check(jc_);

  // The trigger-kept handover_counts agree with the table after accepting,
  // withdrawing, completing and deleting (as retention does).
  ASSERT_TRUE(cw_->act_on_handover(ja_, hb.id, HandoverAction::kAccept));
  ASSERT_TRUE(cw_->act_on_handover(jc_, ha.id, HandoverAction::kWithdraw));
  ASSERT_TRUE(cw_->act_on_handover(ja_, hb.id, HandoverAction::kComplete));
  check(jc_);
  check(ja_);
  ASSERT_TRUE(db_->write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("DELETE FROM handover_events WHERE handover_id = ?", {hd.id}));
    LOTSE_TRY(x.exec("DELETE FROM handovers WHERE id = ?", {hd.id}));
    return ok();
  }));
  check(jc_);
  check(ja_);
  for (const char* box : {"in", "out"}) {
    const std::string agency = std::string(box) == "in" ? "to_agency" : "from_agency";
    // A trigger-kept table holds exactly the handovers `where` selects, per
    // agency of the box and `key` column.
    auto agrees = [&](const std::string& table, const std::string& key, const std::string& where) {
      EXPECT_EQ(count("SELECT COUNT(*) FROM (SELECT " + agency + " AS a, " + key +
                          ", COUNT(*) AS n FROM handovers " + where + " GROUP BY " + agency +
                          ", " + key + ") t LEFT JOIN " + table +
                          " k ON k.agency_key = t.a AND k.box = ? AND k." + key + " = t." + key +
                          " WHERE k.n IS NULL OR k.n <> t.n",
                      {std::string(box)}),
                0)
          << box << " " << table;
      EXPECT_EQ(count("SELECT COALESCE(SUM(n), 0) FROM " + table + " WHERE box = ?",
                      {std::string(box)}),
                count("SELECT COUNT(*) FROM handovers " + where))
          << box << " " << table;
    };
    agrees("handover_counts", "state", "");
    // handover_due_counts holds exactly the counted open handovers per due
    // date, and no date without one.
    agrees("handover_due_counts", "due_on",
           "WHERE state IN ('sent', 'received') AND sent_at IS NOT NULL AND due_on IS NOT NULL");
    EXPECT_EQ(count("SELECT COUNT(*) FROM handover_due_counts WHERE n <= 0"), 0) << box;
  }
}

// The Posteingang's filters list exactly what their counts count, in both
// boxes: the open handovers (sent, received) and the overdue ones among
// them, these paged longest overdue first; the box's own counts stay those
// of the whole box.
TEST_F(CaseworkDb, InboxFiltersListWhatTheirCountsCount) {
  const HandoverView late_sent = handover(jc_, shared_case());
  advance_days(7);  // the next one is sent, and falls due, a week later
  const HandoverView late_received = handover(jc_, shared_case());
  ASSERT_LT(late_sent.due_on, late_received.due_on);
  ASSERT_TRUE(cw_->act_on_handover(ja_, late_received.id, HandoverAction::kReceive));
  const HandoverView accepted = handover(jc_, shared_case());
  ASSERT_TRUE(cw_->act_on_handover(ja_, accepted.id, HandoverAction::kReceive));
  ASSERT_TRUE(cw_->act_on_handover(ja_, accepted.id, HandoverAction::kAccept));
  advance_days(10);  // the first two are past due now
  const HandoverView fresh = handover(jc_, shared_case());

  auto ids = [](const std::vector<HandoverView>& list) {
    std::set<std::int64_t> out;
    for (const auto& v : list) out.insert(v.id);
    return out;
  };
  const struct {
    BoxFilter filter;
    std::set<std::int64_t> ids;
  } wants[] = {{BoxFilter::kAll, {late_sent.id, late_received.id, accepted.id, fresh.id}},
               {BoxFilter::kOpen, {late_sent.id, late_received.id, fresh.id}},
               {BoxFilter::kOverdue, {late_sent.id, late_received.id}}};
  for (const auto& want : wants) {
    const int n = static_cast<int>(want.ids.size());
    auto in = cw_->inbox(ja_, {.limit = 25, .incoming_filter = want.filter});
    ASSERT_TRUE(in) << in.error().message;
    EXPECT_EQ(ids(in->incoming), want.ids);
    EXPECT_EQ(in->incoming_count(want.filter), n);
    EXPECT_EQ(in->incoming_total, 4);
    EXPECT_EQ(in->incoming_open, 3);
    EXPECT_EQ(in->incoming_overdue, 2);
    auto out = cw_->inbox(jc_, {.limit = 25, .outgoing_filter = want.filter});
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(ids(out->outgoing), want.ids);
    EXPECT_EQ(out->outgoing_count(want.filter), n);
    EXPECT_EQ(out->outgoing_total, 4);
    EXPECT_EQ(out->outgoing_overdue, 2);
  }
  // One overdue handover per page: the longest overdue first, although it
  // is the older one (the other lists show the newest first).
  auto first = cw_->inbox(ja_, {.limit = 1, .incoming_filter = BoxFilter::kOverdue});
  auto second =
      cw_->inbox(ja_, {.limit = 1, .incoming_offset = 1, .incoming_filter = BoxFilter::kOverdue});
  ASSERT_TRUE(first && second);
  ASSERT_EQ(first->incoming.size(), 1u);
  ASSERT_EQ(second->incoming.size(), 1u);
  EXPECT_EQ(first->incoming[0].id, late_sent.id);
  EXPECT_EQ(second->incoming[0].id, late_received.id);
  auto newest = cw_->inbox(ja_, {.limit = 1, .incoming_filter = BoxFilter::kOpen});
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->incoming.size(), 1u);
  EXPECT_EQ(newest->incoming[0].id, fresh.id);
  auto out_first = cw_->inbox(jc_, {.limit = 1, .outgoing_filter = BoxFilter::kOverdue});
  ASSERT_TRUE(out_first);
  ASSERT_EQ(out_first->outgoing.size(), 1u);
  EXPECT_EQ(out_first->outgoing[0].id, late_sent.id);
}

// Working days count in German calendar days: a handover sent at 23:30 UTC
// on a summer Tuesday was sent on Wednesday in Magdeburg, and is overdue
// from the German midnight after its fifth working day, not an hour or two
// earlier or later.
TEST_F(CaseworkDb, HandoversFallDueByGermanCalendarDays) {
  const std::int64_t c = shared_case();
  now_ = (Date{2026, 7, 14}.days_since_epoch() * 86'400 + 23 * 3'600 + 30 * 60) * 1000LL;
  const HandoverView h = handover(jc_, c);
  ASSERT_GT(h.id, 0);
  const Date due = add_working_days(Date{2026, 7, 15}, 5);  // Wednesday 22 July
  EXPECT_EQ(h.due_on, due.str());
  now_ = berlin_day_start(add_days(due, 1)) - 1;  // 23:59:59 on the due day, German time
  auto before = cw_->inbox(jc_);
  ASSERT_TRUE(before);
  ASSERT_EQ(before->outgoing.size(), 1u);
  EXPECT_FALSE(before->outgoing[0].overdue);
  EXPECT_EQ(before->outgoing_overdue, 0);
  now_ += 1;
  auto after = cw_->inbox(jc_);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->outgoing[0].overdue);
  EXPECT_EQ(after->outgoing_overdue, 1);
  EXPECT_EQ(cw_->inbox(ja_)->incoming_overdue, 1);
}

// A name (with the birth date) in a handover box is a read of master data:
// audited per case with the basis it was decided on; a box that hides them
// writes nothing.
TEST_F(CaseworkDb, NamesInTheBoxesAreAuditedReads) {
  const std::int64_t c = shared_case();
  handover(jc_, c);
  const std::string object = "case:" + std::to_string(c);
  const std::int64_t before = audits("case.read", object);
  auto box = cw_->inbox(ja_, {.limit = 25});
  ASSERT_TRUE(box) << box.error().message;
  ASSERT_EQ(box->incoming.size(), 1u);
  EXPECT_EQ(box->incoming[0].person_name, "Lena Schulz");
  EXPECT_EQ(box->incoming[0].person_birth_date, "2008-04-12");
  EXPECT_EQ(audits("case.read", object), before + 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE object = ? AND actor = 'ja.schmidt' AND "
                  "details LIKE '%\"path\":\"list\"%' AND details LIKE '%[\"master_data\"]%' "
                  "AND legal_basis LIKE 'Einwilligung Nr.%'",
                  {object}),
            1);

  // Consent without master data: the box shows no name and audits nothing.
  const std::int64_t hidden = shared_case(CategorySet::of({DataCategory::kNeedsGoals}));
  handover(jc_, hidden);
  const std::string hidden_object = "case:" + std::to_string(hidden);
  auto again = cw_->inbox(ja_, {.limit = 25});
  ASSERT_TRUE(again);
  ASSERT_EQ(again->incoming.size(), 2u);
  EXPECT_TRUE(again->incoming[0].person_name.empty());
  EXPECT_TRUE(again->incoming[0].person_birth_date.empty());
  EXPECT_EQ(audits("case.read", hidden_object), 0);
}

TEST_F(CaseworkDb, CoordinatorsAreRefusedEverywhere) {
  const std::int64_t c = shared_case();
  const HandoverView h = handover(jc_, c);
  Reader coord{.username = "koord.md",
               .agency_key = "15003-jc",
               .case_worker = false,
               .request_id = "req-k"};
  const auto before = row_counts();
  expect_code(cw_->create_person(
                  coord, {.given_name = "A", .family_name = "B", .birth_date = "2008-01-01"}),
              ErrorCode::kForbidden);
  expect_code(cw_->open_case(coord, {.person_id = 1, .phase = 1}), ErrorCode::kForbidden);
  expect_code(cw_->get_case(coord, c, ReadPath::kItem), ErrorCode::kForbidden);
  expect_code(cw_->list_cases(coord, {}), ErrorCode::kForbidden);
  expect_code(cw_->search(coord, "Lena", 10), ErrorCode::kForbidden);
  expect_code(cw_->update_case(coord, c, {.phase = 2}), ErrorCode::kForbidden);
  expect_code(cw_->record_consent(coord, c, draft({"15003-aa"}, CategorySet::all())),
              ErrorCode::kForbidden);
  expect_code(cw_->consents(coord, c), ErrorCode::kForbidden);
  expect_code(cw_->withdraw_consent(coord, 1), ErrorCode::kForbidden);
  expect_code(cw_->record_transfer(coord, c, {}), ErrorCode::kForbidden);
  expect_code(cw_->add_note(coord, c, {.body = "x"}), ErrorCode::kForbidden);
  expect_code(cw_->add_support_step(coord, c, {.measure = "BvB"}), ErrorCode::kForbidden);
  expect_code(cw_->create_handover(coord, c, {.to_agency = "15003-ja", .reason = "Grund"}),
              ErrorCode::kForbidden);
  expect_code(cw_->act_on_handover(coord, h.id, HandoverAction::kWithdraw), ErrorCode::kForbidden);
  expect_code(cw_->inbox(coord), ErrorCode::kForbidden);
  expect_code(cw_->handovers(coord, true), ErrorCode::kForbidden);
  expect_code(cw_->access_log(coord, c), ErrorCode::kForbidden);
  EXPECT_EQ(row_counts(), before);
}

TEST_F(CaseworkDb, LoadCaseRecordReadsEverythingInOrder) {
  const std::int64_t c = open_case(jc_, person(jc_));
  ASSERT_TRUE(cw_->add_support_step(jc_, c,
                                    {.measure = "Berufsberatung",
                                     .responsible_agency = "15003-aa",
                                     .planned_start = "2026-03-10",
                                     .planned_end = "2026-03-20"}));
  ASSERT_TRUE(cw_->add_support_step(
      jc_, c,
      {.measure = "Schuldnerberatung", .responsible_agency = "15003-ja", .status = "running"}));
  ASSERT_TRUE(cw_->add_note(jc_, c, {.body = "erste"}));
  now_ += 1000;
  ASSERT_TRUE(cw_->add_note(jc_, c, {.body = "zweite", .visibility = "partners"}));
  auto rec = db_->read([&](store::Executor& x) { return load_case_record(x, c); });
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(rec->owner_agency, "15003-jc");
  EXPECT_EQ(rec->lead_agency, "15003-jc");
  EXPECT_EQ(rec->status, "open");
  EXPECT_EQ(rec->goals, "Ausbildungsplatz finden");
  EXPECT_EQ(rec->opened_at_ms, kStart);
  EXPECT_EQ(rec->person.birth_date, "2008-04-12");
  EXPECT_EQ(rec->person.postcode, "39104");
  ASSERT_EQ(rec->support_chain.size(), 2u);
  EXPECT_EQ(rec->support_chain[0].measure, "Berufsberatung");
  EXPECT_EQ(rec->support_chain[0].planned_end, "2026-03-20");
  EXPECT_EQ(rec->support_chain[1].position, 2);
  EXPECT_EQ(rec->support_chain[1].status, "running");
  ASSERT_EQ(rec->notes.size(), 2u);
  EXPECT_EQ(rec->notes[0].body, "erste");
  EXPECT_EQ(rec->notes[1].visibility, "partners");
  EXPECT_EQ(rec->notes[1].author, "jc.mueller");
  auto missing = db_->read([&](store::Executor& x) { return load_case_record(x, 999999); });
  expect_code(missing, ErrorCode::kNotFound);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE search_text = 'lena schulz'"), 1);
}

}  // namespace
}  // namespace lotse::casework
