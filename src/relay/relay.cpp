#include "relay/relay.h"

#include <algorithm>

#include "relay/subscription_index.h"

namespace relay {
namespace {
std::shared_ptr<const std::vector<uint32_t>> sorted_kinds(std::vector<uint32_t> kinds) {
    std::sort(kinds.begin(), kinds.end());
    kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
    return std::make_shared<const std::vector<uint32_t>>(std::move(kinds));
}
}  // namespace

RelayContext::RelayContext(RelayConfig config, Backend& backend,
                           telemetry::MetricsRegistry& metrics, const WriteGate* write_gate,
                           ratelimit::PubkeyBudget* event_budget)
    : config(std::move(config)),
      backend(backend),
      write_gate(write_gate),
      event_budget(event_budget),
      metrics(metrics),
      auth_read_kinds(sorted_kinds(this->config.auth.read_kinds)),
      subscriptions(std::make_shared<SubscriptionIndex>()) {}

RelayContext::~RelayContext() = default;

Relay::Relay(RelayConfig config, Backend& backend, bus::Bus& bus,
             telemetry::MetricsRegistry& metrics, const WriteGate* write_gate,
             ratelimit::PubkeyBudget* event_budget)
    : context_(std::move(config), backend, metrics, write_gate, event_budget) {
    bus.subscribe([index = context_.subscriptions](const bus::LiveEvent& event) {
        index->dispatch(event);
    });
    // Read when scraped; the index is shared, so the registry may outlive the relay.
    metrics.sampled("nostpp_subscriptions", "Live subscriptions (REQs not closed)",
                    telemetry::MetricType::gauge,
                    [index = context_.subscriptions] { return double(index->size()); });
}

Relay::~Relay() = default;

std::unique_ptr<ClientSession> Relay::open_session(std::shared_ptr<Outbound> out,
                                                   std::string remote_address) {
    return std::make_unique<ClientSession>(context_, std::move(out), std::move(remote_address));
}

size_t Relay::live_subscriptions() const { return context_.subscriptions->size(); }

}  // namespace relay
