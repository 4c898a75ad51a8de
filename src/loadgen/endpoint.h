// The relay's WebSocket address. The bench only ever talks to this machine: a load generator
// pointed at someone else's relay is a denial-of-service tool, so anything that is not
// loopback is refused before a socket is opened.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadgen {

struct Endpoint {
    std::string host;  // as written in the URL (sent in the Host header)
    uint16_t port = 0;
    std::string target;   // request path, "/" by default
    std::string address;  // numeric loopback address to connect to
};

// Parses ws://host[:port][/path] where host is localhost, 127.0.0.0/8 or ::1 ([::1] form).
// `localhost` is resolved here and every address it resolves to must be loopback too.
std::optional<Endpoint> parse_loopback_url(std::string_view url, std::string& error);

}  // namespace loadgen
