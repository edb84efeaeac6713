// Accounts, sign-in, sessions and API tokens.
//
//   AuthService auth(db, clock, AuthOptions{});
//   auto signed_in = auth.sign_in("15003-jc", "demo", actor);  // kUnauthenticated / kTooManyRequests
//   set_cookie(signed_in->session_id);                         // the only copy of the secret
//   auto s = auth.session(cookie_value, actor);                // per request; touches last_seen
//   auto t = auth.issue_token("15003-jc", "demo", actor);      // API: {token, expires_at}
//   auto u = auth.authenticate_token(bearer);
//
// Secrets (session ids, tokens) are random 256-bit values; the database keeps
// only their BLAKE2b hash. Passwords are Argon2id (libsodium). Unknown user and
// wrong password give the same error. Failed sign-ins are throttled per
// account and per client address. Every sign-in, failure, sign-out and account
// change is written to the audit log in the same transaction.
//
// Thread safety: safe to call concurrently; state lives in the database, so
// several server processes can share sessions.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include "lotse/common/clock.h"
#include "lotse/common/result.h"
#include "lotse/identity/user.h"
#include "lotse/store/database.h"

namespace lotse::identity {

struct AuthOptions {
  std::int64_t session_idle_seconds = 30 * 60;
  std::int64_t session_absolute_seconds = 10 * 60 * 60;
  std::int64_t token_lifetime_seconds = 8 * 60 * 60;
  int max_failures_per_account = 5;     // within throttle_window_seconds
  int max_failures_per_address = 20;
  std::int64_t throttle_window_seconds = 15 * 60;
  // How long a verified API token is remembered in this process. Revocation
  // (disable, new password, expiry) takes effect in this process at once and
  // in other server processes within this time. 0 turns the cache off.
  std::int64_t token_cache_millis = 1000;
};

struct Session {
  User user;
  std::string csrf_token;
  std::int64_t expires_at_ms = 0;  // the earlier of idle and absolute expiry
};

struct SignedIn {
  std::string session_id;  // cookie value; never stored in clear
  Session session;
};

struct ApiToken {
  std::string token;
  std::int64_t expires_at_ms = 0;
};

struct NewUser {
  std::string username;
  std::string display_name;
  Role role = Role::kCaseWorker;
  std::string agency_key;    // required for case workers
  std::string alliance_ags;  // required for coordinators (case workers: taken from agency)
  std::string password;
};

class AuthService {
 public:
  // `db` must outlive the service.
  AuthService(store::Database& db, Clock clock, AuthOptions options = {});

  Result<SignedIn> sign_in(const std::string& username, const std::string& password,
                           const Actor& actor);
  // The session for a cookie value, or kUnauthenticated if unknown or expired.
  Result<Session> session(const std::string& session_id, const Actor& actor);
  Result<void> sign_out(const std::string& session_id, const Actor& actor);

  Result<ApiToken> issue_token(const std::string& username, const std::string& password,
                               const Actor& actor);
  Result<User> authenticate_token(const std::string& token);

  // Account administration (CLI and admin pages). `actor` is audited.
  // kDemo allows the short demo password "demo"; only `lotse demo` uses it.
  enum class PasswordRule { kEnforce, kDemo };
  Result<User> add_user(const NewUser& user, const Actor& actor,
                        PasswordRule rule = PasswordRule::kEnforce);
  Result<std::vector<User>> list_users();
  Result<User> find_user(const std::string& username);
  Result<void> disable_user(const std::string& username, const Actor& actor);
  Result<void> set_password(const std::string& username, const std::string& password,
                            const Actor& actor);

  static constexpr std::size_t kMinPasswordLength = 10;

 private:
  struct CachedToken {
    User user;
    std::int64_t valid_until_ms;  // min(token expiry, time cached + token_cache_millis)
  };
  void forget_cached_tokens();

  store::Database& db_;
  Clock clock_;
  AuthOptions options_;
  std::mutex token_cache_mutex_;
  std::unordered_map<std::string, CachedToken> token_cache_;  // key: token hash
};

// Argon2id hash / verify (libsodium crypto_pwhash_str, interactive limits:
// about 64 MiB and 0.1 s per hash, so brute force over a stolen table is slow).
std::string hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);

}  // namespace lotse::identity
