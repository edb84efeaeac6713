// Adapter-independent parts of the database interface: row accessors, the
// Executor conveniences, and open_database()'s URL dispatch.
#include "lotse/store/database.h"

#include <charconv>
#include <cmath>
#include <exception>
#include <limits>
#include <system_error>

#include "store/postgres_database.h"
#include "store/sqlite_database.h"
#include "store/store_internal.h"

namespace lotse::store {

namespace {

bool parse_double(const std::string& s, double* out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc{} && ptr == end;
}

}  // namespace

const std::string& Row::text(std::size_t i) const {
  static const std::string kEmpty;
  const auto& col = cols_.at(i);
  return col ? *col : kEmpty;
}

std::int64_t Row::integer(std::size_t i) const {
  const auto& col = cols_.at(i);
  if (!col || col->empty()) return 0;
  const std::string& s = *col;
  // PostgreSQL prints booleans (e.g. `EXISTS (...)`) as t/f.
  if (s == "t") return 1;
  if (s == "f") return 0;
  std::int64_t v = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec == std::errc{} && ptr == end) return v;
  // A REAL column or an AVG() read as an integer: truncate like a C cast,
  // clamped so that out-of-range values do not invoke undefined behaviour.
  double d = 0;
  if (!parse_double(s, &d) || std::isnan(d)) return 0;
  if (d >= 9.2233720368547758e18) return std::numeric_limits<std::int64_t>::max();
  if (d <= -9.2233720368547758e18) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(d);
}

double Row::real(std::size_t i) const {
  const auto& col = cols_.at(i);
  if (!col || col->empty()) return 0.0;
  double d = 0;
  return parse_double(*col, &d) ? d : 0.0;
}

Result<Row> Executor::query_one(std::string_view sql, const Params& params) {
  LOTSE_ASSIGN_OR_RETURN(Rows rows, query(sql, params));
  if (rows.empty()) return Error::not_found("no matching row");
  return std::move(rows.front());
}

Result<void> Executor::write_after_read(Work work) {
  if (!read_only_) return work(*this);
  deferred_.push_back(std::move(work));
  return ok();
}

std::shared_ptr<void>& Executor::attachment(const void* key) {
  for (auto& [k, value] : attachments_)
    if (k == key) return value;
  return attachments_.emplace_back(key, nullptr).second;
}

Result<std::int64_t> Executor::query_int(std::string_view sql, const Params& params) {
  LOTSE_ASSIGN_OR_RETURN(Row row, query_one(sql, params));
  if (row.size() == 0) return Error::internal("query_int: the statement returned no columns");
  return row.integer(0);
}

std::string format_int(std::int64_t v) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ptr);
}

std::string format_double(double v) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ptr);
}

Result<void> call_guarded(const std::function<Result<void>(Executor&)>& fn, Executor& x) {
  try {
    return fn(x);
  } catch (const std::exception& e) {
    return Error::internal(std::string("exception in database transaction: ") + e.what());
  } catch (...) {
    return Error::internal("unknown exception in database transaction");
  }
}

std::string sql_snippet(std::string_view sql) {
  constexpr std::size_t kMax = 80;
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() >= kMax) {
      out += "...";
      break;
    }
  }
  return out;
}

Result<std::unique_ptr<Database>> open_database(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    std::string path = url.substr(kSqlite.size());
    if (path.empty()) {
      return Error::invalid("database", "the SQLite URL has no path; use sqlite:PATH");
    }
    return open_sqlite(path);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return open_postgres(url);
  }
  // Name only the scheme: the rest of an unknown URL may hold a password.
  std::string scheme;
  for (char c : url) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '+' || c == '-' || c == '.';
    if (!allowed || scheme.size() >= 20) break;
    scheme.push_back(c);
  }
  std::string what = scheme.empty() || url.size() <= scheme.size() || url[scheme.size()] != ':'
                         ? std::string("unrecognised database URL")
                         : "unsupported database URL scheme \"" + scheme + "\"";
  return Error::invalid("database",
                        what + "; expected sqlite:PATH or postgresql://USER@HOST:PORT/DB");
}

}  // namespace lotse::store
