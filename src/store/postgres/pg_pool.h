// A small fixed-size pool of connections to one server. Connections are opened lazily; a
// checkout waits for a free one and hands it out connected: a connection found broken (the
// server restarted, the network dropped) is reconnected then, so the store recovers on its
// own once the server is back.
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "store/postgres/pg_connection.h"

namespace store::pg {

class Pool {
  public:
    Pool(ConnectionSettings settings, size_t size);
    ~Pool();

    // Returns its connection to the pool; whatever transaction a failing caller left open
    // is rolled back first (or the connection closed if that fails).
    class Lease {
      public:
        Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (conn_) pool_->release(std::move(conn_));
        }
        Connection& operator*() { return *conn_; }
        Connection* operator->() { return conn_.get(); }

      private:
        Pool* pool_;
        std::unique_ptr<Connection> conn_;
    };

    // Waits for a free connection and (re)connects it if needed. Throws PgError when the
    // server cannot be reached; the connection stays in the pool for the next attempt.
    Lease checkout();

    // Exchanges with the server so far, over all connections.
    uint64_t round_trips() const { return round_trips_.load(std::memory_order_relaxed); }

  private:
    void release(std::unique_ptr<Connection> conn);

    ConnectionSettings settings_;
    size_t size_;
    size_t created_ = 0;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::atomic<uint64_t> round_trips_{0};
};

}  // namespace store::pg
