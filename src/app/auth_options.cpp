#include "app/auth_options.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "nostr/event.h"
#include "relay/nip42.h"

namespace app {
namespace {

// "4,1059 1060": kinds separated by commas or spaces.
void add_kinds(const std::string& text, std::vector<uint32_t>& kinds) {
    size_t pos = 0;
    while ((pos = text.find_first_not_of(", \t", pos)) != std::string::npos) {
        size_t end = std::min(text.find_first_of(", \t", pos), text.size());
        uint32_t kind = 0;
        auto [stop, error] = std::from_chars(text.data() + pos, text.data() + end, kind);
        if (error != std::errc() || stop != text.data() + end || kind > nostr::kMaxKind)
            throw CLI::ValidationError("--auth-read-kinds", "'" + text.substr(pos, end - pos) +
                                                                "' is not a kind (0-65535)");
        kinds.push_back(kind);
        pos = end;
    }
}

}  // namespace

void add_auth_options(CLI::App& command, relay::AuthConfig& auth) {
    command
        .add_flag("--auth-required", auth.required,
                  "NIP-42: clients must authenticate before any EVENT, REQ or COUNT (they get "
                  "'auth-required:' until they do)")
        ->envname("AUTH_REQUIRED");
    command
        .add_option_function<std::vector<std::string>>(
            "--auth-read-kinds",
            [&auth](const std::vector<std::string>& values) {
                auth.read_kinds.clear();
                for (const std::string& value : values) add_kinds(value, auth.read_kinds);
                std::sort(auth.read_kinds.begin(), auth.read_kinds.end());
                auth.read_kinds.erase(std::unique(auth.read_kinds.begin(), auth.read_kinds.end()),
                                      auth.read_kinds.end());
            },
            "Kinds (comma/space separated, e.g. 4,1059) served only to their participants: the "
            "author or a pubkey in a p tag must have authenticated (NIP-42) on the connection")
        ->envname("AUTH_READ_KINDS");
    command
        .add_option("--auth-window", auth.window_seconds,
                    "Seconds an AUTH event's created_at may differ from the relay's clock")
        ->envname("AUTH_WINDOW_SECONDS")
        ->check(CLI::Range(int64_t{1}, int64_t{86400}));
}

std::string resolve_relay_url(const std::string& configured) {
    std::string url = configured;
    if (url.empty()) {
        const char* domain = std::getenv("NOSTPY_DOMAIN");
        if (domain && *domain) url = std::string("wss://") + domain;
    }
    if (url.empty()) {
        spdlog::info(
            "NIP-42: no --relay-url (nor NOSTPY_DOMAIN); AUTH events may name any relay URL");
        return url;
    }
    if (!relay::normalize_relay_url(url))
        throw std::runtime_error("--relay-url must be a ws:// or wss:// URL, not '" + url + "'");
    spdlog::info("NIP-42: AUTH events must name {}", url);
    return url;
}

}  // namespace app
