#include "store/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lotse/store/database.h"
#include "support/sqlite_files.h"

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
  std::size_t count(std::string_view schema) {
    std::lock_guard lock(mu);
    return count_locked(schema);
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return calls.size() >= n; });
  }
  bool wait_for(std::string_view schema, std::size_t n) {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, std::chrono::seconds(10),
                            [&] { return count_locked(schema) >= n; });
  }

 private:
  std::size_t count_locked(std::string_view schema) const {
    return static_cast<std::size_t>(std::count_if(
        calls.begin(), calls.end(), [&](const auto& c) { return c.first == schema; }));
  }
};

TEST(WalCheckpointer, CheckpointsALongLogOnItsOwnThreadOnly) {
  Calls seen;
  WalCheckpointer checkpointer([&](const std::string& schema) {
    seen.add(schema);
    return WalCheckpointer::kPagesBeforeCheckpoint;
  });
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

// A checkpoint copies the newest version of each page and syncs the file:
// the next one waits until the log has grown by the threshold again, or
// until it has reached the threshold after SQLite started it anew.
TEST(WalCheckpointer, AsksAgainAfterTheLogGrewOrStartedAnew) {
  constexpr int kStep = WalCheckpointer::kPagesBeforeCheckpoint;
  Calls seen;
  WalCheckpointer checkpointer([&](const std::string& schema) {
    seen.add(schema);
    return 5 * kStep;  // the log's length the checkpoint found
  });
  auto reads_calls = [&] { return seen.count("reads"); };
  // Waits until everything asked so far is done, the length a checkpoint
  // found included: a request for "main" is handled in the thread's next
  // round at the latest, and a second one, asked once the first is done, in
  // a round after the one that may still be storing a length.
  auto settle = [&] {
    for (int round = 0; round < 2; ++round) {
      const std::size_t before = seen.count("main");
      checkpointer.request("main");
      if (!seen.wait_for("main", before + 1)) return false;
    }
    return true;
  };
  WalCheckpointer::on_commit(&checkpointer, nullptr, "reads", 5 * kStep);
  ASSERT_TRUE(settle());
  EXPECT_EQ(reads_calls(), 1u);
  WalCheckpointer::on_commit(&checkpointer, nullptr, "reads", 6 * kStep - 1);
  ASSERT_TRUE(settle());
  EXPECT_EQ(reads_calls(), 1u);
  WalCheckpointer::on_commit(&checkpointer, nullptr, "reads", 6 * kStep);
  ASSERT_TRUE(settle());
  EXPECT_EQ(reads_calls(), 2u);
  // Started anew: short again, then at the threshold.
  WalCheckpointer::on_commit(&checkpointer, nullptr, "reads", kStep - 1);
  ASSERT_TRUE(settle());
  EXPECT_EQ(reads_calls(), 2u);
  WalCheckpointer::on_commit(&checkpointer, nullptr, "reads", kStep);
  ASSERT_TRUE(settle());
  EXPECT_EQ(reads_calls(), 3u);
}

TEST(WalCheckpointer, ARequestDuringACheckpointAsksOnceMore) {
  Calls seen;
  std::mutex gate;
  std::unique_lock hold(gate);  // the first checkpoint waits here
  WalCheckpointer checkpointer([&](const std::string& schema) {
    seen.add(schema);
    std::lock_guard wait(gate);
    return 0;
  });
  checkpointer.request("main");
  ASSERT_TRUE(seen.wait_for(1));
  // The log grew while the first checkpoint ran: one more checkpoint, for
  // both requests.
  checkpointer.request("main");
  checkpointer.request("main");
  hold.unlock();
  ASSERT_TRUE(seen.wait_for(2));
  checkpointer.request("reads");  // a fence: handled after what was asked before
  ASSERT_TRUE(seen.wait_for(3));
  std::lock_guard lock(seen.mu);
  ASSERT_EQ(seen.calls.size(), 3u);
  EXPECT_EQ(seen.calls[2].first, "reads");
}

// On a database file, the log is copied back into the file while the
// database stays open, without any caller running a checkpoint: the file
// grows by what was written.
TEST(SqliteFile, CopiesTheLogBackIntoTheFileWhileOpen) {
  lotse::testing::SqliteFiles files("checkpoint");
  const std::string& path = files.path;
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
}

}  // namespace
}  // namespace lotse::store
