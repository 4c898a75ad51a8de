#include "services/log_throttle.h"

namespace services {

std::optional<uint64_t> LogThrottle::occurred(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    ++unreported_;
    if (last_line_ && now - *last_line_ < interval_) return std::nullopt;
    last_line_ = now;
    uint64_t count = unreported_;
    unreported_ = 0;
    return count;
}

}  // namespace services
