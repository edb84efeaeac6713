// Internal to the store layer: a small blocking pool of database connections,
// shared by the SQLite and PostgreSQL adapters.
//
//   ConnectionPool<PgConnection> pool(8, [] { return PgConnection::open(url); });
//   LOTSE_ASSIGN_OR_RETURN(auto lease, pool.acquire());
//   use(*lease);      // back into the pool when `lease` goes out of scope
//   lease.discard();  // ...or closed instead, e.g. after the connection broke
//
// Connections are created lazily, up to max_size, and reused LIFO so the warm
// ones (with their prepared-statement caches) keep being used.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lotse/common/result.h"

namespace lotse::store {

template <typename Conn>
class ConnectionPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<Conn>>()>;

  // Exclusive use of one connection; returns it to the pool on destruction.
  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (pool_) pool_->release(std::move(conn_));
    }
    Conn& operator*() const { return *conn_; }
    Conn* operator->() const { return conn_.get(); }
    // Closes the connection instead of returning it (it is broken or in an
    // unknown state); the pool may open a new one later.
    void discard() { conn_.reset(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
    ConnectionPool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  ConnectionPool(std::size_t max_size, Factory factory,
                 std::chrono::milliseconds max_wait = std::chrono::seconds(10))
      : max_size_(max_size), factory_(std::move(factory)), max_wait_(max_wait) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Adds an already-open connection (the one open_database() checked with).
  void add_idle(std::unique_ptr<Conn> conn) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
    ++open_;
    cv_.notify_one();
  }

  // Closes all idle connections: after one broke (server restart), the other
  // idle ones are most likely broken too.
  void clear_idle() {
    std::vector<std::unique_ptr<Conn>> doomed;
    {
      std::lock_guard lock(mu_);
      open_ -= idle_.size();
      doomed.swap(idle_);
      cv_.notify_all();
    }
  }

  Result<Lease> acquire() {
    const auto self = std::this_thread::get_id();
    const auto deadline = std::chrono::steady_clock::now() + max_wait_;
    std::unique_lock lock(mu_);
    while (true) {
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        ++held_[self];
        return Lease(this, std::move(conn));
      }
      if (open_ < max_size_) {
        ++open_;
        ++held_[self];
        lock.unlock();
        // Connecting takes a while (PostgreSQL: a network round trip or
        // more), so it happens outside the lock.
        auto conn = factory_();
        if (!conn) {
          lock.lock();
          --open_;
          forget_holder(self);
          cv_.notify_one();
          return conn.error();
        }
        return Lease(this, std::move(*conn));
      }
      // A thread that already holds every connection would wait for itself
      // (a read() nested in a write() on a one-connection database).
      if (auto it = held_.find(self);
          it != held_.end() && it->second >= static_cast<int>(max_size_)) {
        return Error::internal("nested database transaction on one thread: all " +
                               std::to_string(max_size_) + " connections are held by it");
      }
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= max_size_) {
        return Error::unavailable("all " + std::to_string(max_size_) +
                                  " database connections are busy");
      }
    }
  }

 private:
  void release(std::unique_ptr<Conn> conn) {
    std::lock_guard lock(mu_);
    forget_holder(std::this_thread::get_id());
    if (conn) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
    cv_.notify_one();
  }

  void forget_holder(std::thread::id id) {
    auto it = held_.find(id);
    if (it != held_.end() && --it->second <= 0) held_.erase(it);
  }

  const std::size_t max_size_;
  const Factory factory_;
  const std::chrono::milliseconds max_wait_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
  std::size_t open_ = 0;                           // idle + leased + being opened
  std::unordered_map<std::thread::id, int> held_;  // leases per thread
};

}  // namespace lotse::store
