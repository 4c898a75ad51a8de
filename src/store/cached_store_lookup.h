// A query cache lookup in one Redis round trip: a Lua script reads the version counters a
// query depends on and GETs the entry filed under them, atomically. The entry's key is the
// query's key + ":" + SHA-1 of the counters' values, so bumping any counter moves the key
// (as CacheVersions describes). The script names entry keys that are not in KEYS: fine on a
// standalone Redis or a replica set, not on Redis Cluster (which the cache does not support).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/redis_connection.h"

namespace store {

struct CacheLookup {
    std::string entry_key;  // where the answer for these versions is (or is to be) filed
    bus::RedisReplyPtr reply;
    std::optional<std::string_view> entry;  // the cached answer (inside `reply`), if any
};

// nullopt when a counter does not exist yet (CacheVersions::read creates it). Throws
// bus::RedisError on failure or an unexpected reply.
std::optional<CacheLookup> lookup_cache_entry(bus::RedisConnection& connection,
                                              const std::vector<std::string>& version_keys,
                                              const std::string& query_key);

}  // namespace store
