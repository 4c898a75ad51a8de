// Query cache lookups in one Redis round trip: for each query, the MGET of the version
// counters it depends on and the GET of its entry, all pipelined (a /query batch of the event
// handler costs one round trip however many queries it holds). An entry records the counter
// values its answer was computed under (read before its inner query started) and is served
// only while they are the current ones: a bump of any of them retires it (CacheVersions).
// The reads need not be atomic: whatever runs between them can only make the values differ,
// and a difference is a miss.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/redis_connection.h"

namespace store {

// What one query's lookup reads.
struct CacheLookupKeys {
    std::vector<std::string> version_keys;
    std::string entry_key;
};

struct CacheLookup {
    std::string versions;  // the counters' current values, to file a new entry under
    bus::RedisReplyPtr reply;
    std::optional<std::string_view> entry;  // computed under `versions` (inside `reply`)
};

// One lookup per element of `queries`, in order; an element is nullopt when one of its
// counters does not exist yet (CacheVersions::read creates it). Every reply is read before
// any is judged, so the connection stays usable after an unexpected reply. Throws
// bus::RedisError on failure or an unexpected reply.
std::vector<std::optional<CacheLookup>> lookup_cache_entries(
    bus::RedisConnection& connection, std::span<const CacheLookupKeys> queries);

// What to store at the entry key: `entry` marked with the versions it was computed under.
std::string versioned_cache_entry(const std::string& versions, std::string_view entry);

}  // namespace store
