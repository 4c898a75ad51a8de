// The thread that PUBLISHes bus messages on Redis with its own connection, so publish()
// never waits on Redis. Messages wait in a bounded queue while Redis is slow or down (the
// oldest are dropped, counted, when it is full) and are sent in pipelined batches. A batch
// whose replies did not all arrive is sent again after reconnecting: subscribers skip the ids
// they already delivered, so a repeat is harmless while a loss is not.
#pragma once
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bus/redis_bus_stats.h"
#include "bus/redis_connection.h"

namespace bus {

class RedisPublisher {
public:
    RedisPublisher(RedisUrl url, std::string redacted_url, RedisTimeouts timeouts,
                   std::string channel, size_t max_pending, RedisBusCounters& counters);
    ~RedisPublisher();  // stop()
    // Never blocks on Redis.
    void enqueue(std::string message);
    // Sends what is queued if Redis is connected (bounded by the command timeout), then ends
    // the thread; whatever could not be sent is counted as dropped.
    void stop();

private:
    void run();
    void send(RedisConnection& connection, std::deque<std::string>& batch);
    void requeue(std::deque<std::string>& batch);
    void sleep_for(std::chrono::milliseconds delay);

    const RedisUrl url_;
    const std::string redacted_url_;
    const RedisTimeouts timeouts_;
    const std::string channel_;
    const size_t max_pending_;
    RedisBusCounters& counters_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::string> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace bus
