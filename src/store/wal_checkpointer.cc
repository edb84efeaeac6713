#include "store/wal_checkpointer.h"

#include <cstring>
#include <utility>

namespace lotse::store {

WalCheckpointer::WalCheckpointer(Checkpoint checkpoint)
    : checkpoint_(std::move(checkpoint)), thread_([this] { loop(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

WalCheckpointer::Log& WalCheckpointer::log(const char* schema) {
  return std::strcmp(schema, "reads") == 0 ? reads_ : main_;
}

int WalCheckpointer::on_commit(void* self, sqlite3*, const char* schema, int pages) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  const int last = checkpointer->log(schema).at_last_checkpoint.load(std::memory_order_relaxed);
  // Not on every commit while the log is long: a checkpoint copies only the
  // newest version of each page, and each one syncs the database file.
  if (pages >= kPagesBeforeCheckpoint && (pages < last || pages >= last + kPagesBeforeCheckpoint))
    checkpointer->request(schema);
  return 0;  // SQLITE_OK: the commit itself has succeeded either way
}

void WalCheckpointer::request(const char* schema) {
  {
    std::lock_guard lock(mu_);
    bool& pending = log(schema).pending;
    if (pending) return;  // already asked; the thread has not started on it
    pending = true;
  }
  wake_.notify_one();
}

void WalCheckpointer::loop() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || main_.pending || reads_.pending; });
    if (stopping_) return;
    const bool main = std::exchange(main_.pending, false);
    const bool reads = std::exchange(reads_.pending, false);
    lock.unlock();
    if (main) main_.at_last_checkpoint.store(checkpoint_("main"), std::memory_order_relaxed);
    if (reads) reads_.at_last_checkpoint.store(checkpoint_("reads"), std::memory_order_relaxed);
    lock.lock();
  }
}

}  // namespace lotse::store
