#include "relay/client_session.h"

#include "nostr/relay_message.h"
#include "relay/event_policy.h"
#include "relay/live_subscription.h"
#include "relay/relay.h"
#include "relay/subscription_index.h"

namespace relay {
namespace rm = nostr::relay_message;

ClientSession::ClientSession(RelayContext& context, std::shared_ptr<Outbound> out,
                             std::string remote_address)
    : context_(context), out_(std::move(out)), remote_address_(std::move(remote_address)) {}

ClientSession::~ClientSession() { on_close(); }

void ClientSession::on_text(std::string_view text) {
    nostr::ClientMessage message = nostr::parse_client_message(text);
    std::visit([this](auto& m) { handle(m); }, message);
}

void ClientSession::on_binary() {
    out_->send(rm::notice("invalid: binary frames are not supported; send JSON text frames"));
}

void ClientSession::on_close() {
    for (auto& [id, subscription] : subscriptions_) {
        context_.subscriptions->remove(subscription);
        subscription->close();
    }
    subscriptions_.clear();
}

void ClientSession::handle(nostr::RejectedMessage& message) {
    if (!message.ends_subscription.empty()) end_subscription(message.ends_subscription);
    out_->send(std::move(message.reply));
}

void ClientSession::handle(nostr::EventMessage& message) {
    nostr::Event& event = message.event;
    // A backend that verifies events itself (the event handler behind RemoteBackend) is the
    // trust boundary: checking the signature here too would only spend CPU twice.
    std::string refusal = check_incoming_event(event, context_.config.limits, unix_now(),
                                               !context_.backend.verifies_events());
    if (!refusal.empty()) {
        out_->send(rm::ok(event.id, false, refusal));
        return;
    }
    auto shared = std::make_shared<const nostr::Event>(std::move(event));
    context_.backend.submit(shared,
                            [out = out_, id = shared->id](store::PutResult result, uint64_t) {
                                out->send(rm::ok(id, result.accepted(), result.message));
                            });
}

std::string ClientSession::check_filters(const std::string& subscription_id,
                                         size_t filter_count) const {
    const Limits& limits = context_.config.limits;
    if (subscription_id.size() > limits.max_subid_length)
        return rm::closed(subscription_id, "invalid: subscription id longer than " +
                                               std::to_string(limits.max_subid_length));
    if (filter_count > limits.max_filters)
        return rm::closed(subscription_id, "invalid: too many filters (" +
                                               std::to_string(filter_count) + ", max " +
                                               std::to_string(limits.max_filters) + ")");
    return {};
}

void ClientSession::end_subscription(const std::string& subscription_id) {
    auto it = subscriptions_.find(subscription_id);
    if (it == subscriptions_.end()) return;
    context_.subscriptions->remove(it->second);
    it->second->close();
    subscriptions_.erase(it);
}

void ClientSession::handle(nostr::ReqMessage& message) {
    const std::string& id = message.subscription_id;
    // A REQ with an existing id replaces that subscription; refused, it still ends it, as the
    // CLOSED answer tells the client.
    end_subscription(id);
    if (std::string refusal = check_filters(id, message.filters.size()); !refusal.empty()) {
        out_->send(std::move(refusal));
        return;
    }
    std::erase_if(subscriptions_, [](const auto& entry) { return entry.second->is_closed(); });
    const Limits& limits = context_.config.limits;
    if (subscriptions_.size() >= limits.max_subscriptions) {
        out_->send(rm::closed(id, "blocked: too many open subscriptions (max " +
                                      std::to_string(limits.max_subscriptions) + ")"));
        return;
    }
    auto subscription = std::make_shared<LiveSubscription>(id, std::move(message.filters), out_);
    // Registered before the query starts: events committed meanwhile are held, not lost.
    context_.subscriptions->add(subscription);
    subscriptions_.emplace(id, subscription);
    store::QueryOptions options{limits.max_limit, limits.default_limit, unix_now()};
    context_.backend.query(subscription->filters, options,
                           [subscription](QueryResult result) {
                               subscription->finish_initial_query(result);
                           });
}

void ClientSession::handle(nostr::CloseMessage& message) { end_subscription(message.subscription_id); }

void ClientSession::handle(nostr::CountMessage& message) {
    const std::string& id = message.subscription_id;
    if (std::string refusal = check_filters(id, message.filters.size()); !refusal.empty()) {
        out_->send(std::move(refusal));
        return;
    }
    context_.backend.count(std::move(message.filters), unix_now(),
                           [out = out_, id](CountResult result) {
                               if (!result.error.empty()) out->send(rm::closed(id, result.error));
                               else out->send(rm::count(id, result.count, result.hll_hex));
                           });
}

void ClientSession::handle(nostr::AuthMessage& message) {
    // NIP-42 is not offered (no challenge is ever sent), so there is nothing to authenticate.
    out_->send(rm::ok(message.event.id, false,
                      "restricted: this relay does not support NIP-42 authentication"));
}

}  // namespace relay
