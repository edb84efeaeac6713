#include "store/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include "store/connection_pool.h"
#include "store/store_internal.h"

namespace lotse::store {

namespace {

constexpr std::size_t kPoolSize = 8;
constexpr std::size_t kMaxCachedStatements = 256;
// Parameter types sent with PQprepare. Integers are declared int8 so that
// `at < ? - 3600` with millisecond timestamps is not inferred as int4 and
// overflows; text and NULL stay "unknown" and take the column's type.
constexpr Oid kInt8Oid = 20;
constexpr Oid kFloat8Oid = 701;

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

bool ident_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || u >= 0x80;
}

// Passwords from the URL, raw and decoded, to be blanked out of any message.
class Secrets {
 public:
  explicit Secrets(const std::string& url) {
    // libpq reads user[:password] up to the first '@' or '/' after "://".
    if (auto start = url.find("://"); start != std::string::npos) {
      start += 3;
      auto stop = url.find_first_of("@/", start);
      if (stop != std::string::npos && url[stop] == '@') {
        auto colon = url.find(':', start);
        if (colon < stop) add(url.substr(colon + 1, stop - colon - 1));
      }
    }
    if (auto q = url.find('?'); q != std::string::npos) {
      std::string_view query = std::string_view(url).substr(q + 1);
      while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view param = query.substr(0, amp);
        if (param.starts_with("password=")) add(std::string(param.substr(9)));
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      }
    }
    char* err = nullptr;
    if (PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err)) {
      for (PQconninfoOption* o = opts; o->keyword; ++o) {
        if (std::strcmp(o->keyword, "password") == 0 && o->val) add(o->val);
      }
      PQconninfoFree(opts);
    }
    if (err) PQfreemem(err);
  }

  std::string scrub(std::string msg) const {
    for (const std::string& s : secrets_) {
      for (auto pos = msg.find(s); pos != std::string::npos; pos = msg.find(s, pos + 3)) {
        msg.replace(pos, s.size(), "***");
      }
    }
    return msg;
  }

 private:
  void add(std::string s) {
    if (!s.empty()) secrets_.push_back(std::move(s));
  }
  std::vector<std::string> secrets_;
};

// libpq messages end in a newline and may span lines ("DETAIL: ...").
std::string one_line(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

Error pg_error(PGconn* conn, const PGresult* res, std::string_view sql, const Secrets& secrets) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string msg = secrets.scrub(one_line(primary ? primary : PQerrorMessage(conn)));
  const std::string_view code = state ? state : "";
  if (PQstatus(conn) != CONNECTION_OK || code.starts_with("08") || code.starts_with("53") ||
      code.starts_with("57P")) {
    return Error::unavailable("PostgreSQL is unavailable: " + msg);
  }
  // Unique, foreign key, check and not-null violations.
  if (code.starts_with("23")) return Error::conflict(msg);
  // Serialization failure or deadlock: nothing wrong with the request, a
  // retry may succeed.
  if (code.starts_with("40")) return Error::unavailable("transaction cancelled: " + msg);
  // RAISE EXCEPTION in a trigger guards an invariant (append-only audit log).
  if (code == "P0001") return Error::internal(msg);
  if (sql.empty()) return Error::internal("PostgreSQL: " + msg);
  return Error::internal("PostgreSQL: " + msg + " (in: " + sql_snippet(sql) + ")");
}

bool has_nul(const std::string& s) {
  return std::memchr(s.data(), '\0', s.size()) != nullptr;
}

class PgConnection {
 public:
  static Result<std::unique_ptr<PgConnection>> open(const std::string& url,
                                                    const std::string& description,
                                                    const Secrets& secrets) {
    // Keywords before "dbname" are defaults the URL can override.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "lotse", url.c_str(), nullptr};
    PGconn* raw = PQconnectdbParams(keys, values, 1);
    if (!raw) return Error::unavailable("cannot connect to " + description + ": out of memory");
    auto conn = std::unique_ptr<PgConnection>(new PgConnection(raw));
    if (PQstatus(raw) != CONNECTION_OK) {
      return Error::unavailable("cannot connect to " + description + ": " +
                                secrets.scrub(one_line(PQerrorMessage(raw))));
    }
    // NOTICEs (e.g. "relation already exists, skipping") would go to stderr.
    PQsetNoticeProcessor(
        raw, [](void*, const char*) {}, nullptr);
    PgResult res(PQexec(raw, "SET client_min_messages = warning"));
    if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
      return pg_error(raw, res.get(), "", secrets);
    }
    return conn;
  }

  ~PgConnection() { PQfinish(conn_); }

  PGconn* get() const { return conn_; }
  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }

  // The name of the prepared statement for `key`, if prepared already.
  const std::string* find_statement(std::string_view key) const {
    auto it = statements_.find(key);
    return it == statements_.end() ? nullptr : &it->second;
  }

  Result<const std::string*> prepare(std::string key, const std::string& sql,
                                     const std::vector<Oid>& types, std::string_view original,
                                     const Secrets& secrets) {
    if (statements_.size() >= kMaxCachedStatements) {
      PgResult res(PQexec(conn_, "DEALLOCATE ALL"));
      if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
        return pg_error(conn_, res.get(), "", secrets);
      }
      statements_.clear();
    }
    std::string name = "lotse_" + std::to_string(++statement_counter_);
    PgResult res(
        PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(types.size()), types.data()));
    if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
      return pg_error(conn_, res.get(), original, secrets);
    }
    auto [it, inserted] = statements_.emplace(std::move(key), std::move(name));
    return &it->second;
  }

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> statements_;
  std::uint64_t statement_counter_ = 0;
};

class PgExecutor final : public Executor {
 public:
  PgExecutor(PgConnection& conn, const Secrets& secrets, bool read_only)
      : Executor(read_only), conn_(conn), secrets_(secrets) {}

  Result<Rows> query(std::string_view sql, const Params& params) override {
    Rows rows;
    LOTSE_TRY(run(sql, params, &rows, nullptr));
    return rows;
  }

  Result<std::int64_t> exec(std::string_view sql, const Params& params) override {
    std::int64_t changes = 0;
    LOTSE_TRY(run(sql, params, nullptr, &changes));
    return changes;
  }

  Result<void> exec_script(std::string_view sql) override {
    std::string script(sql);
    PgResult res(PQexec(conn_.get(), script.c_str()));
    const auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
      return first_.note(pg_error(conn_.get(), res.get(), "", secrets_));
    }
    return ok();
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  const std::optional<Error>& first_error() const { return first_.get(); }

 private:
  Result<void> run(std::string_view sql, const Params& params, Rows* rows, std::int64_t* changes) {
    const auto& values = params.values();
    // The statement is prepared per SQL text and parameter types: the same
    // SQL with NULL where an integer was is a different prepared statement.
    std::string key;
    key.reserve(sql.size() + 1 + values.size());
    key.append(sql);
    key.push_back('\0');
    for (const Value& v : values) {
      key.push_back(std::holds_alternative<std::int64_t>(v) ? 'i'
                    : std::holds_alternative<double>(v)     ? 'd'
                                                            : 'u');
    }
    const std::string* name = conn_.find_statement(key);
    if (!name) {
      RewrittenSql rewritten = rewrite_placeholders(sql);
      if (rewritten.placeholders != static_cast<int>(values.size())) {
        return first_.note(
            Error::internal("the statement has " + std::to_string(rewritten.placeholders) +
                            " placeholders but " + std::to_string(values.size()) +
                            " parameters were given (in: " + sql_snippet(sql) + ")"));
      }
      std::vector<Oid> types;
      types.reserve(values.size());
      for (const Value& v : values) {
        types.push_back(std::holds_alternative<std::int64_t>(v) ? kInt8Oid
                        : std::holds_alternative<double>(v)     ? kFloat8Oid
                                                                : 0);
      }
      auto prepared = conn_.prepare(std::move(key), rewritten.text, types, sql, secrets_);
      if (!prepared) return first_.note(prepared.error());
      name = *prepared;
    }

    std::vector<std::string> numbers(values.size());
    std::vector<const char*> texts(values.size(), nullptr);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const Value& v = values[i];
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        numbers[i] = format_int(*n);
        texts[i] = numbers[i].c_str();
      } else if (const auto* d = std::get_if<double>(&v)) {
        numbers[i] = format_double(*d);
        texts[i] = numbers[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        if (has_nul(*s)) {
          return first_.note(Error::invalid("", "text must not contain NUL characters"));
        }
        texts[i] = s->c_str();
      }
    }
    PgResult res(PQexecPrepared(conn_.get(), name->c_str(), static_cast<int>(values.size()),
                                texts.data(), nullptr, nullptr, 0));
    const auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      return first_.note(pg_error(conn_.get(), res.get(), sql, secrets_));
    }
    if (rows && status == PGRES_TUPLES_OK) {
      const int n_rows = PQntuples(res.get());
      const int n_cols = PQnfields(res.get());
      rows->reserve(static_cast<std::size_t>(n_rows));
      for (int r = 0; r < n_rows; ++r) {
        std::vector<std::optional<std::string>> cols;
        cols.reserve(static_cast<std::size_t>(n_cols));
        for (int c = 0; c < n_cols; ++c) {
          if (PQgetisnull(res.get(), r, c)) {
            cols.emplace_back(std::nullopt);
          } else {
            cols.emplace_back(std::string(PQgetvalue(res.get(), r, c),
                                          static_cast<std::size_t>(PQgetlength(res.get(), r, c))));
          }
        }
        rows->emplace_back(std::move(cols));
      }
    }
    if (changes) {
      // Like SQLite's sqlite3_changes(): rows written, so 0 for a SELECT.
      const std::string_view tag = PQcmdStatus(res.get());
      const std::string_view count = PQcmdTuples(res.get());
      *changes = 0;
      if (!tag.starts_with("SELECT")) {
        std::from_chars(count.data(), count.data() + count.size(), *changes);
      }
    }
    return ok();
  }

  PgConnection& conn_;
  const Secrets& secrets_;
  FirstError first_;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, std::function<void()> on_close)
      : url_(std::move(url)),
        description_(describe_postgres_url(url_)),
        secrets_(url_),
        pool_(kPoolSize, [this] { return PgConnection::open(url_, description_, secrets_); }),
        on_close_(std::move(on_close)) {}

  ~PostgresDatabase() override {
    pool_.clear_idle();
    if (on_close_) on_close_();
  }

  Result<void> open_first() {
    auto conn = PgConnection::open(url_, description_, secrets_);
    if (!conn) return conn.error();
    pool_.add_idle(std::move(*conn));
    return ok();
  }

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string describe() const override { return description_; }

 protected:
  Result<void> run_read(const std::function<Result<void>(Executor&)>& fn) override {
    // One snapshot for the whole callback, and no writes (as on SQLite).
    return run(/*read_only=*/true, fn);
  }

  Result<void> run_write(const std::function<Result<void>(Executor&)>& fn) override {
    return run(/*read_only=*/false, fn);
  }

 private:
  using Lease = ConnectionPool<PgConnection>::Lease;

  Result<void> run(bool read_only, const std::function<Result<void>(Executor&)>& fn) {
    const char* begin = read_only ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN";
    std::optional<Lease> lease;
    // A pooled connection may have died while idle (server restart, network
    // timeout). That shows at BEGIN, before the callback ran, so one retry on
    // a fresh connection is safe.
    for (int attempt = 0;; ++attempt) {
      auto acquired = pool_.acquire();
      if (!acquired) return acquired.error();
      lease.emplace(std::move(*acquired));
      PGconn* c = (*lease)->get();
      PgResult res(PQexec(c, begin));
      if (res && PQresultStatus(res.get()) == PGRES_COMMAND_OK) break;
      Error error = pg_error(c, res.get(), "", secrets_);
      const bool broken = (*lease)->broken();
      lease->discard();
      lease.reset();
      if (!broken || attempt >= 1) return error;
      pool_.clear_idle();
    }

    PgConnection& conn = **lease;
    PGconn* c = conn.get();
    PgExecutor x(conn, secrets_, read_only);
    Result<void> result = call_guarded(fn, x);
    if (result && x.first_error()) result = *x.first_error();
    if (result && PQtransactionStatus(c) == PQTRANS_INERROR) {
      result = Error::internal("the transaction was aborted by an earlier error");
    }
    if (result) {
      PgResult res(PQexec(c, "COMMIT"));
      if (res && PQresultStatus(res.get()) == PGRES_COMMAND_OK) {
        // COMMIT of an aborted transaction "succeeds" as ROLLBACK.
        if (std::strcmp(PQcmdStatus(res.get()), "COMMIT") == 0) return ok();
        result = Error::internal("the transaction was rolled back by the server");
      } else {
        result = pg_error(c, res.get(), "", secrets_);
      }
    }
    if (!conn.broken() && PQtransactionStatus(c) != PQTRANS_IDLE) {
      PgResult res(PQexec(c, "ROLLBACK"));
    }
    if (conn.broken() || PQtransactionStatus(c) != PQTRANS_IDLE) {
      lease->discard();
      pool_.clear_idle();
    }
    return result;
  }

  const std::string url_;
  const std::string description_;
  const Secrets secrets_;
  ConnectionPool<PgConnection> pool_;
  std::function<void()> on_close_;
};

}  // namespace

RewrittenSql rewrite_placeholders(std::string_view sql) {
  RewrittenSql out;
  out.text.reserve(sql.size() + 8);
  const std::size_t n = sql.size();
  std::size_t i = 0;
  auto copy_to = [&](std::size_t end) {
    end = std::min(end, n);
    out.text.append(sql.substr(i, end - i));
    i = end;
  };
  // The end of a quoted section starting at `i`: a doubled quote is an
  // escaped quote; in E'...' a backslash escapes the next character.
  auto quoted_end = [&](char quote, bool backslash) {
    std::size_t j = i + 1;
    while (j < n) {
      if (backslash && sql[j] == '\\') {
        j += 2;
      } else if (sql[j] == quote) {
        ++j;
        if (j < n && sql[j] == quote) {
          ++j;
        } else {
          return j;
        }
      } else {
        ++j;
      }
    }
    return n;
  };

  while (i < n) {
    const char c = sql[i];
    const char next = i + 1 < n ? sql[i + 1] : '\0';
    const char prev = i > 0 ? sql[i - 1] : '\0';
    if (c == '\'') {
      const bool e_string =
          (prev == 'E' || prev == 'e') && (i < 2 || !(ident_char(sql[i - 2]) || sql[i - 2] == '$'));
      copy_to(quoted_end('\'', e_string));
    } else if (c == '"') {
      copy_to(quoted_end('"', false));
    } else if (c == '-' && next == '-') {
      copy_to(sql.find('\n', i));
    } else if (c == '/' && next == '*') {
      // PostgreSQL block comments nest.
      std::size_t j = i + 2;
      int depth = 1;
      while (j < n && depth > 0) {
        if (sql[j] == '/' && j + 1 < n && sql[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (sql[j] == '*' && j + 1 < n && sql[j + 1] == '/') {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      }
      copy_to(j);
    } else if (c == '$' && !(ident_char(prev) || prev == '$') &&
               (next == '$' ||
                (ident_char(next) && !std::isdigit(static_cast<unsigned char>(next))))) {
      // $$...$$ or $tag$...$tag$; `$1` (a digit) is not a tag.
      std::size_t j = i + 1;
      while (j < n && ident_char(sql[j])) ++j;
      if (j < n && sql[j] == '$') {
        const std::string_view tag = sql.substr(i, j - i + 1);
        const std::size_t close = sql.find(tag, j + 1);
        copy_to(close == std::string_view::npos ? n : close + tag.size());
      } else {
        copy_to(j);
      }
    } else if (c == '?') {
      out.text.push_back('$');
      out.text += std::to_string(++out.placeholders);
      ++i;
    } else {
      out.text.push_back(c);
      ++i;
    }
  }
  return out;
}

std::string describe_postgres_url(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (err) PQfreemem(err);
  if (!opts) return "postgresql://(invalid URL)";
  std::string user, host, hostaddr, port, dbname;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    std::string_view key = o->keyword;
    if (key == "user") user = o->val;
    if (key == "host") host = o->val;
    if (key == "hostaddr") hostaddr = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") dbname = o->val;
  }
  PQconninfoFree(opts);
  std::string out = "postgresql://";
  if (!user.empty()) out += user + "@";
  out += host.empty() ? hostaddr : host;
  if (!port.empty()) out += ":" + port;
  if (!dbname.empty()) out += "/" + dbname;
  return out;
}

Result<std::unique_ptr<Database>> open_postgres(const std::string& url,
                                                std::function<void()> on_close) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (!opts) {
    std::string detail = err ? one_line(err) : "out of memory";
    if (err) PQfreemem(err);
    return Error::invalid("database",
                          "invalid PostgreSQL URL: " + Secrets(url).scrub(std::move(detail)));
  }
  PQconninfoFree(opts);
  auto db = std::make_unique<PostgresDatabase>(url, std::move(on_close));
  LOTSE_TRY(db->open_first());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace lotse::store
