// NIP-11 relay information document.
#include <algorithm>

#include "nostr/canonical.h"
#include "relay/relay.h"

#ifndef NOSTPP_VERSION
#define NOSTPP_VERSION "0.0.0"
#endif

namespace relay {
namespace {
// NIPs that work end to end in this build; keep in step with the e2e tests.
constexpr int kSupportedNips[] = {1, 9, 11, 13, 40, 45, 70};

void field(std::string& out, std::string_view key, std::string_view value) {
    if (out.size() > 1) out.push_back(',');
    nostr::append_json_string(out, key);
    out.push_back(':');
    nostr::append_json_string(out, value);
}
void number(std::string& out, std::string_view key, int64_t value) {
    if (out.back() != '{') out.push_back(',');
    nostr::append_json_string(out, key);
    out.push_back(':');
    out += std::to_string(value);
}
}  // namespace

std::string Relay::nip11_document() const {
    const RelayInfo& info = context_.config.info;
    const Limits& limits = context_.config.limits;
    std::string out = "{";
    field(out, "name", info.name);
    field(out, "description", info.description);
    if (!info.admin_pubkey.empty()) field(out, "pubkey", info.admin_pubkey);
    if (!info.contact.empty()) field(out, "contact", info.contact);
    if (!info.icon.empty()) field(out, "icon", info.icon);
    field(out, "software", "https://github.com/nostpp/nostpp");
    field(out, "version", NOSTPP_VERSION);
    out += ",\"supported_nips\":[";
    for (size_t i = 0; i < std::size(kSupportedNips); ++i) {
        if (i) out.push_back(',');
        out += std::to_string(kSupportedNips[i]);
    }
    out += "],\"limitation\":{";
    number(out, "max_message_length", static_cast<int64_t>(limits.max_message_bytes));
    number(out, "max_subscriptions", limits.max_subscriptions);
    number(out, "max_filters", limits.max_filters);
    number(out, "max_limit", static_cast<int64_t>(limits.max_limit));
    number(out, "default_limit",
           static_cast<int64_t>(std::min(limits.default_limit, limits.max_limit)));
    number(out, "max_subid_length", limits.max_subid_length);
    number(out, "max_event_tags", limits.max_event_tags);
    number(out, "max_content_length", static_cast<int64_t>(limits.max_content_length));
    number(out, "min_pow_difficulty", limits.min_pow_difficulty);
    out += ",\"auth_required\":false,\"payment_required\":false,\"restricted_writes\":";
    // NIP-11: writes are restricted when they need anything beyond a valid event.
    bool restricted = limits.restricted_writes || limits.min_pow_difficulty > 0 ||
                      limits.pubkeys.has_allow_list();
    out += restricted ? "true" : "false";
    if (limits.created_at_past_seconds > 0)
        number(out, "created_at_lower_limit", limits.created_at_past_seconds);
    number(out, "created_at_upper_limit", limits.created_at_future_seconds);
    out += "}}";
    return out;
}

}  // namespace relay
