// net::client_address: X-Forwarded-For is believed only from a trusted proxy, read from the
// right, stopping at the first hop that is not a trusted proxy; and the keys connections are
// counted under (IPv4 address, IPv6 /64).
#include "net/client_address.h"

#include <gtest/gtest.h>

namespace {

net::Address16 addr(std::string_view text) {
    auto parsed = net::IpAccessList::parse_address(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(net::Address16{});
}

std::string client(std::string_view peer, std::string_view xff, std::string_view proxies) {
    net::IpAccessList trusted;
    if (!proxies.empty()) trusted.allow(proxies);
    return net::format_address(net::client_address(addr(peer), xff, trusted));
}

TEST(ClientAddress, XForwardedForFromAnUntrustedPeerIsIgnored) {
    EXPECT_EQ(client("198.51.100.7", "203.0.113.9", ""), "198.51.100.7");
    EXPECT_EQ(client("198.51.100.7", "203.0.113.9", "10.0.0.0/8"), "198.51.100.7");
}

TEST(ClientAddress, ATrustedProxyNamesTheClient) {
    EXPECT_EQ(client("10.0.0.2", "203.0.113.9", "10.0.0.0/8"), "203.0.113.9");
    EXPECT_EQ(client("10.0.0.2", " 2001:db8::5 ", "10.0.0.0/8"), "2001:db8::5");
    // No header: the proxy itself is the client.
    EXPECT_EQ(client("10.0.0.2", "", "10.0.0.0/8"), "10.0.0.2");
}

TEST(ClientAddress, TheRightMostUntrustedHopWinsOverWhatTheClientWrote) {
    // The client sent "X-Forwarded-For: 1.1.1.1" itself; the proxy appended its real address.
    EXPECT_EQ(client("10.0.0.2", "1.1.1.1, 203.0.113.9", "10.0.0.0/8"), "203.0.113.9");
    // Two proxies in a row (CDN 10.1.0.1 then the ingress 10.0.0.2).
    EXPECT_EQ(client("10.0.0.2", "1.1.1.1, 203.0.113.9, 10.1.0.1", "10.0.0.0/8"), "203.0.113.9");
    // Several headers joined with commas read the same way.
    EXPECT_EQ(client("10.0.0.2", "1.1.1.1,203.0.113.9", "10.0.0.0/8"), "203.0.113.9");
}

TEST(ClientAddress, EveryHopTrustedGivesTheLeftMostAndJunkStopsTheWalk) {
    EXPECT_EQ(client("10.0.0.2", "10.9.9.9, 10.1.0.1", "10.0.0.0/8"), "10.9.9.9");
    // "unknown" cannot be the client: the last hop right of it stands.
    EXPECT_EQ(client("10.0.0.2", "203.0.113.1, unknown, 10.1.0.1", "10.0.0.0/8"), "10.1.0.1");
    EXPECT_EQ(client("10.0.0.2", "garbage", "10.0.0.0/8"), "10.0.0.2");
}

TEST(ClientAddress, HopsWithPortsAreRead) {
    EXPECT_EQ(client("10.0.0.2", "203.0.113.9:4711", "10.0.0.0/8"), "203.0.113.9");
    EXPECT_EQ(client("10.0.0.2", "[2001:db8::5]:443", "10.0.0.0/8"), "2001:db8::5");
}

TEST(ClientAddress, ConnectionsAreCountedPerIpv4AddressAndPerIpv6Slash64) {
    EXPECT_EQ(net::connection_limit_key(addr("192.0.2.1")), "192.0.2.1");
    EXPECT_EQ(net::connection_limit_key(addr("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
    EXPECT_EQ(net::connection_limit_key(addr("2001:db8:1:2:bbbb::9")), "2001:db8:1:2::/64");
}

}  // namespace
