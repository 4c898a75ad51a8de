#include "bus_collector.h"

#include <algorithm>

namespace redis_test {

bus::Listener BusCollector::listener() {
    return [this](const bus::LiveEvent& event) {
        {
            std::lock_guard lock(mutex_);
            deliveries_.push_back({nostr::to_hex(event.event->id), event.commit_seq});
        }
        changed_.notify_all();
    };
}

bool BusCollector::wait_for(const std::string& id, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        return std::any_of(deliveries_.begin(), deliveries_.end(),
                           [&](const Delivery& d) { return d.id == id; });
    });
}

size_t BusCollector::count(const std::string& id) {
    std::lock_guard lock(mutex_);
    return std::count_if(deliveries_.begin(), deliveries_.end(),
                         [&](const Delivery& d) { return d.id == id; });
}

std::vector<BusCollector::Delivery> BusCollector::deliveries() {
    std::lock_guard lock(mutex_);
    return deliveries_;
}

}  // namespace redis_test
