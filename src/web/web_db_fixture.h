// Test-only: the base of the web layer's database tests. A fresh migrated
// database (SQLite or PostgreSQL, per LOTSE_TEST_BACKEND) with the 14
// alliances seeded, the users a test names, and App + HttpServer serving on
// 127.0.0.1 with a free port.
//
//   class MyDb : public WebDbFixture {
//     void SetUp() override { start({case_worker("15003-jc")}); }
//   };
//   auto r = lotse::testing::http_request(port_, "GET", "/healthz");
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "lotse/identity/auth_service.h"
#include "lotse/organisation/seed.h"
#include "lotse/web/app.h"
#include "lotse/web/http_server.h"
#include "support/http_client.h"
#include "support/test_database.h"

namespace lotse::web {

using lotse::testing::HttpResult;

class WebDbFixture : public ::testing::Test {
 protected:
  static constexpr const char* kPassword = "richtig-langes-passwort";

  static identity::NewUser case_worker(const std::string& agency, std::string display_name = "") {
    return {.username = agency,
            .display_name = display_name.empty() ? agency : std::move(display_name),
            .role = identity::Role::kCaseWorker,
            .agency_key = agency,
            .password = kPassword};
  }
  static identity::NewUser coordinator(const std::string& ags) {
    return {.username = ags + "-koord",
            .display_name = "Koordination",
            .role = identity::Role::kCoordinator,
            .alliance_ags = ags,
            .password = kPassword};
  }

  // Creates the database, the users, and starts the server.
  void start(const std::vector<identity::NewUser>& users,
             std::size_t max_body_bytes = 1024 * 1024) {
    db_ = lotse::testing::test_database();
    ASSERT_TRUE(db_->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    }));
    identity::AuthService auth(*db_, system_clock());
    for (const auto& u : users) {
      auto added = auth.add_user(u, {.username = "admin"});
      ASSERT_TRUE(added) << added.error().message;
    }
    app_ = std::make_unique<App>(*db_, clock_, default_app_options());
    ServerOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    so.threads = 2;
    so.access_log = false;
    so.max_body_bytes = max_body_bytes;
    so.trusted_proxies = trusted_proxies_;
    server_ = std::make_unique<HttpServer>(so, [this](Request& r) { return app_->handle(r); });
    server_->start();
    port_ = server_->port();
  }

  // Requests as a signed-in browser would send them (no Cookie header when
  // `cookie` is empty).
  HttpResult get(const std::string& target, const std::string& cookie = "") {
    if (cookie.empty()) return lotse::testing::http_request(port_, "GET", target);
    return lotse::testing::http_request(port_, "GET", target, "", {{"Cookie", cookie}});
  }
  HttpResult post(const std::string& target, const std::string& body, const std::string& cookie) {
    return lotse::testing::http_request(
        port_, "POST", target, body,
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie}});
  }

  // The value of cookie `name` set by the answer, or "".
  static std::string cookie_from(const HttpResult& r, const std::string& name) {
    auto it = r.headers.find("Set-Cookie");
    if (it == r.headers.end()) return "";
    std::smatch m;
    std::regex re(name + "=([^;\n]*)");
    return std::regex_search(it->second, m, re) ? m[1].str() : "";
  }

  // Signs in through the form; returns the Cookie header value.
  std::string sign_in(const std::string& username) {
    auto form = lotse::testing::http_request(port_, "GET", "/anmelden");
    const std::string csrf = cookie_from(form, "lotse_csrf");
    auto r = lotse::testing::http_request(
        port_, "POST", "/anmelden",
        "username=" + username + "&password=" + kPassword + "&next=%2Fstart&csrf_token=" + csrf,
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "lotse_csrf=" + csrf}});
    EXPECT_EQ(r.status, 303) << r.body;
    return "lotse_session=" + cookie_from(r, "lotse_session");
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  // Set before start(): the App's time source, and the peers whose
  // X-Forwarded-For the server believes.
  Clock clock_ = system_clock();
  std::vector<std::string> trusted_proxies_;

  std::unique_ptr<store::Database> db_;
  std::unique_ptr<App> app_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace lotse::web
