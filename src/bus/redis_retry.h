// How a lost Redis connection is retried: exponentially spaced attempts (50 ms doubling to
// 2 s), and one warning per outage instead of one per attempt.
#pragma once
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace bus {

class Backoff {
public:
    explicit Backoff(std::chrono::milliseconds first = std::chrono::milliseconds(50),
                     std::chrono::milliseconds max = std::chrono::milliseconds(2000))
        : first_(first), max_(max), next_(first) {}
    // The delay before the next attempt; each call doubles the following one, up to max.
    std::chrono::milliseconds next() {
        auto delay = next_;
        next_ = std::min(next_ * 2, max_);
        return delay;
    }
    void reset() { next_ = first_; }

private:
    std::chrono::milliseconds first_, max_, next_;
};

// `who` names the connection in logs; `redacted_url` must already be redacted.
class OutageLog {
public:
    OutageLog(std::string who, std::string redacted_url)
        : who_(std::move(who)), url_(std::move(redacted_url)) {}
    void failed(const std::string& error) {
        if (down_) return;
        down_ = true;
        spdlog::warn("{}: cannot reach {} ({}); retrying in the background", who_, url_, error);
    }
    // True when this ends an outage (the connection is a reconnect).
    bool recovered() {
        if (!down_) return false;
        down_ = false;
        spdlog::info("{}: connected to {} again", who_, url_);
        return true;
    }

private:
    std::string who_, url_;
    bool down_ = false;
};

}  // namespace bus
