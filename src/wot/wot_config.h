// Web of Trust settings as the operator gives them (flags / WOT_* variables) and as the relay
// uses them once resolved and validated.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "nostr/hex.h"
#include "wot/trust_set.h"

namespace wot {

// Raw operator input; every field maps to one flag and one environment variable.
struct WotSettings {
    std::optional<bool> enabled;         // WOT_ENABLED; unset = on when ADMIN_PUBKEY is set
    std::string admin_pubkey;            // ADMIN_PUBKEY
    int depth = 2;                       // WOT_DEPTH
    uint32_t min_followers = 3;          // WOT_MIN_FOLLOWERS
    std::string allow;                   // WOT_ALLOW: pubkeys, comma or space separated
    std::string deny;                    // WOT_DENY
    std::string seed_relays;             // WOT_SEED_RELAYS: ws:// or wss:// URLs, comma separated
    uint64_t refresh_interval_s = 3600;  // WOT_REFRESH_INTERVAL
    std::string before_first_build = "admin-only";  // WOT_BEFORE_FIRST_BUILD: admin-only|open
};

struct WotConfig {
    bool enabled = false;
    nostr::Bytes32 admin{};
    int depth = 2;
    uint32_t min_followers = 3;
    PubkeySet allow;
    PubkeySet deny;
    std::vector<std::string> seed_relays;
    std::chrono::seconds refresh_interval{3600};
    bool open_before_first_build = false;
    // How long after a relevant kind-3 arrives the set is rebuilt (more arrivals in that time
    // share one rebuild).
    std::chrono::milliseconds rebuild_delay{2000};
    // How often a running process looks for a set rebuilt elsewhere (another event handler,
    // `nostpp wot rebuild`).
    std::chrono::milliseconds reload_poll{5000};
};

// Validates and resolves. Throws std::invalid_argument with a message naming the setting to
// fix (e.g. WOT_ENABLED=true without ADMIN_PUBKEY).
WotConfig resolve_wot_config(const WotSettings& settings);

// One line for the startup log: "off (...)" or the rules in force. Never secret.
std::string describe(const WotConfig& config);

}  // namespace wot
