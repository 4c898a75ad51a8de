// The Nostr event model (NIP-01) and the kind classes that decide how a store keeps an event.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nostr/hex.h"

namespace nostr {

using Tag = std::vector<std::string>;

struct Event {
    Bytes32 id{};
    Bytes32 pubkey{};
    Bytes64 sig{};
    int64_t created_at = 0;
    uint32_t kind = 0;
    std::vector<Tag> tags;
    std::string content;
    // The event as compact JSON in canonical field order, produced by serialize_event().
    // This is what is stored and what is sent to clients.
    std::string json;

    // Value of the first tag named `name` with at least one value, if any.
    const std::string* first_tag_value(std::string_view name) const;
    // NIP-40 expiration timestamp; nullopt when absent or not a valid integer.
    std::optional<int64_t> expiration() const;
    // The `d` tag identifier of addressable events ("" when missing).
    std::string d_tag() const;
    // NIP-70: carries a ["-"] tag.
    bool is_protected() const;
};

enum class KindClass { regular, replaceable, ephemeral, addressable };

constexpr KindClass classify_kind(uint32_t kind) {
    if (kind == 0 || kind == 3 || (kind >= 10000 && kind < 20000)) return KindClass::replaceable;
    if (kind >= 20000 && kind < 30000) return KindClass::ephemeral;
    if (kind >= 30000 && kind < 40000) return KindClass::addressable;
    return KindClass::regular;
}

constexpr uint32_t kDeletionKind = 5;
constexpr uint32_t kMaxKind = 65535;

// A tag that filters can match: single-letter name with at least one value.
inline bool is_indexable_tag(const Tag& tag) {
    if (tag.size() < 2 || tag[0].size() != 1) return false;
    char c = tag[0][0];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace nostr
