// Internal to the SQLite adapter: runs the write-ahead log's checkpoints on a
// thread of its own instead of in the request that happens to commit.
//
//   WalCheckpointer checkpointer([&](const std::string& schema) {
//     int log_pages = 0;
//     sqlite3_wal_checkpoint_v2(own_db, schema.c_str(), SQLITE_CHECKPOINT_PASSIVE,
//                               &log_pages, nullptr);
//     return log_pages;
//   });
//   sqlite3_wal_hook(db, &WalCheckpointer::on_commit, &checkpointer);  // every connection
//
// Why: SQLite's automatic checkpoint runs inside the commit that brings the
// log past 1,000 pages. It copies the log back into the database file and
// waits for two fsyncs; measured at ~6 ms on the benchmark host, in the middle
// of an audited read (every page view appends to the read log). One request
// in a few hundred paid for everybody's writes, and the other requests queued
// behind it. The checkpoint itself is unchanged (PASSIVE: it never blocks
// readers or writers), only where and how often it runs.
//
// Thread safety: on_commit() may be called from any thread at any time; the
// checkpoint function runs on the checkpointer's thread only. The
// checkpointer must outlive every connection whose hook points at it. The
// destructor stops the thread after the checkpoint in progress, if any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace lotse::store {

class WalCheckpointer {
 public:
  // A quarter of SQLite's own threshold (SQLITE_DEFAULT_WAL_AUTOCHECKPOINT),
  // chosen by measurement. Plain appends to a file do not wait for another
  // thread's fdatasync of it (tried on the benchmark host); what a server
  // thread does wait for is the commit that follows a complete checkpoint:
  // SQLite then starts the log anew and syncs its header in that commit,
  // under the writers' lock (seen in sched_switch traces, a few times a
  // second). Measured at 1M persons, case page p99 at 32 connections (2026-12-07,
  // each run on a fresh copy of the same file, two runs each): 60 pages
  // 18.5-18.7 ms, 125 pages 16.5-16.9, 250 pages 16.7-18.0, 1,000 pages
  // 18.0-20.5, 4,000 pages 25.3-26.5. The syncs themselves are most of that
  // tail: with the read log's syncs switched off (synchronous=OFF, which may
  // corrupt it on power loss, so not an option) p99 was 10.3-11.4 ms.
  static constexpr int kPagesBeforeCheckpoint = 250;

  // Checkpoints `schema` and returns the pages its log held (SQLite's pnLog).
  using Checkpoint = std::function<int(const std::string& schema)>;

  explicit WalCheckpointer(Checkpoint checkpoint);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Signature of sqlite3_wal_hook's callback; `self` is the checkpointer.
  // Called after every commit with the schema written ("main", "reads") and
  // the pages now in its log. Asks for a checkpoint once the log holds
  // kPagesBeforeCheckpoint pages more than at the last checkpoint, or, after
  // SQLite started the log anew, kPagesBeforeCheckpoint pages.
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);

  // Asks for a checkpoint of `schema` ("main" or "reads") now.
  void request(const char* schema);

 private:
  struct Log {
    bool pending = false;  // guarded by mu_
    // Pages in the log at the last checkpoint; the log has been started
    // anew when a commit reports fewer.
    std::atomic<int> at_last_checkpoint{0};
  };
  Log& log(const char* schema);
  void loop();

  const Checkpoint checkpoint_;
  std::mutex mu_;
  std::condition_variable wake_;
  Log main_;
  Log reads_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lotse::store
