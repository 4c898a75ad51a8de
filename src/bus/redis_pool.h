// Connections shared by threads that each need Redis for a moment (the query cache: query
// workers and the writer). acquire() never waits for an unreachable server longer than one
// connect timeout, and after a failed connect nobody tries again until the backoff elapses:
// callers get nullptr at once and carry on without Redis.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/redis_connection.h"
#include "bus/redis_retry.h"

namespace bus {

class RedisPool {
public:
    RedisPool(RedisUrl url, std::string redacted_url, RedisTimeouts timeouts, size_t max_idle = 16);

    // An idle or new connection; nullptr when Redis is unreachable, or when another thread is
    // connecting right now and `wait_for_connect` is false.
    std::unique_ptr<RedisConnection> acquire(bool wait_for_connect = false);
    // Returns a connection; broken ones are dropped and counted as a disruption.
    void release(std::unique_ptr<RedisConnection> connection);

    // Times the server may have lost or rolled back data since this pool started: failed
    // connects, broken connections, and a new connection finding a different server run_id.
    uint64_t disruptions() const { return disruptions_.load(); }

private:
    std::unique_ptr<RedisConnection> connect();
    const RedisUrl url_;
    const RedisTimeouts timeouts_;
    const size_t max_idle_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<RedisConnection>> idle_;
    bool connecting_ = false;
    std::condition_variable connected_;
    std::chrono::steady_clock::time_point retry_at_{};
    Backoff backoff_;
    OutageLog outage_;
    std::string run_id_;
    std::atomic<uint64_t> disruptions_{0};
};

}  // namespace bus
