#include "support/test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "store/postgres_database.h"
#include "support/pg_cluster.h"

namespace lotse::testing {

namespace {

enum class Backend { kSqlite, kPostgres };

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "[test_database] FATAL: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

Backend backend() {
  static const Backend b = [] {
    const char* env = std::getenv("LOTSE_TEST_BACKEND");
    const std::string v = env ? env : "";
    if (v.empty() || v == "sqlite") return Backend::kSqlite;
    if (v == "postgres" || v == "postgresql") return Backend::kPostgres;
    fail("LOTSE_TEST_BACKEND must be \"sqlite\" or \"postgres\", not \"" + v + "\"");
  }();
  return b;
}

std::atomic<int> g_counter{0};

std::string unique_suffix() {
  return std::to_string(::getpid()) + "_" + std::to_string(++g_counter);
}

// The per-process directory for SQLite test databases.
class SqliteDir {
 public:
  static SqliteDir& instance() {
    static SqliteDir dir;
    return dir;
  }
  ~SqliteDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string new_url() { return "sqlite:" + path_ + "/t_" + unique_suffix() + ".db"; }

 private:
  SqliteDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/lotse-test-XXXXXX";
    if (!::mkdtemp(tmpl.data())) fail("mkdtemp(" + tmpl + ") failed");
    path_ = tmpl;
  }
  std::string path_;
};

std::unique_ptr<store::Database> open_or_fail(const std::string& url) {
  auto db = store::open_database(url);
  if (!db) fail("cannot open test database " + url + ": " + db.error().message);
  return std::move(*db);
}

void migrate_or_fail(store::Database& db) {
  auto version = store::migrate(db);
  if (!version)
    fail("migrating test database " + db.describe() + " failed: " + version.error().message);
}

// On PostgreSQL the schema is migrated once into a template database, and
// each test database is a copy of it: CREATE DATABASE ... TEMPLATE is faster
// than running the migrations again.
const std::string& pg_template() {
  static const std::string name = [] {
    PgCluster& pg = PgCluster::instance();
    std::string n = "t_" + std::to_string(::getpid()) + "_template";
    pg.create_database(n);
    // Closed at the end of this block: a template must have no connections.
    migrate_or_fail(*open_or_fail(pg.url(n)));
    return n;
  }();
  return name;
}

std::string new_pg_database(bool migrated) {
  PgCluster& pg = PgCluster::instance();
  std::string name = "t_" + unique_suffix();
  pg.create_database(name, migrated ? pg_template() : "");
  return name;
}

}  // namespace

std::string test_backend_name() {
  return backend() == Backend::kSqlite ? "sqlite" : "postgres";
}

std::unique_ptr<store::Database> test_database() {
  if (backend() == Backend::kSqlite) {
    auto db = open_or_fail(SqliteDir::instance().new_url());
    migrate_or_fail(*db);
    return db;
  }
  const std::string name = new_pg_database(true);
  const std::string url = PgCluster::instance().url(name);
  // Dropped when the test is done with it, so long suites do not fill /tmp
  // with copies of the schema.
  auto db = store::open_postgres(url, [name] {
    if (PgCluster* pg = PgCluster::running()) pg->drop_database(name);
  });
  if (!db) fail("cannot open test database " + url + ": " + db.error().message);
  return std::move(*db);
}

std::string test_database_url() {
  if (backend() == Backend::kSqlite) {
    std::string url = SqliteDir::instance().new_url();
    migrate_or_fail(*open_or_fail(url));
    return url;
  }
  return PgCluster::instance().url(new_pg_database(true));
}

std::string test_empty_database_url() {
  if (backend() == Backend::kSqlite) return SqliteDir::instance().new_url();
  return PgCluster::instance().url(new_pg_database(false));
}

}  // namespace lotse::testing
