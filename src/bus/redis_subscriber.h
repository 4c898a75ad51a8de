// The thread that SUBSCRIBEs to the bus channel with its own connection and hands each event
// to `on_event`. A lost connection is re-established with backoff and the channel subscribed
// again (events published meanwhile are lost: Redis pub/sub keeps no history). A silent
// connection is probed with PING so a half-open TCP connection is noticed too.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "bus/bus.h"
#include "bus/redis_bus_stats.h"
#include "bus/redis_connection.h"

namespace bus {

class RedisSubscriber {
public:
    RedisSubscriber(RedisUrl url, std::string redacted_url, RedisTimeouts timeouts,
                    std::string channel, RedisBusCounters& counters,
                    std::function<void(LiveEvent)> on_event);
    ~RedisSubscriber();  // stop()
    // Ends the thread within about one poll interval (or one connect timeout while
    // connecting).
    void stop();

private:
    void run();
    void listen(RedisConnection& connection);
    void handle(const redisReply& reply);

    const RedisUrl url_;
    const std::string redacted_url_;
    const RedisTimeouts timeouts_;
    const std::string channel_;
    RedisBusCounters& counters_;
    const std::function<void(LiveEvent)> on_event_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;  // for sleeping between attempts
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace bus
