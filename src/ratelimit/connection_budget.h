// What one client connection may send: messages per second (--messages-per-second with
// --message-burst) and REQ/COUNT queries per minute (--reqs-per-minute with --req-burst),
// each a token bucket. A connection that keeps sending while limited (--flood-close-after
// refused messages in a row) is to be closed. The caller passes the time (tests use a fake
// clock). Not thread-safe: one per connection, used on its strand.
#pragma once
#include <cstdint>

#include "ratelimit/rate_limits.h"
#include "ratelimit/token_bucket.h"

namespace ratelimit {

class ConnectionBudget {
  public:
    ConnectionBudget(const RateLimits& limits, Clock::time_point now);

    enum class Verdict { pass, limited, close };
    // One message received.
    Verdict message(Clock::time_point now);
    // One REQ or COUNT (after message() let it through).
    bool query(Clock::time_point now) { return queries_.take(now); }

  private:
    TokenBucket messages_;
    TokenBucket queries_;
    uint32_t flood_close_after_;
    uint32_t limited_in_a_row_ = 0;
};

}  // namespace ratelimit
