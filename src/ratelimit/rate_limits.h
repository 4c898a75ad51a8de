// The operator's rate limits (--max-connections-per-ip, --messages-per-second, ...): what each
// connection, IP address and pubkey may do per unit of time. 0 turns a limit off. The defaults
// suit a public relay; load tests turn them off explicitly (docs/security.md).
#pragma once
#include <array>
#include <cstdint>

namespace ratelimit {

struct RateLimits {
    uint32_t connections_per_ip = 20;   // concurrent WebSocket connections per client address
    uint32_t messages_per_second = 20;  // per connection, refilled continuously...
    uint32_t message_burst = 200;       // ...into a bucket this large
    uint32_t reqs_per_minute = 120;     // REQ and COUNT per connection...
    uint32_t req_burst = 60;            // ...with this burst
    uint32_t flood_close_after = 1000;  // rate-limited messages in a row that close a connection
    // Events per pubkey per minute, by nostr::KindClass (regular, replaceable, ephemeral,
    // addressable): each class has its own budget.
    std::array<uint32_t, 4> events_per_minute = {120, 30, 600, 60};
    uint32_t sync_interval_ms = 500;  // how often counts are exchanged through Redis
};

}  // namespace ratelimit
