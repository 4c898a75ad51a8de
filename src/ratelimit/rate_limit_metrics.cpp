#include "ratelimit/rate_limit_metrics.h"

namespace ratelimit {

RateLimitMetrics::RateLimitMetrics(telemetry::MetricsRegistry& registry) {
    static constexpr const char* kNames[kLimitCount] = {
        "connections_per_ip", "messages",          "reqs", "events_regular", "events_replaceable",
        "events_ephemeral",   "events_addressable"};
    for (size_t i = 0; i < kLimitCount; ++i)
        counters_[i] = &registry.counter(
            "nostpp_rate_limited_total",
            "Requests refused by a rate limit ('rate-limited:' answers, HTTP 429), by limit",
            {{"limit", kNames[i]}});
}

}  // namespace ratelimit
