// How variable-length values are keyed in the PostgreSQL schema. A btree entry must stay
// under ~2.7 KB, but tag values and `d` identifiers can be any length: values up to 200
// bytes are their own key; longer ones are keyed by 0xFF + SHA-256 (0xFF never occurs in
// UTF-8, so a digest key cannot equal a short value) and the full value is kept beside it
// for the exact comparison.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nostr/event.h"

namespace store::pg {

std::string value_key(std::string_view value);
// The full value when value_key() hashed it, else nullopt (the key is the value).
std::optional<std::string> long_value(std::string_view value);

// The slot a replaceable (pubkey, kind) or addressable (pubkey, kind, d) event occupies:
// events.d_key is "" for replaceable kinds and value_key(d) for addressable ones.
struct SlotKey {
    nostr::Bytes32 pubkey{};
    uint32_t kind = 0;
    std::string d_key;
    auto operator<=>(const SlotKey&) const = default;
};

bool is_slotted(uint32_t kind);
SlotKey slot_key(const nostr::Bytes32& pubkey, uint32_t kind, std::string_view d_tag);
SlotKey slot_key(const nostr::Event& event);

}  // namespace store::pg
