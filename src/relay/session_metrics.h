// The client-facing series of a process that serves Nostr clients (relay, websocket-handler):
// open connections, messages by verb, events received / accepted / rejected, NIP-42 AUTH
// messages by outcome. Registered once
// when the relay starts, so every series shows from the first scrape and sessions only touch
// atomics.
#pragma once
#include <array>

#include "nostr/client_message.h"
#include "ratelimit/rate_limit_metrics.h"
#include "relay/event_counters.h"
#include "relay/nip42.h"
#include "telemetry/metrics.h"

namespace relay {

struct SessionMetrics {
    explicit SessionMetrics(telemetry::MetricsRegistry& registry);

    telemetry::Counter& message(nostr::Verb verb) { return *messages[size_t(verb)]; }

    telemetry::Gauge& connections;  // open WebSocket connections
    telemetry::Counter& connections_opened;
    std::array<telemetry::Counter*, size_t(nostr::Verb::unknown) + 1> messages{};
    EventCounters events;
    ratelimit::RateLimitMetrics rate_limits;  // messages and REQs refused per connection
    // AUTH events by outcome: "ok", or the check they failed (relay::AuthCheck).
    telemetry::Counter& auth(AuthCheck check) { return *auth_outcomes[size_t(check)]; }
    std::array<telemetry::Counter*, kAuthCheckCount> auth_outcomes{};
};

}  // namespace relay
