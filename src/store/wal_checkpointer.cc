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

int WalCheckpointer::on_commit(void* self, sqlite3*, const char* schema, int pages) {
  if (pages >= kPagesBeforeCheckpoint) static_cast<WalCheckpointer*>(self)->request(schema);
  return 0;  // SQLITE_OK: the commit itself has succeeded either way
}

void WalCheckpointer::request(const char* schema) {
  {
    std::lock_guard lock(mu_);
    bool& pending = std::strcmp(schema, "reads") == 0 ? reads_pending_ : main_pending_;
    if (pending) return;  // already asked; the thread has not started on it
    pending = true;
  }
  wake_.notify_one();
}

void WalCheckpointer::loop() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || main_pending_ || reads_pending_; });
    if (stopping_) return;
    const bool main = std::exchange(main_pending_, false);
    const bool reads = std::exchange(reads_pending_, false);
    lock.unlock();
    if (main) checkpoint_("main");
    if (reads) checkpoint_("reads");
    lock.lock();
  }
}

}  // namespace lotse::store
