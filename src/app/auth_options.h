// NIP-42 options (--auth-required, --auth-read-kinds, --auth-window) and the relay URL an
// AUTH event's relay tag must name. Enforced where client connections are held (relay,
// websocket-handler); the event handler accepts them too, unused, so one configuration
// serves every role.
#pragma once
#include <string>

#include "relay/relay_config.h"

namespace CLI {
class App;
}

namespace app {

void add_auth_options(CLI::App& command, relay::AuthConfig& auth);

// --relay-url / RELAY_URL when given, else wss://$NOSTPY_DOMAIN when that is set, else ""
// (AUTH events may then name any ws:// or wss:// URL). Logs the choice. Throws
// std::runtime_error when the URL is not ws:// or wss://.
std::string resolve_relay_url(const std::string& configured);

}  // namespace app
