#include "lotse/identity/auth_service.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "lotse/common/crypto.h"
#include "lotse/privacy/audit_log.h"

namespace lotse::identity {
namespace {

// Legal bases recorded in the audit log for account security events.
constexpr const char* kSecurityBasis = "Art. 32 DSGVO (Sicherheit der Verarbeitung)";
constexpr const char* kAccountBasis = "Art. 6 Abs. 1 lit. e DSGVO, § 67b SGB X (Kontenverwaltung)";

// The one message for unknown user, wrong password and disabled account, so
// that sign-in does not reveal which usernames exist.
constexpr const char* kBadCredentials = "Benutzername oder Passwort ist falsch.";

constexpr const char* kUserColumns =
    "u.id, u.username, u.display_name, u.role, COALESCE(u.agency_key, ''), "
    "COALESCE(ag.name, ''), COALESCE(u.alliance_ags, ''), COALESCE(al.name, ''), u.disabled";
constexpr const char* kUserJoins =
    " FROM users u LEFT JOIN agencies ag ON ag.agency_key = u.agency_key"
    " LEFT JOIN alliances al ON al.ags = u.alliance_ags";

User user_from(const store::Row& r, std::size_t offset = 0) {
  User u;
  u.id = r.integer(offset + 0);
  u.username = r.text(offset + 1);
  u.display_name = r.text(offset + 2);
  u.role = parse_role(r.text(offset + 3)).value();
  u.agency_key = r.text(offset + 4);
  u.agency_name = r.text(offset + 5);
  u.alliance_ags = r.text(offset + 6);
  u.alliance_name = r.text(offset + 7);
  u.disabled = r.integer(offset + 8) != 0;
  return u;
}

std::string json_details(std::initializer_list<std::pair<const char*, std::string>> fields) {
  boost::json::object o;
  for (const auto& [k, v] : fields) o[k] = v;
  return boost::json::serialize(o);
}

Result<void> audit(store::Executor& x, std::int64_t now, const Actor& actor, std::string action,
                   std::string object, const char* basis, std::string details = "{}") {
  return privacy::AuditLog::append(
      x, now,
      {.actor = actor.username.empty() ? "-" : actor.username,
       .action = std::move(action),
       .object = std::move(object),
       .legal_basis = basis,
       .request_id = actor.request_id,
       .details_json = std::move(details)});
}

Result<void> end_sessions_and_tokens(store::Executor& x, const std::string& username) {
  for (const char* table : {"sessions", "api_tokens"})
    LOTSE_TRY(x.exec(std::string("DELETE FROM ") + table +
                         " WHERE user_id = (SELECT id FROM users WHERE username = ?)",
                     {username}));
  return ok();
}

bool valid_username(const std::string& name) {
  if (name.size() < 2 || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

// A hash of a random password, verified against when the user is unknown so
// that unknown and known users take the same time.
const std::string& dummy_hash() {
  static const std::string hash = hash_password(random_token(16));
  return hash;
}

}  // namespace

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kCaseWorker: return "case_worker";
    case Role::kCoordinator: return "coordinator";
    case Role::kStateOffice: return "state_office";
    case Role::kAdmin: return "admin";
  }
  return "case_worker";
}

Result<Role> parse_role(std::string_view name) {
  if (name == "case_worker") return Role::kCaseWorker;
  if (name == "coordinator") return Role::kCoordinator;
  if (name == "state_office") return Role::kStateOffice;
  if (name == "admin") return Role::kAdmin;
  return Error::invalid("role", "Unbekannte Rolle: " + std::string(name) +
                                    " (case_worker, coordinator, state_office, admin)");
}

std::string hash_password(const std::string& password) {
  crypto_init();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool verify_password(const std::string& hash, const std::string& password) {
  crypto_init();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

AuthService::AuthService(store::Database& db, Clock clock, AuthOptions options)
    : db_(db), clock_(std::move(clock)), options_(options) {}

namespace {

struct Credentials {
  std::optional<User> user;
  std::string hash;
};

}  // namespace

// Shared by sign_in and issue_token: throttle check, password check outside
// any transaction (Argon2id takes ~0.1 s and must not hold the write lock),
// and the failure bookkeeping.
static Result<User> check_credentials(store::Database& db, const Clock& clock,
                                      const AuthOptions& options, const std::string& username,
                                      const std::string& password, const Actor& actor,
                                      const char* purpose) {
  if (username.empty()) return Error::invalid("username", "Bitte geben Sie Ihren Benutzernamen ein.");
  if (password.empty()) return Error::invalid("password", "Bitte geben Sie Ihr Passwort ein.");
  if (username.size() > 200 || password.size() > 1024)
    return Error{ErrorCode::kUnauthenticated, kBadCredentials, {}};

  const std::int64_t now = clock();
  const std::int64_t window_start = now - options.throttle_window_seconds * 1000;
  const std::string user_scope = "user:" + username;
  const std::string addr_scope = "addr:" + actor.remote_address;

  LOTSE_ASSIGN_OR_RETURN(
      Credentials creds, db.read([&](store::Executor& x) -> Result<Credentials> {
        LOTSE_ASSIGN_OR_RETURN(
            std::int64_t user_failures,
            x.query_int("SELECT COUNT(*) FROM sign_in_failures WHERE scope = ? AND at > ?",
                        {user_scope, window_start}));
        LOTSE_ASSIGN_OR_RETURN(
            std::int64_t addr_failures,
            x.query_int("SELECT COUNT(*) FROM sign_in_failures WHERE scope = ? AND at > ?",
                        {addr_scope, window_start}));
        if (user_failures >= options.max_failures_per_account ||
            (!actor.remote_address.empty() && addr_failures >= options.max_failures_per_address))
          return Error{ErrorCode::kTooManyRequests,
                       "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in "
                       "15 Minuten erneut.",
                       {}};
        LOTSE_ASSIGN_OR_RETURN(
            store::Rows rows,
            x.query(std::string("SELECT ") + kUserColumns + ", u.password_hash" + kUserJoins +
                        " WHERE u.username = ?",
                    {username}));
        Credentials c;
        if (!rows.empty()) {
          c.user = user_from(rows.front());
          c.hash = rows.front().text(9);
        }
        return c;
      }));

  const bool password_ok = creds.user ? verify_password(creds.hash, password)
                                      : (verify_password(dummy_hash(), password), false);
  if (password_ok && !creds.user->disabled) return *creds.user;

  Actor who = actor;
  who.username = "-";
  LOTSE_TRY(db.write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("DELETE FROM sign_in_failures WHERE at <= ?", {window_start}));
    LOTSE_TRY(x.exec("INSERT INTO sign_in_failures (scope, at) VALUES (?, ?)", {user_scope, now}));
    if (!actor.remote_address.empty())
      LOTSE_TRY(
          x.exec("INSERT INTO sign_in_failures (scope, at) VALUES (?, ?)", {addr_scope, now}));
    return audit(x, now, who, "auth.sign_in_failed", "user:" + username, kSecurityBasis,
                 json_details({{"purpose", purpose},
                               {"remote_address", actor.remote_address},
                               {"reason", !creds.user          ? "unknown_user"
                                          : creds.user->disabled ? "disabled"
                                                                 : "wrong_password"}}));
  }));
  return Error{ErrorCode::kUnauthenticated, kBadCredentials, {}};
}

Result<SignedIn> AuthService::sign_in(const std::string& username, const std::string& password,
                                      const Actor& actor) {
  LOTSE_ASSIGN_OR_RETURN(User user, check_credentials(db_, clock_, options_, username, password,
                                                      actor, "session"));
  const std::int64_t now = clock_();
  SignedIn out;
  out.session_id = random_token(32);
  out.session.user = user;
  out.session.csrf_token = random_token(32);
  out.session.expires_at_ms = now + std::min(options_.session_idle_seconds,
                                             options_.session_absolute_seconds) * 1000;
  Actor who = actor;
  who.username = user.username;
  LOTSE_TRY(db_.write([&](store::Executor& x) -> Result<void> {
    // Expired sessions of this user are useless; drop them on the way.
    LOTSE_TRY(x.exec("DELETE FROM sessions WHERE user_id = ? AND (last_seen_at < ? OR created_at < ?)",
                     {user.id, now - options_.session_idle_seconds * 1000,
                      now - options_.session_absolute_seconds * 1000}));
    LOTSE_TRY(x.exec("DELETE FROM sign_in_failures WHERE scope = ?", {"user:" + username}));
    LOTSE_TRY(x.exec(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, "
        "remote_address) VALUES (?, ?, ?, ?, ?, ?)",
        {blake2b_hex(out.session_id), user.id, out.session.csrf_token, now, now,
         actor.remote_address}));
    return audit(x, now, who, "auth.sign_in", "user:" + user.username, kSecurityBasis,
                 json_details({{"remote_address", actor.remote_address}}));
  }));
  return out;
}

Result<Session> AuthService::session(const std::string& session_id, const Actor& actor) {
  if (session_id.empty() || session_id.size() > 128)
    return Error{ErrorCode::kUnauthenticated, "Nicht angemeldet.", {}};
  const std::int64_t now = clock_();
  const std::string key = blake2b_hex(session_id);
  struct Found {
    Session session;
    std::int64_t created_at, last_seen_at;
  };
  LOTSE_ASSIGN_OR_RETURN(
      std::optional<Found> found, db_.read([&](store::Executor& x) -> Result<std::optional<Found>> {
        LOTSE_ASSIGN_OR_RETURN(
            store::Rows rows,
            x.query(std::string("SELECT s.csrf_token, s.created_at, s.last_seen_at, ") +
                        kUserColumns + " FROM sessions s JOIN users u ON u.id = s.user_id" +
                        " LEFT JOIN agencies ag ON ag.agency_key = u.agency_key"
                        " LEFT JOIN alliances al ON al.ags = u.alliance_ags WHERE s.id_hash = ?",
                    {key}));
        if (rows.empty()) return std::optional<Found>{};
        Found f;
        f.session.csrf_token = rows[0].text(0);
        f.created_at = rows[0].integer(1);
        f.last_seen_at = rows[0].integer(2);
        f.session.user = user_from(rows[0], 3);
        return std::optional<Found>(std::move(f));
      }));
  if (!found || found->session.user.disabled)
    return Error{ErrorCode::kUnauthenticated, "Nicht angemeldet.", {}};
  const std::int64_t idle_end = found->last_seen_at + options_.session_idle_seconds * 1000;
  const std::int64_t absolute_end = found->created_at + options_.session_absolute_seconds * 1000;
  if (now >= idle_end || now >= absolute_end) {
    LOTSE_TRY(db_.write([&](store::Executor& x) -> Result<void> {
      LOTSE_TRY(x.exec("DELETE FROM sessions WHERE id_hash = ?", {key}));
      Actor who = actor;
      who.username = found->session.user.username;
      return audit(x, now, who, "auth.session_expired", "user:" + found->session.user.username,
                   kSecurityBasis,
                   json_details({{"reason", now >= absolute_end ? "absolute" : "idle"}}));
    }));
    return Error{ErrorCode::kUnauthenticated, "Ihre Sitzung ist abgelaufen.", {}};
  }
  // Touch at most once a minute: a write per page view would serialise reads.
  std::int64_t last_seen = found->last_seen_at;
  if (now - last_seen > 60'000) {
    LOTSE_TRY(db_.write([&](store::Executor& x) {
      return x.exec("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", {now, key});
    }));
    last_seen = now;
  }
  found->session.expires_at_ms =
      std::min(last_seen + options_.session_idle_seconds * 1000, absolute_end);
  return found->session;
}

Result<void> AuthService::sign_out(const std::string& session_id, const Actor& actor) {
  const std::int64_t now = clock_();
  return db_.write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(std::int64_t removed,
                           x.exec("DELETE FROM sessions WHERE id_hash = ?", {blake2b_hex(session_id)}));
    if (removed == 0) return ok();  // already gone: signing out twice is harmless
    return audit(x, now, actor, "auth.sign_out", "user:" + actor.username, kSecurityBasis);
  });
}

Result<ApiToken> AuthService::issue_token(const std::string& username, const std::string& password,
                                          const Actor& actor) {
  LOTSE_ASSIGN_OR_RETURN(User user, check_credentials(db_, clock_, options_, username, password,
                                                      actor, "api_token"));
  const std::int64_t now = clock_();
  ApiToken token{random_token(32), now + options_.token_lifetime_seconds * 1000};
  Actor who = actor;
  who.username = user.username;
  LOTSE_TRY(db_.write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("DELETE FROM api_tokens WHERE user_id = ? AND expires_at <= ?", {user.id, now}));
    LOTSE_TRY(x.exec("DELETE FROM sign_in_failures WHERE scope = ?", {"user:" + username}));
    LOTSE_TRY(x.exec(
        "INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        {blake2b_hex(token.token), user.id, now, token.expires_at_ms}));
    return audit(x, now, who, "auth.token_issued", "user:" + user.username, kSecurityBasis,
                 json_details({{"remote_address", actor.remote_address}}));
  }));
  return token;
}

Result<User> AuthService::authenticate_token(const std::string& token) {
  if (token.empty() || token.size() > 128)
    return Error{ErrorCode::kUnauthenticated, "Ungültiges Token.", {}};
  const std::int64_t now = clock_();
  const std::string key = blake2b_hex(token);
  if (options_.token_cache_millis > 0) {
    std::lock_guard lock(token_cache_mutex_);
    auto it = token_cache_.find(key);
    if (it != token_cache_.end()) {
      if (now < it->second.valid_until_ms) return it->second.user;
      token_cache_.erase(it);
    }
  }
  static const std::string sql = std::string("SELECT ") + kUserColumns + ", t.expires_at" +
                                 " FROM api_tokens t JOIN users u ON u.id = t.user_id"
                                 " LEFT JOIN agencies ag ON ag.agency_key = u.agency_key"
                                 " LEFT JOIN alliances al ON al.ags = u.alliance_ags"
                                 " WHERE t.token_hash = ? AND t.expires_at > ? AND u.disabled = 0";
  LOTSE_ASSIGN_OR_RETURN(store::Rows rows,
                         db_.read([&](store::Executor& x) { return x.query(sql, {key, now}); }));
  if (rows.empty()) return Error{ErrorCode::kUnauthenticated, "Ungültiges oder abgelaufenes Token.", {}};
  User user = user_from(rows.front());
  if (options_.token_cache_millis > 0) {
    const std::int64_t until = std::min(rows.front().integer(9), now + options_.token_cache_millis);
    std::lock_guard lock(token_cache_mutex_);
    // Bounded: a flood of distinct tokens cannot grow it without limit.
    if (token_cache_.size() >= 10'000) token_cache_.clear();
    token_cache_[key] = {user, until};
  }
  return user;
}

void AuthService::forget_cached_tokens() {
  std::lock_guard lock(token_cache_mutex_);
  token_cache_.clear();
}

Result<User> AuthService::add_user(const NewUser& nu, const Actor& actor, PasswordRule rule) {
  if (!valid_username(nu.username))
    return Error::invalid("username",
                          "Benutzername: 2 bis 64 Zeichen aus a-z, 0-9, Punkt, Binde- und "
                          "Unterstrich.");
  if (nu.display_name.empty() || nu.display_name.size() > 200)
    return Error::invalid("display_name", "Bitte geben Sie einen Anzeigenamen an (bis 200 Zeichen).");
  if (rule == PasswordRule::kEnforce && nu.password.size() < kMinPasswordLength)
    return Error::invalid("password", "Das Passwort muss mindestens " +
                                          std::to_string(kMinPasswordLength) + " Zeichen haben.");
  if (nu.password.empty() || nu.password.size() > 1024)
    return Error::invalid("password", "Bitte geben Sie ein Passwort an.");
  // Hash before the transaction: Argon2id is slow and must not hold the write lock.
  const std::string hash = hash_password(nu.password);
  const std::int64_t now = clock_();
  return db_.write([&](store::Executor& x) -> Result<User> {
    std::string agency_key, alliance_ags;
    switch (nu.role) {
      case Role::kCaseWorker: {
        if (nu.agency_key.empty())
          return Error::invalid("agency", "Fachkräfte gehören zu einer Stelle (--agency).");
        LOTSE_ASSIGN_OR_RETURN(store::Rows rows,
                               x.query("SELECT alliance_ags FROM agencies WHERE agency_key = ?",
                                       {nu.agency_key}));
        if (rows.empty() || rows[0].is_null(0))
          return Error::invalid("agency", "Unbekannte Stelle: " + nu.agency_key);
        agency_key = nu.agency_key;
        alliance_ags = rows[0].text(0);
        break;
      }
      case Role::kCoordinator: {
        if (nu.alliance_ags.empty())
          return Error::invalid("alliance", "Koordinierende gehören zu einem Bündnis (--alliance).");
        LOTSE_ASSIGN_OR_RETURN(std::int64_t n, x.query_int("SELECT COUNT(*) FROM alliances WHERE ags = ?",
                                                           {nu.alliance_ags}));
        if (n == 0) return Error::invalid("alliance", "Unbekanntes Bündnis: " + nu.alliance_ags);
        alliance_ags = nu.alliance_ags;
        break;
      }
      case Role::kStateOffice: {
        LOTSE_ASSIGN_OR_RETURN(std::int64_t n, x.query_int(
            "SELECT COUNT(*) FROM agencies WHERE agency_key = 'land'"));
        if (n == 0) return Error::invalid("role", "Die Landesnetzwerkstelle ist nicht angelegt.");
        agency_key = "land";
        break;
      }
      case Role::kAdmin:
        break;
    }
    LOTSE_ASSIGN_OR_RETURN(std::int64_t exists, x.query_int("SELECT COUNT(*) FROM users WHERE username = ?",
                                                            {nu.username}));
    if (exists) return Error::invalid("username", "Den Benutzernamen gibt es schon: " + nu.username);
    auto opt = [](const std::string& s) -> store::Value {
      if (s.empty()) return nullptr;
      return s;
    };
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t id,
        x.query_int("INSERT INTO users (username, display_name, role, agency_key, alliance_ags, "
                    "password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, "
                    "?, ?) RETURNING id",
                    {nu.username, nu.display_name, std::string(role_name(nu.role)),
                     opt(agency_key), opt(alliance_ags), hash, now, now}));
    LOTSE_TRY(audit(x, now, actor, "user.add", "user:" + nu.username, kAccountBasis,
                    json_details({{"role", std::string(role_name(nu.role))},
                                  {"agency", agency_key},
                                  {"alliance", alliance_ags}})));
    LOTSE_ASSIGN_OR_RETURN(store::Row row,
                           x.query_one(std::string("SELECT ") + kUserColumns + kUserJoins +
                                           " WHERE u.id = ?",
                                       {id}));
    return user_from(row);
  });
}

Result<std::vector<User>> AuthService::list_users() {
  return db_.read([&](store::Executor& x) -> Result<std::vector<User>> {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(std::string("SELECT ") + kUserColumns +
                                                     kUserJoins + " ORDER BY u.username"));
    std::vector<User> out;
    for (const auto& r : rows) out.push_back(user_from(r));
    return out;
  });
}

Result<User> AuthService::find_user(const std::string& username) {
  return db_.read([&](store::Executor& x) -> Result<User> {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(std::string("SELECT ") + kUserColumns +
                                                         kUserJoins + " WHERE u.username = ?",
                                                     {username}));
    if (rows.empty()) return Error::not_found("Unbekannter Benutzer: " + username);
    return user_from(rows.front());
  });
}

Result<void> AuthService::disable_user(const std::string& username, const Actor& actor) {
  const std::int64_t now = clock_();
  Result<void> result = db_.write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(std::int64_t changed,
                           x.exec("UPDATE users SET disabled = 1, updated_at = ? WHERE username = ?",
                                  {now, username}));
    if (changed == 0) return Error::not_found("Unbekannter Benutzer: " + username);
    // A disabled account loses its sessions and tokens at once.
    LOTSE_TRY(end_sessions_and_tokens(x, username));
    return audit(x, now, actor, "user.disable", "user:" + username, kAccountBasis);
  });
  forget_cached_tokens();
  return result;
}

Result<void> AuthService::set_password(const std::string& username, const std::string& password,
                                       const Actor& actor) {
  if (password.size() < kMinPasswordLength)
    return Error::invalid("password", "Das Passwort muss mindestens " +
                                          std::to_string(kMinPasswordLength) + " Zeichen haben.");
  if (password.size() > 1024) return Error::invalid("password", "Das Passwort ist zu lang.");
  const std::string hash = hash_password(password);
  const std::int64_t now = clock_();
  Result<void> result = db_.write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        x.exec("UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?",
               {hash, now, username}));
    if (changed == 0) return Error::not_found("Unbekannter Benutzer: " + username);
    // A new password ends every existing session and token of the account.
    LOTSE_TRY(end_sessions_and_tokens(x, username));
    return audit(x, now, actor, "user.set_password", "user:" + username, kAccountBasis);
  });
  forget_cached_tokens();
  return result;
}

}  // namespace lotse::identity
