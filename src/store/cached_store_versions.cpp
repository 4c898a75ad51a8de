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

std::string CacheVersions::read(bus::RedisConnection& connection,
                                const std::vector<std::string>& keys) {
    std::vector<std::string_view> mget{"MGET"};
    mget.insert(mget.end(), keys.begin(), keys.end());
    for (int attempt = 0;; ++attempt) {
        bus::RedisReplyPtr reply = connection.command(mget);
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != keys.size())
            throw bus::RedisError("redis: unexpected MGET reply");
        std::string versions;
        std::vector<size_t> missing;
        for (size_t i = 0; i < keys.size(); ++i) {
            const redisReply* value = reply->element[i];
            if (value->type != REDIS_REPLY_STRING) {
                missing.push_back(i);
                continue;
            }
            versions.append(value->str, value->len);
            versions += ',';
        }
        if (missing.empty()) return versions;
        if (attempt > 0) throw bus::RedisError("redis: version counters keep disappearing");
        for (size_t i : missing) append_create(connection, keys[i]);
        for (size_t i = 0; i < missing.size(); ++i) connection.read_reply();
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
