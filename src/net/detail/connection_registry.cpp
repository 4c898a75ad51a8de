#include "net/detail/connection_registry.h"

#include <vector>

namespace net::detail {

bool ConnectionRegistry::add(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    connections_.emplace(connection.get(), connection);
    return true;
}

void ConnectionRegistry::remove(const Connection* connection) {
    std::function<void()> notify;
    {
        std::lock_guard lock(mutex_);
        if (connections_.erase(connection) == 0) return;
        if (stopping_ && connections_.empty()) notify = std::move(on_empty_);
    }
    if (notify) notify();
}

void ConnectionRegistry::shutdown_all(std::function<void()> on_empty) {
    std::vector<std::shared_ptr<Connection>> live;
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        // Entries whose weak_ptr has expired are mid-destruction; their remove() is coming.
        if (!connections_.empty()) {
            on_empty_ = std::move(on_empty);
            live.reserve(connections_.size());
            for (auto& entry : connections_)
                if (auto strong = entry.second.lock()) live.push_back(std::move(strong));
        }
    }
    if (on_empty) on_empty();  // still set only when there was nothing to wait for
    // Outside the lock: shutdown() may post work, and releasing `live` may run destructors
    // that call remove().
    for (auto& connection : live) connection->shutdown();
}

void ConnectionRegistry::forget_on_empty() {
    std::lock_guard lock(mutex_);
    on_empty_ = nullptr;
}

size_t ConnectionRegistry::size() {
    std::lock_guard lock(mutex_);
    return connections_.size();
}

}  // namespace net::detail
