// NIP-42 AUTH events: the relay URL comparison and the checks an ["AUTH", <event>] must pass
// before its pubkey counts as authenticated on the connection (docs/security.md).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nostr/event.h"

namespace relay {

constexpr uint32_t kAuthEventKind = 22242;

// "scheme://host:port/path": scheme and host lowercased, the default port (80 for ws, 443 for
// wss) written out, trailing slashes dropped, so equal URLs compare equal as strings. nullopt
// when `url` is not a ws:// or wss:// URL with a host.
std::optional<std::string> normalize_relay_url(std::string_view url);

// Which check an AUTH event failed; `ok` when it passed all of them. The metrics label each
// outcome by name (auth_check_name), so this list stays short and fixed.
enum class AuthCheck : uint8_t { ok, kind, created_at, challenge, relay, signature, too_many };
constexpr size_t kAuthCheckCount = size_t(AuthCheck::too_many) + 1;
const char* auth_check_name(AuthCheck check);

struct AuthVerdict {
    AuthCheck check = AuthCheck::ok;
    std::string message;  // "" when ok, else the OK false message ("invalid: ...")
};

// Kind 22242, created_at within ±window_seconds of `now`, a challenge tag equal to
// `challenge`, a relay tag naming `relay_url` (normalized; when `relay_url` is empty any
// ws:// or wss:// URL is accepted), then a valid id and BIP-340 signature.
AuthVerdict check_auth_event(const nostr::Event& event, std::string_view challenge,
                             std::string_view relay_url, int64_t now, int64_t window_seconds);

}  // namespace relay
