#include "store/postgres/pg_pool.h"

namespace store::pg {

Pool::Pool(ConnectionSettings settings, size_t size)
    : settings_(std::move(settings)), size_(size == 0 ? 1 : size) {}

Pool::~Pool() = default;

Pool::Lease Pool::checkout() {
    std::unique_ptr<Connection> conn;
    {
        std::unique_lock lock(mutex_);
        available_.wait(lock, [&] { return !idle_.empty() || created_ < size_; });
        if (!idle_.empty()) {
            conn = std::move(idle_.back());  // most recently used: likely still healthy
            idle_.pop_back();
        } else {
            conn = std::make_unique<Connection>(settings_, &round_trips_);
            ++created_;
        }
    }
    Lease lease(this, std::move(conn));
    if (!lease->usable()) lease->connect();  // on failure the lease returns it unconnected
    return lease;
}

void Pool::release(std::unique_ptr<Connection> conn) {
    conn->discard_transaction();
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(conn));
    available_.notify_one();
}

}  // namespace store::pg
