// The network-independent relay: the parts every connection shares (configuration, backend,
// live subscription index, NIP-11 document). Thread-safe. The network layer creates one
// ClientSession per connection through open_session().
#pragma once
#include <memory>
#include <string>

#include "bus/bus.h"
#include "relay/backend.h"
#include "ratelimit/pubkey_budget.h"
#include "relay/client_session.h"
#include "relay/relay_config.h"
#include "relay/write_gate.h"
#include "relay/session_metrics.h"

namespace relay {

class SubscriptionIndex;

// Shared state handed to sessions (private to relay/).
class RelayContext {
public:
    RelayContext(RelayConfig config, Backend& backend, telemetry::MetricsRegistry& metrics,
                 const WriteGate* write_gate, ratelimit::PubkeyBudget* event_budget);
    ~RelayContext();
    RelayConfig config;
    Backend& backend;
    const WriteGate* write_gate;  // null: everyone may write (or the backend decides)
    ratelimit::PubkeyBudget* event_budget;  // null: no per-pubkey limit (or the backend's)
    SessionMetrics metrics;
    // config.auth.read_kinds, shared with the sessions' read restrictions, which live
    // subscriptions may keep past the relay's end during shutdown.
    std::shared_ptr<const std::vector<uint32_t>> auth_read_kinds;
    // Shared with the bus listener, which may outlive the relay briefly during shutdown.
    std::shared_ptr<SubscriptionIndex> subscriptions;
};

class Relay {
public:
    // `bus` delivers accepted events to live subscriptions; `backend` stores and queries;
    // `metrics` gets the client-facing series (session_metrics.h) and the live subscription
    // count. The backend's callbacks may count into this relay's metrics: stop the backend
    // before destroying the relay. `write_gate`, when given, decides whose events are
    // accepted (it must outlive the relay). `event_budget`, when given, limits events per
    // pubkey (checked after the signature; it must outlive the relay).
    Relay(RelayConfig config, Backend& backend, bus::Bus& bus,
          telemetry::MetricsRegistry& metrics, const WriteGate* write_gate = nullptr,
          ratelimit::PubkeyBudget* event_budget = nullptr);
    ~Relay();

    std::unique_ptr<ClientSession> open_session(std::shared_ptr<Outbound> out,
                                                std::string remote_address);
    // NIP-11 relay information document (JSON).
    std::string nip11_document() const;
    const RelayConfig& config() const { return context_.config; }
    size_t live_subscriptions() const;

private:
    RelayContext context_;
};

}  // namespace relay
