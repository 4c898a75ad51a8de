#include "bus/redis_bus.h"

#include "bus/redis_message.h"

namespace bus {

RedisBus::RedisBus(RedisBusOptions options) : recent_(options.recent_ids) {
    RedisUrl url = parse_redis_url(options.url);
    std::string redacted = redact_redis_url(options.url);
    if (options.publish_to_redis)
        publisher_ =
            std::make_unique<RedisPublisher>(url, redacted, options.timeouts, options.channel,
                                             options.max_pending_publishes, counters_);
    if (options.subscribe_to_redis)
        subscriber_ = std::make_unique<RedisSubscriber>(
            url, redacted, options.timeouts, options.channel, counters_,
            [this](LiveEvent event) { from_redis(std::move(event)); });
}

RedisBus::~RedisBus() {
    stop();
}

void RedisBus::stop() {
    if (subscriber_) subscriber_->stop();
    if (publisher_) publisher_->stop();
}

void RedisBus::publish(const LiveEvent& event, std::function<void()> delivered) {
    {
        std::lock_guard lock(recent_mutex_);
        if (!recent_.insert(event.event->id)) {
            // Already delivered here (it came in through Redis first) and already on Redis:
            // only `delivered` is left to do, after that earlier delivery.
            ++counters_.duplicates_skipped;
            local_.post(std::move(delivered));
            return;
        }
        local_.publish(event, std::move(delivered));
    }
    if (publisher_) publisher_->enqueue(encode_bus_message(event));
}

void RedisBus::subscribe(Listener listener) {
    local_.subscribe(std::move(listener));
}

void RedisBus::from_redis(LiveEvent event) {
    std::lock_guard lock(recent_mutex_);
    if (!recent_.insert(event.event->id)) {
        ++counters_.duplicates_skipped;
        return;
    }
    local_.publish(event);
}

}  // namespace bus
