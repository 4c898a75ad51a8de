#include "relay/relay.h"

#include "relay/subscription_index.h"

namespace relay {

RelayContext::RelayContext(RelayConfig config, Backend& backend)
    : config(std::move(config)), backend(backend),
      subscriptions(std::make_shared<SubscriptionIndex>()) {}

RelayContext::~RelayContext() = default;

Relay::Relay(RelayConfig config, Backend& backend, bus::Bus& bus)
    : context_(std::move(config), backend) {
    bus.subscribe([index = context_.subscriptions](const bus::LiveEvent& event) {
        index->dispatch(event);
    });
}

Relay::~Relay() = default;

std::unique_ptr<ClientSession> Relay::open_session(std::shared_ptr<Outbound> out,
                                                   std::string remote_address) {
    return std::make_unique<ClientSession>(context_, std::move(out), std::move(remote_address));
}

size_t Relay::live_subscriptions() const { return context_.subscriptions->size(); }

}  // namespace relay
