#include "lotse/store/kept_writes.h"

#include <utility>

namespace lotse::store {

namespace {

// The innermost scope open on this thread.
thread_local KeptWritesScope* innermost = nullptr;

}  // namespace

void KeptWritesOutcome::expect() {
  std::lock_guard lock(mu_);
  ++queued_;
}

void KeptWritesOutcome::settle(const Result<void>& result) {
  std::function<void(Result<void>)> done;
  Result<void> outcome;
  {
    std::lock_guard lock(mu_);
    if (!result && !failure_) failure_ = result.error();
    if (--queued_ > 0 || !done_) return;
    done = std::move(done_);
    done_ = nullptr;
    outcome = result_locked();
  }
  // Outside the lock: the callback may post work, take other locks, or ask
  // settled() again.
  done(std::move(outcome));
}

std::optional<Result<void>> KeptWritesOutcome::settled() {
  std::lock_guard lock(mu_);
  if (queued_ > 0) return std::nullopt;
  return result_locked();
}

void KeptWritesOutcome::when_settled(std::function<void(Result<void>)> done) {
  Result<void> outcome;
  {
    std::lock_guard lock(mu_);
    if (queued_ > 0) {
      done_ = std::move(done);
      return;
    }
    outcome = result_locked();
  }
  done(std::move(outcome));
}

Result<void> KeptWritesOutcome::result_locked() const {
  if (failure_) return *failure_;
  return ok();
}

KeptWritesScope::KeptWritesScope()
    : outcome_(std::make_shared<KeptWritesOutcome>()), outer_(innermost) {
  innermost = this;
}

KeptWritesScope::~KeptWritesScope() {
  innermost = outer_;
}

std::shared_ptr<KeptWritesOutcome> KeptWritesScope::current() {
  return innermost ? innermost->outcome_ : nullptr;
}

}  // namespace lotse::store
