// SQLite-specific behaviour that the contract suite cannot cover because it
// runs on files: the shared in-memory database and transaction nesting.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace lotse::store
