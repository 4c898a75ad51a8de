#include "ratelimit/token_bucket.h"

#include <algorithm>

namespace ratelimit {

TokenBucket::TokenBucket(double tokens_per_second, double burst, Clock::time_point now)
    : rate_(tokens_per_second), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

bool TokenBucket::take(Clock::time_point now) {
    if (rate_ <= 0) return true;
    if (now > last_) {
        tokens_ =
            std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
        last_ = now;
    }
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

}  // namespace ratelimit
