#include "bus/redis_pool.h"

namespace bus {

RedisPool::RedisPool(RedisUrl url, std::string redacted_url, RedisTimeouts timeouts,
                     size_t max_idle)
    : url_(std::move(url)),
      timeouts_(timeouts),
      max_idle_(max_idle),
      outage_("redis query cache", std::move(redacted_url)) {}

std::unique_ptr<RedisConnection> RedisPool::acquire(bool wait_for_connect) {
    {
        std::unique_lock lock(mutex_);
        if (wait_for_connect) connected_.wait(lock, [this] { return !connecting_; });
        if (!idle_.empty()) {
            auto connection = std::move(idle_.back());
            idle_.pop_back();
            return connection;
        }
        if (connecting_ || std::chrono::steady_clock::now() < retry_at_) return nullptr;
        connecting_ = true;
    }
    return connect();  // outside the lock: a connect may take up to the connect timeout
}

std::unique_ptr<RedisConnection> RedisPool::connect() {
    std::unique_ptr<RedisConnection> connection;
    std::string error;
    std::string run_id;
    try {
        connection = std::make_unique<RedisConnection>(url_, timeouts_);
        run_id = server_run_id(*connection);
    } catch (const RedisError& e) {
        connection.reset();
        error = e.what();
    }
    std::lock_guard lock(mutex_);
    connecting_ = false;
    connected_.notify_all();
    if (!connection) {
        ++disruptions_;
        outage_.failed(error);
        retry_at_ = std::chrono::steady_clock::now() + backoff_.next();
        return nullptr;
    }
    outage_.recovered();
    backoff_.reset();
    if (run_id != run_id_) {
        if (!run_id_.empty()) ++disruptions_;  // restarted, or a different server
        run_id_ = run_id;
    }
    return connection;
}

void RedisPool::release(std::unique_ptr<RedisConnection> connection) {
    if (!connection) return;
    if (connection->broken()) {
        ++disruptions_;
        return;
    }
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
}

}  // namespace bus
