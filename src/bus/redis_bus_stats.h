// What the Redis bus did, for metrics: counters updated by the publisher and subscriber
// threads, read as one snapshot.
#pragma once
#include <atomic>
#include <cstdint>

namespace bus {

struct RedisBusStats {
    uint64_t published = 0;           // messages Redis accepted (PUBLISH replied)
    uint64_t publish_dropped = 0;     // messages given up: queue full, stopped while down
    uint64_t received = 0;            // well-formed messages from the channel
    uint64_t duplicates_skipped = 0;  // events already delivered in this process
    uint64_t malformed = 0;           // messages from the channel that did not parse
    uint64_t reconnects = 0;          // connections re-established after an outage
    uint64_t errors = 0;              // failed connects, lost connections, error replies
};

struct RedisBusCounters {
    std::atomic<uint64_t> published{0}, publish_dropped{0}, received{0}, duplicates_skipped{0},
        malformed{0}, reconnects{0}, errors{0};
    RedisBusStats snapshot() const {
        return {
            published.load(), publish_dropped.load(), received.load(), duplicates_skipped.load(),
            malformed.load(), reconnects.load(),      errors.load()};
    }
};

}  // namespace bus
