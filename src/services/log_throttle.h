// At most one log line per interval for something that can happen on every request (a
// misconfigured token fails them all): the first occurrence is logged at once, later ones
// are counted and reported with the next line. Thread-safe; time is passed in, so tests need
// no clock.
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace services {

class LogThrottle {
  public:
    using Clock = std::chrono::steady_clock;

    explicit LogThrottle(std::chrono::seconds interval) : interval_(interval) {}

    // Counts one occurrence. When a line is due (the first occurrence, or the first one an
    // interval after the last line), returns how many occurrences it stands for (this one and
    // those since the last line); otherwise nullopt.
    std::optional<uint64_t> occurred(Clock::time_point now);

  private:
    std::mutex mutex_;
    const std::chrono::seconds interval_;
    std::optional<Clock::time_point> last_line_;
    uint64_t unreported_ = 0;
};

}  // namespace services
