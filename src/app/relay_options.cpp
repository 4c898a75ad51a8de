#include "app/relay_options.h"

#include "app/rate_limit_options.h"

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <vector>

namespace app {
namespace {

bool is_lower_hex64(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// NIP-11's pubkey field must be usable by clients as is: 64 lowercase hex characters.
const CLI::Validator kPubkeyHex(
    [](std::string& value) {
        return value.empty() || is_lower_hex64(value)
                   ? std::string()
                   : std::string("must be a public key in 64 lowercase hex characters");
    },
    "HEX64", "pubkey");

// An option holding a list (repeatable, each value comma/space separated) whose entries
// `add` checks and stores; a bad entry fails the command line like any invalid value.
void add_list_option(CLI::App& command, const std::string& name, const std::string& env,
                     const std::string& help, std::function<void(const std::string&)> add) {
    command
        .add_option_function<std::vector<std::string>>(
            name,
            [add = std::move(add), name](const std::vector<std::string>& values) {
                try {
                    for (const std::string& value : values) add(value);
                } catch (const std::invalid_argument& e) {
                    throw CLI::ValidationError(name, e.what());
                }
            },
            help)
        ->envname(env);
}

}  // namespace

void add_server_options(CLI::App& command, net::ServerOptions& options) {
    command.add_option("--bind", options.bind_address, "Address to listen on")
        ->envname("BIND_ADDRESS");
    command.add_option("--port", options.port, "TCP port for WebSocket and HTTP (NIP-11)")
        ->envname("PORT");
    command.add_option("--threads", options.threads, "Network I/O threads (0 = one per CPU core)")
        ->envname("THREADS");
}

void add_relay_info_options(CLI::App& command, relay::RelayInfo& info) {
    command.add_option("--relay-name", info.name, "Relay name (NIP-11)")->envname("RELAY_NAME");
    command.add_option("--relay-description", info.description, "Relay description (NIP-11)")
        ->envname("RELAY_DESCRIPTION");
    command
        .add_option("--admin-pubkey", info.admin_pubkey,
                    "Operator's public key, 64 lowercase hex characters (NIP-11 pubkey)")
        ->envname("ADMIN_PUBKEY")
        ->check(kPubkeyHex);
    command.add_option("--contact", info.contact, "Operator contact, e.g. a mailto: URI (NIP-11)")
        ->envname("CONTACT");
    command.add_option("--relay-icon", info.icon, "URL of the relay's icon (NIP-11)")
        ->envname("RELAY_ICON");
    command
        .add_option("--relay-url", info.relay_url,
                    "Public ws:// or wss:// URL of this relay, which NIP-42 AUTH events must name "
                    "[default: wss://$NOSTPY_DOMAIN when that is set]")
        ->envname("RELAY_URL");
}

void add_limits_options(CLI::App& command, relay::RelayConfig& config) {
    relay::Limits& limits = config.limits;
    command
        .add_option("--max-message-bytes", limits.max_message_bytes,
                    "Largest WebSocket message accepted; larger ones are answered "
                    "'invalid: message too large'")
        ->envname("MAX_MESSAGE_BYTES")
        ->transform(CLI::AsSizeValue(false));
    command
        .add_option("--max-subscriptions", limits.max_subscriptions,
                    "Open subscriptions per connection")
        ->envname("MAX_SUBSCRIPTIONS");
    command.add_option("--max-filters", limits.max_filters, "Filters per REQ or COUNT")
        ->envname("MAX_FILTERS");
    command.add_option("--max-limit", limits.max_limit, "Largest 'limit' a filter may ask for")
        ->envname("MAX_LIMIT");
    command
        .add_option("--default-limit", limits.default_limit,
                    "Events returned for a filter without 'limit'")
        ->envname("DEFAULT_LIMIT");
    command
        .add_option("--max-subid-length", limits.max_subid_length,
                    "Longest subscription id, in characters")
        ->envname("MAX_SUBID_LENGTH");
    command.add_option("--max-event-tags", limits.max_event_tags, "Tags per event")
        ->envname("MAX_EVENT_TAGS");
    command
        .add_option("--max-content-length", limits.max_content_length,
                    "Longest event content, in characters")
        ->envname("MAX_CONTENT_LENGTH");
    command
        .add_option("--created-at-future", limits.created_at_future_seconds,
                    "Seconds an event's created_at may be ahead of the relay's clock")
        ->envname("CREATED_AT_FUTURE_SECONDS");
    command
        .add_option("--created-at-past", limits.created_at_past_seconds,
                    "Seconds an event's created_at may be behind the relay's clock (0 = any)")
        ->envname("CREATED_AT_PAST_SECONDS");
    // The same setting under the name operators look for; giving both is an error rather
    // than a silent choice.
    command
        .add_option("--max-event-age", limits.created_at_past_seconds,
                    "Same as --created-at-past: events created longer ago than this many "
                    "seconds are refused (0 = any age)")
        ->envname("MAX_EVENT_AGE")
        ->excludes("--created-at-past");
    command
        .add_option("--min-pow-difficulty", limits.min_pow_difficulty,
                    "NIP-13: leading zero bits an event id needs, and the least target a nonce "
                    "tag may commit to (0 = no proof of work required)")
        ->envname("MIN_POW_DIFFICULTY")
        ->check(CLI::Range(0, 256));
    add_list_option(command, "--pubkey-allow", "PUBKEY_ALLOW",
                    "Hex public keys (comma/space separated) that alone may publish; "
                    "others get 'blocked:' (default: anyone)",
                    [&limits](const std::string& v) { limits.pubkeys.allow(v); });
    add_list_option(command, "--pubkey-deny", "PUBKEY_DENY",
                    "Hex public keys (comma/space separated) whose events are refused "
                    "'blocked:'; wins over --pubkey-allow",
                    [&limits](const std::string& v) { limits.pubkeys.deny(v); });
    command
        .add_option("--max-outbound-bytes", limits.max_outbound_bytes,
                    "Bytes queued for one connection before it is closed as a slow reader")
        ->envname("MAX_OUTBOUND_BYTES")
        ->transform(CLI::AsSizeValue(false));
    command
        .add_option("--ping-interval", limits.ping_interval_seconds,
                    "Seconds a WebSocket connection may stay quiet (nothing received, pongs "
                    "included) before it is pinged, and between pings (0 = never ping)")
        ->envname("PING_INTERVAL_SECONDS");
    command
        .add_option("--idle-timeout", limits.idle_timeout_seconds,
                    "Seconds a WebSocket connection may stay quiet before it is closed; "
                    "larger than --ping-interval so live clients can answer a ping (0 = never)")
        ->envname("IDLE_TIMEOUT_SECONDS");
    command
        .add_option("--expiration-purge-seconds", config.expiration_purge_seconds,
                    "Seconds between purges of expired events (NIP-40; 0 = never purge, "
                    "expired events are still hidden)")
        ->envname("EXPIRATION_PURGE_SECONDS");
    add_rate_limit_options(command, limits.rate);
}

void add_ip_access_options(CLI::App& command, net::IpAccessList& lists) {
    add_list_option(command, "--ip-allow", "IP_ALLOW",
                    "Client addresses or CIDR ranges, IPv4 or IPv6 (comma/space separated) that "
                    "alone may connect; others are disconnected at once (default: anyone)",
                    [&lists](const std::string& v) { lists.allow(v); });
    add_list_option(command, "--ip-deny", "IP_DENY",
                    "Client addresses or CIDR ranges whose connections are closed as soon as "
                    "they are accepted; wins over --ip-allow",
                    [&lists](const std::string& v) { lists.deny(v); });
}

}  // namespace app
