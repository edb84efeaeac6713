#include "store/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lotse/store/database.h"

namespace lotse::store {
namespace {

// What the checkpointer's thread was asked to do, in order.
struct Calls {
  std::mutex mu;
  std::condition_variable changed;
  std::vector<std::pair<std::string, std::thread::id>> calls;

  void add(const std::string& schema) {
    {
      std::lock_guard lock(mu);
      calls.emplace_back(schema, std::this_thread::get_id());
    }
    changed.notify_all();
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return calls.size() >= n; });
  }
};

TEST(WalCheckpointer, CheckpointsALongLogOnItsOwnThreadOnly) {
  Calls seen;
  WalCheckpointer checkpointer([&](const std::string& schema) { seen.add(schema); });
  // A commit that leaves the main log short asks for nothing; one that
  // brings the read log to the threshold asks for that log only.
  EXPECT_EQ(WalCheckpointer::on_commit(&checkpointer, nullptr, "main",
                                       WalCheckpointer::kPagesBeforeCheckpoint - 1),
            0);
  EXPECT_EQ(WalCheckpointer::on_commit(&checkpointer, nullptr, "reads",
                                       WalCheckpointer::kPagesBeforeCheckpoint),
            0);
  ASSERT_TRUE(seen.wait_for(1));
  std::lock_guard lock(seen.mu);
  ASSERT_EQ(seen.calls.size(), 1u);
  EXPECT_EQ(seen.calls[0].first, "reads");
  EXPECT_NE(seen.calls[0].second, std::this_thread::get_id());
}

TEST(WalCheckpointer, ACommitDuringACheckpointAsksAgain) {
  Calls seen;
  std::mutex gate;
  std::unique_lock hold(gate);  // the first checkpoint waits here
  WalCheckpointer checkpointer([&](const std::string& schema) {
    seen.add(schema);
    std::lock_guard wait(gate);
  });
  checkpointer.request("main");
  ASSERT_TRUE(seen.wait_for(1));
  // The log grew while the first checkpoint ran: one more checkpoint, for
  // both commits.
  checkpointer.request("main");
  checkpointer.request("main");
  hold.unlock();
  ASSERT_TRUE(seen.wait_for(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::lock_guard lock(seen.mu);
  EXPECT_EQ(seen.calls.size(), 2u);
}

// On a database file, the log is copied back into the file while the
// database stays open, without any caller running a checkpoint: the file
// grows by what was written.
TEST(SqliteFile, CopiesTheLogBackIntoTheFileWhileOpen) {
  const std::string path =
      ::testing::TempDir() + "/checkpoint_" + std::to_string(::getpid()) + ".db";
  auto remove_all = [&] {
    for (const char* suffix : {"", "-wal", "-shm", "-reads", "-reads-wal", "-reads-shm"})
      std::remove((path + suffix).c_str());
  };
  remove_all();
  auto db = open_database("sqlite:" + path);
  ASSERT_TRUE(db.ok()) << db.error().message;
  constexpr std::uintmax_t kWritten = 6'000'000;  // 1,500 pages of 4 kB
  for (const std::string schema : {"main", "reads"}) {
    const std::string file = schema == "main" ? path : path + "-reads";
    auto written = (*db)->write([&](Executor& x) -> Result<void> {
      LOTSE_TRY(x.exec_script("CREATE TABLE " + schema + ".filler (b BLOB)"));
      LOTSE_TRY(x.exec("INSERT INTO " + schema +
                       ".filler WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                       "WHERE i < 1500) SELECT zeroblob(4000) FROM n"));
      return ok();
    });
    ASSERT_TRUE(written.ok()) << written.error().message;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::filesystem::file_size(file) < kWritten &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GE(std::filesystem::file_size(file), kWritten) << schema;
  }
  db->reset();
  remove_all();
}

}  // namespace
}  // namespace lotse::store
