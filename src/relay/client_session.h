// One client connection's protocol state: parses its messages, applies limits and policy,
// owns its subscriptions and its NIP-42 authentication (a challenge sent when it opens, the
// pubkeys that answered it), and answers with NIP-01 messages through its Outbound. It counts
// what it sees in the relay's metrics and logs (at debug level) its opening and closing and
// every event it rejects.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "nostr/client_message.h"
#include "ratelimit/connection_budget.h"
#include "relay/outbound.h"

namespace relay {

class RelayContext;
struct LiveSubscription;
class ConnectionAuth;
class ReadRestriction;

class ClientSession {
public:
    ClientSession(RelayContext& context, std::shared_ptr<Outbound> out, std::string remote_address);
    ~ClientSession();  // ends every subscription
    ClientSession(const ClientSession&) = delete;
    ClientSession& operator=(const ClientSession&) = delete;

    // Calls for one session are serialized by the caller (the connection's strand).
    void on_text(std::string_view message);
    void on_binary();
    // A message the network layer could not pass on (over the size limit): counted like a
    // rejected message, and its reply sent.
    void on_rejected(nostr::RejectedMessage message);
    // Ends every subscription of this connection.
    void on_close();

    const std::string& remote_address() const { return remote_address_; }

private:
    void handle(nostr::EventMessage& message);
    void handle(nostr::ReqMessage& message);
    void handle(nostr::CloseMessage& message);
    void handle(nostr::CountMessage& message);
    void handle(nostr::AuthMessage& message);
    void handle(nostr::RejectedMessage& message);
    // "" when the filter list is within limits, else the CLOSED message.
    std::string check_filters(const std::string& subscription_id, size_t filter_count) const;
    // "" when --auth-required is off or someone authenticated, else the refusal.
    std::string auth_required_refusal() const;
    // "" when a REQ/COUNT with these filters may run on this connection (--auth-required,
    // --auth-read-kinds), else why not (the CLOSED message's text).
    std::string check_auth_access(const std::vector<nostr::Filter>& filters) const;
    void end_subscription(const std::string& subscription_id);
    void log_rejected(uint32_t kind, std::string_view message) const;
    // False when the connection's message budget refused `message` (answered "rate-limited:",
    // and the connection closed when it keeps flooding).
    bool within_message_budget(const nostr::ClientMessage& message);
    // "" when a REQ/COUNT is within the connection's query budget, else the CLOSED message.
    std::string check_query_budget(const std::string& subscription_id);

    RelayContext& context_;
    std::shared_ptr<Outbound> out_;
    std::string remote_address_;
    std::chrono::steady_clock::time_point opened_;
    uint64_t messages_ = 0;
    bool closed_ = false;
    ratelimit::ConnectionBudget budget_;
    std::shared_ptr<ConnectionAuth> auth_;
    std::shared_ptr<const ReadRestriction> read_restriction_;  // null without --auth-read-kinds
    std::unordered_map<std::string, std::shared_ptr<LiveSubscription>> subscriptions_;
};

}  // namespace relay
