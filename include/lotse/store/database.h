// The one database interface every module uses. Adapters: SQLite (default,
// embedded) and PostgreSQL (libpq). SQL is written once, with `?` placeholders;
// the PostgreSQL adapter rewrites them to $1, $2, ... Portable SQL only:
// INTEGER/BIGINT, TEXT, REAL; times are BIGINT unix seconds; booleans 0/1;
// `INSERT ... RETURNING id` works on both.
//
//   auto db = open_database("sqlite:lotse.db");           // or postgresql://...
//   if (!db) return db.error();
//   auto rows = (*db)->read([&](Executor& x) -> Result<Rows> {
//     return x.query("SELECT id, name FROM agencies WHERE alliance_ags = ?", {"15003"});
//   });
//   Result<void> r = (*db)->write([&](Executor& x) -> Result<void> {
//     LOTSE_TRY(x.exec("UPDATE users SET disabled = 1 WHERE id = ?", {user_id}));
//     return ok();
//   });
//
// Thread safety: a Database is shared by all threads. Each read()/write() call
// takes a connection from the adapter's pool for its duration; an Executor must
// not escape the callback. write() runs the callback in one transaction
// (SQLite: BEGIN IMMEDIATE, so writers are serialised and never deadlock on
// upgrade); if the callback returns an error, or throws, the transaction is
// rolled back and nothing is written. read() runs in a read transaction
// (one consistent snapshot); work it must write because of what it read
// (audit entries) is kept and written right after it, before it returns
// (Executor::write_after_read).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "lotse/common/result.h"

namespace lotse::store {

// A bound parameter. nullptr_t binds SQL NULL.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// Brace-initialisable parameter list: {"15003", std::int64_t{4}, nullptr}.
class Params {
 public:
  Params() = default;
  Params(std::initializer_list<Value> values) : values_(values) {}
  explicit Params(std::vector<Value> values) : values_(std::move(values)) {}
  void push_back(Value v) { values_.push_back(std::move(v)); }
  const std::vector<Value>& values() const { return values_; }
  std::size_t size() const { return values_.size(); }

 private:
  std::vector<Value> values_;
};

// One result row; every column is text or NULL (both adapters read text).
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cols) : cols_(std::move(cols)) {}
  std::size_t size() const { return cols_.size(); }
  bool is_null(std::size_t i) const { return !cols_.at(i).has_value(); }
  // Text of column i ("" for NULL).
  const std::string& text(std::size_t i) const;
  // Integer value of column i (0 for NULL). Also reads PostgreSQL's 't'/'f'.
  std::int64_t integer(std::size_t i) const;
  double real(std::size_t i) const;
  std::optional<std::string> optional_text(std::size_t i) const { return cols_.at(i); }

 private:
  std::vector<std::optional<std::string>> cols_;
};

using Rows = std::vector<Row>;

enum class Dialect { kSqlite, kPostgres };

// Executes statements inside the current transaction.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual Result<Rows> query(std::string_view sql, const Params& params = {}) = 0;
  // Returns the number of rows changed.
  virtual Result<std::int64_t> exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs a script of several statements without parameters (migrations).
  virtual Result<void> exec_script(std::string_view sql) = 0;
  virtual Dialect dialect() const = 0;

  // Convenience: first row or kNotFound.
  Result<Row> query_one(std::string_view sql, const Params& params = {});
  // Convenience: first column of first row as integer (e.g. RETURNING id, COUNT(*)).
  Result<std::int64_t> query_int(std::string_view sql, const Params& params = {});

  // Whether this is read()'s executor (a snapshot that cannot write).
  bool read_only() const { return read_only_; }

  // Work that must be written because of what was read: the audit entries
  // of a gated read. Inside write() it runs at once, in this transaction.
  // Inside read() it is kept, and read() runs everything kept in one write
  // transaction after the snapshot has ended and before it returns; if that
  // write fails, read() fails with its error and the caller gets nothing of
  // what it read. So reads run in parallel and only the short append waits
  // for the writer lock. Work kept by a callback that fails is dropped, as a
  // failed write() rolls back. Kept work writes the read log only (schema
  // "reads" on SQLite): its transaction there locks that file alone, so
  // other processes' writers to the main file do not wait for page views.
  using Work = std::function<Result<void>(Executor&)>;
  Result<void> write_after_read(Work work);

  // State a layer above keeps for the rest of this read() or write(), under
  // a key of its own (the address of one of its statics): lets several calls
  // in one read add to the same kept work instead of each keeping its own
  // (AuditLog writes one read-log entry per read). Empty until set; dropped
  // with the executor.
  std::shared_ptr<void>& attachment(const void* key);

 protected:
  explicit Executor(bool read_only) : read_only_(read_only) {}

 private:
  friend class Database;  // takes the kept work when a read() ends
  std::vector<Work> take_deferred_writes() { return std::move(deferred_); }

  const bool read_only_;
  std::vector<Work> deferred_;
  std::vector<std::pair<const void*, std::shared_ptr<void>>> attachments_;  // a few at most
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // A short description without credentials, e.g. "sqlite:lotse.db".
  virtual std::string describe() const = 0;

  template <typename F>
  auto read(F&& fn) -> std::invoke_result_t<F, Executor&> {
    return run_returning(&Database::run_read, std::forward<F>(fn));
  }

  template <typename F>
  auto write(F&& fn) -> std::invoke_result_t<F, Executor&> {
    return run_returning(&Database::run_write, std::forward<F>(fn));
  }

 protected:
  // Adapters implement these: take a pooled connection, begin, run fn, commit
  // if fn succeeded, else roll back. Exceptions from fn roll back and become
  // kInternal errors.
  virtual Result<void> run_read(const std::function<Result<void>(Executor&)>& fn) = 0;
  virtual Result<void> run_write(const std::function<Result<void>(Executor&)>& fn) = 0;
  // The write transaction of the work a read() kept (write_after_read),
  // which writes the read log only. An adapter may lock less for it than
  // for run_write; by default it is run_write.
  virtual Result<void> run_kept_writes(const std::function<Result<void>(Executor&)>& fn) {
    return run_write(fn);
  }

 private:
  using Runner = Result<void> (Database::*)(const std::function<Result<void>(Executor&)>&);

  // Runs fn through run_read/run_write and hands back fn's own Result, or the
  // adapter's error when begin/commit failed.
  template <typename F>
  auto run_returning(Runner runner, F&& fn) -> std::invoke_result_t<F, Executor&> {
    using R = std::invoke_result_t<F, Executor&>;
    std::optional<R> out;
    std::vector<Executor::Work> deferred;
    Result<void> status = (this->*runner)([&](Executor& x) -> Result<void> {
      out.emplace(fn(x));
      if (!*out) return out->error();
      deferred = x.take_deferred_writes();
      return ok();
    });
    if (!status) return status.error();
    if (!deferred.empty()) {
      Result<void> written = run_kept_writes([&](Executor& w) -> Result<void> {
        for (const Executor::Work& work : deferred) LOTSE_TRY(work(w));
        return ok();
      });
      if (!written) return written.error();
    }
    return std::move(*out);
  }
};

// Opens "sqlite:PATH" (also "sqlite::memory:" for tests) or
// "postgresql://user@host:port/db" / "postgres://...". The URL's credentials
// never appear in describe() or in errors.
Result<std::unique_ptr<Database>> open_database(const std::string& url);

// Applies pending numbered migrations; returns the schema version afterwards.
// Safe to run from several processes at once (serialised by a lock).
Result<int> migrate(Database& db);

// The schema version the code expects (the highest migration number).
int latest_schema_version();

}  // namespace lotse::store
