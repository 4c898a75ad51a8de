#include "ratelimit/connection_counts.h"

namespace ratelimit {

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::move(other.owner_);
        key_ = std::move(other.key_);
    }
    return *this;
}

void ConnectionSlot::release() {
    if (owner_) owner_->release(key_);
    owner_.reset();
}

ConnectionCounts::ConnectionCounts(uint32_t max_per_key, telemetry::MetricsRegistry* metrics)
    : max_(max_per_key),
      metrics_(metrics ? std::make_unique<RateLimitMetrics>(*metrics) : nullptr) {}

std::shared_ptr<ConnectionCounts> ConnectionCounts::create(uint32_t max_per_key,
                                                           telemetry::MetricsRegistry* metrics) {
    return std::shared_ptr<ConnectionCounts>(new ConnectionCounts(max_per_key, metrics));
}

std::unique_ptr<ConnectionSlot> ConnectionCounts::acquire(const std::string& key) {
    if (max_ == 0) return std::make_unique<ConnectionSlot>();
    {
        std::lock_guard lock(mutex_);
        Entry& e = entries_[key];
        if (e.local + e.others >= max_) {
            if (metrics_) metrics_->limited(Limit::connections_per_ip);
            return nullptr;
        }
        ++e.local;
        e.changed = true;
    }
    return std::make_unique<ConnectionSlot>(shared_from_this(), key);
}

void ConnectionCounts::release(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.local == 0) return;
    --it->second.local;
    it->second.changed = true;
}

uint64_t ConnectionCounts::count(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    return it == entries_.end() ? 0 : it->second.local + it->second.others;
}

std::vector<ConnectionCounts::Local> ConnectionCounts::begin_sync() {
    std::vector<Local> pending;
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
        Entry& e = it->second;
        if (e.local > 0 || e.changed) pending.push_back({it->first, e.local});
        e.changed = false;
        // Nothing of ours left to publish (the 0 above removes our entry in Redis).
        if (e.local == 0)
            it = entries_.erase(it);
        else
            ++it;
    }
    return pending;
}

void ConnectionCounts::set_others(const std::string& key, uint64_t connections) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end()) it->second.others = connections;
}

void ConnectionCounts::abandon_sync(const std::vector<Local>& pending) {
    std::lock_guard lock(mutex_);
    for (auto& [key, e] : entries_) e.others = 0;
    for (const Local& l : pending) {
        Entry& e = entries_[l.key];
        e.changed = true;
    }
}

}  // namespace ratelimit
