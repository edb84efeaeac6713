#include "store/sqlite_database.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "store/connection_pool.h"
#include "store/store_internal.h"
#include "store/wal_checkpointer.h"

namespace lotse::store {

namespace {

constexpr int kBusyTimeoutMs = 5000;
// Page cache per connection (SQLite's default is 2 MB). At a million
// persons the interior B-tree pages of the tables and indexes a case page
// touches are ~10 MB; with 2 MB nearly every lookup re-reads them from the
// OS (pread). 16 MB keeps them; the pool opens a connection per concurrent
// caller, so a server with 2-4 busy threads stays well inside its memory
// budget (bench/casework.sh measures RSS). No mmap: mapped pages of a
// 1.4 GB file would count as resident memory.
constexpr const char* kCacheSizePragma = "PRAGMA cache_size = -16384;";
constexpr std::size_t kPoolSize = 8;
// Bounds the prepared-statement cache of one connection; code that builds
// SQL dynamically (IN lists of varying length) must not grow it forever.
constexpr std::size_t kMaxCachedStatements = 256;
// A log this long after a background checkpoint is copied back with the
// writers held (SqliteDatabase::checkpoint): 8 MB at 4 kB pages.
constexpr int kLogPagesBeforeCatchUp = 8 * WalCheckpointer::kPagesBeforeCheckpoint;
// How long an in-process writer waits for the others before giving up.
constexpr auto kWriteQueueTimeout = std::chrono::seconds(30);

Error sqlite_error(sqlite3* db, int rc, std::string_view sql) {
  const int extended = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      // RAISE(ABORT, ...) in a trigger guards an invariant (the append-only
      // audit log): a bug in the caller, like PostgreSQL's RAISE EXCEPTION.
      if (extended == SQLITE_CONSTRAINT_TRIGGER) return Error::internal(msg);
      return Error::conflict(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::unavailable("the database is busy: " + msg);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return Error::unavailable("the database cannot be written: " + msg);
    default:
      if (sql.empty()) return Error::internal("SQLite: " + msg);
      return Error::internal("SQLite: " + msg + " (in: " + sql_snippet(sql) + ")");
  }
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Both logs as one view, a batch's items as rows of their own (as
// migration 16 on PostgreSQL). json_each only for batches: other details
// are not parsed.
constexpr const char* kAuditEntriesView =
    "CREATE TEMP VIEW audit_entries AS "
    "SELECT 'audit_log' AS log, a.seq, a.seq AS change_seq, a.at, a.actor, "
    "COALESCE(json_extract(i.value, '$.action'), a.action) AS action, "
    "COALESCE(json_extract(i.value, '$.object'), a.object) AS object, "
    "COALESCE(json_extract(i.value, '$.legal_basis'), a.legal_basis) AS legal_basis, "
    "a.request_id, COALESCE(json_extract(i.value, '$.details'), a.details) AS details, "
    "a.prev_hash, a.hash, COALESCE(i.key + 1, 0) AS item FROM main.audit_log a "
    "LEFT JOIN json_each(CASE WHEN a.action = 'batch' THEN a.details END, '$.items') i "
    "UNION ALL "
    "SELECT 'read_log', r.seq, r.as_of, r.at, r.actor, "
    "COALESCE(json_extract(i.value, '$.action'), r.action), "
    "COALESCE(json_extract(i.value, '$.object'), r.object), "
    "COALESCE(json_extract(i.value, '$.legal_basis'), r.legal_basis), "
    "r.request_id, COALESCE(json_extract(i.value, '$.details'), r.details), "
    "r.prev_hash, r.hash, COALESCE(i.key + 1, 0) FROM reads.read_log r "
    "LEFT JOIN json_each(CASE WHEN r.action = 'batch' THEN r.details END, '$.items') i";

// The read log lives in a file of its own beside the database (PATH-reads),
// attached to every connection as schema "reads" (migration 15). A gated read
// appends its audit entries there: in WAL mode every commit to a file makes
// all other connections drop their page cache of that file at their next
// transaction, and with the entries in the main file each page view did
// that to the cases, persons and handovers every other request reads.
Result<void> attach_read_log(sqlite3* db, const std::string& path) {
  const std::string file = path == ":memory:" ? path : path + "-reads";
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS reads", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(stmt, 1, file.c_str(), static_cast<int>(file.size()), SQLITE_TRANSIENT);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  std::string msg = rc == SQLITE_OK ? "" : sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  // Both logs as one view, for queries by hand (PostgreSQL: migration 15).
  // A view of the main schema cannot name an attached one; a TEMP view,
  // which lives as long as the connection, can.
  if (rc == SQLITE_OK) {
    rc = sqlite3_exec(db, kAuditEntriesView, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) msg = sqlite3_errmsg(db);
  }
  if (rc != SQLITE_OK) return Error::unavailable("cannot open the read log " + file + ": " + msg);
  return ok();
}

// Before the first connection: no memory statistics. With them, every
// allocation of every connection takes one process-wide mutex (SQLite's
// SQLITE_CONFIG_MEMSTATUS, on by default), and two server threads that
// allocate while stepping through rows wait for each other there (seen as
// sleeps in sqlite3Malloc and sqlite3_free under load). Lotse never reads
// them. Too late once SQLite is initialised (another library in the
// process may have done so); then nothing changes.
void configure_sqlite_once() {
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
}

// One sqlite3 handle with its prepared statements. Used by one thread at a
// time (the pool guarantees it), hence SQLITE_OPEN_NOMUTEX.
class SqliteConnection {
 public:
  // `checkpointer`: runs this connection's checkpoints instead of its
  // commits; null keeps SQLite's automatic checkpoint.
  static Result<std::unique_ptr<SqliteConnection>> open(const std::string& path,
                                                        WalCheckpointer* checkpointer) {
    configure_sqlite_once();
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
      sqlite3_close(db);
      return Error::unavailable("cannot open SQLite database " + path + ": " + msg);
    }
    auto conn = std::unique_ptr<SqliteConnection>(new SqliteConnection(db));
    sqlite3_extended_result_codes(db, 1);
    // The busy timeout first: switching to WAL needs a lock that another
    // connection may hold at this moment.
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    // When several connections (or processes started together) open a new
    // file at once, the switch to WAL fails with SQLITE_BUSY without the busy
    // handler being asked: it needs an exclusive lock. Retry for as long as
    // the busy timeout would have waited.
    LOTSE_TRY(attach_read_log(db, path));
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    auto pause = std::chrono::milliseconds(1);
    while (true) {
      char* err = nullptr;
      rc = sqlite3_exec(db,
                        (std::string("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                                     "PRAGMA synchronous=NORMAL; PRAGMA reads.journal_mode=WAL; "
                                     "PRAGMA reads.synchronous=NORMAL; ") +
                         kCacheSizePragma)
                            .c_str(),
                        nullptr, nullptr, &err);
      std::string msg = rc == SQLITE_OK ? "" : err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      if (rc == SQLITE_OK) {
        // Replaces SQLite's automatic checkpoint (itself a WAL hook).
        if (checkpointer) sqlite3_wal_hook(db, &WalCheckpointer::on_commit, checkpointer);
        return conn;
      }
      const int primary = rc & 0xff;
      if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) ||
          std::chrono::steady_clock::now() >= deadline) {
        return Error::unavailable("cannot set up SQLite database " + path + ": " + msg);
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
  }

  ~SqliteConnection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }

  sqlite3* db() const { return db_; }

  // A prepared statement from the cache, or newly prepared and cached.
  Result<sqlite3_stmt*> prepare(std::string_view sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, sql);
    if (!stmt) return Error::internal("empty SQL statement");
    // One statement per call, as on PostgreSQL (whose prepared statements
    // cannot hold several); exec_script() runs scripts.
    const char* end = sql.data() + sql.size();
    if (tail && tail < end) {
      sqlite3_stmt* extra = nullptr;
      sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &extra, nullptr);
      if (extra) {
        sqlite3_finalize(extra);
        sqlite3_finalize(stmt);
        return Error::internal(
            "query()/exec() run one statement; use exec_script() for several (in: " +
            sql_snippet(sql) + ")");
      }
    }
    if (statements_.size() >= kMaxCachedStatements) clear_statements();
    statements_.emplace(std::string(sql), stmt);
    return stmt;
  }

  // Runs a parameterless statement (BEGIN, COMMIT, ROLLBACK).
  int run_simple(std::string_view sql) {
    auto stmt = prepare(sql);
    if (!stmt) return SQLITE_ERROR;
    int rc = sqlite3_step(*stmt);
    sqlite3_reset(*stmt);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
  }

  void rollback_if_open() {
    if (!sqlite3_get_autocommit(db_)) run_simple("ROLLBACK");
  }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  void clear_statements() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    statements_.clear();
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> statements_;
};

class SqliteExecutor final : public Executor {
 public:
  SqliteExecutor(SqliteConnection& conn, bool read_only) : Executor(read_only), conn_(conn) {}

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
    if (read_only()) return first_.note(Error::internal("exec_script() inside read()"));
    std::string script(sql);  // sqlite3_exec needs a terminating NUL
    char* err = nullptr;
    int rc = sqlite3_exec(conn_.db(), script.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return first_.note(sqlite_error(conn_.db(), rc, ""));
    return ok();
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  const std::optional<Error>& first_error() const { return first_.get(); }

 private:
  Result<void> run(std::string_view sql, const Params& params, Rows* rows, std::int64_t* changes) {
    sqlite3* db = conn_.db();
    auto prepared = conn_.prepare(sql);
    if (!prepared) return first_.note(prepared.error());
    sqlite3_stmt* stmt = *prepared;
    // Resets the statement on every path out, so the cached statement holds
    // no read lock and no bound values into the next use.
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{stmt};

    // read() is a read transaction on PostgreSQL (READ ONLY); refusing
    // writes here too keeps code that only works on SQLite from passing.
    if (read_only() && !sqlite3_stmt_readonly(stmt)) {
      return first_.note(
          Error::internal("a writing statement inside read() (in: " + sql_snippet(sql) + ")"));
    }
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      return first_.note(Error::internal("the statement has " + std::to_string(expected) +
                                         " placeholders but " + std::to_string(params.size()) +
                                         " parameters were given (in: " + sql_snippet(sql) + ")"));
    }
    for (int i = 0; i < expected; ++i) {
      const Value& v = params.values()[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(v)) {
        rc = sqlite3_bind_null(stmt, i + 1);
      } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, i + 1, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, i + 1, *d);
      } else {
        // SQLITE_STATIC: `params` outlives the statement's use (reset above).
        const std::string& s = std::get<std::string>(v);
        // PostgreSQL rejects NUL in text; refusing it here too keeps both alike.
        if (std::memchr(s.data(), '\0', s.size()) != nullptr) {
          return first_.note(Error::invalid("", "text must not contain NUL characters"));
        }
        rc = sqlite3_bind_text64(stmt, i + 1, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) return first_.note(sqlite_error(db, rc, sql));
    }

    const sqlite3_int64 total_before = sqlite3_total_changes64(db);
    const int columns = sqlite3_column_count(stmt);
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return first_.note(sqlite_error(db, rc, sql));
      if (!rows) continue;
      std::vector<std::optional<std::string>> cols;
      cols.reserve(columns);
      for (int c = 0; c < columns; ++c) cols.push_back(column_text(stmt, c));
      rows->emplace_back(std::move(cols));
    }
    if (changes) {
      // sqlite3_changes() keeps the count of the last INSERT/UPDATE/DELETE,
      // also after DDL; the total tells whether this statement changed rows.
      *changes = sqlite3_total_changes64(db) != total_before ? sqlite3_changes64(db) : 0;
    }
    return ok();
  }

  static std::optional<std::string> column_text(sqlite3_stmt* stmt, int c) {
    switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_NULL:
        return std::nullopt;
      case SQLITE_INTEGER:
        return format_int(sqlite3_column_int64(stmt, c));
      case SQLITE_FLOAT:
        // sqlite3_column_text() would print only 15 significant digits.
        return format_double(sqlite3_column_double(stmt, c));
      case SQLITE_BLOB: {
        const void* p = sqlite3_column_blob(stmt, c);
        int n = sqlite3_column_bytes(stmt, c);
        return std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
      }
      default: {
        const unsigned char* p = sqlite3_column_text(stmt, c);
        int n = sqlite3_column_bytes(stmt, c);
        return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
      }
    }
  }

  SqliteConnection& conn_;
  FirstError first_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, bool memory)
      : path_(std::move(path)),
        // An in-memory database has no write-ahead log.
        checkpointer_(memory ? nullptr
                             : std::make_unique<WalCheckpointer>([this](const std::string& schema) {
                                 return checkpoint(schema);
                               })),
        // An in-memory database exists per connection, so all callers share
        // one connection.
        pool_(memory ? 1 : kPoolSize,
              [this] { return SqliteConnection::open(path_, checkpointer_.get()); }) {}

  Result<void> open_first() {
    auto conn = SqliteConnection::open(path_, checkpointer_.get());
    if (!conn) return conn.error();
    LOTSE_TRY(check_read_log(**conn));
    pool_.add_idle(std::move(*conn));
    return ok();
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string describe() const override { return "sqlite:" + path_; }

 protected:
  Result<void> run_read(const std::function<Result<void>(Executor&)>& fn) override {
    return run(Txn::kRead, fn);
  }

  Result<void> run_write(const std::function<Result<void>(Executor&)>& fn) override {
    return run_writer(Txn::kWrite, fn);
  }

  Result<void> run_kept_writes(const std::function<Result<void>(Executor&)>& fn) override {
    return run_writer(Txn::kReadLogWrite, fn);
  }

 private:
  // kReadLogWrite: a write transaction that takes the write lock of the read
  // log's file only. BEGIN IMMEDIATE locks every attached file, so an
  // audited read would also hold the main file's lock, which other
  // processes' writers (lotse import, retention) then wait for.
  enum class Txn { kRead, kWrite, kReadLogWrite };

  Result<void> run_writer(Txn txn, const std::function<Result<void>(Executor&)>& fn) {
    const auto self = std::this_thread::get_id();
    if (writer_.load() == self) {
      return Error::internal("write() nested in write() on the same database");
    }
    std::unique_lock lock(write_mu_, std::defer_lock);
    if (!lock.try_lock_for(kWriteQueueTimeout)) {
      return Error::unavailable("the database is busy: too many writers");
    }
    writer_.store(self);
    struct ClearWriter {
      std::atomic<std::thread::id>& w;
      ~ClearWriter() { w.store(std::thread::id{}); }
    } clear{writer_};
    return run(txn, fn);
  }

  Result<void> run(Txn txn, const std::function<Result<void>(Executor&)>& fn) {
    const bool write = txn != Txn::kRead;
    LOTSE_ASSIGN_OR_RETURN(auto lease, pool_.acquire());
    SqliteConnection& conn = *lease;
    // A statement left half-done by an earlier failure would keep the
    // transaction open; make sure each call starts clean.
    conn.rollback_if_open();
    int rc = conn.run_simple(txn == Txn::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
    if (rc != SQLITE_OK) return sqlite_error(conn.db(), rc, "");
    if (txn == Txn::kReadLogWrite) {
      // A statement that writes the read log's head (and changes no row)
      // starts the write transaction there, before anything is read.
      rc = conn.run_simple("UPDATE reads.read_head SET seq = seq WHERE 0");
      if (rc != SQLITE_OK) {
        Error e = sqlite_error(conn.db(), rc, "");
        conn.rollback_if_open();
        return e;
      }
    }

    SqliteExecutor x(conn, !write);
    Result<void> result = call_guarded(fn, x);
    if (result && x.first_error()) result = *x.first_error();
    if (result) {
      rc = conn.run_simple("COMMIT");
      if (rc == SQLITE_OK) return ok();
      result = sqlite_error(conn.db(), rc, "");
    }
    conn.rollback_if_open();
    return result;
  }

  // A database migrated to schema 15 or later keeps its read log in the file
  // beside it. Without that file (a copy of the main file alone) the reads
  // of case data could not be audited: refuse to open rather than start an
  // empty read log.
  Result<void> check_read_log(SqliteConnection& conn) {
    const bool migrated =
        count(conn, "SELECT COUNT(*) FROM main.sqlite_master WHERE name = 'schema_migrations'") >
            0 &&
        count(conn, "SELECT COUNT(*) FROM schema_migrations WHERE version >= 15") > 0;
    if (migrated &&
        count(conn, "SELECT COUNT(*) FROM reads.sqlite_master WHERE name = 'read_log'") == 0)
      return Error::unavailable("the read log " + path_ +
                                "-reads is missing or empty; copy it together with the "
                                "database file");
    return ok();
  }

  static std::int64_t count(SqliteConnection& conn, const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    std::int64_t n = 0;
    if (sqlite3_prepare_v2(conn.db(), sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
  }

  // On the checkpointer's thread only: a connection of its own (opened on
  // first use), then a PASSIVE checkpoint, which copies what no reader still
  // needs and never waits. It fails with SQLITE_BUSY while another process
  // checkpoints; the next commit asks again.
  int checkpoint(const std::string& schema) {
    if (!checkpoint_conn_) {
      auto conn = SqliteConnection::open(path_, nullptr);
      if (!conn) return 0;  // the next commit asks again; requests see the error themselves
      checkpoint_conn_ = std::move(*conn);
    }
    int log_pages = 0;
    sqlite3_wal_checkpoint_v2(checkpoint_conn_->db(), schema.c_str(), SQLITE_CHECKPOINT_PASSIVE,
                              &log_pages, nullptr);
    // Writers go on appending while the checkpoint copies and syncs, and
    // SQLite starts the log from the beginning again only after a checkpoint
    // that copied all of it: under steady load the log would grow without
    // end (measured: 100 MB in 6 s). Once it is long, copy the rest with this
    // process's writers held for that moment (one copy and sync, ~4 ms), and
    // the next commit starts the log anew.
    if (log_pages >= kLogPagesBeforeCatchUp) {
      std::lock_guard hold_writers(write_mu_);
      sqlite3_wal_checkpoint_v2(checkpoint_conn_->db(), schema.c_str(), SQLITE_CHECKPOINT_PASSIVE,
                                nullptr, nullptr);
    }
    return log_pages;
  }

  const std::string path_;
  // Destroyed in reverse: the pool's connections first (their hooks point
  // at the checkpointer), then the checkpointer's thread, then what that
  // thread uses (its connection, the writers' mutex).
  std::timed_mutex write_mu_;
  std::unique_ptr<SqliteConnection> checkpoint_conn_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
  ConnectionPool<SqliteConnection> pool_;
  std::atomic<std::thread::id> writer_{};
};

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite(const std::string& path) {
  const bool memory = path == ":memory:";
  auto db = std::make_unique<SqliteDatabase>(path, memory);
  LOTSE_TRY(db->open_first());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace lotse::store
