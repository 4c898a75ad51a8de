#include "net/ip_access_list.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <stdexcept>

#include "relay/pubkey_lists.h"

namespace net {
namespace {

constexpr int kMappedV4PrefixBits = 96;  // ::ffff:0:0/96

std::string masked(const Address16& address, int prefix_bits) {
    std::string out(reinterpret_cast<const char*>(address.data()), address.size());
    for (int byte = 0; byte < 16; ++byte) {
        int keep = std::clamp(prefix_bits - byte * 8, 0, 8);
        out[byte] = static_cast<char>(static_cast<uint8_t>(out[byte]) & (0xFF00 >> keep));
    }
    return out;
}

std::invalid_argument bad_entry(std::string_view entry, std::string_view why) {
    return std::invalid_argument("not an IP address or CIDR range (" + std::string(why) + "): '" +
                                 std::string(entry) + "'");
}

}  // namespace

std::optional<Address16> IpAccessList::parse_address(std::string_view text) {
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    if (address.is_v4())
        return boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4())
            .to_bytes();
    // A scope id ("fe80::1%eth0") is not part of a rule or of a client's identity here.
    return address.to_v6().to_bytes();
}

void IpAccessList::Ranges::add(const Address16& network, int prefix_bits) {
    for (Group& group : groups)
        if (group.prefix_bits == prefix_bits) {
            group.networks.insert(masked(network, prefix_bits));
            return;
        }
    groups.push_back({prefix_bits, {masked(network, prefix_bits)}});
}

bool IpAccessList::Ranges::contains(const Address16& address) const {
    for (const Group& group : groups)
        if (group.networks.contains(masked(address, group.prefix_bits))) return true;
    return false;
}

void IpAccessList::add(Ranges& ranges, std::string_view text) {
    for (std::string_view entry : relay::split_list_entries(text)) {
        size_t slash = entry.find('/');
        std::string_view host = entry.substr(0, slash);
        auto address = parse_address(host);
        if (!address) throw bad_entry(entry, "bad address");
        bool v4 = host.find(':') == std::string_view::npos;
        int max_bits = v4 ? 32 : 128;
        int bits = max_bits;
        if (slash != std::string_view::npos) {
            std::string_view length = entry.substr(slash + 1);
            auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), bits);
            if (length.empty() || ec != std::errc() || end != length.data() + length.size() ||
                bits < 0 || bits > max_bits)
                throw bad_entry(entry, "prefix length must be 0 to " + std::to_string(max_bits));
        }
        int prefix_bits = v4 ? kMappedV4PrefixBits + bits : bits;
        // "10.0.0.1/8" is most likely a typo for a host or for 10.0.0.0/8: refuse to guess.
        if (masked(*address, prefix_bits) !=
            std::string(reinterpret_cast<const char*>(address->data()), address->size()))
            throw bad_entry(entry, "host bits set after the prefix");
        ranges.add(*address, prefix_bits);
    }
}

void IpAccessList::allow(std::string_view text) {
    add(allowed_, text);
}

void IpAccessList::deny(std::string_view text) {
    add(denied_, text);
}

std::string IpAccessList::check(const Address16& address) const {
    if (denied_.contains(address)) return "blocked: IP address is on this relay's deny list";
    if (!allowed_.empty() && !allowed_.contains(address))
        return "blocked: IP address is not on this relay's allow list";
    return {};
}

std::optional<std::string> IpAccessList::check(std::string_view address) const {
    auto bytes = parse_address(address);
    if (!bytes) return std::nullopt;
    return check(*bytes);
}

}  // namespace net
