#include "store/lmdb/lmdb_record.h"

#include <cstring>
#include <stdexcept>

#include "store/lmdb/lmdb_keys.h"

namespace store::lmdb {
namespace {
constexpr size_t kHeaderSize = 32 + 8 + 4 + 8 + 4;
constexpr uint64_t kNoExpiration = UINT64_MAX;
}  // namespace

std::string encode_record(const nostr::Event& event) {
    std::string out;
    out.reserve(kHeaderSize + event.json.size() + 64);
    out.append(reinterpret_cast<const char*>(event.pubkey.data()), 32);
    append_be64(out, static_cast<uint64_t>(event.created_at));
    append_be32(out, event.kind);
    auto expiration = event.expiration();
    append_be64(out, expiration ? static_cast<uint64_t>(*expiration) : kNoExpiration);
    size_t count_at = out.size();
    append_be32(out, 0);
    uint32_t count = 0;
    for (const auto& tag : event.tags) {
        if (!nostr::is_indexable_tag(tag)) continue;
        out.push_back(tag[0][0]);
        append_be32(out, static_cast<uint32_t>(tag[1].size()));
        out.append(tag[1]);
        ++count;
    }
    std::string count_bytes;
    append_be32(count_bytes, count);
    out.replace(count_at, 4, count_bytes);
    out.append(event.json);
    return out;
}

RecordView::RecordView(std::string_view bytes) {
    const char* at = bytes.data();
    std::memcpy(pubkey_.data(), at, 32);
    created_at_ = static_cast<int64_t>(read_be64(at + 32));
    kind_ = read_be32(at + 40);
    uint64_t expiration = read_be64(at + 44);
    if (expiration != kNoExpiration) expiration_ = static_cast<int64_t>(expiration);
    uint32_t count = read_be32(at + 52);
    const char* tags_begin = at + kHeaderSize;
    const char* tag = tags_begin;
    for (uint32_t i = 0; i < count; ++i) tag += 5 + read_be32(tag + 1);
    tags_ = std::string_view(tags_begin, tag - tags_begin);
    json_ = std::string_view(tag, bytes.data() + bytes.size() - tag);
}

nostr::Bytes32 RecordView::id() const {
    constexpr std::string_view kIdField = "{\"id\":\"";
    nostr::Bytes32 id{};
    if (json_.size() < kIdField.size() + 64 || json_.substr(0, kIdField.size()) != kIdField ||
        !nostr::decode_lower_hex(json_.substr(kIdField.size(), 64), id))
        throw std::runtime_error("a stored record is damaged: its JSON does not begin with the id");
    return id;
}

bool RecordView::has_tag(char letter, std::string_view value) const {
    const char* at = tags_.data();
    const char* end = at + tags_.size();
    while (at < end) {
        uint32_t size = read_be32(at + 1);
        if (at[0] == letter && std::string_view(at + 5, size) == value) return true;
        at += 5 + size;
    }
    return false;
}

}  // namespace store::lmdb
