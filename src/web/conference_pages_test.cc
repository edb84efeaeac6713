// The Fallberatung pages over real HTTP, on SQLite and PostgreSQL, signed in
// through the HTML form as a browser would: plan forms answer bad input
// with 422 and a summary, the conference page shows each agency its part,
// tasks reach the Posteingang and are closed from there.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "lotse/common/date.h"
#include "support/http_client.h"
#include "web/web_db_fixture.h"

namespace lotse::web {
namespace {

using lotse::testing::http_request;
using lotse::testing::HttpResult;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string day(int days) { return add_days(Date::from_unix_ms(system_clock()()), days).str(); }

class ConferencePagesDb : public WebDbFixture {
 protected:
  void SetUp() override {
    start({case_worker("15003-jc"), case_worker("15003-ja"), case_worker("15003-aa")});
    jc_ = sign_in("15003-jc");
  }

  std::string csrf_of(const std::string& cookie) {
    std::smatch m;
    const std::string html = get("/faelle", cookie).body;
    std::regex re(R"re(name="csrf_token" value="([^"]+)")re");
    return std::regex_search(html, m, re) ? m[1].str() : "";
  }

  // Lena Schulz's case at the Jobcenter with a consent naming the
  // Jugendamt; returns the case page path.
  std::string shared_case(const std::string& categories = "&categories=master_data"
                                                          "&categories=conference_results") {
    const std::string csrf = csrf_of(jc_);
    auto r = post("/faelle/neu",
                  "csrf_token=" + csrf +
                      "&given_name=Lena&family_name=Schulz&birth_date=2008-04-12&phase=4",
                  jc_);
    EXPECT_EQ(r.status, 303) << r.body;
    const std::string path = r.headers["Location"].substr(0, r.headers["Location"].find('?'));
    auto consent = post(path + "/einwilligung",
                        "csrf_token=" + csrf + "&recipients=15003-ja" + categories +
                            "&purposes=Fallberatung&valid_from=" + day(0) + "&valid_until=" +
                            day(200) + "&form=written&evidence_ref=AZ-7&given_by=young_person"
                            "&informed=1",
                        jc_);
    EXPECT_EQ(consent.status, 303) << consent.body;
    return path;
  }

  // Plans a named conference with the Jugendamt; returns its page path.
  std::string plan(const std::string& case_path) {
    auto r = post(case_path + "/fallberatung/neu",
                  "csrf_token=" + csrf_of(jc_) + "&mode=named&scheduled_date=" + day(2) +
                      "&scheduled_time=14%3A30&participants=15003-ja&staff_15003-ja=Frau+Weber"
                      "&agenda=Wohnen",
                  jc_);
    EXPECT_EQ(r.status, 303) << r.body;
    const std::string location = r.headers["Location"];
    return location.substr(0, location.find('?'));
  }

  std::string jc_;
};

TEST_F(ConferencePagesDb, PlanFormWithErrorsIs422WithSummaryAndKeepsInput) {
  const std::string path = shared_case();
  auto form = get(path + "/fallberatung/neu", jc_);
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_TRUE(has(form.body, "Fallberatung planen"));
  EXPECT_TRUE(has(form.body, "id=\"participant-15003-ja\""));
  EXPECT_FALSE(has(form.body, "id=\"participant-15003-jc\""));  // the host itself

  auto r = post(path + "/fallberatung/neu",
                "csrf_token=" + csrf_of(jc_) + "&mode=named&scheduled_date=&scheduled_time=10%3A00"
                "&agenda=Wohnsituation+kl%C3%A4ren&staff_15003-ja=Frau+Weber",
                jc_);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_TRUE(has(r.body, "lotse-error-summary"));
  EXPECT_TRUE(has(r.body, "href=\"#scheduled_date\""));
  EXPECT_TRUE(has(r.body, "href=\"#participant-15003-aa\""));  // the first agency offered
  EXPECT_TRUE(has(r.body, "id=\"scheduled_date-error\""));
  EXPECT_TRUE(has(r.body, "id=\"participants-error\""));
  EXPECT_TRUE(has(r.body, ">Wohnsituation klären</textarea>"));
  EXPECT_TRUE(has(r.body, "value=\"Frau Weber\""));
  EXPECT_TRUE(has(r.body, "value=\"10:00\""));

  // The Agentur für Arbeit has no consent: the error points at its box and
  // tells the user to choose the anonymous mode.
  auto refused = post(path + "/fallberatung/neu",
                      "csrf_token=" + csrf_of(jc_) + "&mode=named&scheduled_date=" + day(2) +
                          "&scheduled_time=10%3A00&participants=15003-aa&participants=15003-ja",
                      jc_);
  ASSERT_EQ(refused.status, 422) << refused.body;
  EXPECT_TRUE(has(refused.body, "href=\"#participant-15003-aa\""));
  EXPECT_TRUE(has(refused.body, "anonyme Fallberatung"));
  EXPECT_TRUE(std::regex_search(refused.body, std::regex(R"(value="15003-ja" checked)")));

  // Anonymous from the case page: a summary that names her is refused.
  auto named = post(path + "/fallberatung/neu",
                    "csrf_token=" + csrf_of(jc_) + "&mode=anonymous&scheduled_date=" + day(2) +
                        "&scheduled_time=10%3A00&participants=15003-aa"
                        "&case_summary=Lena+hat+Schulden+und+sucht+eine+Wohnung",
                    jc_);
  ASSERT_EQ(named.status, 422) << named.body;
  EXPECT_TRUE(has(named.body, "href=\"#case_summary\""));
  EXPECT_TRUE(has(named.body, "id=\"case_summary-error\""));
  EXPECT_TRUE(std::regex_search(named.body, std::regex(R"(value="anonymous" checked)")));

  auto count = db_->read([](store::Executor& x) {
    return x.query_int("SELECT COUNT(*) FROM conferences");
  });
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 0);

  // Without names it is planned, and linked to nothing.
  auto ok = post(path + "/fallberatung/neu",
                 "csrf_token=" + csrf_of(jc_) + "&mode=anonymous&scheduled_date=" + day(2) +
                     "&scheduled_time=10%3A00&participants=15003-aa"
                     "&case_summary=Junge+Frau%2C+17%2C+Schulden%2C+sucht+Wohnung",
                 jc_);
  ASSERT_EQ(ok.status, 303) << ok.body;
  auto page = get(ok.headers["Location"], sign_in("15003-aa"));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "Junge Frau, 17, Schulden, sucht Wohnung"));
  EXPECT_FALSE(has(page.body, "Schulz"));
  EXPECT_FALSE(has(page.body, path + "\""));
}

TEST_F(ConferencePagesDb, ParticipantRecordsResultsAndClosesItsTaskFromThePosteingang) {
  const std::string case_path = shared_case();
  const std::string conference = plan(case_path);
  ASSERT_EQ(conference.rfind("/fallberatungen/", 0), 0u) << conference;
  auto page = get(conference, jc_);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "Frau Weber"));
  EXPECT_TRUE(has(page.body, "14:30 Uhr"));

  // An empty item is the page again with the summary.
  auto bad = post(conference + "/punkte", "csrf_token=" + csrf_of(jc_) + "&item_kind=task&item_text=", jc_);
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_TRUE(has(bad.body, "href=\"#item_text\""));
  EXPECT_TRUE(has(bad.body, "href=\"#item_owner\""));
  EXPECT_TRUE(has(bad.body, "href=\"#item_due\""));

  ASSERT_EQ(post(conference + "/protokoll",
                 "csrf_token=" + csrf_of(jc_) + "&minutes=Wohnungssuche+besprochen", jc_)
                .status,
            303);
  auto task = post(conference + "/punkte",
                   "csrf_token=" + csrf_of(jc_) + "&item_kind=task&item_text=Hilfeplan+pr%C3%BCfen"
                   "&item_owner=15003-ja&item_due=" + day(5),
                   jc_);
  ASSERT_EQ(task.status, 303) << task.body;

  const std::string ja = sign_in("15003-ja");
  auto inbox = get("/faelle", ja);
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  EXPECT_TRUE(has(inbox.body, "Aufgaben aus Fallberatungen (1)")) << inbox.body;
  EXPECT_TRUE(has(inbox.body, "Hilfeplan prüfen"));
  EXPECT_TRUE(has(inbox.body, "href=\"/fallberatungen\""));
  auto seen = get(conference, ja);
  ASSERT_EQ(seen.status, 200);
  EXPECT_TRUE(has(seen.body, "Wohnungssuche besprochen"));
  EXPECT_TRUE(has(seen.body, "Lena Schulz"));

  std::smatch m;
  ASSERT_TRUE(std::regex_search(inbox.body, m,
                                std::regex(R"re(action="(/fallberatungen/aufgaben/\d+/erledigt)")re")));
  const std::string done_url = m[1];
  EXPECT_EQ(post(done_url, "csrf_token=falsch&next=inbox", ja).status, 403);
  const std::string aa = sign_in("15003-aa");
  EXPECT_EQ(post(done_url, "csrf_token=" + csrf_of(aa) + "&next=inbox", aa).status, 404);
  auto done = post(done_url, "csrf_token=" + csrf_of(ja) + "&next=inbox", ja);
  ASSERT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(done.headers["Location"], "/faelle#aufgaben");
  inbox = get("/faelle", ja);
  EXPECT_TRUE(has(inbox.body, "Aufgaben aus Fallberatungen (0)")) << inbox.body;
  EXPECT_FALSE(has(inbox.body, "Hilfeplan prüfen"));
  auto after = get(conference, jc_);
  EXPECT_TRUE(has(after.body, "erledigt"));

  auto list = get("/fallberatungen", ja);
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(has(list.body, "Anstehende Fallberatungen (1)"));
  EXPECT_TRUE(has(list.body, "Lena Schulz"));
  // The conferences of the case: only its owner is offered to plan one.
  const std::string by_case = "/fallberatungen?fall=" + case_path.substr(case_path.rfind('/') + 1);
  auto ja_by_case = get(by_case, ja);
  ASSERT_EQ(ja_by_case.status, 200);
  EXPECT_TRUE(has(ja_by_case.body, "Anstehende Fallberatungen (1)"));
  EXPECT_FALSE(has(ja_by_case.body, case_path + "/fallberatung/neu"));
  EXPECT_TRUE(has(get(by_case, jc_).body, case_path + "/fallberatung/neu"));
}

TEST_F(ConferencePagesDb, StrangersGet404AndParticipantsWithoutResultsConsentNoMinutes) {
  const std::string conference = plan(shared_case("&categories=master_data"));
  ASSERT_EQ(post(conference + "/protokoll",
                 "csrf_token=" + csrf_of(jc_) + "&minutes=Vertrauliches+Protokoll", jc_)
                .status,
            303);
  const std::string aa = sign_in("15003-aa");
  auto hidden = get(conference, aa);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_FALSE(has(hidden.body, "Schulz"));
  EXPECT_FALSE(has(get("/fallberatungen", aa).body, "Schulz"));

  const std::string ja = sign_in("15003-ja");
  auto partial = get(conference, ja);
  ASSERT_EQ(partial.status, 200) << partial.body;
  EXPECT_TRUE(has(partial.body, "Lena Schulz"));
  EXPECT_FALSE(has(partial.body, "Vertrauliches Protokoll"));
  EXPECT_FALSE(has(partial.body, "action=\"" + conference + "/protokoll\""));
  auto forged = post(conference + "/protokoll", "csrf_token=" + csrf_of(ja) + "&minutes=x", ja);
  EXPECT_EQ(forged.status, 403);
}

TEST_F(ConferencePagesDb, EveryFormChecksTheCsrfTokenAndOthersArePlannedNot) {
  const std::string path = shared_case();
  const std::string conference = plan(path);
  for (const std::string& target :
       {path + "/fallberatung/neu", std::string("/fallberatungen/neu"), conference + "/protokoll",
        conference + "/punkte", std::string("/fallberatungen/aufgaben/1/erledigt")}) {
    EXPECT_EQ(post(target, "csrf_token=falsch&minutes=x", jc_).status, 403) << target;
  }
  // Only the case's owner plans a conference for it.
  const std::string ja = sign_in("15003-ja");
  EXPECT_EQ(get(path + "/fallberatung/neu", ja).status, 403);
  EXPECT_EQ(get(path + "/fallberatung/neu", sign_in("15003-aa")).status, 404);
  EXPECT_EQ(get("/fallberatungen/999999", jc_).status, 404);
  EXPECT_EQ(get("/fallberatungen/abc", jc_).status, 404);
  auto signed_out = http_request(port_, "GET", "/fallberatungen");
  EXPECT_EQ(signed_out.status, 303);
}

TEST_F(ConferencePagesDb, AnonymousFormNeedsASummary) {
  auto form = get("/fallberatungen/neu", jc_);
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(has(form.body, "Keine Namen in der Zusammenfassung"));
  auto r = post("/fallberatungen/neu",
                "csrf_token=" + csrf_of(jc_) + "&scheduled_date=" + day(1) +
                    "&scheduled_time=9%3A00&participants=15003-ja",
                jc_);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_TRUE(has(r.body, "href=\"#case_summary\""));
  EXPECT_TRUE(has(r.body, "href=\"#scheduled_time\""));  // "9:00" is not HH:MM
}

}  // namespace
}  // namespace lotse::web
