#include "relay/hyperloglog.h"

#include "nostr/canonical.h"

namespace relay {
namespace {
int hex_digit(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }
}  // namespace

std::optional<int> hyperloglog_offset(const std::vector<nostr::Filter>& filters) {
    if (filters.size() != 1 || filters[0].tags.empty()) return std::nullopt;
    const std::string& value = filters[0].tags.front().first_value;
    nostr::Bytes32 scratch;
    std::string hex;
    if (nostr::decode_lower_hex(value, scratch)) {
        hex = value;  // an event id or a pubkey
    } else {
        // An address <kind>:<pubkey>:<d> contributes its pubkey.
        size_t first = value.find(':');
        size_t second = first == std::string::npos ? first : value.find(':', first + 1);
        std::string_view pubkey = second == std::string::npos
                                      ? std::string_view()
                                      : std::string_view(value).substr(first + 1, second - first - 1);
        if (nostr::decode_lower_hex(pubkey, scratch)) hex = std::string(pubkey);
        else hex = nostr::to_hex(nostr::sha256(value));
    }
    return hex_digit(hex[32]) + 8;
}

}  // namespace relay
