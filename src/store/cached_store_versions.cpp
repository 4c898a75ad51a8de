#include "store/cached_store_versions.h"

#include <hiredis/hiredis.h>

#include <random>

namespace store {
namespace {

std::string random_start() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    // Below 2^62: INCR never reaches the int64 limit.
    return std::to_string((random() >> 2) | 1);
}

// SET NX: creates the counter only when it does not exist.
void append_create(bus::RedisConnection& connection, const std::string& key) {
    std::string start = random_start();
    connection.append({"SET", key, start, "NX"});
}

}  // namespace

void CacheVersions::append_read(bus::RedisConnection& connection,
                                const std::vector<std::string>& keys) {
    std::vector<std::string_view> mget{"MGET"};
    mget.insert(mget.end(), keys.begin(), keys.end());
    connection.append(mget);
}

std::optional<std::string> CacheVersions::versions_from(const redisReply& reply,
                                                        size_t key_count) {
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements != key_count)
        throw bus::RedisError("redis: unexpected MGET reply");
    std::string versions;
    for (size_t i = 0; i < key_count; ++i) {
        const redisReply* value = reply.element[i];
        if (value->type != REDIS_REPLY_STRING) return std::nullopt;
        versions.append(value->str, value->len);
        versions += ',';
    }
    return versions;
}

std::string CacheVersions::read(bus::RedisConnection& connection,
                                const std::vector<std::string>& keys) {
    for (int attempt = 0;; ++attempt) {
        append_read(connection, keys);
        bus::RedisReplyPtr reply = connection.read_reply();
        if (std::optional<std::string> versions = versions_from(*reply, keys.size()))
            return *versions;
        if (attempt > 0) throw bus::RedisError("redis: version counters keep disappearing");
        size_t missing = 0;
        for (size_t i = 0; i < keys.size(); ++i) {
            if (reply->element[i]->type == REDIS_REPLY_STRING) continue;
            append_create(connection, keys[i]);
            ++missing;
        }
        for (size_t i = 0; i < missing; ++i) connection.read_reply();
    }
}

bool CacheVersions::bump(bus::RedisConnection& connection, const std::vector<std::string>& keys) {
    for (const auto& key : keys) {
        append_create(connection, key);
        connection.append({"INCR", key});
    }
    bool ok = true;
    for (size_t i = 0; i < keys.size(); ++i) {
        connection.read_reply();  // SET NX: OK or nil
        if (connection.read_reply()->type != REDIS_REPLY_INTEGER) ok = false;
    }
    return ok;
}

}  // namespace store
