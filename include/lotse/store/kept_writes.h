// Kept writes that queue behind the writer of the moment instead of waiting
// for it, and hold back what was read until they are written.
//
// An audited read() keeps its read-log entry and writes it when the snapshot
// has ended (Executor::write_after_read). On SQLite that write takes the
// writers' lock. A server thread that finds the lock held sleeps until the
// holder lets go, and under load the holder is often itself waiting for a
// CPU (two server threads beside the clients on two cores): then both
// threads stand still for a time slice. Inside a KeptWritesScope the entry
// is queued instead and the read returns at once; whoever holds the lock
// writes the queue, all of it in one transaction, before it lets go. No
// thread sleeps on another's read-log entry, and entries that arrive
// together cost one commit.
//
// What the read returned must not leave the process before its entry is
// written (every read of case data is audited). The scope's owner asks
// written() and when_written() and answers only then; web::Session does so
// for every request.
//
//   store::KeptWritesScope kept;                  // on the request's thread
//   Response res = handler(request);              // entries queue here
//   if (auto done = kept.written()) return send(*done ? res : unavailable);
//   kept.when_written([=](Result<void> done) { post(strand, send ...); });
//
// Outside a scope (the CLI, tests, a worker without requests) kept writes
// are written before read() returns, as before: a read that could not be
// audited fails. Inside one, a later read of the same scope may not yet see
// an entry queued earlier in it; the next request does, since the answer
// waited for the entry.
//
// Thread safety: a scope belongs to the thread that opened it and must be
// closed there (scopes nest; the innermost one counts). The outcome is
// shared with the thread that writes the queue; when_written's callback runs
// on that thread, or at once on the caller's when all is written already.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "lotse/common/result.h"

namespace lotse::store {

// What became of the kept writes one scope queued. Shared by the scope and
// the queue of the database adapter that writes them.
class KeptWritesOutcome {
 public:
  // One more queued write; settle() is called once for each.
  void expect();
  // One queued write is done, written or failed.
  void settle(const Result<void>& result);
  // Empty while a queued write is not done; otherwise ok, or the first
  // failure.
  std::optional<Result<void>> settled();
  // Calls `done` once all queued writes are done (at once, on this thread,
  // when they are). At most one callback is kept.
  void when_settled(std::function<void(Result<void>)> done);

 private:
  Result<void> result_locked() const;

  std::mutex mu_;
  int queued_ = 0;
  std::optional<Error> failure_;
  std::function<void(Result<void>)> done_;
};

class KeptWritesScope {
 public:
  // Opens the scope on this thread.
  KeptWritesScope();
  // Closes it; writes queued in it still settle its outcome.
  ~KeptWritesScope();
  KeptWritesScope(const KeptWritesScope&) = delete;
  KeptWritesScope& operator=(const KeptWritesScope&) = delete;

  // Empty while a write queued in this scope is not written; otherwise ok,
  // or the first failure.
  std::optional<Result<void>> written() const { return outcome_->settled(); }
  // Calls `done` once every write queued in this scope is written, with the
  // first failure: on the thread that wrote the last one, or at once.
  void when_written(std::function<void(Result<void>)> done) {
    outcome_->when_settled(std::move(done));
  }

  // The outcome of the innermost scope open on this thread; null outside
  // any scope. For database adapters.
  static std::shared_ptr<KeptWritesOutcome> current();

 private:
  std::shared_ptr<KeptWritesOutcome> outcome_;
  KeptWritesScope* outer_;
};

}  // namespace lotse::store
