#include "relay/pubkey_lists.h"

#include <stdexcept>

namespace relay {

std::vector<std::string_view> split_list_entries(std::string_view text) {
    std::vector<std::string_view> entries;
    constexpr std::string_view kSeparators = ", \t\r\n";
    size_t pos = 0;
    while ((pos = text.find_first_not_of(kSeparators, pos)) != std::string_view::npos) {
        size_t end = text.find_first_of(kSeparators, pos);
        if (end == std::string_view::npos) end = text.size();
        entries.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return entries;
}

void PubkeyLists::add(Set& set, std::string_view text) {
    for (std::string_view entry : split_list_entries(text)) {
        std::string bytes;
        // Operators paste keys from anywhere: either case is fine here.
        if (entry.size() != 64 || !nostr::decode_any_hex(entry, bytes))
            throw std::invalid_argument("not a public key in 64 hex characters: '" +
                                        std::string(entry) + "'");
        nostr::Bytes32 key;
        std::memcpy(key.data(), bytes.data(), key.size());
        set.insert(key);
    }
}

void PubkeyLists::allow(std::string_view text) {
    add(allowed_, text);
}

void PubkeyLists::deny(std::string_view text) {
    add(denied_, text);
}

std::string PubkeyLists::check(const nostr::Bytes32& author) const {
    if (denied_.contains(author)) return "blocked: pubkey is on this relay's deny list";
    if (!allowed_.empty() && !allowed_.contains(author))
        return "blocked: pubkey is not on this relay's allow list";
    return {};
}

}  // namespace relay
