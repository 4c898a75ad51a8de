// Operator lists of client addresses allowed to connect (--ip-allow) and refused (--ip-deny):
// single addresses or CIDR ranges, IPv4 and IPv6. The server checks each connection once, when
// it is accepted. IPv4 is kept as IPv4-mapped IPv6 (::ffff:a.b.c.d), so a rule for 10.0.0.0/8
// also matches a client that reaches a dual-stack socket as ::ffff:10.1.2.3.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace net {

using Address16 = std::array<uint8_t, 16>;

class IpAccessList {
  public:
    // Adds the addresses and ranges in `text` ("192.0.2.1", "10.0.0.0/8", "2001:db8::/32",
    // separated by commas and/or white space). Throws std::invalid_argument naming the first
    // entry that is not one (bad address, prefix length out of range, host bits set).
    void allow(std::string_view text);
    void deny(std::string_view text);

    bool empty() const { return allowed_.empty() && denied_.empty(); }

    // "" when a client at `address` may connect, else why not ("blocked: ..."). The deny list
    // wins; with an allow list, only addresses on it may connect. Cost: one hash lookup per
    // distinct prefix length on the lists, whatever their size.
    std::string check(const Address16& address) const;
    // For tests and logs: the same for an address in text; nullopt when it is not one.
    std::optional<std::string> check(std::string_view address) const;

    // "192.0.2.1" or "2001:db8::1" as 16 bytes (IPv4 mapped); nullopt when it is neither.
    static std::optional<Address16> parse_address(std::string_view text);

  private:
    // Ranges grouped by prefix length (in the 128-bit space): each group a set of masked
    // network addresses, so a lookup masks the address once per group.
    struct Ranges {
        struct Group {
            int prefix_bits;
            std::unordered_set<std::string> networks;  // 16 bytes each
        };
        std::vector<Group> groups;
        bool empty() const { return groups.empty(); }
        void add(const Address16& network, int prefix_bits);
        bool contains(const Address16& address) const;
    };
    static void add(Ranges& ranges, std::string_view text);

    Ranges allowed_;
    Ranges denied_;
};

}  // namespace net
