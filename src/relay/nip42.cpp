#include "relay/nip42.h"

#include <charconv>

#include "nostr/event_parser.h"

namespace relay {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

std::optional<std::string> normalize_relay_url(std::string_view url) {
    size_t separator = url.find("://");
    if (separator == std::string_view::npos) return std::nullopt;
    std::string scheme = lower(url.substr(0, separator));
    if (scheme != "ws" && scheme != "wss") return std::nullopt;
    std::string_view rest = url.substr(separator + 3);
    size_t path_start = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path_start);
    std::string_view path = path_start == std::string_view::npos ? "" : rest.substr(path_start);
    if (authority.find('@') != std::string_view::npos) return std::nullopt;

    std::string_view host = authority, port_text;
    if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
        size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(0, close + 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && (after.front() != ':' || after.size() == 1)) return std::nullopt;
        if (!after.empty()) port_text = after.substr(1);
    } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port_text = authority.substr(colon + 1);
        if (port_text.empty()) return std::nullopt;
    }
    if (host.empty()) return std::nullopt;
    unsigned port = scheme == "ws" ? 80 : 443;
    if (!port_text.empty()) {
        auto [end, error] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
            port > 65535)
            return std::nullopt;
    }
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    return scheme + "://" + lower(host) + ":" + std::to_string(port) + std::string(path);
}

const char* auth_check_name(AuthCheck check) {
    static constexpr const char* kNames[] = {"ok",    "kind",      "created_at", "challenge",
                                             "relay", "signature", "too_many"};
    static_assert(std::size(kNames) == kAuthCheckCount);
    return kNames[size_t(check)];
}

AuthVerdict check_auth_event(const nostr::Event& event, std::string_view challenge,
                             std::string_view relay_url, int64_t now, int64_t window_seconds) {
    if (event.kind != kAuthEventKind)
        return {AuthCheck::kind, "invalid: an AUTH event must be of kind 22242"};
    if (event.created_at > now + window_seconds || event.created_at < now - window_seconds)
        return {AuthCheck::created_at, "invalid: the AUTH event's created_at is more than " +
                                           std::to_string(window_seconds) +
                                           " seconds away from the relay's clock"};
    const std::string* sent_challenge = event.first_tag_value("challenge");
    if (!sent_challenge || *sent_challenge != challenge)
        return {AuthCheck::challenge,
                "invalid: the AUTH event's challenge tag is not this connection's challenge"};
    const std::string* relay_tag = event.first_tag_value("relay");
    std::optional<std::string> sent_url =
        relay_tag ? normalize_relay_url(*relay_tag) : std::nullopt;
    if (!sent_url || (!relay_url.empty() && sent_url != normalize_relay_url(relay_url)))
        return {
            AuthCheck::relay,
            relay_url.empty()
                ? std::string("invalid: the AUTH event's relay tag must be a ws:// or wss:// URL")
                : "invalid: the AUTH event's relay tag does not name this relay (" +
                      std::string(relay_url) + ")"};
    if (std::string refusal = nostr::verify_event(event); !refusal.empty())
        return {AuthCheck::signature, std::move(refusal)};
    return {};
}

}  // namespace relay
