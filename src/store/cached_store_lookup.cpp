#include "store/cached_store_lookup.h"

#include <hiredis/hiredis.h>

#include "store/cached_store_versions.h"

namespace store {
namespace {

// Versions are digits and commas (CacheVersions::read), so a newline ends them.
constexpr char kVersionsEnd = '\n';

std::optional<CacheLookup> judge(bus::RedisReplyPtr versions_reply, bus::RedisReplyPtr entry_reply,
                                 size_t version_count) {
    std::optional<std::string> versions =
        CacheVersions::versions_from(*versions_reply, version_count);
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

}  // namespace

std::vector<std::optional<CacheLookup>> lookup_cache_entries(
    bus::RedisConnection& connection, std::span<const CacheLookupKeys> queries) {
    for (const CacheLookupKeys& query : queries) {
        CacheVersions::append_read(connection, query.version_keys);
        connection.append({"GET", query.entry_key});
    }
    std::vector<bus::RedisReplyPtr> replies;
    replies.reserve(2 * queries.size());
    for (size_t i = 0; i < 2 * queries.size(); ++i) replies.push_back(connection.read_reply());
    std::vector<std::optional<CacheLookup>> found;
    found.reserve(queries.size());
    for (size_t i = 0; i < queries.size(); ++i)
        found.push_back(judge(std::move(replies[2 * i]), std::move(replies[2 * i + 1]),
                              queries[i].version_keys.size()));
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
