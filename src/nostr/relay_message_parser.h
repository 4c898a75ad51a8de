// Decoding relay-to-client messages: the client side of NIP-01, used when nostpp itself
// reads from another relay (Web of Trust seed relays).
#pragma once
#include <string>
#include <string_view>
#include <variant>

#include "nostr/event.h"

namespace nostr {

struct RelayEventMessage {
    std::string subscription_id;
    Event event;  // structure checked; id and signature not verified
};
struct RelayEoseMessage {
    std::string subscription_id;
};
struct RelayClosedMessage {
    std::string subscription_id;
    std::string message;
};
struct RelayNoticeMessage {
    std::string message;
};
// Anything else: OK, COUNT, AUTH, unknown verbs, or an EVENT whose event is malformed
// (`error` says why).
struct RelayOtherMessage {
    std::string verb;
    std::string error;
};

using RelayMessage = std::variant<RelayEventMessage, RelayEoseMessage, RelayClosedMessage,
                                  RelayNoticeMessage, RelayOtherMessage>;

// Never throws; text that is not a JSON array starting with a string verb gives
// RelayOtherMessage with an error.
RelayMessage parse_relay_message(std::string_view text);

}  // namespace nostr
