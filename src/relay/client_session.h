// One client connection's protocol state: parses its messages, applies limits and policy,
// owns its subscriptions, and answers with NIP-01 messages through its Outbound.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "relay/outbound.h"

namespace relay {

class RelayContext;
struct LiveSubscription;

class ClientSession {
public:
    ClientSession(RelayContext& context, std::shared_ptr<Outbound> out, std::string remote_address);
    ~ClientSession();
    ClientSession(const ClientSession&) = delete;
    ClientSession& operator=(const ClientSession&) = delete;

    // Calls for one session are serialized by the caller (the connection's strand).
    void on_text(std::string_view message);
    void on_binary();
    // Ends every subscription of this connection.
    void on_close();

    const std::string& remote_address() const { return remote_address_; }

private:
    void handle_event(struct EventMessage_& message);
    RelayContext& context_;
    std::shared_ptr<Outbound> out_;
    std::string remote_address_;
    std::unordered_map<std::string, std::shared_ptr<LiveSubscription>> subscriptions_;
};

}  // namespace relay
