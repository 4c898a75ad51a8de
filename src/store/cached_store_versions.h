// The version counters in Redis that guard cached query results: an entry's key includes the
// counters its query depends on, so bumping a counter makes every entry written under the old
// value unreachable (it then just expires). Counters never restart at a value an old entry
// may still be filed under: a missing counter (never set, evicted, flushed) is created at a
// random 62-bit value before use.
#pragma once
#include <cstdint>
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

    // Increments each counter in one round trip. False when Redis answered an error for any
    // of them; throws bus::RedisError when the connection failed.
    bool bump(bus::RedisConnection& connection, const std::vector<std::string>& keys);

private:
    std::string prefix_;
};

}  // namespace store
