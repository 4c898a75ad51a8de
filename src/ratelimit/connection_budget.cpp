#include "ratelimit/connection_budget.h"

namespace ratelimit {

ConnectionBudget::ConnectionBudget(const RateLimits& limits, Clock::time_point now)
    : messages_(limits.messages_per_second, limits.message_burst, now),
      queries_(limits.reqs_per_minute / 60.0, limits.req_burst, now),
      flood_close_after_(limits.flood_close_after) {}

ConnectionBudget::Verdict ConnectionBudget::message(Clock::time_point now) {
    if (messages_.take(now)) {
        limited_in_a_row_ = 0;
        return Verdict::pass;
    }
    ++limited_in_a_row_;
    if (flood_close_after_ > 0 && limited_in_a_row_ >= flood_close_after_) return Verdict::close;
    return Verdict::limited;
}

}  // namespace ratelimit
