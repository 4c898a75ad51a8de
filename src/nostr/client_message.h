// Parsing client-to-relay messages (NIP-01 EVENT/REQ/CLOSE, NIP-45 COUNT, NIP-42 AUTH).
// Structure only: relay policy (limits, auth) is applied by the caller.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nostr/event.h"
#include "nostr/filter.h"

namespace nostr {

struct EventMessage {
    Event event;  // structurally valid; id and signature not yet verified
};
struct ReqMessage {
    std::string subscription_id;
    std::vector<Filter> filters;
};
struct CloseMessage {
    std::string subscription_id;
};
struct CountMessage {
    std::string subscription_id;
    std::vector<Filter> filters;
};
struct AuthMessage {
    Event event;
};
// The verb of a client message; `unknown` for another verb or no readable verb at all.
enum class Verb : uint8_t { event, req, close, count, auth, unknown };

// The message could not be used; `reply` is the complete answer to send (OK false with the
// event id, CLOSED with the subscription id, or NOTICE when neither is known).
struct RejectedMessage {
    std::string reply;
    Verb verb = Verb::unknown;  // what the message claimed to be (metrics count by verb)
    // A refused REQ whose subscription id could be read: its CLOSED reply tells the client that
    // subscription is over, so the relay must end any subscription it had under that id.
    std::string ends_subscription = {};
    // An EVENT or AUTH whose event id could be read (its reply is an OK): the id in hex, so
    // a refusal for another reason (a rate limit) can still answer with an OK.
    std::string event_id = {};
};

using ClientMessage =
    std::variant<EventMessage, ReqMessage, CloseMessage, CountMessage, AuthMessage, RejectedMessage>;

constexpr size_t kMaxSubscriptionIdLength = 64;

ClientMessage parse_client_message(std::string_view text);

// For messages too large to accept: the id of an EVENT message if one can be found, so the
// client still gets an OK false for it. "" otherwise.
std::string event_id_of_event_message(std::string_view text);

}  // namespace nostr
