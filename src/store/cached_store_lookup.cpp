#include "store/cached_store_lookup.h"

#include <hiredis/hiredis.h>

namespace store {
namespace {

// KEYS: the version counters; ARGV[1]: the query's key. Returns {} when a counter is
// missing, else {entry key, entry or nil}.
constexpr std::string_view kLookupScript = R"lua(
local versions = redis.call('MGET', unpack(KEYS))
for i = 1, #KEYS do
  if not versions[i] then return {} end
end
local key = ARGV[1] .. ':' .. redis.sha1hex(table.concat(versions, ','))
return {key, redis.call('GET', key)}
)lua";

}  // namespace

std::optional<CacheLookup> lookup_cache_entry(bus::RedisConnection& connection,
                                              const std::vector<std::string>& version_keys,
                                              const std::string& query_key) {
    // EVAL, not EVALSHA: Redis keeps the compiled script; sending its text costs a few
    // hundred bytes and spares the NOSCRIPT dance after a restart or SCRIPT FLUSH.
    std::string key_count = std::to_string(version_keys.size());
    std::vector<std::string_view> args{"EVAL", kLookupScript, key_count};
    args.insert(args.end(), version_keys.begin(), version_keys.end());
    args.push_back(query_key);
    bus::RedisReplyPtr reply = connection.command(args);
    if (reply->type != REDIS_REPLY_ARRAY) throw bus::RedisError("redis: unexpected lookup reply");
    if (reply->elements == 0) return std::nullopt;
    const redisReply* key = reply->element[0];
    const redisReply* entry = reply->element[1];
    if (reply->elements != 2 || key->type != REDIS_REPLY_STRING ||
        (entry->type != REDIS_REPLY_STRING && entry->type != REDIS_REPLY_NIL))
        throw bus::RedisError("redis: unexpected lookup reply");
    CacheLookup found;
    found.entry_key.assign(key->str, key->len);
    if (entry->type == REDIS_REPLY_STRING) found.entry.emplace(entry->str, entry->len);
    found.reply = std::move(reply);
    return found;
}

}  // namespace store
