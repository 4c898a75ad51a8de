#include "net/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>

namespace net {
namespace {

bool is_v4_mapped(const Address16& a) {
    static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::equal(std::begin(kPrefix), std::end(kPrefix), a.begin());
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// One hop: "192.0.2.1", "2001:db8::1", and the forms with a port some proxies write:
// "192.0.2.1:4711", "[2001:db8::1]:4711".
std::optional<Address16> parse_hop(std::string_view hop) {
    hop = trim(hop);
    if (auto address = IpAccessList::parse_address(hop)) return address;
    if (!hop.empty() && hop.front() == '[') {
        size_t close = hop.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        return IpAccessList::parse_address(hop.substr(1, close - 1));
    }
    size_t colon = hop.find(':');
    if (colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos)
        return IpAccessList::parse_address(hop.substr(0, colon));
    return std::nullopt;
}

}  // namespace

bool is_trusted_proxy(const Address16& address, const IpAccessList& proxies) {
    return !proxies.empty() && proxies.check(address).empty();
}

Address16 client_address(const Address16& peer, std::string_view forwarded_for,
                         const IpAccessList& proxies) {
    Address16 client = peer;
    if (!is_trusted_proxy(peer, proxies)) return client;
    // Right to left: step over trusted proxies; stop at the first hop that is not one (the
    // client), or at an entry that is not an address (what is left of it cannot be trusted:
    // the last good hop stands).
    std::string_view rest = forwarded_for;
    while (!trim(rest).empty()) {
        size_t comma = rest.rfind(',');
        std::string_view hop = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
        auto address = parse_hop(hop);
        if (!address) break;
        client = *address;
        if (!is_trusted_proxy(client, proxies)) break;
    }
    return client;
}

std::string format_address(const Address16& address) {
    char text[INET6_ADDRSTRLEN] = {};
    if (is_v4_mapped(address))
        inet_ntop(AF_INET, address.data() + 12, text, sizeof text);
    else
        inet_ntop(AF_INET6, address.data(), text, sizeof text);
    return text;
}

std::string connection_limit_key(const Address16& address) {
    if (is_v4_mapped(address)) return format_address(address);
    Address16 network = address;
    std::fill(network.begin() + 8, network.end(), 0);
    return format_address(network) + "/64";
}

}  // namespace net
