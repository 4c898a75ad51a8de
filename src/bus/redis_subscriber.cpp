#include "bus/redis_subscriber.h"

#include <hiredis/hiredis.h>

#include "bus/redis_message.h"
#include "bus/redis_retry.h"

namespace bus {
namespace {
using std::chrono::milliseconds;
using std::chrono::steady_clock;
constexpr milliseconds kPollInterval{100};  // how often the stop flag is checked
constexpr milliseconds kPingAfter{15000};   // silence before probing the connection
constexpr milliseconds kDeadAfter{30000};   // silence before giving the connection up

std::string_view text(const redisReply* reply) {
    if (reply->type != REDIS_REPLY_STRING || !reply->str) return {};
    return {reply->str, reply->len};
}
}  // namespace

RedisSubscriber::RedisSubscriber(RedisUrl url, std::string redacted_url, RedisTimeouts timeouts,
                                 std::string channel, RedisBusCounters& counters,
                                 std::function<void(LiveEvent)> on_event)
    : url_(std::move(url)),
      redacted_url_(std::move(redacted_url)),
      timeouts_(timeouts),
      channel_(std::move(channel)),
      counters_(counters),
      on_event_(std::move(on_event)),
      thread_([this] { run(); }) {}

RedisSubscriber::~RedisSubscriber() {
    stop();
}

void RedisSubscriber::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void RedisSubscriber::run() {
    Backoff backoff;
    OutageLog outage("redis bus subscriber", redacted_url_);
    while (!stopping_) {
        try {
            RedisConnection connection(url_, timeouts_);
            connection.command({"SUBSCRIBE", channel_});
            if (outage.recovered()) ++counters_.reconnects;
            backoff.reset();
            listen(connection);
        } catch (const RedisError& e) {
            ++counters_.errors;
            outage.failed(e.what());
        }
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, backoff.next(), [this] { return stopping_.load(); });
    }
}

// Returns when stopping; throws RedisError when the connection is lost.
void RedisSubscriber::listen(RedisConnection& connection) {
    auto last_heard = steady_clock::now();
    bool pinged = false;
    while (!stopping_) {
        RedisReplyPtr reply = connection.poll_reply(kPollInterval);
        auto now = steady_clock::now();
        if (reply) {
            last_heard = now;
            pinged = false;
            handle(*reply);
            continue;
        }
        if (now - last_heard > kDeadAfter) throw RedisError("redis: no reply to PING");
        if (!pinged && now - last_heard > kPingAfter) {
            connection.append({"PING"});
            connection.flush();
            pinged = true;
        }
    }
}

// ["message", channel, payload]; subscribe confirmations and PING replies are ignored.
void RedisSubscriber::handle(const redisReply& reply) {
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements != 3) return;
    if (text(reply.element[0]) != "message") return;
    std::optional<LiveEvent> event;
    try {
        event = decode_bus_message(text(reply.element[2]));
    } catch (const std::exception&) {
        event.reset();
    }
    if (!event) {
        ++counters_.malformed;
        return;
    }
    ++counters_.received;
    on_event_(std::move(*event));
}

}  // namespace bus
