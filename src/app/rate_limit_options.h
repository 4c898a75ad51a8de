// The rate-limit options every role accepts (docs/security.md, "Rate limits") and what each
// role builds from them: per-address connection counts (roles facing clients), the per-pubkey
// event budget (roles that verify signatures), shared through Redis when --redis-url is given.
#pragma once
#include <memory>

#include "app/redis_options.h"
#include "net/ip_access_list.h"
#include "ratelimit/connection_counts.h"
#include "ratelimit/pubkey_budget.h"
#include "ratelimit/rate_limits.h"
#include "ratelimit/redis_rate_sync.h"

namespace CLI {
class App;
}

namespace app {

// --max-connections-per-ip, --messages-per-second, --message-burst, --reqs-per-minute,
// --req-burst, --flood-close-after,
// --{regular,replaceable,ephemeral,addressable}-events-per-minute,
// --rate-limit-sync-ms.
void add_rate_limit_options(CLI::App& command, ratelimit::RateLimits& limits);
// --trusted-proxies: for the roles that accept client connections.
void add_trusted_proxy_options(CLI::App& command, net::IpAccessList& proxies);

struct RateLimiting {
    std::shared_ptr<ratelimit::ConnectionCounts> connections;  // null: not counted here
    std::unique_ptr<ratelimit::PubkeyBudget> events;           // null: not limited here
    std::unique_ptr<ratelimit::RedisRateSync> sync;            // declared last: destroyed first
};

// `connections`: the role accepts client connections; `events`: it verifies signatures.
RateLimiting start_rate_limiting(const ratelimit::RateLimits& limits, const RedisSettings& redis,
                                 telemetry::MetricsRegistry& metrics, bool connections,
                                 bool events);

}  // namespace app
