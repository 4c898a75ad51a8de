#include "telemetry/span_queue.h"

#include <algorithm>
#include <iterator>

namespace telemetry {

SpanQueue::SpanQueue(size_t capacity, size_t wake_at)
    : capacity_(std::max<size_t>(capacity, 1)),
      wake_at_(std::clamp<size_t>(wake_at, 1, capacity_)) {
    spans_.reserve(capacity_);
}

bool SpanQueue::try_push(SpanData&& span) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (closed_ || spans_.size() >= capacity_) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        spans_.push_back(std::move(span));
        wake = spans_.size() == wake_at_;
    }
    if (wake) wake_.notify_one();
    return true;
}

bool SpanQueue::take(std::vector<SpanData>& out, size_t max,
                     std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, deadline, [this] { return closed_ || spans_.size() >= wake_at_; });
    size_t n = std::min(max, spans_.size());
    out.insert(out.end(), std::make_move_iterator(spans_.begin()),
               std::make_move_iterator(spans_.begin() + static_cast<std::ptrdiff_t>(n)));
    spans_.erase(spans_.begin(), spans_.begin() + static_cast<std::ptrdiff_t>(n));
    return !(closed_ && spans_.empty() && n == 0);
}

void SpanQueue::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    wake_.notify_all();
}

size_t SpanQueue::size() const {
    std::lock_guard lock(mutex_);
    return spans_.size();
}

}  // namespace telemetry
