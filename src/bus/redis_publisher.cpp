#include "bus/redis_publisher.h"

#include <hiredis/hiredis.h>

#include "bus/redis_retry.h"

namespace bus {
namespace {
constexpr size_t kMaxBatch = 512;  // messages per pipelined round trip
}

RedisPublisher::RedisPublisher(RedisUrl url, std::string redacted_url, RedisTimeouts timeouts,
                               std::string channel, size_t max_pending, RedisBusCounters& counters)
    : url_(std::move(url)),
      redacted_url_(std::move(redacted_url)),
      timeouts_(timeouts),
      channel_(std::move(channel)),
      max_pending_(max_pending == 0 ? 1 : max_pending),
      counters_(counters),
      thread_([this] { run(); }) {}

RedisPublisher::~RedisPublisher() {
    stop();
}

void RedisPublisher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void RedisPublisher::enqueue(std::string message) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            ++counters_.publish_dropped;
            return;
        }
        if (queue_.size() >= max_pending_) {
            queue_.pop_front();
            ++counters_.publish_dropped;
        }
        queue_.push_back(std::move(message));
    }
    wake_.notify_one();
}

void RedisPublisher::requeue(std::deque<std::string>& batch) {
    std::lock_guard lock(mutex_);
    while (!batch.empty() && queue_.size() + batch.size() > max_pending_) {
        batch.pop_front();  // the batch is older than anything queued
        ++counters_.publish_dropped;
    }
    queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()),
                  std::make_move_iterator(batch.end()));
    batch.clear();
}

void RedisPublisher::sleep_for(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, delay, [this] { return stopping_; });
}

// Sends the batch in one pipeline; on return the sent messages are removed from it.
void RedisPublisher::send(RedisConnection& connection, std::deque<std::string>& batch) {
    for (const auto& message : batch) connection.append({"PUBLISH", channel_, message});
    while (!batch.empty()) {
        RedisReplyPtr reply = connection.read_reply();  // throws when the connection is lost
        if (reply->type == REDIS_REPLY_ERROR)
            ++counters_.publish_dropped;  // e.g. NOPERM
        else
            ++counters_.published;
        batch.pop_front();
    }
}

void RedisPublisher::run() {
    Backoff backoff;
    OutageLog outage("redis bus publisher", redacted_url_);
    std::unique_ptr<RedisConnection> connection;
    try {  // connect before the first message, so a quick stop() can still send it
        connection = std::make_unique<RedisConnection>(url_, timeouts_);
    } catch (const RedisError& e) {
        ++counters_.errors;
        outage.failed(e.what());
    }
    std::deque<std::string> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_ && (queue_.empty() || !connection)) {
                counters_.publish_dropped += queue_.size();
                queue_.clear();
                return;
            }
            while (!queue_.empty() && batch.size() < kMaxBatch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        try {
            if (!connection) {
                connection = std::make_unique<RedisConnection>(url_, timeouts_);
                if (outage.recovered()) ++counters_.reconnects;
            }
            send(*connection, batch);
            backoff.reset();
        } catch (const RedisError& e) {
            ++counters_.errors;
            connection.reset();
            outage.failed(e.what());
            requeue(batch);
            sleep_for(backoff.next());
        }
    }
}

}  // namespace bus
