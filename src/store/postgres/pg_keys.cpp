#include "store/postgres/pg_keys.h"

#include "nostr/canonical.h"

namespace store::pg {
namespace {
constexpr size_t kMaxInlineValue = 200;
}  // namespace

std::string value_key(std::string_view value) {
    if (value.size() <= kMaxInlineValue) return std::string(value);
    nostr::Bytes32 digest = nostr::sha256(value);
    std::string key(1, '\xff');
    key.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    return key;
}

std::optional<std::string> long_value(std::string_view value) {
    if (value.size() <= kMaxInlineValue) return std::nullopt;
    return std::string(value);
}

bool is_slotted(uint32_t kind) {
    auto kind_class = nostr::classify_kind(kind);
    return kind_class == nostr::KindClass::replaceable ||
           kind_class == nostr::KindClass::addressable;
}

SlotKey slot_key(const nostr::Bytes32& pubkey, uint32_t kind, std::string_view d_tag) {
    bool addressable = nostr::classify_kind(kind) == nostr::KindClass::addressable;
    return SlotKey{pubkey, kind, addressable ? value_key(d_tag) : std::string()};
}

SlotKey slot_key(const nostr::Event& event) {
    return slot_key(event.pubkey, event.kind, event.d_tag());
}

}  // namespace store::pg
