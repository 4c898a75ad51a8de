// A token bucket: `rate` tokens per second flow into a bucket holding at most `burst`; each
// take() spends one. The caller passes the time, so the bucket is pure and testable with a
// fake clock. Not thread-safe (one per connection, used on its strand).
#pragma once
#include <chrono>

namespace ratelimit {

using Clock = std::chrono::steady_clock;

class TokenBucket {
  public:
    // A rate of 0 means unlimited: take() always succeeds. The bucket starts full.
    TokenBucket(double tokens_per_second, double burst, Clock::time_point now);

    // Spends a token if there is one; false when the bucket is empty.
    bool take(Clock::time_point now);

  private:
    double rate_;
    double burst_;
    double tokens_;
    Clock::time_point last_;
};

}  // namespace ratelimit
