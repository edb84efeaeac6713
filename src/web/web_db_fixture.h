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
#include <vector>

#include "lotse/identity/auth_service.h"
#include "lotse/organisation/seed.h"
#include "lotse/web/app.h"
#include "lotse/web/http_server.h"
#include "support/test_database.h"

namespace lotse::web {

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
