// A query cache lookup in one Redis round trip: the MGET of the version counters a query
// depends on and the GET of the query's entry, pipelined. An entry records the counter
// values its answer was computed under (read before its inner query started) and is served
// only while they are the current ones: a bump of any of them retires it (CacheVersions).
// The two reads need not be atomic: whatever runs between them can only make the values
// differ, and a difference is a miss.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/redis_connection.h"

namespace store {

struct CacheLookup {
    std::string versions;  // the counters' current values, to file a new entry under
    bus::RedisReplyPtr reply;
    std::optional<std::string_view> entry;  // computed under `versions` (inside `reply`)
};

// nullopt when a counter does not exist yet (CacheVersions::read creates it). Throws
// bus::RedisError on failure or an unexpected reply.
std::optional<CacheLookup> lookup_cache_entry(bus::RedisConnection& connection,
                                              const std::vector<std::string>& version_keys,
                                              const std::string& entry_key);

// What to store at the entry key: `entry` marked with the versions it was computed under.
std::string versioned_cache_entry(const std::string& versions, std::string_view entry);

}  // namespace store
