#include "ratelimit/window_counts.h"

#include <algorithm>

namespace ratelimit {

WindowCounts::WindowCounts(int64_t window_seconds)
    : window_seconds_(std::max<int64_t>(1, window_seconds)) {}

WindowCounts::Entry& WindowCounts::entry(std::string_view key, int64_t window) {
    auto it = entries_.find(std::string(key));
    if (it == entries_.end()) it = entries_.emplace(std::string(key), Entry{}).first;
    Entry& e = it->second;
    if (e.window != window) e = Entry{window};
    return e;
}

bool WindowCounts::try_add(std::string_view key, uint64_t limit, int64_t now) {
    std::lock_guard lock(mutex_);
    Entry& e = entry(key, window_of(now));
    e.used = true;
    e.limit = limit;
    if (e.total() >= limit) return false;
    ++e.unsynced;
    return true;
}

uint64_t WindowCounts::count(std::string_view key, int64_t now) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(std::string(key));
    if (it == entries_.end() || it->second.window != window_of(now)) return 0;
    return it->second.total();
}

std::vector<WindowCounts::Pending> WindowCounts::begin_sync(int64_t now) {
    const int64_t current = window_of(now);
    std::vector<Pending> pending;
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
        Entry& e = it->second;
        if (e.window < current) {
            it = entries_.erase(it);
            continue;
        }
        if (e.used || e.unsynced > 0 || 2 * e.total() >= e.limit) {
            pending.push_back({it->first, e.window, e.unsynced});
            e.in_flight += e.unsynced;
            e.unsynced = 0;
            e.used = false;
        }
        ++it;
    }
    return pending;
}

void WindowCounts::finish_sync(const std::vector<Pending>& pending,
                               const std::vector<uint64_t>& totals) {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < pending.size() && i < totals.size(); ++i) {
        auto it = entries_.find(pending[i].key);
        if (it == entries_.end() || it->second.window != pending[i].window) continue;
        Entry& e = it->second;
        e.in_flight -= std::min(e.in_flight, pending[i].delta);
        // The total includes this delta; counts made meanwhile stay in `unsynced`. Totals only
        // grow within a window (a Redis that lost the key restarts lower: keep what we knew).
        e.shared = std::max(e.shared, totals[i]);
    }
}

void WindowCounts::abandon_sync(const std::vector<Pending>& pending) {
    std::lock_guard lock(mutex_);
    for (const Pending& p : pending) {
        auto it = entries_.find(p.key);
        if (it == entries_.end() || it->second.window != p.window) continue;
        Entry& e = it->second;
        uint64_t back = std::min(e.in_flight, p.delta);
        e.in_flight -= back;
        e.unsynced += back;
    }
}

size_t WindowCounts::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace ratelimit
