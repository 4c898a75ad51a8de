// Options of the relay role: where to listen, the relay's identity (NIP-11) and the limits it
// enforces. Separate from cmd_relay.cpp so other roles (websocket-handler) can share them.
#pragma once
#include <string>

#include "net/server.h"
#include "relay/relay_config.h"

namespace CLI {
class App;
}

namespace app {

// --bind, --port, --threads
void add_server_options(CLI::App& command, net::ServerOptions& options);
// --relay-name, --relay-description, --admin-pubkey, --contact, --relay-icon, --relay-url
void add_relay_info_options(CLI::App& command, relay::RelayInfo& info);
// One option per relay::Limits field (the write policy included: --min-pow-difficulty,
// --pubkey-allow, --pubkey-deny, --max-event-age), plus --expiration-purge-seconds.
void add_limits_options(CLI::App& command, relay::RelayConfig& config);
// --ip-allow, --ip-deny: for the roles that accept client connections (relay,
// websocket-handler), not for the event handler's internal API.
void add_ip_access_options(CLI::App& command, net::IpAccessList& lists);

}  // namespace app
