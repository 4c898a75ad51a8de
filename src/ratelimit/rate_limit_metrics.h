// nostpp_rate_limited_total{limit="..."}: what each rate limit refused, one low-cardinality
// label value per limit. Every series is registered at once (zero from the first scrape); the
// registry hands the same counters to every part that asks.
#pragma once
#include <array>
#include <cstddef>

#include "telemetry/metrics.h"

namespace ratelimit {

enum class Limit {
    connections_per_ip,
    messages,
    reqs,
    events_regular,  // then replaceable, ephemeral, addressable: nostr::KindClass order
    events_replaceable,
    events_ephemeral,
    events_addressable,
};
inline constexpr size_t kLimitCount = 7;

class RateLimitMetrics {
  public:
    explicit RateLimitMetrics(telemetry::MetricsRegistry& registry);
    void limited(Limit limit) { counters_[size_t(limit)]->inc(); }

  private:
    std::array<telemetry::Counter*, kLimitCount> counters_{};
};

}  // namespace ratelimit
