#include "store/cached_store_entry.h"

#include <algorithm>
#include <cstring>

#include "nostr/event_parser.h"

namespace store {
namespace {

// Layout: "NQC1", snapshot_seq u64, computed_now i64, min_expiration i64, count u32, then
// count x (length u32, json). Integers little-endian.
constexpr std::string_view kMagic = "NQC1";
constexpr size_t kHeaderSize = 4 + 8 + 8 + 8 + 4;

template <class T>
void put_int(char* out, T value) {
    auto u = static_cast<std::make_unsigned_t<T>>(value);
    for (size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>((u >> (8 * i)) & 0xff);
}

template <class T>
T get_int(const char* in) {
    std::make_unsigned_t<T> u = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
        u |= static_cast<std::make_unsigned_t<T>>(static_cast<uint8_t>(in[i])) << (8 * i);
    return static_cast<T>(u);
}

}  // namespace

// Room for a typical answer (a page of twenty ~500-byte events) from the start: growing
// the buffer by doubling copied it four times over in profiles of the REQ mix.
constexpr size_t kInitialEntryBytes = 16 * 1024;

CacheEntryWriter::CacheEntryWriter(size_t max_bytes)
    : max_bytes_(max_bytes), buffer_(kHeaderSize, '\0') {
    buffer_.reserve(std::min(max_bytes_, kInitialEntryBytes));
}

void CacheEntryWriter::add(std::string_view event_json) {
    if (too_large_) return;
    if (buffer_.size() + 4 + event_json.size() > max_bytes_) {
        too_large_ = true;
        buffer_ = std::string();
        return;
    }
    min_expiration_ = std::min(min_expiration_, event_json_expiration(event_json));
    char length[4];
    put_int(length, static_cast<uint32_t>(event_json.size()));
    buffer_.append(length, 4);
    buffer_.append(event_json);
    ++count_;
}

std::string CacheEntryWriter::finish(uint64_t snapshot_seq, int64_t computed_now) {
    char* header = buffer_.data();
    std::memcpy(header, kMagic.data(), 4);
    put_int(header + 4, snapshot_seq);
    put_int(header + 12, computed_now);
    put_int(header + 20, min_expiration_);
    put_int(header + 28, count_);
    return std::move(buffer_);
}

std::optional<CacheEntryView> decode_cache_entry(std::string_view data) {
    if (data.size() < kHeaderSize || data.substr(0, 4) != kMagic) return std::nullopt;
    CacheEntryView entry;
    entry.snapshot_seq = get_int<uint64_t>(data.data() + 4);
    entry.computed_now = get_int<int64_t>(data.data() + 12);
    entry.min_expiration = get_int<int64_t>(data.data() + 20);
    uint32_t count = get_int<uint32_t>(data.data() + 28);
    size_t pos = kHeaderSize;
    entry.events.reserve(std::min<size_t>(count, data.size() / 4));
    for (uint32_t i = 0; i < count; ++i) {
        if (data.size() - pos < 4) return std::nullopt;
        uint32_t length = get_int<uint32_t>(data.data() + pos);
        pos += 4;
        if (data.size() - pos < length) return std::nullopt;
        entry.events.push_back(data.substr(pos, length));
        pos += length;
    }
    if (pos != data.size()) return std::nullopt;
    return entry;
}

int64_t event_json_expiration(std::string_view event_json) {
    if (event_json.find("\"expiration\"") == std::string_view::npos) return kNoExpiration;
    nostr::Event event;
    std::string error;
    if (!nostr::parse_event_json(event_json, event, error))
        return std::numeric_limits<int64_t>::min();
    return event.expiration().value_or(kNoExpiration);
}

}  // namespace store
