// End-to-end tests of the web application over real HTTP: App + HttpServer
// on 127.0.0.1, port 0, on SQLite and PostgreSQL.
#include "lotse/web/app.h"

#include <gtest/gtest.h>

#include <regex>

#include "lotse/identity/auth_service.h"
#include "lotse/organisation/seed.h"
#include "lotse/privacy/audit_log.h"
#include "lotse/web/http_server.h"
#include "support/http_client.h"
#include "support/test_database.h"
#include "web/web_db_fixture.h"

namespace lotse::web {
namespace {

using lotse::testing::http_request;
using lotse::testing::HttpResult;

class AppDb : public WebDbFixture {
 protected:
  void SetUp() override {
    start({case_worker("15003-jc", "Erika Muster")}, 64 * 1024);
  }

  HttpResult get(const std::string& target, std::vector<std::pair<std::string, std::string>> h = {}) {
    return http_request(port_, "GET", target, "", std::move(h));
  }
  HttpResult post_json(const std::string& target, const std::string& body,
                       std::string content_type = "application/json") {
    return http_request(port_, "POST", target, body, {{"Content-Type", content_type}});
  }
  HttpResult post_form(const std::string& target, const std::string& body, const std::string& cookie) {
    return http_request(port_, "POST", target, body,
                        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie}});
  }

  std::string token() {
    auto r = post_json("/api/v1/tokens",
                       std::string(R"({"username":"15003-jc","password":")") + kPassword + "\"}");
    EXPECT_EQ(r.status, 201) << r.body;
    std::smatch m;
    std::regex re(R"re("token":"([A-Za-z0-9_-]+)")re");
    EXPECT_TRUE(std::regex_search(r.body, m, re)) << r.body;
    return m[1];
  }

  // Cookie value from a Set-Cookie header set of a response.
  static std::vector<std::string> set_cookies(const HttpResult& r) {
    std::vector<std::string> out;
    auto it = r.headers.find("Set-Cookie");
    if (it == r.headers.end()) return out;
    std::size_t start = 0;
    for (;;) {  // the client joins repeated Set-Cookie headers with '\n'
      auto end = it->second.find('\n', start);
      out.push_back(it->second.substr(start, end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return out;
  }

  static std::string cookie_from(const HttpResult& r, const std::string& name) {
    for (const auto& v : set_cookies(r))
      if (v.rfind(name + "=", 0) == 0) return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
    return "";
  }

  static std::string hidden_csrf(const std::string& html) {
    std::smatch m;
    std::regex re(R"re(name="csrf_token"\s+value="([^"]+)")re");
    if (std::regex_search(html, m, re)) return m[1];
    std::regex re2(R"re(value="([^"]+)"\s+name="csrf_token")re");
    if (std::regex_search(html, m, re2)) return m[1];
    return "";
  }

  // Signs in through the HTML form; returns the session cookie.
  std::string sign_in_via_form() {
    auto form = get("/anmelden");
    EXPECT_EQ(form.status, 200);
    const std::string csrf = cookie_from(form, "lotse_csrf");
    EXPECT_FALSE(csrf.empty());
    EXPECT_EQ(hidden_csrf(form.body), csrf);
    auto r = post_form("/anmelden",
                       "username=15003-jc&password=" + std::string(kPassword) +
                           "&next=%2Fstart&csrf_token=" + csrf,
                       "lotse_csrf=" + csrf);
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_EQ(r.headers["Location"], "/start");
    return cookie_from(r, "lotse_session");
  }

};

TEST_F(AppDb, HealthzReportsDatabase) {
  auto r = get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"database\":\"ok\""), std::string::npos);
}

TEST_F(AppDb, TokenThenMeNamesAgencyAndAlliance) {
  auto r = get("/api/v1/me", {{"Authorization", "Bearer " + token()}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.headers["Content-Type"].find("application/json"), std::string::npos);
  for (const char* part : {R"("username":"15003-jc")", R"("role":"case_worker")",
                           R"("agency_key":"15003-jc")", R"("agency_name":"Jobcenter Magdeburg")",
                           R"("alliance_key":"15003")", R"("alliance_name":"Magdeburg")"})
    EXPECT_NE(r.body.find(part), std::string::npos) << part << " in " << r.body;
}

TEST_F(AppDb, MeWithoutOrWithBadTokenIs401Problem) {
  auto none = get("/api/v1/me");
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.headers["Content-Type"].find("application/problem+json"), std::string::npos);
  EXPECT_EQ(none.headers["WWW-Authenticate"].rfind("Bearer", 0), 0u);
  auto bad = get("/api/v1/me", {{"Authorization", "Bearer not-a-token"}});
  EXPECT_EQ(bad.status, 401);
}

TEST_F(AppDb, TokenRequestBadInputNamesTheField) {
  struct Case {
    std::string body, content_type;
    int status;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"{not json", "application/json", 400, "body"},
      {"[1,2]", "application/json", 400, "body"},
      {R"({"password":"x"})", "application/json", 400, "username"},
      {R"({"username":"15003-jc"})", "application/json", 400, "password"},
      {R"({"username":42,"password":"x"})", "application/json", 400, "username"},
      {R"({"username":"15003-jc","password":["x"]})", "application/json", 400, "password"},
      {"{\"username\":\"\xff\xfe\",\"password\":\"x\"}", "application/json", 400, "body"},
      {R"({"username":"15003-jc","password":"x"})", "text/plain", 415, "body"},
  };
  for (const auto& c : cases) {
    auto r = post_json("/api/v1/tokens", c.body, c.content_type);
    EXPECT_EQ(r.status, c.status) << c.body;
    EXPECT_NE(r.headers["Content-Type"].find("application/problem+json"), std::string::npos);
    EXPECT_NE(r.body.find("\"field\":\"" + c.field + "\""), std::string::npos) << c.body << " -> " << r.body;
  }
  // Nothing was written: no token, no audit entry.
  auto tokens = db_->read([](store::Executor& x) { return x.query_int("SELECT COUNT(*) FROM api_tokens"); });
  EXPECT_EQ(*tokens, 0);
}

TEST_F(AppDb, OversizedBodyIs413) {
  auto r = post_json("/api/v1/tokens", std::string(100 * 1024, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.headers["Content-Type"].find("application/problem+json"), std::string::npos);
}

TEST_F(AppDb, WrongPasswordAndUnknownUserLookTheSame) {
  auto wrong = post_json("/api/v1/tokens", R"({"username":"15003-jc","password":"falsch"})");
  auto unknown = post_json("/api/v1/tokens", R"({"username":"nobody","password":"falsch"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  auto strip_ids = [](std::string s) {
    return std::regex_replace(s, std::regex(R"re("(instance|request_id)":"[^"]*")re"), "");
  };
  EXPECT_EQ(strip_ids(wrong.body), strip_ids(unknown.body));
}

TEST_F(AppDb, FormSignInStartPageAndSignOut) {
  const std::string session = sign_in_via_form();
  ASSERT_FALSE(session.empty());
  auto start = get("/start", {{"Cookie", "lotse_session=" + session}});
  ASSERT_EQ(start.status, 200);
  EXPECT_NE(start.body.find("Jobcenter Magdeburg"), std::string::npos);
  const std::string csrf = hidden_csrf(start.body);
  ASSERT_FALSE(csrf.empty());

  // Sign-out without the CSRF token is refused and the session stays.
  auto forged = post_form("/abmelden", "csrf_token=wrong", "lotse_session=" + session);
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(get("/start", {{"Cookie", "lotse_session=" + session}}).status, 200);

  auto out = post_form("/abmelden", "csrf_token=" + csrf, "lotse_session=" + session);
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(out.headers["Location"].rfind("/anmelden", 0), 0u);
  auto after = get("/start", {{"Cookie", "lotse_session=" + session}});
  EXPECT_EQ(after.status, 303);
}

TEST_F(AppDb, SessionCookieIsHttpOnlyStrictAndNewPerSignIn) {
  auto form = get("/anmelden");
  const std::string csrf = cookie_from(form, "lotse_csrf");
  auto r = post_form("/anmelden",
                     "username=15003-jc&password=" + std::string(kPassword) + "&csrf_token=" + csrf,
                     "lotse_csrf=" + csrf + "; lotse_session=attacker-chosen-id");
  ASSERT_EQ(r.status, 303);
  std::string set_cookie;
  for (const auto& v : set_cookies(r))
    if (v.rfind("lotse_session=", 0) == 0) set_cookie = v;
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(set_cookie.find("attacker-chosen-id"), std::string::npos);
  EXPECT_NE(sign_in_via_form(), cookie_from(r, "lotse_session"));
}

TEST_F(AppDb, SignInWithoutCsrfCookieIsRefused) {
  auto r = post_form("/anmelden", "username=15003-jc&password=" + std::string(kPassword) + "&csrf_token=x", "");
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(cookie_from(r, "lotse_session").empty());
}

TEST_F(AppDb, FormErrorsAreShownAtTheField) {
  auto form = get("/anmelden");
  const std::string csrf = cookie_from(form, "lotse_csrf");
  auto empty = post_form("/anmelden", "username=&password=&csrf_token=" + csrf, "lotse_csrf=" + csrf);
  EXPECT_EQ(empty.status, 422);
  EXPECT_NE(empty.body.find("href=\"#username\""), std::string::npos);
  EXPECT_NE(empty.body.find("href=\"#password\""), std::string::npos);
  auto wrong = post_form("/anmelden", "username=15003-jc&password=falsch&csrf_token=" + csrf,
                         "lotse_csrf=" + csrf);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("value=\"15003-jc\""), std::string::npos);  // what was typed stays
  EXPECT_TRUE(cookie_from(wrong, "lotse_session").empty());
}

TEST_F(AppDb, OpenRedirectIsRefused) {
  auto form = get("/anmelden");
  const std::string csrf = cookie_from(form, "lotse_csrf");
  auto r = post_form("/anmelden",
                     "username=15003-jc&password=" + std::string(kPassword) +
                         "&next=%2F%2Fevil.example&csrf_token=" + csrf,
                     "lotse_csrf=" + csrf);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers["Location"], "/start");
}

TEST_F(AppDb, PagesCarrySecurityHeaders) {
  auto r = get("/anmelden");
  EXPECT_NE(r.headers["Content-Security-Policy"].find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.headers["Content-Security-Policy"].find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(r.headers["X-Content-Type-Options"], "nosniff");
  EXPECT_FALSE(r.headers["Referrer-Policy"].empty());
  EXPECT_FALSE(r.headers["X-Request-Id"].empty());
}

TEST_F(AppDb, UnknownPagesAndApiPaths) {
  auto page = get("/gibt-es-nicht");
  EXPECT_EQ(page.status, 404);
  EXPECT_NE(page.headers["Content-Type"].find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("lang=\"de\""), std::string::npos);
  auto api = get("/api/v1/gibt-es-nicht");
  EXPECT_EQ(api.status, 404);
  EXPECT_NE(api.headers["Content-Type"].find("application/problem+json"), std::string::npos);
}

TEST_F(AppDb, StaticAssetsAreServedWithCacheHeaders) {
  auto css = get("/static/kern/kern.min.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_NE(css.headers["Content-Type"].find("text/css"), std::string::npos);
  EXPECT_NE(css.headers["Cache-Control"].find("max-age"), std::string::npos);
  EXPECT_EQ(get("/static/../CMakeLists.txt").status, 404);
}

TEST_F(AppDb, DatabaseFailureIs500WithRequestIdAndNoInternals) {
  const std::string t = token();
  ASSERT_TRUE(db_->write([](store::Executor& x) { return x.exec_script("DROP TABLE api_tokens"); }));
  auto r = get("/api/v1/me", {{"Authorization", "Bearer " + t}});
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find(r.headers["X-Request-Id"]), std::string::npos);
  EXPECT_EQ(r.body.find("api_tokens"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("SELECT"), std::string::npos) << r.body;
}

TEST_F(AppDb, SignInsAreAuditedWithRequestId) {
  sign_in_via_form();
  auto entries = db_->read([](store::Executor& x) { return privacy::AuditLog::recent(x, 5); });
  ASSERT_TRUE(entries);
  ASSERT_FALSE(entries->empty());
  const auto& e = entries->front();
  EXPECT_EQ(e.event.action, "auth.sign_in");
  EXPECT_EQ(e.event.actor, "15003-jc");
  EXPECT_EQ(e.event.request_id.size(), 16u);
  EXPECT_FALSE(e.event.legal_basis.empty());
}

TEST_F(AppDb, PublicHomeListsAllFourteenAlliances) {
  auto r = get("/");
  ASSERT_EQ(r.status, 200);
  for (const char* name : {"Dessau-Roßlau", "Halle (Saale)", "Magdeburg", "Altmarkkreis Salzwedel",
                           "Landkreis Harz", "Landkreis Wittenberg", "Burgenlandkreis"})
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
  EXPECT_NE(r.body.find("237.565"), std::string::npos);  // Magdeburg, German digit grouping
}

TEST_F(AppDb, EnglishCatalogueIsSelectable) {
  auto de = get("/anmelden");
  auto en = get("/anmelden?lang=en");
  EXPECT_NE(en.body.find("lang=\"en\""), std::string::npos);
  EXPECT_NE(de.body, en.body);
}

}  // namespace
}  // namespace lotse::web
