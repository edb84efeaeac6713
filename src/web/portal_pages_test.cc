// The youth portal's public pages over real HTTP, on SQLite and PostgreSQL:
// the contact form shows every error at its field in plain German and keeps
// what was typed (422, nothing stored); a filled honeypot gets the same
// neutral answer as a real request but stores nothing; the sixth request in
// an hour from one address gets a plain German 429 page; unknown alliances,
// topics and offers are 404; the CSRF cookie is required.
#include <gtest/gtest.h>

#include <regex>
#include <string>

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

  static std::string cookie_from(const HttpResult& r, const std::string& name) {
    auto it = r.headers.find("Set-Cookie");
    if (it == r.headers.end()) return "";
    std::smatch m;
    std::regex re(name + "=([^;\n]*)");
    return std::regex_search(it->second, m, re) ? m[1].str() : "";
  }

  HttpResult send(const std::string& fields, const std::string& slug = "magdeburg") {
    return http_request(port_, "POST", "/" + slug + "/kontakt", fields + "&csrf_token=" + csrf_,
                        {{"Content-Type", "application/x-www-form-urlencoded"},
                         {"Cookie", "lotse_portal_csrf=" + csrf_}});
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
