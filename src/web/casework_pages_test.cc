// The case-work pages over real HTTP: App + HttpServer on 127.0.0.1, port 0,
// on SQLite and PostgreSQL. Staff sign in through the HTML form, as a browser
// would.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "lotse/casework/casework_service.h"
#include "lotse/common/date.h"
#include "lotse/identity/auth_service.h"
#include "lotse/organisation/seed.h"
#include "lotse/web/app.h"
#include "lotse/web/http_server.h"
#include "support/http_client.h"
#include "support/test_database.h"
#include "web/web_db_fixture.h"

namespace lotse::web {
namespace {

using lotse::testing::http_request;
using lotse::testing::HttpResult;

// A validity period from today, as the consent rules want it.
std::string validity() {
  const Date today = Date::from_unix_ms(system_clock()());
  return "&valid_from=" + today.str() + "&valid_until=" + add_days(today, 300).str();
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CaseworkPagesDb : public WebDbFixture {
 protected:
  void SetUp() override {
    start({case_worker("15003-jc"), case_worker("15003-ja"), case_worker("15003-aa"),
           coordinator("15003")});
  }

  static std::string hidden_csrf(const std::string& html) {
    std::smatch m;
    std::regex re(R"re(name="csrf_token" value="([^"]+)")re");
    return std::regex_search(html, m, re) ? m[1].str() : "";
  }

  // `count` cases of the Jobcenter, for persons named `given` and
  // `family` ("Nr100", "Nr101", ... when empty), recorded in that order.
  void open_own_cases(const std::string& given, int count, const std::string& family = "") {
    casework::CaseworkService service(*db_, system_clock());
    const casework::Reader jc{.username = "15003-jc", .agency_key = "15003-jc",
                              .case_worker = true};
    for (int i = 0; i < count; ++i) {
      auto person = service.create_person(
          jc, {.given_name = given,
               .family_name = family.empty() ? "Nr" + std::to_string(100 + i) : family,
               .birth_date = "2008-04-12"});
      ASSERT_TRUE(person) << person.error().message;
      ASSERT_TRUE(service.open_case(jc, {.person_id = *person, .phase = 2}));
    }
  }

  std::string csrf_of(const std::string& cookie) { return hidden_csrf(get("/faelle", cookie).body); }

  // Records "Lena Schulz" through the form; returns the case page path.
  std::string create_case(const std::string& cookie) {
    auto r = post("/faelle/neu",
                  "csrf_token=" + csrf_of(cookie) +
                      "&given_name=Lena&family_name=Schulz&birth_date=2008-04-12&city=Magdeburg"
                      "&phase=4&needs=applications&goals=Ausbildung",
                  cookie);
    EXPECT_EQ(r.status, 303) << r.body;
    std::string location = r.headers["Location"];
    return location.substr(0, location.find('?'));
  }

};

TEST_F(CaseworkPagesDb, SignedOutGoesToSignInWithNext) {
  auto r = get("/faelle?q=Lena");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers["Location"], "/anmelden?next=/faelle%3Fq%3DLena");
}

TEST_F(CaseworkPagesDb, OtherRolesGetForbidden) {
  const std::string cookie = sign_in("15003-koord");
  EXPECT_EQ(get("/faelle", cookie).status, 403);
  EXPECT_EQ(get("/faelle/neu", cookie).status, 403);
}

TEST_F(CaseworkPagesDb, PagesRenderInGerman) {
  const std::string cookie = sign_in("15003-jc");
  auto inbox = get("/faelle", cookie);
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  EXPECT_TRUE(has(inbox.body, "Posteingang"));
  EXPECT_TRUE(has(inbox.body, "href=\"/faelle/neu\""));
  auto form = get("/faelle/neu", cookie);
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(has(form.body, "type=\"date\""));
  EXPECT_TRUE(has(form.body, "<legend"));

  const std::string path = create_case(cookie);
  ASSERT_EQ(path.rfind("/faelle/", 0), 0u) << path;
  auto page = get(path, cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "Lena Schulz"));
  EXPECT_TRUE(has(page.body, "Fallübergabe"));
  EXPECT_EQ(get(path + "/einwilligung", cookie).status, 200);
  auto list = get("/faelle", cookie);
  EXPECT_TRUE(has(list.body, "Eigene Fälle (1)")) << list.body;
  auto found = get("/faelle/suche?q=Schulz", cookie);
  EXPECT_TRUE(has(found.body, "Suchergebnisse (1)")) << found.body;
}

// The Personensuche is a page of its own: the Posteingang's form leads to
// it, old /faelle?q= links are sent there, a result names the person with
// the birth date, an empty query is answered at the field, and another
// agency finds nothing it may not see.
TEST_F(CaseworkPagesDb, PersonSearchHasItsOwnPage) {
  const std::string cookie = sign_in("15003-jc");
  const std::string path = create_case(cookie);
  auto inbox = get("/faelle", cookie);
  ASSERT_EQ(inbox.status, 200);
  EXPECT_TRUE(has(inbox.body, "action=\"/faelle/suche\"")) << inbox.body;
  EXPECT_FALSE(has(inbox.body, "Suchergebnisse"));

  auto form = get("/faelle/suche", cookie);
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_TRUE(has(form.body, "Personensuche"));
  EXPECT_FALSE(has(form.body, "Suchergebnisse"));

  auto found = get("/faelle/suche?q=Schlz", cookie);  // a typo
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_TRUE(has(found.body, "Suchergebnisse (1)")) << found.body;
  EXPECT_TRUE(has(found.body, "href=\"" + path + "\"")) << found.body;
  EXPECT_TRUE(has(found.body, "value=\"Schlz\""));
  // The birth date tells persons of the same name apart, on the Fallliste too.
  EXPECT_TRUE(has(found.body, "geboren am 12.04.2008")) << found.body;
  EXPECT_TRUE(has(get("/faelle/liste", cookie).body, "geboren am 12.04.2008"));

  auto old = get("/faelle?q=Lena%20Schulz", cookie);
  EXPECT_EQ(old.status, 303);
  EXPECT_EQ(old.headers["Location"], "/faelle/suche?q=Lena%20Schulz");

  auto empty = get("/faelle/suche?q=%20", cookie);
  EXPECT_EQ(empty.status, 422);
  EXPECT_TRUE(has(empty.body, "href=\"#q\"")) << empty.body;  // the summary links to the field
  EXPECT_TRUE(has(empty.body, "aria-invalid=\"true\""));

  const std::string other = sign_in("15003-aa");
  auto none = get("/faelle/suche?q=Schulz", other);
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(has(none.body, "Suchergebnisse (0)")) << none.body;
  EXPECT_FALSE(has(none.body, "Lena"));
}

// A broad search shows the best 20 cases (each one shown is an audited
// read) and asks for more of the name; a narrow one shows its matches
// without that hint.
TEST_F(CaseworkPagesDb, PersonSearchShowsTheBestTwentyAndAsksForMore) {
  open_own_cases("Mia", 23);
  const std::string cookie = sign_in("15003-jc");
  auto broad = get("/faelle/suche?q=Mia", cookie);
  ASSERT_EQ(broad.status, 200) << broad.body;
  EXPECT_TRUE(has(broad.body, "Suchergebnisse (20)")) << broad.body;
  EXPECT_TRUE(has(broad.body, "Das sind die 20 besten Treffer."));
  std::size_t shown = 0;
  for (std::size_t at = broad.body.find("Mia Nr"); at != std::string::npos;
       at = broad.body.find("Mia Nr", at + 1))
    ++shown;
  EXPECT_EQ(shown, 20u);

  open_own_cases("Jonas", 1, "Becker");
  auto narrow = get("/faelle/suche?q=Jonas%20Becker", cookie);
  ASSERT_EQ(narrow.status, 200) << narrow.body;
  EXPECT_TRUE(has(narrow.body, "Suchergebnisse (1)")) << narrow.body;
  EXPECT_FALSE(has(narrow.body, "Das sind die 20 besten Treffer."));
}

// A large agency pages through its case list: the heading counts every own
// case, a page shows 25, and the links move one list only; the Posteingang
// links to it with the count.
TEST_F(CaseworkPagesDb, InboxPagesOwnCasesWithTotals) {
  open_own_cases("Person", 27);
  const std::string cookie = sign_in("15003-jc");
  auto inbox = get("/faelle", cookie);
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  EXPECT_TRUE(has(inbox.body, "href=\"/faelle/liste#eigene\""));
  EXPECT_TRUE(has(inbox.body, "Eigene Fälle (27)"));
  EXPECT_FALSE(has(inbox.body, "Person Nr126"));  // the cases are on the case list

  auto first = get("/faelle/liste", cookie);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(has(first.body, "Eigene Fälle (27)"));
  EXPECT_TRUE(has(first.body, "Seite 1 von 2"));
  EXPECT_TRUE(has(first.body, "Person Nr126"));  // newest first
  EXPECT_FALSE(has(first.body, "Person Nr101"));
  EXPECT_TRUE(has(first.body, "href=\"/faelle/liste?eigene=2#eigene\""));

  auto second = get("/faelle/liste?eigene=2", cookie);
  ASSERT_EQ(second.status, 200);
  EXPECT_TRUE(has(second.body, "Eigene Fälle (27)"));
  EXPECT_TRUE(has(second.body, "Seite 2 von 2"));
  EXPECT_TRUE(has(second.body, "Person Nr101"));
  EXPECT_TRUE(has(second.body, "Person Nr100"));
  EXPECT_FALSE(has(second.body, "Person Nr126"));
  EXPECT_TRUE(has(second.body, "href=\"/faelle/liste#eigene\""));  // back to page 1
  EXPECT_FALSE(has(second.body, "rel=\"next\""));

  // Paging one list keeps the other where it is.
  auto both = get("/faelle/liste?eigene=2&geteilt=3", cookie);
  ASSERT_EQ(both.status, 200);
  EXPECT_TRUE(has(both.body, "href=\"/faelle/liste?geteilt=3#eigene\"")) << both.body;

  for (const std::string bad : {"0", "-1", "zwei", "2x"}) {
    auto r = get("/faelle/liste?eigene=" + bad, cookie);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(has(r.body, "Seitenzahl")) << r.body;
    r = get("/faelle?eingang=" + bad, cookie);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(has(r.body, "Seitenzahl")) << r.body;
  }
}

TEST_F(CaseworkPagesDb, EveryFormChecksTheCsrfToken) {
  const std::string cookie = sign_in("15003-jc");
  const std::string path = create_case(cookie);
  for (const std::string& target :
       {std::string("/faelle/neu"), path + "/vermerke", path + "/foerderkette",
        path + "/uebergaben", path + "/einwilligung", path + "/einwilligungen/1/widerrufen",
        std::string("/uebergaben/1/accept")}) {
    EXPECT_EQ(post(target, "csrf_token=falsch&given_name=Lena", cookie).status, 403) << target;
    EXPECT_EQ(post(target, "given_name=Lena", cookie).status, 403) << target;
  }
}

TEST_F(CaseworkPagesDb, BadFormIs422WithSummaryAndKeepsInput) {
  const std::string cookie = sign_in("15003-jc");
  auto r = post("/faelle/neu",
                "csrf_token=" + csrf_of(cookie) +
                    "&given_name=Lena&family_name=&birth_date=2008-04-12&city=Magdeburg"
                    "&needs=applications&goals=Ausbildung+finden",
                cookie);
  ASSERT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "lotse-error-summary"));
  EXPECT_TRUE(has(r.body, "href=\"#family_name\""));
  EXPECT_TRUE(has(r.body, "href=\"#phase-1\""));
  EXPECT_TRUE(has(r.body, "id=\"family_name-error\""));
  EXPECT_TRUE(has(r.body, "value=\"Lena\""));
  EXPECT_TRUE(has(r.body, "value=\"Magdeburg\""));
  EXPECT_TRUE(has(r.body, "value=\"2008-04-12\""));
  EXPECT_TRUE(has(r.body, ">Ausbildung finden</textarea>"));
  EXPECT_TRUE(std::regex_search(r.body, std::regex(R"(value="applications" checked)")));
}

TEST_F(CaseworkPagesDb, ConsentWithoutConfirmationIs422) {
  const std::string cookie = sign_in("15003-jc");
  const std::string path = create_case(cookie);
  auto r = post(path + "/einwilligung",
                "csrf_token=" + csrf_of(cookie) +
                    "&recipients=15003-ja&categories=master_data&purposes=Beratung" +
                    validity() + "&form=written"
                    "&evidence_ref=AZ-7&given_by=young_person",
                cookie);
  ASSERT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "href=\"#informed\""));
  EXPECT_TRUE(has(r.body, "value=\"AZ-7\""));
  EXPECT_TRUE(std::regex_search(r.body, std::regex(R"(value="15003-ja" checked)")));
}

TEST_F(CaseworkPagesDb, HandoverReachesTheReceiverOnlyWithConsent) {
  const std::string jc = sign_in("15003-jc");
  const std::string path = create_case(jc);
  const std::string csrf = csrf_of(jc);
  auto consent = post(path + "/einwilligung",
                      "csrf_token=" + csrf +
                          "&recipients=15003-ja&categories=master_data&categories=needs_goals"
                          "&purposes=Gemeinsame+Beratung" + validity() +
                          "&form=written&evidence_ref=AZ-7"
                          "&given_by=young_person&informed=1",
                      jc);
  ASSERT_EQ(consent.status, 303) << consent.body;
  auto handover = post(path + "/uebergaben",
                       "csrf_token=" + csrf + "&handover_to_agency=15003-ja&handover_reason=Hilfe",
                       jc);
  ASSERT_EQ(handover.status, 303) << handover.body;

  const std::string ja = sign_in("15003-ja");
  auto inbox = get("/faelle", ja);
  EXPECT_TRUE(has(inbox.body, "eingehende Fallübergaben (1)")) << inbox.body;
  EXPECT_TRUE(has(inbox.body, "Lena Schulz"));
  // The line says what arrived from whom, in which state, and why.
  const std::string from =
      "<dt class=\"kern-description-list-item__key\">Von</dt>"
      "<dd class=\"kern-description-list-item__value\">Jobcenter";
  EXPECT_TRUE(has(inbox.body, from)) << inbox.body;
  EXPECT_TRUE(has(inbox.body, "<span class=\"kern-label\">Gesendet</span>"));
  EXPECT_TRUE(has(inbox.body, ">Hilfe</dd>"));
  // With the name, the birth date: is this a young person the Jugendamt knows?
  EXPECT_TRUE(has(inbox.body,
                  "<dt class=\"kern-description-list-item__key\">Geburtsdatum</dt>"
                  "<dd class=\"kern-description-list-item__value\">12.04.2008</dd>"))
      << inbox.body;
  // The sender's line names the receiver.
  auto outgoing = get("/faelle", jc);
  EXPECT_TRUE(has(outgoing.body,
                  "<dt class=\"kern-description-list-item__key\">An</dt>"
                  "<dd class=\"kern-description-list-item__value\">Jugendamt"))
      << outgoing.body;
  auto page = get(path, ja);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(has(page.body, "Nicht freigegeben"));

  const std::string aa = sign_in("15003-aa");
  auto hidden = get(path, aa);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_FALSE(has(hidden.body, "Schulz"));
}

// The Posteingang's filter links: each names how many entries it lists,
// the chosen one is marked (also for screen readers), and a filter that
// lists nothing says so.
TEST_F(CaseworkPagesDb, InboxFiltersChooseOpenOrOverdueHandovers) {
  const std::string jc = sign_in("15003-jc");
  const std::string path = create_case(jc);
  const std::string csrf = csrf_of(jc);
  ASSERT_EQ(
      post(path + "/einwilligung",
           "csrf_token=" + csrf + "&recipients=15003-ja&categories=master_data&purposes=Beratung" +
               validity() + "&form=written&evidence_ref=AZ-8&given_by=young_person&informed=1",
           jc)
          .status,
      303);
  ASSERT_EQ(post(path + "/uebergaben",
                 "csrf_token=" + csrf + "&handover_to_agency=15003-ja&handover_reason=Hilfe", jc)
                .status,
            303);
  const std::string ja = sign_in("15003-ja");
  auto all = get("/faelle", ja);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_TRUE(has(all.body, "aria-label=\"Eingehende Fallübergaben filtern\"")) << all.body;
  EXPECT_TRUE(has(all.body, "href=\"/faelle#eingang\" aria-current=\"page\">Alle (1)</a>"))
      << all.body;
  EXPECT_TRUE(has(all.body, "href=\"/faelle?eingang_filter=offen#eingang\">Offen (1)</a>"));
  EXPECT_TRUE(
      has(all.body, "href=\"/faelle?eingang_filter=ueberfaellig#eingang\">Überfällig (0)</a>"));
  auto overdue = get("/faelle?eingang_filter=ueberfaellig", ja);
  ASSERT_EQ(overdue.status, 200);
  EXPECT_FALSE(has(overdue.body, "Lena Schulz"));
  EXPECT_TRUE(has(overdue.body, "Keine überfälligen Fallübergaben."));

  // Past due (the triggers count it as the list lists it).
  ASSERT_TRUE(db_->write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("UPDATE handovers SET due_on = '2020-01-02'"));
    return ok();
  }));
  overdue = get("/faelle?eingang_filter=ueberfaellig", ja);
  EXPECT_TRUE(has(overdue.body, "Lena Schulz")) << overdue.body;
  EXPECT_TRUE(has(overdue.body, "aria-current=\"page\">Überfällig (1)</a>")) << overdue.body;
  EXPECT_TRUE(has(overdue.body, "Die am längsten überfälligen zuerst."));
  EXPECT_FALSE(has(get("/faelle?eingang_filter=offen", ja).body, "am längsten"));
  // Choosing a filter starts that box anew and keeps the other box's page.
  auto paged = get("/faelle?ausgang=2&eingang=3", ja);
  EXPECT_TRUE(has(paged.body, "href=\"/faelle?eingang_filter=offen&amp;ausgang=2#eingang\""))
      << paged.body;

  // Accepted: in the box, no longer open.
  ASSERT_TRUE(db_->write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("UPDATE handovers SET state = 'accepted'"));
    return ok();
  }));
  auto open = get("/faelle?eingang_filter=offen", ja);
  EXPECT_FALSE(has(open.body, "Lena Schulz"));
  EXPECT_TRUE(has(open.body, "Keine offenen Fallübergaben."));
  EXPECT_TRUE(has(get("/faelle", ja).body, "Lena Schulz"));

  auto bad = get("/faelle?eingang_filter=alle", ja);
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(has(bad.body, "Unbekannter Filter")) << bad.body;
}

TEST_F(CaseworkPagesDb, UnknownCaseIs404) {
  const std::string cookie = sign_in("15003-jc");
  EXPECT_EQ(get("/faelle/999999", cookie).status, 404);
  EXPECT_EQ(get("/faelle/abc", cookie).status, 404);
}

}  // namespace
}  // namespace lotse::web
