// A cached query result as stored in Redis: the events' JSON in answer order plus what decides
// whether the result still holds at a given `now` (NIP-40 expiration makes answers change
// with time even when no event is written):
//   computed_now   the QueryOptions::now it was computed at; events hidden then stay hidden
//                  for any later now, so it serves only now >= computed_now;
//   min_expiration the earliest expiration among its events; at now >= min_expiration one of
//                  them must be hidden (and another may take its place under the limit), so
//                  it serves only now < min_expiration.
#pragma once
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace store {

constexpr int64_t kNoExpiration = std::numeric_limits<int64_t>::max();

struct CacheEntryView {
    uint64_t snapshot_seq = 0;
    int64_t computed_now = 0;
    int64_t min_expiration = kNoExpiration;
    std::vector<std::string_view> events;  // point into the decoded buffer
    bool serves(int64_t now) const { return computed_now <= now && now < min_expiration; }
};

// Builds an entry while the inner query streams; gives up (too_large()) past max_bytes.
class CacheEntryWriter {
public:
    explicit CacheEntryWriter(size_t max_bytes);
    void add(std::string_view event_json);
    bool too_large() const { return too_large_; }
    int64_t min_expiration() const { return min_expiration_; }
    std::string finish(uint64_t snapshot_seq, int64_t computed_now);

private:
    size_t max_bytes_;
    bool too_large_ = false;
    uint32_t count_ = 0;
    int64_t min_expiration_ = kNoExpiration;
    std::string buffer_;
};

// nullopt when `data` is not a well-formed entry (treated as a miss).
std::optional<CacheEntryView> decode_cache_entry(std::string_view data);

// The event's NIP-40 expiration (kNoExpiration when it has none); the JSON is parsed only when
// it mentions "expiration". Unparseable JSON yields INT64_MIN: such an entry never serves.
int64_t event_json_expiration(std::string_view event_json);

}  // namespace store
