// The bus across processes: events published here reach this process's listeners at once
// (through a LocalBus, so they never wait on Redis) and are PUBLISHed on a Redis channel;
// events from the channel reach the listeners too. Each event is delivered once per process:
// ids delivered recently are remembered, and the Redis copy of one of them is skipped (the
// echo of our own publish, or an event a websocket-handler delivered before the event-handler's
// publish came back). Redis being slow or down never blocks publish() and never throws; it
// only delays or loses cross-process delivery (counted in stats()).
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "bus/local_bus.h"
#include "bus/recent_ids.h"
#include "bus/redis_bus_stats.h"
#include "bus/redis_connection.h"
#include "bus/redis_publisher.h"
#include "bus/redis_subscriber.h"

namespace bus {

struct RedisBusOptions {
    std::string url;  // redis://[[user]:password@]host[:port][/db] or unix:///path[?db=N]
    std::string channel = "nostpp:events";
    bool publish_to_redis = true;    // false: the events published here are on Redis already
    bool subscribe_to_redis = true;  // false: nothing in this process listens (event-handler)
    size_t max_pending_publishes = 100000;  // queued while Redis is down; oldest dropped
    // Ids remembered for de-duplication; larger than max_pending_publishes so the echo of a
    // publish that waited out an outage in the queue is still recognised.
    size_t recent_ids = 131072;
    RedisTimeouts timeouts;
};

class RedisBus final : public Bus {
public:
    // Throws std::invalid_argument for a malformed URL; never for an unreachable server (the
    // threads keep retrying in the background).
    explicit RedisBus(RedisBusOptions options);
    ~RedisBus() override;  // stop(), then delivers what is queued locally

    void publish(const LiveEvent& event, std::function<void()> delivered = {}) override;
    void subscribe(Listener listener) override;
    // Ends the publisher and subscriber threads promptly, also while Redis is unreachable.
    void stop();

    RedisBusStats stats() const { return counters_.snapshot(); }

private:
    void from_redis(LiveEvent event);
    RedisBusCounters counters_;
    LocalBus local_;
    std::mutex recent_mutex_;  // also orders local_ deliveries against the id check
    RecentIds recent_;
    std::unique_ptr<RedisPublisher> publisher_;
    std::unique_ptr<RedisSubscriber> subscriber_;
};

}  // namespace bus
