// SQLite-specific behaviour that the contract suite does not cover: the
// shared in-memory database, transaction nesting, the read log's file and
// which files a transaction locks.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <thread>
#include <vector>

#include "lotse/store/database.h"
#include "support/sqlite_files.h"

namespace lotse::store {
namespace {

TEST(SqliteMemory, AllCallersSeeOneDatabase) {
  auto db = open_database("sqlite::memory:");
  ASSERT_TRUE(db.ok()) << db.error().message;
  EXPECT_EQ((*db)->describe(), "sqlite::memory:");
  auto version = migrate(**db);
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(*version, latest_schema_version());

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto r = (*db)->write([&](Executor& x) {
        return x.exec("INSERT INTO sign_in_failures (scope, at) VALUES (?, ?)",
                      {"addr:" + std::to_string(t), std::int64_t{t}});
      });
      EXPECT_TRUE(r.ok()) << r.error().message;
    });
  }
  for (auto& t : threads) t.join();
  auto n =
      (*db)->read([](Executor& x) { return x.query_int("SELECT COUNT(*) FROM sign_in_failures"); });
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 4);
}

TEST(SqliteMemory, NestedTransactionsFailInsteadOfHanging) {
  auto db = open_database("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  auto r = (*db)->write([&](Executor&) -> Result<void> {
    return (*db)->read([](Executor& x) { return x.query("SELECT 1"); }).ok()
               ? ok()
               : Error::internal("nested read failed");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

TEST(SqliteFile, NestedWriteFailsInsteadOfHanging) {
  lotse::testing::SqliteFiles files("nested_write");
  auto db = open_database("sqlite:" + files.path);
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto inner = Result<void>(ok());
  auto outer = (*db)->write([&](Executor&) -> Result<void> {
    inner = (*db)->write([](Executor& x) -> Result<void> { return ok(); });
    return ok();
  });
  EXPECT_TRUE(outer.ok());
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, ErrorCode::kInternal);
  // A nested read works: it reads the last committed state.
  auto read = (*db)->write([&](Executor&) -> Result<void> {
    return (*db)->read([](Executor& x) { return x.query("SELECT 1"); }).ok()
               ? ok()
               : Error::internal("nested read failed");
  });
  EXPECT_TRUE(read.ok()) << read.error().message;
  db->reset();
}

// The read log lives in PATH-reads. A copy of the main file without it
// would have to start an empty read log: opening refuses and names the file.
TEST(SqliteFile, RefusesToOpenWithoutItsReadLog) {
  lotse::testing::SqliteFiles files("read_log");
  const std::string& path = files.path;
  {
    auto db = open_database("sqlite:" + path);
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto version = migrate(**db);
    ASSERT_TRUE(version.ok()) << version.error().message;
  }
  files.remove_read_log();
  auto reopened = open_database("sqlite:" + path);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(reopened.error().message.find(path + "-reads"), std::string::npos)
      << reopened.error().message;
}

// Whether another connection (as another process would have) can start a
// write transaction on `file` at once, without waiting.
int try_begin_immediate(const std::string& file) {
  sqlite3* other = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &other, SQLITE_OPEN_READWRITE, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout(other, 0);
    rc = sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  sqlite3_close_v2(other);
  return rc;
}

// The audit entries a read keeps are written to the read log only, so their
// write transaction locks the read log's file and leaves the main file free
// for other processes' writers (lotse import, lotse retention run); a
// write() locks both.
TEST(SqliteFile, KeptWorkOfAReadLocksTheReadLogOnly) {
  lotse::testing::SqliteFiles files("kept_work");
  auto db = open_database("sqlite:" + files.path);
  ASSERT_TRUE(db.ok()) << db.error().message;
  ASSERT_TRUE(migrate(**db).ok());

  int main_during_kept = -1, reads_during_kept = -1;
  auto read = (*db)->read([&](Executor& x) -> Result<void> {
    // The kept work has not written yet: its transaction holds the read
    // log's lock from the start (appending after a read of the log could
    // otherwise fail on a snapshot another process has since moved on).
    return x.write_after_read([&](Executor&) -> Result<void> {
      main_during_kept = try_begin_immediate(files.path);
      reads_during_kept = try_begin_immediate(files.path + "-reads");
      return ok();
    });
  });
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(main_during_kept, SQLITE_OK);
  EXPECT_EQ(reads_during_kept, SQLITE_BUSY);

  int main_during_write = -1;
  auto write = (*db)->write([&](Executor&) -> Result<void> {
    main_during_write = try_begin_immediate(files.path);
    return ok();
  });
  ASSERT_TRUE(write.ok()) << write.error().message;
  EXPECT_EQ(main_during_write, SQLITE_BUSY);
  db->reset();
}

}  // namespace
}  // namespace lotse::store
