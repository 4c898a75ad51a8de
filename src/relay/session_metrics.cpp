#include "relay/session_metrics.h"

#include <iterator>
#include <string>
#include <tuple>

namespace relay {

SessionMetrics::SessionMetrics(telemetry::MetricsRegistry& registry)
    : connections(registry.gauge("nostpp_connections", "Open WebSocket connections")),
      connections_opened(registry.counter("nostpp_connections_total",
                                          "WebSocket connections opened since the start")),
      events(registry),
      rate_limits(registry) {
    // In nostr::Verb order.
    static constexpr const char* kVerbs[] = {"EVENT", "REQ", "CLOSE", "COUNT", "AUTH", "unknown"};
    static_assert(std::size(kVerbs) == std::tuple_size_v<decltype(messages)>);
    for (size_t i = 0; i < messages.size(); ++i)
        messages[i] = &registry.counter("nostpp_client_messages_total",
                                        "Messages received from clients, by verb ('unknown' for "
                                        "unreadable messages and unknown verbs)",
                                        {{"verb", kVerbs[i]}});
    for (size_t i = 0; i < auth_outcomes.size(); ++i)
        auth_outcomes[i] = &registry.counter(
            "nostpp_auth_total",
            "NIP-42 AUTH events by outcome: 'ok', or the check that refused them (kind, "
            "created_at, challenge, relay, signature, too_many)",
            {{"outcome", auth_check_name(AuthCheck(i))}});
}

}  // namespace relay
