// Operator settings the relay logic needs: identity for NIP-11 and the limits it enforces
// (all advertised in NIP-11's `limitation`).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ratelimit/rate_limits.h"
#include "relay/pubkey_lists.h"

namespace relay {

struct RelayInfo {
    std::string name = "nostpp";
    std::string description = "A fast Nostr relay written in C++";
    std::string admin_pubkey;  // ADMIN_PUBKEY (hex)
    std::string contact;       // CONTACT
    std::string icon;          // RELAY_ICON
    std::string relay_url;     // public wss:// URL (NIP-42 relay tag); may be empty
};

// NIP-42 authentication (docs/security.md, "Authentication").
struct AuthConfig {
    bool required = false;             // --auth-required: AUTH before any EVENT/REQ/COUNT
    std::vector<uint32_t> read_kinds;  // --auth-read-kinds: served to participants only (sorted)
    int64_t window_seconds = 600;      // --auth-window: an AUTH event's created_at within ±this
};

struct Limits {
    uint64_t max_message_bytes = 131072;      // largest accepted WebSocket message
    uint32_t max_subscriptions = 20;          // per connection
    uint32_t max_filters = 10;                // per REQ/COUNT
    uint64_t max_limit = 5000;                // cap on a filter's limit
    uint64_t default_limit = 500;             // limit of a filter that names none
    uint32_t max_subid_length = 64;
    uint32_t max_event_tags = 2000;
    uint64_t max_content_length = 65536;      // characters (code points), as NIP-11 says
    int64_t created_at_future_seconds = 900;  // how far ahead of now created_at may be
    int64_t created_at_past_seconds = 0;      // 0 = no lower bound (alias: --max-event-age)
    uint32_t min_pow_difficulty = 0;          // NIP-13 leading zero bits of the id (0 = off)
    PubkeyLists pubkeys;                      // --pubkey-allow / --pubkey-deny
    uint64_t max_outbound_bytes = 8 << 20;    // queued per connection before it is dropped
    bool restricted_writes = false;           // a write gate (Web of Trust) decides who writes
    uint32_t ping_interval_seconds = 60;      // a WebSocket quiet this long is pinged (0 = never)
    uint32_t idle_timeout_seconds = 300;      // a WebSocket quiet this long is closed (0 = never)
    ratelimit::RateLimits rate;               // per connection, address and pubkey (0 = off)
};

struct RelayConfig {
    RelayInfo info;
    Limits limits;
    AuthConfig auth;
    uint32_t expiration_purge_seconds = 60;  // NIP-40 background purge period
};

}  // namespace relay
