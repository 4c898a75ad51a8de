// net::IpAccessList: addresses and CIDR ranges (IPv4, IPv6, IPv4-mapped IPv6), allow and deny.
#include "net/ip_access_list.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace {

// "" when admitted, else the refusal; fails the test on an unparsable address.
std::string verdict(const net::IpAccessList& lists, std::string_view address) {
    auto result = lists.check(address);
    EXPECT_TRUE(result.has_value()) << address;
    return result.value_or("unparsable");
}

bool admits(const net::IpAccessList& lists, std::string_view address) {
    return verdict(lists, address).empty();
}

TEST(IpAccessList, EmptyAdmitsEveryone) {
    net::IpAccessList lists;
    EXPECT_TRUE(lists.empty());
    EXPECT_TRUE(admits(lists, "192.0.2.1"));
    EXPECT_TRUE(admits(lists, "2001:db8::1"));
}

TEST(IpAccessList, SingleAddressesAreSlash32AndSlash128) {
    net::IpAccessList lists;
    lists.deny("192.0.2.1, 2001:db8::1");
    EXPECT_FALSE(lists.empty());
    EXPECT_EQ(verdict(lists, "192.0.2.1"), "blocked: IP address is on this relay's deny list");
    EXPECT_TRUE(admits(lists, "192.0.2.0"));
    EXPECT_TRUE(admits(lists, "192.0.2.2"));
    EXPECT_FALSE(admits(lists, "2001:db8::1"));
    EXPECT_TRUE(admits(lists, "2001:db8::2"));

    net::IpAccessList explicit_lengths;
    explicit_lengths.deny("192.0.2.1/32 2001:db8::1/128");
    EXPECT_FALSE(admits(explicit_lengths, "192.0.2.1"));
    EXPECT_TRUE(admits(explicit_lengths, "192.0.2.2"));
    EXPECT_FALSE(admits(explicit_lengths, "2001:db8::1"));
    EXPECT_TRUE(admits(explicit_lengths, "2001:db8::1:1"));
}

TEST(IpAccessList, RangeEdges) {
    net::IpAccessList lists;
    lists.deny("10.0.0.0/8 172.16.0.0/12 2001:db8:8000::/33");
    EXPECT_FALSE(admits(lists, "10.0.0.0"));
    EXPECT_FALSE(admits(lists, "10.255.255.255"));
    EXPECT_TRUE(admits(lists, "11.0.0.0"));
    EXPECT_TRUE(admits(lists, "9.255.255.255"));
    EXPECT_FALSE(admits(lists, "172.31.255.255"));
    EXPECT_TRUE(admits(lists, "172.32.0.0"));
    EXPECT_FALSE(admits(lists, "2001:db8:8000::"));
    EXPECT_FALSE(admits(lists, "2001:db8:ffff:ffff::1"));
    EXPECT_TRUE(admits(lists, "2001:db8:7fff:ffff::1"));
}

TEST(IpAccessList, Ipv4SlashZeroIsEveryIpv4AddressOnly) {
    net::IpAccessList lists;
    lists.deny("0.0.0.0/0");
    EXPECT_FALSE(admits(lists, "0.0.0.0"));
    EXPECT_FALSE(admits(lists, "255.255.255.255"));
    EXPECT_FALSE(admits(lists, "::ffff:203.0.113.9"));  // IPv4 on a dual-stack socket
    EXPECT_TRUE(admits(lists, "::1"));
    EXPECT_TRUE(admits(lists, "2001:db8::1"));
}

TEST(IpAccessList, Ipv6SlashZeroIsEverything) {
    net::IpAccessList lists;
    lists.deny("::/0");
    EXPECT_FALSE(admits(lists, "::"));
    EXPECT_FALSE(admits(lists, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    EXPECT_FALSE(admits(lists, "127.0.0.1"));  // IPv4 is mapped into the IPv6 space
}

TEST(IpAccessList, Ipv4MappedIpv6MatchesIpv4RulesBothWays) {
    net::IpAccessList v4_rule;
    v4_rule.deny("198.51.100.0/24");
    EXPECT_FALSE(admits(v4_rule, "::ffff:198.51.100.7"));
    EXPECT_TRUE(admits(v4_rule, "::ffff:198.51.101.7"));
    net::IpAccessList mapped_rule;
    mapped_rule.deny("::ffff:198.51.100.0/120");
    EXPECT_FALSE(admits(mapped_rule, "198.51.100.7"));
    EXPECT_TRUE(admits(mapped_rule, "198.51.101.7"));
}

TEST(IpAccessList, AllowListAdmitsOnlyItsRangesAndDenyWins) {
    net::IpAccessList lists;
    lists.allow("127.0.0.0/8, ::1");
    lists.deny("127.0.0.2");
    EXPECT_TRUE(admits(lists, "127.0.0.1"));
    EXPECT_TRUE(admits(lists, "::1"));
    EXPECT_EQ(verdict(lists, "127.0.0.2"), "blocked: IP address is on this relay's deny list");
    EXPECT_EQ(verdict(lists, "192.0.2.1"), "blocked: IP address is not on this relay's allow list");
    EXPECT_FALSE(admits(lists, "::2"));
}

TEST(IpAccessList, RefusesWhatIsNotAnAddressOrRange) {
    net::IpAccessList lists;
    for (const char* bad :
         {"example.com", "10.0.0", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/",
          "10.0.0.0/8x", "10.0.0.1/8", "2001:db8::1/32", "1.2.3.4.5", "10.0.0.0/8/8"})
        EXPECT_THROW(lists.deny(bad), std::invalid_argument) << bad;
    EXPECT_TRUE(lists.empty());
    EXPECT_FALSE(lists.check("not an address").has_value());
}

}  // namespace
