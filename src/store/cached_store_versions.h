// The version counters in Redis that guard cached query results: an entry records the values
// of the counters its query depends on and serves only while they are current, so bumping a
// counter retires every entry written under the old value (it is replaced or expires).
// Counters never restart at a value an old entry may still record: a missing counter (never set, evicted, flushed) is created at a
// random 62-bit value before use.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bus/redis_connection.h"
#include "nostr/hex.h"

namespace store {

class CacheVersions {
public:
    explicit CacheVersions(std::string key_prefix) : prefix_(std::move(key_prefix)) {}

    std::string epoch_key() const { return prefix_ + "v:epoch"; }
    std::string any_key() const { return prefix_ + "v:any"; }
    std::string kind_key(uint32_t kind) const { return prefix_ + "v:k:" + std::to_string(kind); }
    std::string author_key(const nostr::Bytes32& pubkey) const {
        return prefix_ + "v:a:" + nostr::to_hex(pubkey);
    }

    // The current values, in order, as one string (part of an entry's key); one round trip
    // unless a counter has to be created. Throws bus::RedisError.
    std::string read(bus::RedisConnection& connection, const std::vector<std::string>& keys);
    // For pipelining the read with other commands: queues the MGET of `keys`, and turns its
    // reply into read()'s string (nullopt when a counter does not exist; throws
    // bus::RedisError for an unexpected reply).
    static void append_read(bus::RedisConnection& connection, const std::vector<std::string>& keys);
    static std::optional<std::string> versions_from(const redisReply& reply, size_t key_count);

    // Increments each counter in one round trip. False when Redis answered an error for any
    // of them; throws bus::RedisError when the connection failed.
    bool bump(bus::RedisConnection& connection, const std::vector<std::string>& keys);

private:
    std::string prefix_;
};

}  // namespace store
