// What every connection of one server shares: the relay, the connection registry, the
// limits the network layer enforces itself (message size, outbound queue, idle connections),
// and what renders GET /metrics.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/detail/connection_registry.h"
#include "net/detail/idle_policy.h"
#include "net/ip_access_list.h"
#include "ratelimit/connection_counts.h"

namespace relay {
class Relay;
}

namespace net::detail {

struct ServerContext {
    explicit ServerContext(relay::Relay& relay);

    relay::Relay& relay;
    ConnectionRegistry connections;
    uint64_t max_message_bytes;   // larger messages are answered "too large"
    uint64_t hard_message_cap;    // larger messages fail the connection
    uint64_t max_outbound_bytes;  // per-connection send queue budget
    std::string slow_reader_notice;
    IdlePolicy idle;  // when quiet WebSocket connections are pinged and closed
    std::function<std::string()> metrics_text;  // GET /metrics; empty: not served here
    IpAccessList ip_access;                     // --ip-allow, --ip-deny
    IpAccessList trusted_proxies;               // --trusted-proxies (on the allow list)
    // --max-connections-per-ip; null: not limited.
    std::shared_ptr<ratelimit::ConnectionCounts> connection_counts;
};

}  // namespace net::detail
