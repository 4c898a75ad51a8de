#include "store/cached_store_lookup.h"

#include <hiredis/hiredis.h>

#include "store/cached_store_versions.h"

namespace store {
namespace {

// Versions are digits and commas (CacheVersions::read), so a newline ends them.
constexpr char kVersionsEnd = '\n';

}  // namespace

std::optional<CacheLookup> lookup_cache_entry(bus::RedisConnection& connection,
                                              const std::vector<std::string>& version_keys,
                                              const std::string& entry_key) {
    CacheVersions::append_read(connection, version_keys);
    connection.append({"GET", entry_key});
    bus::RedisReplyPtr versions_reply = connection.read_reply();
    bus::RedisReplyPtr entry_reply = connection.read_reply();
    std::optional<std::string> versions =
        CacheVersions::versions_from(*versions_reply, version_keys.size());
    if (!versions) return std::nullopt;
    if (entry_reply->type != REDIS_REPLY_STRING && entry_reply->type != REDIS_REPLY_NIL)
        throw bus::RedisError("redis: unexpected GET reply");
    CacheLookup found{std::move(*versions), std::move(entry_reply), std::nullopt};
    if (found.reply->type == REDIS_REPLY_STRING) {
        std::string_view value(found.reply->str, found.reply->len);
        size_t end = value.find(kVersionsEnd);
        if (end != std::string_view::npos && value.substr(0, end) == found.versions)
            found.entry = value.substr(end + 1);
    }
    return found;
}

std::string versioned_cache_entry(const std::string& versions, std::string_view entry) {
    std::string value;
    value.reserve(versions.size() + 1 + entry.size());
    value += versions;
    value += kVersionsEnd;
    value += entry;
    return value;
}

}  // namespace store
