#include "lotse/identity/auth_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "lotse/organisation/seed.h"
#include "lotse/privacy/audit_log.h"
#include "support/test_database.h"

namespace lotse::identity {
namespace {

constexpr std::int64_t kStart = 1'790'000'000'000;  // Nov 2026, unix ms

class AuthServiceDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = lotse::testing::test_database();
    auto seeded = db_->write(
        [](store::Executor& x) { return organisation::seed_organisations(x, organisation::default_data_dir()); });
    ASSERT_TRUE(seeded) << seeded.error().message;
    auth_ = std::make_unique<AuthService>(*db_, [this] { return now_.load(); });
    add("15003-jc", Role::kCaseWorker, "15003-jc", "");
  }

  User add(const std::string& name, Role role, const std::string& agency, const std::string& alliance) {
    auto u = auth_->add_user({.username = name, .display_name = "Test " + name, .role = role,
                              .agency_key = agency, .alliance_ags = alliance,
                              .password = "richtig-langes-passwort"},
                             admin_);
    EXPECT_TRUE(u) << u.error().message;
    return u ? *u : User{};
  }

  std::vector<std::string> audit_actions() {
    auto entries = db_->read([](store::Executor& x) { return privacy::AuditLog::recent(x, 1000); });
    std::vector<std::string> out;
    for (auto it = entries->rbegin(); it != entries->rend(); ++it) out.push_back(it->event.action);
    return out;
  }

  void advance_seconds(std::int64_t s) { now_ += s * 1000; }

  std::unique_ptr<store::Database> db_;
  std::unique_ptr<AuthService> auth_;
  std::atomic<std::int64_t> now_{kStart};
  Actor admin_{.username = "admin", .request_id = "test", .remote_address = "127.0.0.1"};
  Actor client_{.username = "-", .request_id = "req-1", .remote_address = "192.0.2.10"};
  const std::string password_ = "richtig-langes-passwort";
};

TEST_F(AuthServiceDb, SignInCreatesSessionNamingTheAgency) {
  auto s = auth_->sign_in("15003-jc", password_, client_);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->session_id.size(), 43u);
  auto session = auth_->session(s->session_id, client_);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(session->user.agency_name, "Jobcenter Magdeburg");
  EXPECT_EQ(session->user.alliance_name, "Magdeburg");
  EXPECT_EQ(session->user.alliance_ags, "15003");
  EXPECT_EQ(session->csrf_token, s->session.csrf_token);
  EXPECT_EQ(audit_actions().back(), "auth.sign_in");
}

TEST_F(AuthServiceDb, SessionIdIsNotStoredInClear) {
  auto s = auth_->sign_in("15003-jc", password_, client_);
  ASSERT_TRUE(s);
  auto n = db_->read([&](store::Executor& x) {
    return x.query_int("SELECT COUNT(*) FROM sessions WHERE id_hash = ?", {s->session_id});
  });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
}

TEST_F(AuthServiceDb, UnknownUserAndWrongPasswordGetTheSameAnswer) {
  auto wrong = auth_->sign_in("15003-jc", "falsches-passwort", client_);
  auto unknown = auth_->sign_in("niemand", "falsches-passwort", client_);
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().code, unknown.error().code);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  auto actions = audit_actions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "auth.sign_in_failed"), 2);
}

TEST_F(AuthServiceDb, ThrottlesPerAccountAndRecovers) {
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(auth_->sign_in("15003-jc", "falsch", client_));
  auto blocked = auth_->sign_in("15003-jc", password_, client_);
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, ErrorCode::kTooManyRequests);
  // Another address is blocked too: the account is under attack, not the address.
  Actor other = client_;
  other.remote_address = "192.0.2.99";
  EXPECT_EQ(auth_->sign_in("15003-jc", password_, other).error().code, ErrorCode::kTooManyRequests);
  advance_seconds(15 * 60 + 1);
  EXPECT_TRUE(auth_->sign_in("15003-jc", password_, client_));
}

TEST_F(AuthServiceDb, ThrottlesPerClientAddress) {
  add("15003-aa", Role::kCaseWorker, "15003-aa", "");
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(auth_->sign_in("nobody" + std::to_string(i), "falsch", client_).error().code,
              ErrorCode::kUnauthenticated);
  auto blocked = auth_->sign_in("15003-aa", password_, client_);
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, ErrorCode::kTooManyRequests);
  Actor other = client_;
  other.remote_address = "192.0.2.77";
  EXPECT_TRUE(auth_->sign_in("15003-aa", password_, other));
}

TEST_F(AuthServiceDb, IdleTimeoutEndsSession) {
  auto s = auth_->sign_in("15003-jc", password_, client_);
  ASSERT_TRUE(s);
  advance_seconds(29 * 60);
  ASSERT_TRUE(auth_->session(s->session_id, client_));  // touches last_seen
  advance_seconds(29 * 60);
  ASSERT_TRUE(auth_->session(s->session_id, client_));
  advance_seconds(31 * 60);
  auto expired = auth_->session(s->session_id, client_);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(audit_actions().back(), "auth.session_expired");
}

TEST_F(AuthServiceDb, AbsoluteTimeoutEndsActiveSession) {
  auto s = auth_->sign_in("15003-jc", password_, client_);
  ASSERT_TRUE(s);
  for (int i = 0; i < 20; ++i) {  // active every 29 minutes for 9h40
    advance_seconds(29 * 60);
    ASSERT_TRUE(auth_->session(s->session_id, client_)) << i;
  }
  advance_seconds(29 * 60);  // now past 10 h
  EXPECT_FALSE(auth_->session(s->session_id, client_));
}

TEST_F(AuthServiceDb, SignOutEndsSessionAndIsAudited) {
  auto s = auth_->sign_in("15003-jc", password_, client_);
  ASSERT_TRUE(s);
  Actor me = client_;
  me.username = "15003-jc";
  ASSERT_TRUE(auth_->sign_out(s->session_id, me));
  EXPECT_FALSE(auth_->session(s->session_id, client_));
  EXPECT_EQ(audit_actions().back(), "auth.sign_out");
}

TEST_F(AuthServiceDb, TokensAuthenticateUntilExpiry) {
  auto t = auth_->issue_token("15003-jc", password_, client_);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->expires_at_ms, kStart + 8 * 3600 * 1000);
  auto u = auth_->authenticate_token(t->token);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->username, "15003-jc");
  EXPECT_FALSE(auth_->authenticate_token(t->token + "x"));
  advance_seconds(8 * 3600);
  EXPECT_FALSE(auth_->authenticate_token(t->token));
}

TEST_F(AuthServiceDb, RevocationInAnotherProcessIsSeenWithinTheTokenCacheTime) {
  auto t = auth_->issue_token("15003-jc", password_, client_);
  ASSERT_TRUE(t);
  ASSERT_TRUE(auth_->authenticate_token(t->token));  // now cached in this "process"
  AuthService other_process(*db_, [this] { return now_.load(); });
  ASSERT_TRUE(other_process.disable_user("15003-jc", admin_));
  EXPECT_FALSE(other_process.authenticate_token(t->token));
  advance_seconds(1);  // AuthOptions::token_cache_millis
  EXPECT_FALSE(auth_->authenticate_token(t->token));
}

TEST_F(AuthServiceDb, WithoutTokenCacheRevocationIsImmediateEverywhere) {
  AuthOptions no_cache;
  no_cache.token_cache_millis = 0;
  AuthService a(*db_, [this] { return now_.load(); }, no_cache);
  auto t = a.issue_token("15003-jc", password_, client_);
  ASSERT_TRUE(t);
  ASSERT_TRUE(a.authenticate_token(t->token));
  AuthService other_process(*db_, [this] { return now_.load(); });
  ASSERT_TRUE(other_process.disable_user("15003-jc", admin_));
  EXPECT_FALSE(a.authenticate_token(t->token));
}

TEST_F(AuthServiceDb, DisablingEndsSessionsAndTokens) {
  auto s = auth_->sign_in("15003-jc", password_, client_);
  auto t = auth_->issue_token("15003-jc", password_, client_);
  ASSERT_TRUE(s && t);
  ASSERT_TRUE(auth_->disable_user("15003-jc", admin_));
  EXPECT_FALSE(auth_->session(s->session_id, client_));
  EXPECT_FALSE(auth_->authenticate_token(t->token));
  auto again = auth_->sign_in("15003-jc", password_, client_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, "Benutzername oder Passwort ist falsch.");
}

TEST_F(AuthServiceDb, NewPasswordEndsOldSessions) {
  auto s = auth_->sign_in("15003-jc", password_, client_);
  ASSERT_TRUE(s);
  ASSERT_TRUE(auth_->set_password("15003-jc", "ein-neues-passwort", admin_));
  EXPECT_FALSE(auth_->session(s->session_id, client_));
  EXPECT_FALSE(auth_->sign_in("15003-jc", password_, client_));
  EXPECT_TRUE(auth_->sign_in("15003-jc", "ein-neues-passwort", client_));
  auto actions = audit_actions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "user.set_password"), actions.end());
}

TEST_F(AuthServiceDb, AddUserValidatesAndChangesNothingOnError) {
  auto count = [&] {
    return *db_->read([](store::Executor& x) { return x.query_int("SELECT COUNT(*) FROM users"); });
  };
  const auto before = count();
  NewUser nu{.username = "neu", .display_name = "Neu", .role = Role::kCaseWorker,
             .agency_key = "99999-jc", .password = "lang-genug-passwort"};
  auto r = auth_->add_user(nu, admin_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "agency");
  nu.agency_key = "";
  EXPECT_EQ(auth_->add_user(nu, admin_).error().field, "agency");
  nu.agency_key = "15003-ja";
  nu.password = "kurz";
  EXPECT_EQ(auth_->add_user(nu, admin_).error().field, "password");
  nu.password = "lang-genug-passwort";
  nu.username = "Großbuchstaben!";
  EXPECT_EQ(auth_->add_user(nu, admin_).error().field, "username");
  nu.username = "15003-jc";
  EXPECT_EQ(auth_->add_user(nu, admin_).error().field, "username");  // exists
  nu.role = Role::kCoordinator;
  nu.username = "koord";
  nu.alliance_ags = "99999";
  EXPECT_EQ(auth_->add_user(nu, admin_).error().field, "alliance");
  EXPECT_EQ(count(), before);
}

TEST_F(AuthServiceDb, RolesGetTheirOrganisation) {
  User coord = add("15003-koord", Role::kCoordinator, "", "15003");
  EXPECT_EQ(coord.alliance_name, "Magdeburg");
  EXPECT_TRUE(coord.agency_key.empty());
  User land = add("land", Role::kStateOffice, "", "");
  EXPECT_EQ(land.agency_key, "land");
  EXPECT_EQ(land.agency_name, "Landesnetzwerkstelle RÜMSA Sachsen-Anhalt");
  User admin = add("admin", Role::kAdmin, "", "");
  EXPECT_TRUE(admin.agency_key.empty());
  auto users = auth_->list_users();
  ASSERT_TRUE(users);
  EXPECT_EQ(users->size(), 4u);
}

TEST_F(AuthServiceDb, AuditChainStaysValidThroughAllOfThis) {
  ASSERT_TRUE(auth_->sign_in("15003-jc", password_, client_));
  ASSERT_FALSE(auth_->sign_in("15003-jc", "falsch", client_));
  ASSERT_TRUE(auth_->disable_user("15003-jc", admin_));
  auto report = privacy::AuditLog::verify(*db_);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->entries_checked, 4);  // add, sign_in, failed, disable
}

TEST(Roles, RoundTrip) {
  for (Role r : {Role::kCaseWorker, Role::kCoordinator, Role::kStateOffice, Role::kAdmin})
    EXPECT_EQ(*parse_role(role_name(r)), r);
  EXPECT_FALSE(parse_role("root"));
}

TEST(Passwords, Argon2idHashesVerify) {
  const std::string h = hash_password("geheimes-passwort");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password(h, "geheimes-passwort"));
  EXPECT_FALSE(verify_password(h, "geheimes-passwort2"));
  EXPECT_NE(h, hash_password("geheimes-passwort"));  // salted
}

}  // namespace
}  // namespace lotse::identity
