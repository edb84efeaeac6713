// The youth portal's public pages over real HTTP, on SQLite and PostgreSQL:
// the contact form shows every error at its field in plain German and keeps
// what was typed (422, nothing stored); a filled honeypot gets the same
// neutral answer as a real request but stores nothing; the sixth request in
// an hour from one address gets a plain German 429 page; unknown alliances,
// topics and offers are 404; the CSRF cookie is required.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "lotse/catalogue/catalogue_service.h"
#include "lotse/common/date.h"
#include "lotse/organisation/seed.h"
#include "lotse/portal/portal_service.h"
#include "support/http_client.h"
#include "web/web_db_fixture.h"

namespace lotse::web {
namespace {

using lotse::testing::http_request;
using lotse::testing::HttpResult;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class PortalPagesDb : public WebDbFixture {
 protected:
  void SetUp() override {
    configure();
    start({});
    auto form = http_request(port_, "GET", "/magdeburg/kontakt");
    ASSERT_EQ(form.status, 200) << form.body;
    csrf_ = cookie_from(form, "lotse_portal_csrf");
    ASSERT_GE(csrf_.size(), 32U);
    std::smatch m;
    std::regex re(R"re(name="csrf_token" value="([^"]+)")re");
    ASSERT_TRUE(std::regex_search(form.body, m, re));
    EXPECT_EQ(m[1].str(), csrf_);
  }

  // Before the server starts: clock, trusted proxies.
  virtual void configure() {}

  HttpResult send(const std::string& fields, const std::string& slug = "magdeburg",
                  const std::string& forwarded_for = "") {
    lotse::testing::HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"},
                                       {"Cookie", "lotse_portal_csrf=" + csrf_}};
    if (!forwarded_for.empty()) headers.emplace_back("X-Forwarded-For", forwarded_for);
    return http_request(port_, "POST", "/" + slug + "/kontakt", fields + "&csrf_token=" + csrf_,
                        headers);
  }

  std::int64_t stored_requests() {
    auto n = db_->read([](store::Executor& x) {
      return x.query_int("SELECT COUNT(*) FROM contact_requests", {});
    });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  static constexpr const char* kGood =
      "name=Mia&contact=mia%40beispiel.de&need=applications&message=Hallo&consent=yes";

  std::string csrf_;
};

TEST_F(PortalPagesDb, ErrorsAreShownAtTheirFieldsAndNothingTypedIsLost) {
  // No name, a broken address, no consent; topic and message typed.
  auto r = send("name=&contact=mia%40beispiel&need=applications&message=Ich+suche+%3Cb%3Eeine%3C%2Fb%3E+Lehre");
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.headers["Content-Type"], "text/html")) << r.headers["Content-Type"];
  // The summary links to each field; each message stands at its field.
  EXPECT_TRUE(has(r.body, "href=\"#name\"")) << r.body;
  EXPECT_TRUE(has(r.body, "href=\"#contact\""));
  EXPECT_TRUE(has(r.body, "href=\"#consent\""));
  EXPECT_FALSE(has(r.body, "href=\"#need\""));
  EXPECT_TRUE(has(r.body, "id=\"name-error\""));
  EXPECT_TRUE(has(r.body, "Bitte sag uns, wie wir dich nennen dürfen."));
  EXPECT_TRUE(has(r.body, "id=\"contact-error\""));
  EXPECT_TRUE(has(r.body, "Diese E-Mail-Adresse stimmt so nicht. Beispiel: name@beispiel.de"));
  EXPECT_TRUE(has(r.body, "id=\"consent-error\""));
  EXPECT_TRUE(has(r.body, "Bitte bestätige, dass wir dich kontaktieren dürfen."));
  // Everything typed is still there (escaped).
  EXPECT_TRUE(has(r.body, "value=\"mia@beispiel\""));
  EXPECT_TRUE(has(r.body, "<option value=\"applications\" selected>"));
  EXPECT_TRUE(has(r.body, ">Ich suche &lt;b&gt;eine&lt;/b&gt; Lehre</textarea>")) << r.body;
  EXPECT_FALSE(has(r.body, "<b>eine</b>"));
  EXPECT_EQ(stored_requests(), 0);

  // The name kept, the consent ticked, the topic missing.
  r = send("name=Mia&contact=0170+1234567&need=&consent=yes");
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "Bitte wähle ein Thema aus."));
  EXPECT_TRUE(has(r.body, "id=\"need-error\""));
  EXPECT_TRUE(has(r.body, "value=\"Mia\""));
  EXPECT_TRUE(has(r.body, "value=\"0170 1234567\""));
  EXPECT_TRUE(has(r.body, "name=\"consent\" value=\"yes\" checked"));
  EXPECT_EQ(stored_requests(), 0);

  // Too long a message: its own plain German message.
  r = send("name=Mia&contact=0170+1234567&need=applications&consent=yes&message=" +
           std::string(portal::kMaxMessageChars + 1, 'a'));
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "Deine Nachricht ist zu lang. Bitte höchstens 1000 Zeichen."));
  EXPECT_EQ(stored_requests(), 0);

  // No stack traces or internals anywhere.
  EXPECT_FALSE(has(r.body, "Exception"));
  EXPECT_FALSE(has(r.body, "SQL"));
}

TEST_F(PortalPagesDb, AGoodRequestIsStoredAndShowsItsReference) {
  auto r = send(kGood);
  ASSERT_EQ(r.status, 200) << r.body;
  std::smatch m;
  std::regex re(R"re(id="vorgangsnummer">(JBA-[A-Z0-9]{4}-[A-Z0-9])<)re");
  ASSERT_TRUE(std::regex_search(r.body, m, re)) << r.body;
  EXPECT_TRUE(portal::check_reference(m[1].str()));
  EXPECT_EQ(r.headers["Cache-Control"], "no-store");
  EXPECT_EQ(stored_requests(), 1);
  auto routed = db_->read([&](store::Executor& x) {
    return x.query_int("SELECT COUNT(*) FROM contact_requests WHERE reference = ? AND "
                       "routed_agency = '15003-aa' AND alliance_ags = '15003'",
                       {m[1].str()});
  });
  ASSERT_TRUE(routed);
  EXPECT_EQ(*routed, 1);
}

TEST_F(PortalPagesDb, AFilledHoneypotStoresNothingButAnswersNeutrally) {
  auto r = send(std::string(kGood) + "&website=http%3A%2F%2Fspam.example");
  ASSERT_EQ(r.status, 200) << r.body;
  // The same page as a real request: a well-formed reference, no hint.
  std::smatch m;
  std::regex re(R"re(id="vorgangsnummer">(JBA-[A-Z0-9]{4}-[A-Z0-9])<)re");
  ASSERT_TRUE(std::regex_search(r.body, m, re)) << r.body;
  EXPECT_TRUE(portal::check_reference(m[1].str()));
  EXPECT_FALSE(has(r.body, "spam"));
  EXPECT_EQ(stored_requests(), 0);
  // Even a bot's invalid fields give no validation hints.
  r = send("name=&contact=x&need=&website=bot");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(stored_requests(), 0);
}

TEST_F(PortalPagesDb, TheSixthRequestInAnHourIsAPlainGerman429) {
  for (int i = 0; i < 5; ++i) {
    auto r = send(kGood);
    ASSERT_EQ(r.status, 200) << i << r.body;
  }
  EXPECT_EQ(stored_requests(), 5);
  auto r = send(kGood);
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(has(r.headers["Content-Type"], "text/html")) << r.headers["Content-Type"];
  EXPECT_EQ(r.headers["Retry-After"], "3600");
  EXPECT_TRUE(has(r.body, "<html lang=\"de\"")) << r.body;
  EXPECT_TRUE(has(r.body, "Das waren gerade viele Nachrichten"));
  EXPECT_TRUE(has(r.body, "Bitte versuch es in einer Stunde noch mal"));
  EXPECT_TRUE(has(r.body, "href=\"/magdeburg\""));
  EXPECT_EQ(stored_requests(), 5);
  // The limit is per address, not per alliance.
  r = send(kGood, "halle-saale");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(stored_requests(), 5);
}

TEST_F(PortalPagesDb, AForgedForwardedForDoesNotEscapeTheLimitWithoutATrustedProxy) {
  // No trusted proxy: each request names another address, all count for the
  // one the connection comes from.
  for (int i = 0; i < 5; ++i) {
    auto r = send(kGood, "magdeburg", "203.0.113." + std::to_string(i + 1));
    ASSERT_EQ(r.status, 200) << i << r.body;
  }
  EXPECT_EQ(send(kGood, "magdeburg", "203.0.113.99").status, 429);
  EXPECT_EQ(stored_requests(), 5);
}

class PortalBehindProxyDb : public PortalPagesDb {
 protected:
  void configure() override { trusted_proxies_ = {"127.0.0.1"}; }
};

TEST_F(PortalBehindProxyDb, TheLimitCountsEachClientBehindTheTrustedProxy) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(send(kGood, "magdeburg", "203.0.113.1").status, 200) << i;
  // The same young person a sixth time: limited, even with a forged entry
  // in front of the one the proxy appended.
  EXPECT_EQ(send(kGood, "magdeburg", "198.51.100.1, 203.0.113.1").status, 429);
  // Another young person behind the same proxy is not.
  EXPECT_EQ(send(kGood, "magdeburg", "203.0.113.2").status, 200);
  EXPECT_EQ(stored_requests(), 6);
}

// Tuesday, 14 July 2026, 23:30 UTC: in Germany already Wednesday, 01:30 CEST.
class PortalSummerNightDb : public PortalPagesDb {
 protected:
  static constexpr std::int64_t kNow =
      (20'648LL * 86'400 + 23 * 3'600 + 30 * 60) * 1000;  // 2026-07-14T23:30:00Z
  void configure() override {
    clock_ = [] { return kNow; };
  }
};

TEST_F(PortalSummerNightDb, TodayIsTheGermanDayNotTheUtcOne) {
  ASSERT_EQ(Date::from_unix_ms(kNow), (Date{2026, 7, 14}));
  catalogue::CatalogueService cat(*db_, clock_, organisation::default_data_dir());
  const catalogue::Editor admin{.username = "admin", .request_id = "t", .all_alliances = true};
  catalogue::Dataset d;
  const std::string org = "22222222-2222-4222-8222-222222222222";
  ASSERT_TRUE(
      d.add("organization", {{"id", org}, {"name", "Nachtcafé e. V."}, {"description", "Träger"}}));
  auto imported = cat.import_hsds(admin, d);
  ASSERT_TRUE(imported) << imported.error().message;
  ASSERT_TRUE(imported->written) << (imported->issues.empty() ? "" : imported->issues[0].str());
  // Open on Wednesdays from midnight to 03:00 (a night café), and on
  // Tuesdays from 09:00 to 17:00.
  auto point = cat.create_contact_point(
      {.username = "15003-koord", .request_id = "t", .alliance_ags = "15003"},
      {.alliance_ags = "15003",
       .organization_id = org,
       .kind = "central_office",
       .name = "Nachtcafé der JBA",
       .street = "Breiter Weg 1",
       .postcode = "39104",
       .city = "Magdeburg",
       .opening_hours = {
           {.rrule = "FREQ=WEEKLY;BYDAY=WE", .opens_at = "00:00", .closes_at = "03:00"},
           {.rrule = "FREQ=WEEKLY;BYDAY=TU", .opens_at = "09:00", .closes_at = "17:00"}}});
  ASSERT_TRUE(point) << point.error().message;
  auto r = http_request(port_, "GET", "/magdeburg/thema/applications");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto at = r.body.find("Nachtcafé der JBA");
  ASSERT_NE(at, std::string::npos) << r.body;
  const std::string card = r.body.substr(at, 1500);
  // Wednesday's hours, open now – not Tuesday's, which UTC would show.
  EXPECT_TRUE(has(card, "00:00–03:00")) << card;
  EXPECT_TRUE(has(card, "Jetzt geöffnet")) << card;
  EXPECT_FALSE(has(card, "09:00–17:00")) << card;
}

class PortalCacheDb : public PortalPagesDb {
 protected:
  void configure() override {
    clock_ = [this] { return now_.load(); };
  }
  std::atomic<std::int64_t> now_{(20'648LL * 86'400 + 10 * 3'600) * 1000};  // 2026-07-14 10:00Z
};

// The search answer is kept for a few seconds, never longer: a new contact
// point appears once that time has passed, and each question has its own.
TEST_F(PortalCacheDb, SearchAnswersAreKeptForFifteenSecondsAtMost) {
  auto before = http_request(port_, "GET", "/magdeburg/thema/applications");
  ASSERT_EQ(before.status, 200) << before.body;
  catalogue::CatalogueService cat(*db_, clock_, organisation::default_data_dir());
  catalogue::Dataset d;
  const std::string org = "33333333-3333-4333-8333-333333333333";
  ASSERT_TRUE(d.add("organization", {{"id", org}, {"name", "JBA Magdeburg"}, {"description", "Träger"}}));
  auto imported = cat.import_hsds({.username = "admin", .request_id = "t", .all_alliances = true}, d);
  ASSERT_TRUE(imported && imported->written);
  auto point = cat.create_contact_point(
      {.username = "15003-koord", .request_id = "t", .alliance_ags = "15003"},
      {.alliance_ags = "15003",
       .organization_id = org,
       .kind = "central_office",
       .name = "Neue Anlaufstelle am Hasselbachplatz",
       .street = "Hasselbachplatz 1",
       .postcode = "39104",
       .city = "Magdeburg"});
  ASSERT_TRUE(point) << point.error().message;

  now_ += 14'000;
  auto cached = http_request(port_, "GET", "/magdeburg/thema/applications");
  ASSERT_EQ(cached.status, 200);
  EXPECT_FALSE(has(cached.body, "Neue Anlaufstelle am Hasselbachplatz"));
  // Another question is answered afresh.
  auto other = http_request(port_, "GET", "/magdeburg/thema/debts");
  ASSERT_EQ(other.status, 200);
  EXPECT_TRUE(has(other.body, "Neue Anlaufstelle am Hasselbachplatz"));

  now_ += 1'000;
  auto fresh = http_request(port_, "GET", "/magdeburg/thema/applications");
  ASSERT_EQ(fresh.status, 200);
  EXPECT_TRUE(has(fresh.body, "Neue Anlaufstelle am Hasselbachplatz"));
}

TEST_F(PortalPagesDb, WithoutTheCsrfCookieNothingIsStored) {
  auto r = http_request(port_, "POST", "/magdeburg/kontakt", std::string(kGood) + "&csrf_token=" + csrf_,
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(has(r.body, "value=\"Mia\"")) << r.body;  // nothing typed lost
  EXPECT_EQ(stored_requests(), 0);
}

TEST_F(PortalPagesDb, UnknownAlliancesTopicsAndOffersAre404) {
  for (const char* target : {"/gibt-es-nicht", "/gibt-es-nicht/kontakt", "/gibt-es-nicht/datenschutz",
                             "/gibt-es-nicht/thema/applications", "/magdeburg/thema/gibt-es-nicht",
                             "/magdeburg/angebote/gibt-es-nicht", "/magdeburg/angebote/1"}) {
    auto r = http_request(port_, "GET", target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_TRUE(has(r.body, "<html lang=\"de\"")) << target;
  }
  auto r = send(kGood, "gibt-es-nicht");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(stored_requests(), 0);
}

TEST_F(PortalPagesDb, PublicPagesAnswer200) {
  for (const char* target : {"/", "/magdeburg", "/magdeburg/thema/applications",
                             "/magdeburg/thema/applications?ort=39104", "/magdeburg/kontakt",
                             "/magdeburg/kontakt?thema=housing", "/magdeburg/datenschutz"}) {
    auto r = http_request(port_, "GET", target);
    EXPECT_EQ(r.status, 200) << target << r.body;
  }
  auto r = http_request(port_, "GET", "/?ort=39104");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers["Location"], "/magdeburg?ort=39104");
  r = http_request(port_, "GET", "/?ort=");
  EXPECT_EQ(r.status, 422);
  r = http_request(port_, "GET", "/magdeburg/kontakt?thema=housing");
  EXPECT_TRUE(has(r.body, "<option value=\"housing\" selected>"));
}

}  // namespace
}  // namespace lotse::web
