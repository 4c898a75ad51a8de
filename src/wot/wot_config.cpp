#include "wot/wot_config.h"

#include <stdexcept>

namespace wot {
namespace {

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    for (char c : text + ",") {
        if (c == ',' || c == ' ' || c == '\n' || c == '\t') {
            if (!item.empty()) out.push_back(item);
            item.clear();
        } else {
            item.push_back(c);
        }
    }
    return out;
}

PubkeySet parse_pubkeys(const std::string& text, const char* setting) {
    PubkeySet out;
    for (const std::string& item : split_list(text)) {
        nostr::Bytes32 pubkey;
        if (!nostr::decode_lower_hex(item, pubkey))
            throw std::invalid_argument(std::string(setting) + ": '" + item +
                                        "' is not a public key in 64 lowercase hex characters");
        out.insert(pubkey);
    }
    return out;
}

bool is_websocket_url(const std::string& url) {
    return url.rfind("ws://", 0) == 0 || url.rfind("wss://", 0) == 0;
}

}  // namespace

WotConfig resolve_wot_config(const WotSettings& settings) {
    WotConfig config;
    const bool has_admin = !settings.admin_pubkey.empty();
    config.enabled = settings.enabled.value_or(has_admin);
    if (!config.enabled) return config;
    if (!has_admin)
        throw std::invalid_argument(
            "WOT_ENABLED is true but ADMIN_PUBKEY is not set: the Web of Trust starts from the "
            "admin's follow list. Set ADMIN_PUBKEY (--admin-pubkey) to your public key in hex, "
            "or set WOT_ENABLED=false");
    if (!nostr::decode_lower_hex(settings.admin_pubkey, config.admin))
        throw std::invalid_argument("ADMIN_PUBKEY must be 64 lowercase hex characters");
    if (settings.depth != 1 && settings.depth != 2)
        throw std::invalid_argument(
            "WOT_DEPTH must be 1 (admin's follows) or 2 (their follows "
            "too, above WOT_MIN_FOLLOWERS)");
    if (settings.min_followers < 1) throw std::invalid_argument("WOT_MIN_FOLLOWERS must be >= 1");
    if (settings.refresh_interval_s < 1)
        throw std::invalid_argument("WOT_REFRESH_INTERVAL must be >= 1 second");
    if (settings.before_first_build != "admin-only" && settings.before_first_build != "open")
        throw std::invalid_argument("WOT_BEFORE_FIRST_BUILD must be 'admin-only' or 'open'");
    config.depth = settings.depth;
    config.min_followers = settings.min_followers;
    config.allow = parse_pubkeys(settings.allow, "WOT_ALLOW");
    config.deny = parse_pubkeys(settings.deny, "WOT_DENY");
    for (const std::string& url : split_list(settings.seed_relays)) {
        if (!is_websocket_url(url))
            throw std::invalid_argument("WOT_SEED_RELAYS: '" + url +
                                        "' is not a ws:// or wss:// URL");
        config.seed_relays.push_back(url);
    }
    config.refresh_interval = std::chrono::seconds(settings.refresh_interval_s);
    config.open_before_first_build = settings.before_first_build == "open";
    return config;
}

std::string describe(const WotConfig& config) {
    if (!config.enabled) return "off";
    std::string out =
        "on: admin " + nostr::to_hex(config.admin) + ", depth " + std::to_string(config.depth);
    if (config.depth == 2) out += ", min followers " + std::to_string(config.min_followers);
    out += ", " + std::to_string(config.allow.size()) + " allowed, " +
           std::to_string(config.deny.size()) + " denied, " +
           std::to_string(config.seed_relays.size()) + " seed relays, rebuilt every " +
           std::to_string(config.refresh_interval.count()) + " s, before the first build " +
           (config.open_before_first_build ? "open" : "admin and allow list only");
    return out;
}

}  // namespace wot
