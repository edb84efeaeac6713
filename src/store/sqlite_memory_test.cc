// SQLite-specific behaviour that the contract suite cannot cover: the shared
// in-memory database, transaction nesting, and WAL checkpoints off the
// request path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "lotse/store/database.h"

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
  std::string path = ::testing::TempDir() + "/nested_write_" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  auto db = open_database("sqlite:" + path);
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
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}


// A commit only appends to the WAL; copying the pages into the database file
// is the checkpointer thread's work, done within a fraction of a second and
// without another write. (SQLite's own checkpoint would wait for a commit
// that crosses 1000 pages and make that request pay for it.)
TEST(SqliteFile, TheWalIsCopiedIntoTheFileWithoutAnotherCommit) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("lotse-ckpt-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "t.db";
  {
    auto db = open_database("sqlite:" + file.string());
    ASSERT_TRUE(db.ok()) << db.error().message;
    ASSERT_TRUE(migrate(**db).ok());
    // Let the migration's pages settle first.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto before = fs::file_size(file);
    // About 600 pages: below SQLite's own 1000-page checkpoint.
    auto written = (*db)->write([&](Executor& x) -> Result<void> {
      for (int i = 0; i < 1200; ++i)
        LOTSE_TRY(x.exec("INSERT INTO sign_in_failures (scope, at) VALUES (?, ?)",
                         {std::string(2000, static_cast<char>('a' + i % 26)) + std::to_string(i),
                          std::int64_t{i}}));
      return ok();
    });
    ASSERT_TRUE(written.ok()) << written.error().message;
    EXPECT_LT(fs::file_size(file), before + 1'000'000) << "the commit checkpointed itself";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (fs::file_size(file) < before + 2'000'000 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_GE(fs::file_size(file), before + 2'000'000);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lotse::store
