// Kept writes queued behind the writer of the moment (kept_writes.h) on a
// SQLite file: a read inside a scope does not wait for another thread's
// write, the entry is written by whoever holds the lock, and none is lost.
#include "lotse/store/kept_writes.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lotse/store/database.h"
#include "support/sqlite_files.h"

namespace lotse::store {
namespace {

using namespace std::chrono_literals;

Executor::Work insert_row(std::int64_t k) {
  return [k](Executor& w) -> Result<void> {
    LOTSE_TRY(w.exec("INSERT INTO kept (k) VALUES (?)", {k}));
    return ok();
  };
}

// What a scope's when_written() reported, and on which thread.
struct Reported {
  std::promise<std::pair<Result<void>, std::thread::id>> promise;
  std::future<std::pair<Result<void>, std::thread::id>> future = promise.get_future();
  std::function<void(Result<void>)> callback() {
    return [this](Result<void> r) { promise.set_value({r, std::this_thread::get_id()}); };
  }
};

class KeptWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = open_database("sqlite:" + files_.path);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    // The read log's tables, which a kept write's transaction starts on.
    auto migrated = migrate(*db_);
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    ASSERT_TRUE(db_->write([](Executor& x) {
                     return x.exec_script("CREATE TABLE kept (k INTEGER PRIMARY KEY)");
                   })
                    .ok());
  }

  // A read inside `scope` that keeps the insert of row k.
  Result<void> read_keeping(std::int64_t k) {
    return db_->read([&](Executor& x) -> Result<void> {
      LOTSE_TRY(x.query("SELECT COUNT(*) FROM kept"));
      return x.write_after_read(insert_row(k));
    });
  }

  std::int64_t rows() {
    auto n = db_->read([](Executor& x) { return x.query_int("SELECT COUNT(*) FROM kept"); });
    return n ? *n : -1;
  }

  // Starts a write() on its own thread that holds the writers' lock until
  // release() (the writer of the moment); returns once it holds it.
  void hold_writers() {
    writer_ = std::thread([this] {
      auto r = db_->write([this](Executor& x) -> Result<void> {
        holding_.set_value(std::this_thread::get_id());
        release_.get_future().wait();
        LOTSE_TRY(x.exec("INSERT INTO kept (k) VALUES (1000)"));
        return ok();
      });
      EXPECT_TRUE(r.ok()) << r.error().message;
    });
    writer_id_ = holding_.get_future().get();
  }
  void release() {
    release_.set_value();
    writer_.join();
  }

  lotse::testing::SqliteFiles files_{"kept_writes"};
  std::unique_ptr<Database> db_;
  std::promise<std::thread::id> holding_;
  std::promise<void> release_;
  std::thread writer_;
  std::thread::id writer_id_;
};

TEST_F(KeptWritesTest, AReadInsideAScopeDoesNotWaitForTheWriterOfTheMoment) {
  hold_writers();
  // Without the queue the read would sleep on the writers' lock until
  // release(): it must come back while the writer still holds it.
  auto read = std::async(std::launch::async, [&] {
    KeptWritesScope on_this_thread;
    auto r = read_keeping(1);
    return std::make_pair(std::move(r), on_this_thread.written());
  });
  const bool returned = read.wait_for(10s) == std::future_status::ready;
  EXPECT_TRUE(returned) << "the read waited for the writer";
  if (!returned) {
    release();
    return;
  }
  auto [result, written] = read.get();
  EXPECT_TRUE(result.ok());
  EXPECT_FALSE(written.has_value()) << "the entry cannot be written while the lock is held";
  EXPECT_EQ(rows(), 0);
  release();
  // The writer wrote the queue after its own work, before it let go.
  EXPECT_EQ(rows(), 2);
}

TEST_F(KeptWritesTest, TheHolderWritesTheQueueAndTheScopeLearnsIt) {
  hold_writers();
  Reported reported;
  {
    KeptWritesScope scope;
    ASSERT_TRUE(read_keeping(1).ok());
    EXPECT_FALSE(scope.written().has_value());
    scope.when_written(reported.callback());
  }
  EXPECT_EQ(reported.future.wait_for(200ms), std::future_status::timeout);
  release();
  ASSERT_EQ(reported.future.wait_for(10s), std::future_status::ready);
  auto [result, thread] = reported.future.get();
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(thread, writer_id_);
  EXPECT_EQ(rows(), 2);
}

TEST_F(KeptWritesTest, AFailingEntryFailsItsOwnScopeOnly) {
  ASSERT_TRUE(db_->write([](Executor& x) { return insert_row(7)(x); }).ok());
  hold_writers();
  Reported good, bad;
  {
    KeptWritesScope scope;
    ASSERT_TRUE(read_keeping(1).ok());
    scope.when_written(good.callback());
  }
  {
    KeptWritesScope scope;
    ASSERT_TRUE(read_keeping(7).ok());  // row 7 exists: its write fails
    scope.when_written(bad.callback());
  }
  release();  // both in one batch, which fails; then each on its own
  ASSERT_EQ(good.future.wait_for(10s), std::future_status::ready);
  ASSERT_EQ(bad.future.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(good.future.get().first.ok());
  auto failed = bad.future.get().first;
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(rows(), 3);  // 7, 1000 and 1
}

// A thread writing the queue (not a write() of its own) also looks at it
// again after letting go: what was queued while it wrote is written too,
// even when no other thread comes along.
TEST_F(KeptWritesTest, WhatIsQueuedWhileTheQueueIsWrittenIsWrittenToo) {
  std::promise<void> in_write, go_on;
  std::thread first([&] {
    KeptWritesScope scope;
    auto r = db_->read([&](Executor& x) -> Result<void> {
      return x.write_after_read([&](Executor& w) -> Result<void> {
        in_write.set_value();  // this thread writes the queue, holding the lock
        go_on.get_future().wait();
        return insert_row(1)(w);
      });
    });
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(scope.written().has_value()) << "written by this thread before the read returned";
  });
  in_write.get_future().wait();
  Reported reported;
  {
    KeptWritesScope scope;
    ASSERT_TRUE(read_keeping(2).ok());
    EXPECT_FALSE(scope.written().has_value());
    scope.when_written(reported.callback());
  }
  go_on.set_value();
  first.join();
  ASSERT_EQ(reported.future.wait_for(10s), std::future_status::ready) << "left in the queue";
  EXPECT_TRUE(reported.future.get().first.ok());
  EXPECT_EQ(rows(), 2);
}

// As server threads do: each read's answer waits for its entry before the
// thread takes the next request. An entry left in the queue with nobody to
// write it would keep its thread waiting.
TEST_F(KeptWritesTest, ManyThreadsReadingAtOnceLoseNoEntry) {
  constexpr int kThreads = 4, kReads = 150;
  std::atomic<int> written{0}, stuck{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kReads; ++i) {
        // Shared with the callback, which may still come after a give-up.
        auto reported = std::make_shared<Reported>();
        {
          KeptWritesScope scope;
          EXPECT_TRUE(read_keeping(t * kReads + i + 1).ok());
          scope.when_written([reported](Result<void> r) { reported->callback()(std::move(r)); });
        }
        if (reported->future.wait_for(5s) != std::future_status::ready) {
          ++stuck;
          return;
        }
        written += reported->future.get().first.ok();
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(stuck.load(), 0) << "an entry was never written";
  EXPECT_EQ(written.load(), kThreads * kReads);
  EXPECT_EQ(rows(), kThreads * kReads);
}

TEST_F(KeptWritesTest, OutsideAScopeTheReadWritesItsEntryBeforeReturning) {
  ASSERT_TRUE(read_keeping(1).ok());
  EXPECT_EQ(rows(), 1);
  ASSERT_TRUE(db_->write([](Executor& x) { return insert_row(2)(x); }).ok());
  auto failed = read_keeping(2);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kConflict);
}

}  // namespace
}  // namespace lotse::store
