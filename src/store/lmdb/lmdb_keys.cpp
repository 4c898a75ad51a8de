#include "store/lmdb/lmdb_keys.h"

#include "nostr/canonical.h"

namespace store::lmdb {
namespace {
constexpr size_t kMaxInlineValue = 200;
constexpr unsigned char kHashedValueMarker = 0xFF;
constexpr unsigned char kHexValueMarker = 0xFE;
}  // namespace

void append_be64(std::string& out, uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}
void append_be32(std::string& out, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}
uint64_t read_be64(const char* data) {
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = value << 8 | static_cast<unsigned char>(data[i]);
    return value;
}

uint32_t read_be32(const char* data) {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(data[i]);
    return value;
}

void append_order_suffix(std::string& out, int64_t created_at, const nostr::Bytes32& id,
                         uint64_t seq) {
    append_be64(out, ~static_cast<uint64_t>(created_at));
    out.append(reinterpret_cast<const char*>(id.data()), kOrderHeadSize - 8);
    append_be64(out, seq);
}

void append_value_key(std::string& out, std::string_view value) {
    if (value.size() <= kMaxInlineValue) {
        out.push_back(static_cast<char>(value.size()));
        out.append(value);
    } else {
        out.push_back(static_cast<char>(kHashedValueMarker));
        nostr::Bytes32 digest = nostr::sha256(value);
        out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    }
}

void append_tag_value_key(std::string& out, std::string_view value) {
    nostr::Bytes32 bytes;
    if (value.size() == 64 && nostr::decode_lower_hex(value, bytes)) {
        out.push_back(static_cast<char>(kHexValueMarker));
        out.append(reinterpret_cast<const char*>(bytes.data()), kIndexedValueBytes);
    } else {
        append_value_key(out, value);
    }
}

std::string seq_key(uint64_t seq) {
    std::string out;
    append_be64(out, seq);
    return out;
}

std::string created_prefix() { return {}; }

std::string pubkey_prefix(const nostr::Bytes32& pubkey) {
    return std::string(reinterpret_cast<const char*>(pubkey.data()), kIndexedValueBytes);
}
std::string kind_prefix(uint32_t kind) {
    std::string out;
    append_be32(out, kind);
    return out;
}
std::string pubkey_kind_prefix(const nostr::Bytes32& pubkey, uint32_t kind) {
    std::string out = pubkey_prefix(pubkey);
    append_be32(out, kind);
    return out;
}
std::string tag_prefix(char letter, std::string_view value) {
    std::string out(1, letter);
    append_tag_value_key(out, value);
    return out;
}

std::string replaceable_key(const nostr::Bytes32& pubkey, uint32_t kind, std::string_view d_tag) {
    std::string out(reinterpret_cast<const char*>(pubkey.data()), pubkey.size());
    append_be32(out, kind);
    if (nostr::classify_kind(kind) == nostr::KindClass::addressable) append_value_key(out, d_tag);
    return out;
}
std::string replaceable_key(const nostr::Event& event) {
    return replaceable_key(event.pubkey, event.kind, event.d_tag());
}

std::string deleted_id_key(const nostr::Bytes32& id, const nostr::Bytes32& pubkey) {
    std::string out(reinterpret_cast<const char*>(id.data()), id.size());
    out.append(reinterpret_cast<const char*>(pubkey.data()), pubkey.size());
    return out;
}

std::string expiration_key(int64_t expiration, const nostr::Bytes32& id) {
    std::string out;
    // Negative expirations (already expired) sort first so the purge finds them.
    append_be64(out, static_cast<uint64_t>(expiration < 0 ? 0 : expiration));
    out.append(reinterpret_cast<const char*>(id.data()), id.size());
    return out;
}

}  // namespace store::lmdb
