// Events per pubkey per minute, with a separate budget for each kind class (regular,
// replaceable, ephemeral, addressable): --regular-events-per-minute and its siblings. Counted
// in fixed one-minute windows (WindowCounts), shared between processes through Redis when a
// RedisRateSync is attached. Callers ask only about events whose signature has been verified,
// so nobody can spend someone else's budget. Thread-safe.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "nostr/event.h"
#include "ratelimit/rate_limit_metrics.h"
#include "ratelimit/window_counts.h"

namespace ratelimit {

class PubkeyBudget {
  public:
    // `per_minute` in nostr::KindClass order; 0 = no limit for that class.
    PubkeyBudget(std::array<uint32_t, 4> per_minute, telemetry::MetricsRegistry& metrics);

    // "" when `pubkey` may publish one more event of `kind` now (and counts it), else the
    // OK false message ("rate-limited: ...").
    std::string take(const nostr::Bytes32& pubkey, uint32_t kind, int64_t now);

    bool enabled() const;
    WindowCounts& counts() { return counts_; }

  private:
    std::array<uint32_t, 4> per_minute_;
    WindowCounts counts_;
    RateLimitMetrics metrics_;
};

}  // namespace ratelimit
