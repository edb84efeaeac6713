// PortalService on SQLite and PostgreSQL: submissions are validated, routed
// and audited; only the routed agency reads a request (denials audited);
// the rate limit, the honeypot, the overdue flag and the retention purge;
// forwarding to another agency of the alliance, and its refusals.
#include "lotse/portal/portal_service.h"

#include <gtest/gtest.h>

#include <atomic>

#include "lotse/organisation/seed.h"
#include "lotse/privacy/audit_log.h"
#include "support/test_database.h"

namespace lotse::portal {
namespace {

TEST(PortalReference, FormatAndCheckCharacter) {
  for (int i = 0; i < 200; ++i) {
    std::string ref = make_reference();
    ASSERT_EQ(ref.size(), 10u) << ref;
    EXPECT_TRUE(check_reference(ref)) << ref;
    std::string typo = ref;
    typo[5] = typo[5] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(check_reference(typo)) << typo;
  }
  EXPECT_FALSE(check_reference("JBA-0O1I-2"));
  EXPECT_FALSE(check_reference(""));
}

TEST(PortalContact, PhoneOrEmail) {
  EXPECT_EQ(*contact_kind("0170 1234567"), "phone");
  EXPECT_EQ(*contact_kind("+49 (391) 123-456"), "phone");
  EXPECT_EQ(*contact_kind("mia@example.org"), "email");
  for (const char* bad : {"", "12345", "mia@", "mia@example", "a b@example.org", "hallo",
                          "mia@@example.org"}) {
    auto r = contact_kind(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "contact") << bad;
  }
}

class PortalServiceDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = lotse::testing::test_database();
    ASSERT_TRUE(db_->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    }));
    portal_ = std::make_unique<PortalService>(*db_, [this] { return now_.load(); },
                                              PortalOptions{.overdue_hours = 48});
  }

  ContactDraft mia() {
    return {.alliance_ags = "15003", .need = "applications", .name = "Mia",
            .contact = "mia@example.org", .message = "Ich suche eine Ausbildung.", .consent = true};
  }
  Client client(std::string addr = "203.0.113.7") { return {.address = addr, .request_id = "t"}; }
  privacy::Reader staff(const std::string& agency) {
    return {.username = agency, .agency_key = agency, .case_worker = true, .request_id = "t"};
  }
  std::int64_t count(const std::string& sql) {
    return *db_->read([&](store::Executor& x) { return x.query_int(sql); });
  }

  std::atomic<std::int64_t> now_{1'750'000'000'000};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<PortalService> portal_;
};

TEST_F(PortalServiceDb, SubmitRoutesToTheResponsibleAgencyAndAudits) {
  auto sent = portal_->submit(mia(), client());
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_TRUE(sent->stored);
  EXPECT_TRUE(check_reference(sent->reference));
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_requests WHERE routed_agency = '15003-aa'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'intake.submit'"), 1);
  // The audit entry names no personal data.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE details LIKE '%mia@%'"), 0);
  // Only a hash of the client address is kept.
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_submissions WHERE client_hash LIKE '%203.0%'"), 0);

  auto housing = mia();
  housing.need = "housing";
  ASSERT_TRUE(portal_->submit(housing, client()));
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_requests WHERE routed_agency = '15003-ja'"), 1);
}

TEST_F(PortalServiceDb, BadInputNamesTheFieldAndStoresNothing) {
  struct Bad {
    void (*change)(ContactDraft&);
    const char* field;
  };
  const Bad cases[] = {
      {[](ContactDraft& d) { d.name = ""; }, "name"},
      {[](ContactDraft& d) { d.name = std::string(61, 'a'); }, "name"},
      {[](ContactDraft& d) { d.contact = "0391"; }, "contact"},
      {[](ContactDraft& d) { d.contact = ""; }, "contact"},
      {[](ContactDraft& d) { d.need = "ponies"; }, "need"},
      {[](ContactDraft& d) { d.message = std::string(1001, 'x'); }, "message"},
      {[](ContactDraft& d) { d.consent = false; }, "consent"},
  };
  for (const auto& b : cases) {
    auto d = mia();
    b.change(d);
    auto r = portal_->submit(d, client());
    ASSERT_FALSE(r) << b.field;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << b.field;
    EXPECT_EQ(r.error().field, b.field);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_requests"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'intake.submit'"), 0);
}

TEST_F(PortalServiceDb, HoneypotStoresNothingButAnswersNeutrally) {
  auto d = mia();
  d.honeypot = "http://spam.example";
  auto r = portal_->submit(d, client());
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->stored);
  EXPECT_TRUE(check_reference(r->reference));
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_requests"), 0);
}

TEST_F(PortalServiceDb, RateLimitPerClientAddressForOneHour) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(portal_->submit(mia(), client()));
  auto sixth = portal_->submit(mia(), client());
  ASSERT_FALSE(sixth);
  EXPECT_EQ(sixth.error().code, ErrorCode::kTooManyRequests);
  EXPECT_TRUE(portal_->submit(mia(), client("198.51.100.9")));  // another address
  now_ += 3601 * 1000;
  EXPECT_TRUE(portal_->submit(mia(), client()));
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_requests"), 7);
}

TEST_F(PortalServiceDb, OnlyTheRoutedAgencyReadsAndDenialsAreAudited) {
  ASSERT_TRUE(portal_->submit(mia(), client()));
  const std::int64_t id = count("SELECT id FROM contact_requests");
  auto q = portal_->queue(staff("15003-aa"));
  ASSERT_TRUE(q);
  ASSERT_EQ(q->open.size(), 1u);
  EXPECT_EQ(q->open_count, 1);
  EXPECT_EQ(q->open[0].name, "Mia");
  EXPECT_TRUE(portal_->get(staff("15003-aa"), id));
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'intake.read'"), 2);

  for (const char* other : {"15003-jc", "15003-ja", "15002-aa"}) {
    auto q2 = portal_->queue(staff(other));
    ASSERT_TRUE(q2);
    EXPECT_TRUE(q2->open.empty()) << other;
    auto g = portal_->get(staff(other), id);
    ASSERT_FALSE(g);
    EXPECT_EQ(g.error().code, ErrorCode::kNotFound) << other;
    EXPECT_FALSE(portal_->assign(staff(other), id));
    EXPECT_FALSE(portal_->close(staff(other), id, "contacted"));
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'intake.read.denied'"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_requests WHERE status = 'open'"), 1);

  // Coordinators (no case worker, no agency) are refused before anything is read.
  privacy::Reader koord{.username = "15003-koord", .request_id = "t"};
  auto k = portal_->queue(koord);
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().code, ErrorCode::kForbidden);
}

TEST_F(PortalServiceDb, AssignCloseOverdueAndPurge) {
  ASSERT_TRUE(portal_->submit(mia(), client()));
  const std::int64_t id = count("SELECT id FROM contact_requests");
  auto aa = staff("15003-aa");
  now_ += 47 * 3600 * 1000LL;
  EXPECT_FALSE(portal_->queue(aa)->open[0].overdue);
  now_ += 2 * 3600 * 1000LL;
  auto q = portal_->queue(aa);
  EXPECT_TRUE(q->open[0].overdue);
  EXPECT_EQ(q->overdue_count, 1);
  EXPECT_EQ(q->open[0].age_hours, 49);

  ASSERT_TRUE(portal_->assign(aa, id));
  EXPECT_EQ(portal_->queue(aa)->mine_count, 1);
  auto bad = portal_->close(aa, id, "vanished");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "outcome");
  ASSERT_TRUE(portal_->close(aa, id, "contacted"));
  auto after = portal_->queue(aa);
  EXPECT_TRUE(after->open.empty());
  ASSERT_EQ(after->closed.size(), 1u);
  EXPECT_EQ(after->closed[0].outcome, "contacted");
  EXPECT_EQ(portal_->close(aa, id, "contacted").error().code, ErrorCode::kConflict);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action IN ('intake.assign','intake.close')"), 2);

  now_ += 29 * 24 * 3600 * 1000LL;
  EXPECT_EQ(*portal_->purge_closed(), 0);
  now_ += 2 * 24 * 3600 * 1000LL;
  EXPECT_EQ(*portal_->purge_closed(), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_requests"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'intake.purge'"), 2);
}

TEST_F(PortalServiceDb, ForwardMovesTheRequestToAnotherAgencyOfTheAlliance) {
  ASSERT_TRUE(portal_->submit(mia(), client()));
  const std::int64_t id = count("SELECT id FROM contact_requests");
  auto aa = staff("15003-aa"), jc = staff("15003-jc");
  ASSERT_TRUE(portal_->assign(aa, id));
  EXPECT_FALSE(portal_->get(jc, id));
  const std::string reason = "Mia fragt eigentlich nach Bürgergeld für ihre Familie.";

  now_ += 60'000;
  auto done = portal_->forward(aa, id, "15003-jc", reason);
  ASSERT_TRUE(done) << done.error().message;

  // Now only the Jobcenter has it: open and unassigned, with the history.
  auto old_agency = portal_->get(aa, id);
  ASSERT_FALSE(old_agency);
  EXPECT_EQ(old_agency.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(portal_->queue(aa)->open.empty());
  EXPECT_FALSE(portal_->assign(aa, id));
  EXPECT_FALSE(portal_->close(aa, id, "contacted"));
  auto q = portal_->queue(jc);
  ASSERT_EQ(q->open.size(), 1u);
  EXPECT_EQ(q->open[0].name, "Mia");
  EXPECT_EQ(q->open[0].assigned_to, "");
  auto got = portal_->get(jc, id);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->routed_agency, "15003-jc");
  EXPECT_EQ(got->status, RequestStatus::kOpen);
  ASSERT_EQ(got->forwards.size(), 1u);
  EXPECT_EQ(got->forwards[0].from_agency, "15003-aa");
  EXPECT_EQ(got->forwards[0].to_agency, "15003-jc");
  EXPECT_EQ(got->forwards[0].forwarded_by, "15003-aa");
  EXPECT_EQ(got->forwards[0].forwarded_at_ms, now_.load());
  EXPECT_EQ(got->forwards[0].reason, reason);

  // Audited with ids and agencies, never with the reason.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'intake.forward' AND "
                  "object = 'contact_request:" +
                  std::to_string(id) +
                  "' AND actor = '15003-aa' AND "
                  "details LIKE '%\"from_agency\":\"15003-aa\"%' AND "
                  "details LIKE '%\"to_agency\":\"15003-jc\"%'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE details LIKE '%Bürgergeld%' OR "
                  "details LIKE '%Mia%'"),
            0);

  // The Jobcenter may pass it on again; the history grows, oldest first.
  now_ += 60'000;
  ASSERT_TRUE(portal_->forward(jc, id, "15003-ja", "Wohnungsfrage"));
  auto ja = portal_->get(staff("15003-ja"), id);
  ASSERT_TRUE(ja);
  ASSERT_EQ(ja->forwards.size(), 2u);
  EXPECT_EQ(ja->forwards[1].from_agency, "15003-jc");
  EXPECT_EQ(ja->forwards[1].to_agency, "15003-ja");
  EXPECT_FALSE(portal_->get(jc, id));
}

TEST_F(PortalServiceDb, ForwardRefusalsChangeNothing) {
  ASSERT_TRUE(portal_->submit(mia(), client()));
  const std::int64_t id = count("SELECT id FROM contact_requests");
  auto aa = staff("15003-aa");
  const std::int64_t audit_before = count("SELECT COUNT(*) FROM audit_entries");
  struct Bad {
    std::string to, reason, field;
  };
  const Bad bad[] = {
      {"15002-jc", "Zuständigkeit", "to_agency"},  // another alliance
      {"land", "Zuständigkeit", "to_agency"},      // the state office is no alliance agency
      {"15003-xx", "Zuständigkeit", "to_agency"},  // no such agency
      {"15003-aa", "Zuständigkeit", "to_agency"},  // its own agency
      {"", "Zuständigkeit", "to_agency"},
      {"15003-jc", "", "reason"},
      {"15003-jc", std::string(301, 'x'), "reason"},
      {"15003-jc", "Grund\x01", "reason"},
  };
  for (const auto& b : bad) {
    auto r = portal_->forward(aa, id, b.to, b.reason);
    ASSERT_FALSE(r) << b.to << " " << b.reason.size();
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << b.to;
    EXPECT_EQ(r.error().field, b.field) << b.to << " " << b.reason.size();
  }
  // 300 characters (umlauts count as one) are still accepted further below.
  std::string longest;
  for (int i = 0; i < 300; ++i) longest += "ä";
  EXPECT_TRUE(validate_forward("15003-jc", longest).empty());
  EXPECT_EQ(validate_forward("", "").size(), 2u);

  // Agencies that do not have the request get kNotFound, whatever they send;
  // coordinators are refused before anything is read.
  for (const char* other : {"15003-jc", "15002-aa"}) {
    auto r = portal_->forward(staff(other), id, "15003-ja", "Zuständigkeit");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound) << other;
    EXPECT_EQ(portal_->forward(staff(other), id, "", "").error().code, ErrorCode::kNotFound);
  }
  EXPECT_EQ(portal_->forward(staff("15003-aa"), 999999, "15003-jc", "x").error().code,
            ErrorCode::kNotFound);
  privacy::Reader koord{.username = "15003-koord", .request_id = "t"};
  EXPECT_EQ(portal_->forward(koord, id, "15003-jc", "x").error().code, ErrorCode::kForbidden);

  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_request_forwards"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_requests WHERE routed_agency = '15003-aa' AND "
                  "status = 'open'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries"), audit_before);

  // A closed request stays where it was closed.
  ASSERT_TRUE(portal_->close(aa, id, "referred"));
  auto closed = portal_->forward(aa, id, "15003-jc", "Zuständigkeit");
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_request_forwards"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_requests WHERE routed_agency = '15003-aa'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'intake.forward'"), 0);
}

TEST_F(PortalServiceDb, PurgeTakesTheForwardingHistoryWithTheRequest) {
  ASSERT_TRUE(portal_->submit(mia(), client()));
  const std::int64_t id = count("SELECT id FROM contact_requests");
  ASSERT_TRUE(portal_->forward(staff("15003-aa"), id, "15003-jc", "Mia Musterfrau, Schulden"));
  ASSERT_TRUE(portal_->close(staff("15003-jc"), id, "contacted"));
  now_ += 31 * 24 * 3600 * 1000LL;
  EXPECT_EQ(*portal_->purge_closed(), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_request_forwards"), 0);
}

TEST_F(PortalServiceDb, TextsHaveDefaultsAndAreValidatedAndAudited) {
  auto t = portal_->texts("15003");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->is_default);
  EXPECT_NE(t->intro.find("Magdeburg"), std::string::npos);
  Coordinator koord{.username = "15003-koord", .alliance_ags = "15003", .request_id = "t"};
  PortalTexts bad = *t;
  bad.email = "nicht-gültig";
  auto r = portal_->update_texts(koord, bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "email");
  bad = *t;
  bad.headline = "";
  EXPECT_EQ(portal_->update_texts(koord, bad).error().field, "headline");
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_texts"), 0);

  PortalTexts good = *t;
  good.headline = "Komm vorbei!";
  good.phone = "0391 123456";
  good.email = "jba@magdeburg.example";
  ASSERT_TRUE(portal_->update_texts(koord, good));
  auto again = portal_->texts("15003");
  EXPECT_FALSE(again->is_default);
  EXPECT_EQ(again->headline, "Komm vorbei!");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'portal.texts.update'"), 1);
  EXPECT_TRUE(portal_->texts("15002")->is_default);  // other alliances unchanged
}

}  // namespace
}  // namespace lotse::portal
